# QA-BP-009: every declared transfer is one the jurisdiction's rules can accept.
#
# A transfer (spec.governance.transfers) opens a country to data whose rule is
# `conditional`, under a mechanism a binding rule accepts (qantara.lib.residency). A
# transfer that opens nothing misleads its reader: it names a country inside the
# jurisdiction, a mechanism no rule binding the platform's data accepts, an adequacy basis for
# a country not on the list the rule names, or data the rules keep in the country whatever is
# declared.
package qantara.blueprint.transfers

import rego.v1

import data.qantara.blueprint.residency as placed
import data.qantara.lib.plan
import data.qantara.lib.residency
import data.qantara.lib.resolved
import data.qantara.lib.text

spec := input.blueprint.spec

transfers := object.get(spec, ["governance", "transfers"], [])

# Every class the platform holds: its highest, and each enabled component's (resolved).
held := {spec.dataClassification} | {resolved.component_class(name) | placed.enabled[name]}

requirements := {class: residency.requirement(spec.jurisdiction, class, object.get(spec, "sectors", [])) | some class in held}

conditional := {class | some class in held; requirements[class].level == "conditional"}

kept_home := sort([class | some class in held; requirements[class].level in {"in-country", "on-prem"}])

# Mechanisms some binding law accepts (Qantara's baseline accepts all; it counts only when no
# law binds): a transfer under any other mechanism satisfies no law.
accepted := union({{m | some rule in residency.law_rules(requirements[class]); some m in residency.rule_mechanisms(rule)} | some class in conditional})

# Conditional classes a transfer's country is still closed to, with the rules left unmet.
unopened(transfer) := [sprintf("%s (%s)", [rule.id, text.join(", ", sort(residency.rule_mechanisms(rule)))]) |
	some class in conditional
	some rule in residency.unmet_rules(plan.context, transfer.country, requirements[class])
]

# Without the resolved facts the classes held are not known: one finding when there is a
# transfer to judge.
findings := array.concat(transfer_findings, transfers_unresolved)

transfers_unresolved := resolved.unresolved("QA-BP-009", "spec.governance.transfers") if count(transfers) > 0

else := []

transfer_findings := [finding |
	transfer := transfers[index]
	message := problem(transfer)
	finding := {
		"policy": "QA-BP-009",
		"resource": sprintf("spec.governance.transfers[%d]", [index]),
		"message": message,
	}
]

# regopy 1.5 needs a body on the first clause of a function with else.
problem(transfer) := sprintf("transfer to %s is declared, but %s is inside %s: data held there needs no transfer basis", [transfer.country, transfer.country, spec.jurisdiction]) if {
	residency.in_jurisdiction(plan.context, transfer.country)
} else := sprintf("transfer to %s under %s: the rules binding the platform's %s data accept only %s", [transfer.country, transfer.mechanism, text.join(", ", sort(conditional)), text.join(", ", sort(accepted))]) if {
	count(conditional) > 0
	not transfer.mechanism in accepted
} else := sprintf("transfer to %s under adequacy: %s is not on %s, the published list rule %s names; declare another mechanism it accepts", [transfer.country, transfer.country, off.list, off.rule]) if {
	transfer.mechanism == "adequacy"
	some class in conditional
	off := residency.off_list(plan.context, transfer.country, requirements[class])
} else := sprintf("transfer to %s under %s does not open %s on its own: each binding rule needs a declared transfer it accepts, and none is declared for %s", [transfer.country, transfer.mechanism, transfer.country, text.join("; ", sort(unopened(transfer)))]) if {
	count(conditional) > 0
	count(unopened(transfer)) > 0
} else := sprintf("transfer to %s under %s opens nothing: %s data under %s rules stays in %s whatever is declared [%s]", [transfer.country, transfer.mechanism, text.join(", ", kept_home), spec.jurisdiction, text.join(", ", residency.countries(spec.jurisdiction)), residency.because(requirements[kept_home[count(kept_home) - 1]])]) if {
	count(conditional) == 0
	count(kept_home) > 0
}
