# QA-PRJ-007: every environment the project targets exists on its platform.
# QA-PRJ-008: the project names the platform whose blueprint it points at.
# QA-PRJ-010: every platform component the project uses is enabled.
#
# `uses` says which components a project uses, and why; qantara.project.data_classification
# imports it.
package qantara.project.platform

import rego.v1

spec := input.project.manifest.spec

blueprint_environments := {environment.name | some environment in input.blueprint.spec.environments}

uses["experimentTracking"] := "its training runs log to experiment tracking" if is_object(input.project)

uses["modelRegistry"] := "its trained model is registered" if is_object(input.project)

uses["dataLake"] := "its datasets are read from the data lake" if count(spec.datasets) > 0

uses["serving"] := "serving: realtime puts the model behind an endpoint" if spec.serving == "realtime"

uses["monitoring"] := sprintf("serving: %s predictions are monitored", [spec.serving]) if spec.serving != "none"

findings := array.concat(array.concat(environment_findings, platform_findings), component_findings)

environment_findings := [finding |
	is_object(input.project)
	name := spec.environments[index]
	not name in blueprint_environments
	finding := {
		"policy": "QA-PRJ-007",
		"resource": sprintf("spec.environments[%d]", [index]),
		"message": sprintf("environment %s is not an environment of platform %s (its environments: %s)", [name, input.blueprint.metadata.name, concat_names(blueprint_environments)]),
	}
]

# regopy 1.5 mis-serialises a concat result handed to sprintf: trim it first (qantara.lib.text).
concat_names(names) := trim_space(concat(", ", sort(names)))

platform_findings := [finding |
	is_object(input.project)
	spec.platform != input.blueprint.metadata.name
	finding := {
		"policy": "QA-PRJ-008",
		"resource": "spec.platform",
		"message": sprintf("the project names platform %s but its blueprint %s describes platform %s", [spec.platform, spec.blueprint, input.blueprint.metadata.name]),
	}
]

component_findings := [finding |
	reason := uses[name]
	object.get(input.blueprint.spec.components, [name, "enabled"], true) == false
	finding := {
		"policy": "QA-PRJ-010",
		"resource": component_field(name),
		"message": sprintf("platform %s has no %s (spec.components.%s.enabled: false), but %s", [input.blueprint.metadata.name, name, name, reason]),
	}
]

# The manifest field that makes the project use a component.
component_field(name) := "spec.datasets" if {
	name == "dataLake"
} else := "spec.serving" if {
	name in {"serving", "monitoring"}
} else := "spec.platform"
