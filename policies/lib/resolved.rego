# The resolved platform's facts (input.resolved), as the policies read them.
#
# Whether an environment is production, the enforcement in force, a component's data class
# and where the blueprint puts it (cloud, onprem, or auto: placement chooses) are worked out
# once, in Python (qantara.resolution.facts, from the blueprint model), and handed in here.
# No policy re-derives them: a default written here too could disagree with the one Qantara
# sizes and places by.
#
# Fail closed: an input without them, or with them malformed or contradicting what the
# blueprint states explicitly, has no facts at all (`valid` is undefined), and each policy
# that judges them reports `problem` under its own id instead of passing. A default (prod is
# production by name) cannot be checked here without re-deriving it: the checkpoint computes
# input.resolved itself from the blueprint it checks and never takes one from its caller.
package qantara.lib.resolved

import rego.v1

import data.qantara.lib.text

placement_modes := ["cloud", "onprem", "auto"]

# Every reason input.resolved cannot be used, as text, sorted (engines walk objects in
# different orders); empty when it can.
problems := sort(resolved_problems)

resolved_problems := ["input.resolved is missing or not an object"] if {
	not is_object(input.resolved)
} else := array.concat(environment_problems, component_problems)

valid if count(problems) == 0

environments := input.resolved.environments if is_array(input.resolved.environments)

else := []

components := input.resolved.components if is_object(input.resolved.components)

else := {}

environment_problems := array.concat(
	["input.resolved.environments is not a list" | not is_array(input.resolved.environments)],
	array.concat(
		[sprintf("input.resolved.environments[%d] is not {name, production: true|false, enforcement: %s}", [i, text.join("|", data.catalog.enforcement_levels.levels)]) |
			entry := environments[i]
			not well_formed_environment(entry)
		],
		[message |
			declared := object.get(input.blueprint, ["spec", "environments"], [])[_]
			message := declared_environment_problem(declared)
		],
	),
)

well_formed_environment(entry) if {
	is_string(entry.name)
	is_boolean(entry.production)
	entry.enforcement in data.catalog.enforcement_levels.levels
}

# The resolved environment of a blueprint environment, by name.
environment_named(name) := entry if {
	some entry in environments
	entry.name == name
}

# Each environment the blueprint declares is resolved, and what the blueprint states
# explicitly (production, enforcement) the facts repeat.
declared_environment_problem(declared) := sprintf("input.resolved.environments has no environment %s", [declared.name]) if {
	not environment_named(declared.name)
} else := sprintf("input.resolved says environment %s has production: %v; the blueprint says production: %v", [declared.name, environment_named(declared.name).production, declared.production]) if {
	is_boolean(object.get(declared, "production", null))
	environment_named(declared.name).production != declared.production
} else := sprintf("input.resolved says environment %s enforces %v; the blueprint says enforcement: %s", [declared.name, environment_named(declared.name).enforcement, declared.enforcement]) if {
	is_string(object.get(declared, "enforcement", null))
	environment_named(declared.name).enforcement != declared.enforcement
}

component_problems := array.concat(
	["input.resolved.components is not an object" | not is_object(input.resolved.components)],
	[message |
		declared := object.get(input.blueprint, ["spec", "components"], {})[name]
		object.get(declared, "enabled", true) == true
		message := declared_component_problem(name, declared)
	],
)

# Each enabled component of the blueprint is resolved, to a known class and mode, and the
# class or placement the blueprint states explicitly the facts repeat.
declared_component_problem(name, declared) := sprintf("input.resolved.components has no component %s", [name]) if {
	not is_object(components[name])
} else := sprintf("input.resolved.components.%s is not {dataClassification: %s, placement: %s}", [name, text.join("|", data.catalog.jurisdictions.classifications), text.join("|", placement_modes)]) if {
	not well_formed_component(components[name])
} else := sprintf("input.resolved says component %s holds %s data; the blueprint says dataClassification: %s", [name, components[name].dataClassification, declared.dataClassification]) if {
	is_string(object.get(declared, "dataClassification", null))
	components[name].dataClassification != declared.dataClassification
} else := sprintf("input.resolved says component %s is placed %s; the blueprint says placement: %s", [name, components[name].placement, declared.placement]) if {
	is_string(object.get(declared, "placement", null))
	components[name].placement != declared.placement
}

well_formed_component(entry) if {
	entry.dataClassification in data.catalog.jurisdictions.classifications
	entry.placement in placement_modes
}

# --- the facts ---------------------------------------------------------------------------

# A blueprint environment (an element of input.blueprint.spec.environments) is production.
production(environment) if {
	valid
	environment_named(environment.name).production == true
}

# The enforcement in force in a blueprint environment.
enforcement(environment) := environment_named(environment.name).enforcement if valid

# The data class an enabled component (by name) holds, and where the blueprint puts it.
component_class(name) := components[name].dataClassification if valid

component_mode(name) := components[name].placement if valid

# The one finding a policy reports when it cannot judge: [] when the facts are usable.
unresolved(policy, resource) := [finding |
	count(problems) > 0
	finding := {
		"policy": policy,
		"resource": resource,
		"message": sprintf("the resolved platform's facts cannot be used (%s), so this policy cannot be shown to hold: check through qantara check, check --project or the policy pack, which resolve the blueprint themselves", [text.join("; ", problems)]),
	}
]
