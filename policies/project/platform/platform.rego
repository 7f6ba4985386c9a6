# QA-PRJ-007: every environment the project targets exists on its platform.
# QA-PRJ-008: the project names the platform whose blueprint it points at.
# QA-PRJ-010: every platform component the project uses is enabled.
#
# Which components a project uses, and why, is the table data.catalog.project_components
# (policies/data/project_components.yaml), which `qantara new` reads too; `uses` below is
# that table applied to the project, and qantara.project.data_classification imports it.
package qantara.project.platform

import rego.v1

spec := input.project.manifest.spec

blueprint_environments := {environment.name | some environment in input.blueprint.spec.environments}

# The table's rows that apply to this project, by component: {component: row}.
uses[row.component] := row if {
	is_object(input.project)
	some row in data.catalog.project_components.uses
	serving_uses(row)
	datasets_use(row)
}

serving_uses(row) if not is_array(object.get(row, "serving", null))

serving_uses(row) if spec.serving in row.serving

datasets_use(row) if object.get(row, "datasets", false) == false

datasets_use(row) if count(object.get(spec, "datasets", [])) > 0

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
	row := uses[name]
	object.get(input.blueprint.spec.components, [name, "enabled"], true) == false
	finding := {
		"policy": "QA-PRJ-010",
		"resource": row.field,
		"message": sprintf("platform %s has no %s (spec.components.%s.enabled: false), but %s", [input.blueprint.metadata.name, name, name, row.reason]),
	}
]
