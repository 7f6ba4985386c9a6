# QA-PRJ-005: every production environment the project targets has a recorded approval by
# one of that environment's approvers, dated no later than today.
#
# Production is the blueprint's notion (qantara.lib.resolved.production: the resolved platform's fact). An
# approval names an approver as the blueprint writes it: a group approves as the group.
package qantara.project.approvals

import rego.v1

import data.qantara.lib.resolved
import data.qantara.lib.text

spec := input.project.manifest.spec

today := input.context.date

platform_environment(name) := environment if {
	some environment in input.blueprint.spec.environments
	environment.name == name
}

# Without the resolved facts no environment can be shown not to be production: one finding.
findings := array.concat(approval_findings, approval_unresolved)

approval_unresolved := resolved.unresolved("QA-PRJ-005", "spec.environments") if is_object(input.project)

else := []

approval_findings := [finding |
	is_object(input.project)
	name := spec.environments[index]
	environment := platform_environment(name)
	resolved.production(environment)
	count(valid(name, environment)) == 0
	finding := {
		"policy": "QA-PRJ-005",
		"resource": sprintf("spec.environments[%d]", [index]),
		"message": approval_gap(name, environment),
	}
]

recorded(name) := [approval | some approval in spec.approvals; approval.environment == name]

valid(name, environment) := [approval |
	some approval in recorded(name)
	approval.approvedBy in environment.approvers
	approval.date <= today
]

# regopy 1.5 needs a body on the first clause of a function with else.
approval_gap(name, environment) := sprintf("production environment %s names no approvers on platform %s, so no approval of this project can be recorded", [name, input.blueprint.metadata.name]) if {
	count(object.get(environment, "approvers", [])) == 0
} else := sprintf("no approval recorded for production environment %s: add one to spec.approvals by one of its approvers (%s)", [name, text.join(", ", environment.approvers)]) if {
	count(recorded(name)) == 0
} else := sprintf("the approval for production environment %s is dated %s, after today (%s): an approval is recorded once it is given", [name, by_approvers[0].date, today]) if {
	by_approvers := [approval | some approval in recorded(name); approval.approvedBy in environment.approvers]
	count(by_approvers) > 0
} else := sprintf("the approval for production environment %s is by %s, not one of its approvers (%s)", [name, text.join(", ", [approval.approvedBy | some approval in recorded(name)]), text.join(", ", environment.approvers)])
