# QA-PRJ-002: the project handles no data above what its platform, and each platform
# component it uses, may hold.
#
# The project's class must not exceed the platform's highest class. Within it, what each
# enabled component the project uses must hold fits that component's class: each dataset
# the data lake it is read from; the project's class experiment tracking and the model
# registry (both keep the trained model), serving and monitoring (they receive and capture
# the same kind of data). Which component holds what is the table
# data.catalog.project_components, which `qantara new` applies too.
package qantara.project.data_classification

import rego.v1

import data.qantara.lib.resolved
import data.qantara.project.platform

classes := data.catalog.jurisdictions.classifications

class_rank(class) := i if classes[i] == class

spec := input.project.manifest.spec

platform_class := input.blueprint.spec.dataClassification

components := input.blueprint.spec.components

findings := array.concat(array.concat(array.concat(platform_findings, dataset_findings), component_findings), classification_unresolved)

# Each component's class is the resolved platform's fact: without it, one finding.
classification_unresolved := resolved.unresolved("QA-PRJ-002", "spec.dataClassification") if is_object(input.project)

else := []

platform_findings := [finding |
	is_object(input.project)
	class_rank(spec.dataClassification) > class_rank(platform_class)
	finding := {
		"policy": "QA-PRJ-002",
		"resource": "spec.dataClassification",
		"message": sprintf("the project handles %s data but platform %s holds at most %s data", [spec.dataClassification, input.blueprint.metadata.name, platform_class]),
	}
]

# Within the platform's class: the finer checks (a project above it is one finding, not five).
within_platform if class_rank(spec.dataClassification) <= class_rank(platform_class)

# A component the project uses (qantara.project.platform.uses, from the table
# data.catalog.project_components) that is enabled; a disabled one is QA-PRJ-010's finding.
used_component(name) := component if {
	platform.uses[name]
	component := object.get(components, name, {})
	object.get(component, "enabled", true) == true
}

dataset_findings := [finding |
	is_object(input.project)
	within_platform
	row := platform.uses[name]
	row.holds == "datasets"
	used_component(name)
	held := resolved.component_class(name)
	dataset := spec.datasets[index]
	class_rank(dataset.classification) > class_rank(held)
	finding := {
		"policy": "QA-PRJ-002",
		"resource": sprintf("spec.datasets[%d].classification", [index]),
		"message": sprintf("dataset %s is %s data but component %s of platform %s holds at most %s data (%s)", [dataset.name, dataset.classification, name, input.blueprint.metadata.name, held, row.reason]),
	}
]

component_findings := [finding |
	is_object(input.project)
	within_platform
	row := platform.uses[name]
	row.holds == "project"
	used_component(name)
	held := resolved.component_class(name)
	class_rank(spec.dataClassification) > class_rank(held)
	finding := {
		"policy": "QA-PRJ-002",
		"resource": "spec.dataClassification",
		"message": sprintf("the project's %s data would reach component %s, which holds at most %s data on platform %s (%s)", [spec.dataClassification, name, held, input.blueprint.metadata.name, row.reason]),
	}
]
