# QA-BP-005: audit records are kept at least as long as the jurisdiction requires.
#
# The minimum comes from data.catalog.audit_retention: Qantara's baseline and every rule of
# the blueprint's jurisdiction (a zone matches its parent) for its sectors; the longest wins.
package qantara.blueprint.audit

import rego.v1

import data.qantara.lib.residency
import data.qantara.lib.text

retention := data.catalog.audit_retention

spec := input.blueprint.spec

baseline_rule := object.union(retention.baseline, {"title": "Qantara baseline (not law)"})

# A rule applies to the blueprint's jurisdiction, and to its sectors when it names any.
# (Not named `applies`: regopy 1.5 crashes when two packages define functions of one name
# with different arities, and qantara.lib.residency has applies/3.)
applies_here(rule) if {
	rule.jurisdiction == residency.parent_code(spec.jurisdiction)
	count(object.get(rule, "sectors", [])) == 0
}

applies_here(rule) if {
	rule.jurisdiction == residency.parent_code(spec.jurisdiction)
	some sector in object.get(rule, "sectors", [])
	sector in object.get(spec, "sectors", [])
}

rules := array.concat([baseline_rule], [rule | some rule in retention.rules; applies_here(rule)])

minimum := max([rule.days | some rule in rules])

binding := [rule | some rule in rules; rule.days == minimum]

rule_reference(rule) := sprintf("%s: %s%s", [rule.id, rule.title, uncertain_note(rule)])

# regopy 1.5 needs a body on the first clause of a function with else.
uncertain_note(rule) := " [uncertain]" if {
	object.get(rule, "certainty", "") == "uncertain"
} else := ""

because := text.join("; ", [rule_reference(rule) | some rule in binding])

findings := [finding |
	days := object.get(spec, ["governance", "auditRetentionDays"], null)
	is_number(days)
	days < minimum
	finding := {
		"policy": "QA-BP-005",
		"resource": "spec.governance.auditRetentionDays",
		"message": sprintf("audit records are kept %d days; under %s rules they must be kept at least %d days [%s]", [days, spec.jurisdiction, minimum, because]),
	}
]
