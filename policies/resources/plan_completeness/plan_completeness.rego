# QA-RES-070: an offline plan that could not answer a lookup (invoke) the program made, or
# could not apply a transform the program registered, is incomplete: what it shows is not
# what `pulumi up` would do, so it cannot pass. Imported plans (real previews and exports)
# carry neither list and are never judged here.
package qantara.resources.plan_completeness

import rego.v1

import data.qantara.lib.plan

findings := array.concat(lookup_findings, transform_findings)

unanswered := object.get(input.plan.source, "unansweredInvokes", [])

unapplied := object.get(input.plan.source, "unappliedTransforms", [])

# The plan's own resource (the stack) carries plan-wide findings; else its first resource.
stacks := plan.indexes_of({"pulumi:pulumi:Stack"})

anchor := plan.resources[stacks[0]] if count(stacks) > 0

else := plan.resources[0]

# A lookup whose answer went into resources: one finding on each (resource, argument).
lookup_findings := array.concat(used_lookup_findings, unused_lookup_findings)

used_lookup_findings := [finding |
	some lookup in unanswered
	some use in object.get(lookup, "usedBy", [])
	finding := {
		"policy": "QA-RES-070",
		"resource": use.resource,
		"message": sprintf("`%s` takes its %s from the lookup %s, which the offline plan cannot answer, so the plan does not show its real value; check the real `pulumi preview --json` with `qantara check --plan`, or pass the value through configuration", [resource_name(use.resource), use.argument, lookup.token]),
	}
]

# A lookup no resource argument took may still steer the program (an `if` on its answer).
unused_lookup_findings := [finding |
	some lookup in unanswered
	count(object.get(lookup, "usedBy", [])) == 0
	finding := {
		"policy": "QA-RES-070",
		"resource": anchor.urn,
		"message": sprintf("the program looks up %s (arguments: %v), which the offline plan cannot answer; no resource argument shows its answer, but the program may decide on it, so the plan may not be what `pulumi up` creates; check the real `pulumi preview --json` with `qantara check --plan`, or replace the lookup with configuration", [lookup.token, lookup.args]),
	}
]

resource_name(urn) := parts[count(parts) - 1] if {
	parts := split(urn, "::")
}

transform_findings := [finding |
	some problem in unapplied
	finding := {
		"policy": "QA-RES-070",
		"resource": anchor.urn,
		"message": sprintf("a transform the program registered was not applied offline (%v), so resources may differ from the plan; check the real `pulumi preview --json` with `qantara check --plan`", [problem]),
	}
]
