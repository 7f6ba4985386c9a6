# QA-BP-001: a production environment names who approves what reaches it.
# QA-BP-002: a production environment enforces policies (mandatory, never advisory).
#
# `production` and `enforcement` below say what an environment is the way the blueprint
# models do (Environment.is_production, Environment.effective_enforcement); the maturity
# and project policies import them from here.
package qantara.blueprint.environments

import rego.v1

environments := object.get(input, ["blueprint", "spec", "environments"], [])

findings := array.concat(approver_findings, enforcement_findings)

approver_findings := [finding |
	# regopy rejects `some i, x in` inside comprehensions: index explicitly.
	environment := environments[index]
	production(environment)
	count(object.get(environment, "approvers", [])) == 0
	finding := {
		"policy": "QA-BP-001",
		"resource": sprintf("spec.environments[%d]", [index]),
		"message": sprintf("environment %s is production but names no approvers: nobody is accountable for what is promoted to it", [environment.name]),
	}
]

enforcement_findings := [finding |
	environment := environments[index]
	production(environment)
	enforcement(environment) == "advisory"
	finding := {
		"policy": "QA-BP-002",
		"resource": sprintf("spec.environments[%d].enforcement", [index]),
		"message": sprintf("environment %s is production but its enforcement is advisory: a failed mandatory checkpoint would not block a release to it", [environment.name]),
	}
]

# An environment is production when it says so (`production: true`); when it does not say,
# when its name is prod, production, prd or a variant such as prod-eu.
production(environment) if object.get(environment, "production", null) == true

production(environment) if {
	not is_boolean(object.get(environment, "production", null))
	production_name(environment.name)
}

production_name(name) if startswith(name, "prod")

production_name(name) if startswith(name, "prd")

# The enforcement in force: the explicit level, else advisory for dev only.
enforcement(environment) := environment.enforcement if {
	is_string(object.get(environment, "enforcement", null))
} else := "advisory" if {
	environment.name == "dev"
} else := "mandatory"
