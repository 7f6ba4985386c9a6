# QA-BP-006: the blueprint meets the prerequisites of its target maturity stage and below.
#
# Stages and their prerequisites are data (catalog maturity_stages.yaml, Qantara's own
# model). `prerequisites` reports every prerequisite of every stage, held or not: the
# maturity assessment (qantara.policy.maturity) reads it to find the stage reached, so the
# tests below are written once, here. Which environments are production and what they
# enforce are the resolved platform's facts (qantara.lib.resolved): without them, the
# prerequisites that need them do not hold.
package qantara.blueprint.maturity

import rego.v1

import data.qantara.lib.resolved
import data.qantara.lib.text

stages := data.catalog.maturity_stages.stages

stage_rank(name) := i if stages[i].name == name

spec := input.blueprint.spec

prerequisites := [status |
	stage := stages[_]
	prerequisite := stage.prerequisites[_]
	status := object.union(judge(prerequisite), {
		"stage": stage.name,
		"id": prerequisite.id,
		"description": prerequisite.description,
	})
]

findings := [finding |
	target := object.get(spec, ["governance", "stage"], null)
	is_string(target)
	some status in prerequisites
	not status.held
	stage_rank(status.stage) <= stage_rank(target)
	finding := {
		"policy": "QA-BP-006",
		"resource": status.resource,
		"message": sprintf("target stage %s needs %s, a prerequisite of the %s stage: %s", [target, status.description, status.stage, status.message]),
	}
]

# {held, resource, message} for one prerequisite; regopy needs a body on the first clause.
judge(prerequisite) := {"held": true, "resource": resource(prerequisite), "message": ""} if {
	holds(prerequisite)
} else := {"held": false, "resource": resource(prerequisite), "message": gap(prerequisite)}

# componentEnabled: the named component is enabled (an omitted component is).
holds(prerequisite) if {
	prerequisite.check == "componentEnabled"
	object.get(spec, ["components", prerequisite.component, "enabled"], true) == true
}

# productionApprovers: every production environment names approvers.
holds(prerequisite) if {
	prerequisite.check == "productionApprovers"
	resolved.valid
	count(unapproved_production) == 0
}

# disasterRecovery: a DR region is set.
holds(prerequisite) if {
	prerequisite.check == "disasterRecovery"
	is_string(object.get(spec, ["cloud", "drRegion"], null))
}

# mandatoryEnforcement: every environment but dev enforces.
holds(prerequisite) if {
	prerequisite.check == "mandatoryEnforcement"
	resolved.valid
	count(advisory_outside_dev) == 0
}

unapproved_production := [environment.name |
	some environment in object.get(spec, "environments", [])
	resolved.production(environment)
	count(object.get(environment, "approvers", [])) == 0
]

advisory_outside_dev := [environment.name |
	some environment in object.get(spec, "environments", [])
	environment.name != "dev"
	resolved.enforcement(environment) == "advisory"
]

resource(prerequisite) := sprintf("spec.components.%s.enabled", [prerequisite.component]) if {
	prerequisite.check == "componentEnabled"
} else := "spec.environments" if {
	prerequisite.check in {"productionApprovers", "mandatoryEnforcement"}
} else := "spec.cloud.drRegion" if {
	prerequisite.check == "disasterRecovery"
} else := "spec.governance.stage"

gap(prerequisite) := sprintf("the %s component is disabled", [prerequisite.component]) if {
	prerequisite.check == "componentEnabled"
} else := sprintf("the resolved platform's facts cannot be used (%s), so which environments are production and what they enforce cannot be shown", [text.join("; ", resolved.problems)]) if {
	prerequisite.check in {"productionApprovers", "mandatoryEnforcement"}
	not resolved.valid
} else := sprintf("production environments without approvers: %s", [text.join(", ", unapproved_production)]) if {
	prerequisite.check == "productionApprovers"
} else := "an on-prem platform has no modelled second site, so disaster recovery cannot be shown" if {
	prerequisite.check == "disasterRecovery"
	spec.deployment == "on-prem"
} else := "no spec.cloud.drRegion is set" if {
	prerequisite.check == "disasterRecovery"
} else := sprintf("advisory environments other than dev: %s", [text.join(", ", advisory_outside_dev)]) if {
	prerequisite.check == "mandatoryEnforcement"
} else := sprintf("unknown prerequisite check %v in maturity_stages.yaml", [prerequisite.check])
