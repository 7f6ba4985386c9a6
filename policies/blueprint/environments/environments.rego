# QA-BP-001: a production environment names who approves what reaches it.
package qantara.blueprint.environments

import rego.v1

findings := [finding |
	# regopy rejects `some i, x in` inside comprehensions: index explicitly.
	environment := input.blueprint.spec.environments[index]
	production(environment.name)
	count(object.get(environment, "approvers", [])) == 0
	finding := {
		"policy": "QA-BP-001",
		"resource": sprintf("spec.environments[%d]", [index]),
		"message": sprintf("environment %s is production but names no approvers: nobody is accountable for what is promoted to it", [environment.name]),
	}
]

# prod, production, prd, and their variants such as prod-eu.
production(name) if startswith(name, "prod")

production(name) if startswith(name, "prd")
