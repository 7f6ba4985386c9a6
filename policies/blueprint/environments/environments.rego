# QA-BP-001: a production environment names who approves what reaches it.
# QA-BP-002: a production environment enforces policies (mandatory, never advisory).
#
# Whether an environment is production and the enforcement in force are the resolved
# platform's facts (input.resolved, read through qantara.lib.resolved), never re-derived
# here; without usable facts this package reports QA-BP-002 instead of passing.
package qantara.blueprint.environments

import rego.v1

import data.qantara.lib.resolved

environments := object.get(input, ["blueprint", "spec", "environments"], [])

findings := array.concat(array.concat(approver_findings, enforcement_findings), resolved.unresolved("QA-BP-002", "spec.environments"))

approver_findings := [finding |
	# regopy rejects `some i, x in` inside comprehensions: index explicitly.
	environment := environments[index]
	resolved.production(environment)
	count(object.get(environment, "approvers", [])) == 0
	finding := {
		"policy": "QA-BP-001",
		"resource": sprintf("spec.environments[%d]", [index]),
		"message": sprintf("environment %s is production but names no approvers: nobody is accountable for what is promoted to it", [environment.name]),
	}
]

enforcement_findings := [finding |
	environment := environments[index]
	resolved.production(environment)
	resolved.enforcement(environment) == "advisory"
	finding := {
		"policy": "QA-BP-002",
		"resource": sprintf("spec.environments[%d].enforcement", [index]),
		"message": sprintf("environment %s is production but its enforcement is advisory: a failed mandatory checkpoint would not block a release to it", [environment.name]),
	}
]
