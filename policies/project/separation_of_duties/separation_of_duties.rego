# QA-PRJ-011: a production environment's approval is by someone other than the person who
# started the run that trained the approved model (separation of duties).
#
# Who trained a model is read from the pipeline's lineage records (input.project.lineage:
# the runs that registered a model, oldest first), never from the approval itself. An
# approval names its model version (modelVersion), else it approves the latest registered
# one. Fail closed: an approval whose model no run records shows no separation at all.
# QA-PRJ-005 reports an environment with no approval; this package judges the ones recorded.
package qantara.project.separation_of_duties

import rego.v1

import data.qantara.lib.resolved

spec := input.project.manifest.spec

# Names are this package's own: a function of the same name and another arity elsewhere
# breaks regopy 1.5 (docs/decisions.md). A missing or malformed lineage is no runs at all.
registered_runs := input.project.lineage if is_array(input.project.lineage)

else := []

sod_environment(name) := environment if {
	some environment in input.blueprint.spec.environments
	environment.name == name
}

# Without the resolved facts no environment can be shown not to be production: one finding.
findings := array.concat(sod_findings, sod_unresolved)

sod_unresolved := resolved.unresolved("QA-PRJ-011", "spec.environments") if is_object(input.project)

else := []

sod_findings := [finding |
	is_object(input.project)
	name := spec.environments[index]
	environment := sod_environment(name)
	resolved.production(environment)
	count(sod_recorded(name)) > 0
	count(sod_independent_approvals(name)) == 0
	finding := {
		"policy": "QA-PRJ-011",
		"resource": sprintf("spec.environments[%d]", [index]),
		"message": duty_gap(name, sod_recorded(name)[0]),
	}
]

sod_recorded(name) := [approval | some approval in spec.approvals; approval.environment == name]

sod_independent_approvals(name) := [approval | some approval in sod_recorded(name); sod_independent(approval)]

sod_independent(approval) if {
	run := sod_approved_run(approval)
	lower(trim_space(run.startedBy)) != lower(trim_space(approval.approvedBy))
}

sod_approved_run(approval) := run if {
	version := object.get(approval, "modelVersion", null)
	version != null
	some run in registered_runs
	run.modelVersion == version
} else := run if {
	object.get(approval, "modelVersion", null) == null
	count(registered_runs) > 0
	run := registered_runs[count(registered_runs) - 1]
}

sod_version_of(approval) := v if {
	v := object.get(approval, "modelVersion", null)
	v != null
} else := "the latest registered model"

duty_gap(name, approval) := message if {
	run := sod_approved_run(approval)
	message := sprintf("the approval for production environment %s is by %s, who also started run %s that trained model version %s: a model's author cannot approve it", [name, approval.approvedBy, run.run, run.modelVersion])
}

duty_gap(name, approval) := message if {
	not sod_has_run(approval)
	message := sprintf("the approval for production environment %s (by %s, for %s) names a model no pipeline run records, so who trained it cannot be shown: run make pipeline and record the approval with the modelVersion that make lineage prints", [name, approval.approvedBy, sod_version_of(approval)])
}

sod_has_run(approval) if sod_approved_run(approval)
