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

lookup_findings := [finding |
	some lookup in unanswered
	finding := {
		"policy": "QA-RES-070",
		"resource": anchor.urn,
		"message": sprintf("the program looks up %s (arguments: %v), which the offline plan cannot answer, so every value it feeds is missing from the plan; check the real `pulumi preview --json` with `qantara check --plan`, or replace the lookup with configuration", [lookup.token, lookup.args]),
	}
]

transform_findings := [finding |
	some problem in unapplied
	finding := {
		"policy": "QA-RES-070",
		"resource": anchor.urn,
		"message": sprintf("a transform the program registered was not applied offline (%v), so resources may differ from the plan; check the real `pulumi preview --json` with `qantara check --plan`", [problem]),
	}
]
