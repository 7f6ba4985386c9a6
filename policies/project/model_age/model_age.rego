# QA-PRJ-012: a model checked for a production environment was trained no longer ago than the
# platform allows (spec.governance.maxModelAgeDays, else the production profile's default).
#
# The age is computed by check_project from the model card's training.trainedAt
# (input.project.modelAgeDays, null when the card records no readable date). A missing card
# is QA-PRJ-001's finding; a card without a training date shows no age, and fails closed here.
package qantara.project.model_age

import rego.v1

import data.qantara.lib.resolved

# Names are this package's own (regopy 1.5: docs/decisions.md).
age_environment(name) := environment if {
	some environment in input.blueprint.spec.environments
	environment.name == name
}

age_limit := input.blueprint.spec.governance.maxModelAgeDays if {
	is_number(input.blueprint.spec.governance.maxModelAgeDays)
} else := data.catalog.environment_profiles.production.maxModelAgeDays

# Without the resolved facts no environment can be shown not to be production: one finding.
findings := array.concat(age_findings, age_unresolved)

age_unresolved := resolved.unresolved("QA-PRJ-012", "spec.modelCard") if is_object(input.project)

else := []

age_findings := [finding |
	is_object(input.project)
	is_object(input.project.modelCard)
	environment := age_environment(input.environment.name)
	resolved.production(environment)
	message := age_problem(environment.name)
	finding := {
		"policy": "QA-PRJ-012",
		"resource": "spec.modelCard",
		"message": message,
	}
]

# regopy 1.5 needs a body on the first clause of a function with else.
age_problem(name) := sprintf("the model card %s records no readable training date (training.trainedAt), so the model's age cannot be shown against the %d days production environment %s allows", [input.project.modelCardPath, age_limit, name]) if {
	not is_number(object.get(input.project, "modelAgeDays", null))
} else := sprintf("the model was trained %d days ago, more than the %d days production environment %s allows: retrain it (make pipeline, reason schedule) and have the new version approved", [input.project.modelAgeDays, age_limit, name]) if {
	input.project.modelAgeDays > age_limit
}
