# QA-PRJ-002: the project handles no data above what its platform, and each platform
# component it uses, may hold.
#
# The project's class must not exceed the platform's highest class. Within it, each dataset
# must fit the data lake it is read from, and the project's class must fit every other
# component it uses (qantara.project.platform.uses): the model registry holds a model
# trained on that data, serving and monitoring receive and capture the same kind of data.
# Experiment tracking is left out: a platform may class it lower because only de-identified
# metadata goes there (blueprints/sa-health-hybrid.yaml).
package qantara.project.data_classification

import rego.v1

import data.qantara.blueprint.residency as placed
import data.qantara.project.platform

classes := data.catalog.jurisdictions.classifications

class_rank(class) := i if classes[i] == class

spec := input.project.manifest.spec

platform_class := input.blueprint.spec.dataClassification

components := input.blueprint.spec.components

findings := array.concat(array.concat(platform_findings, dataset_findings), component_findings)

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

dataset_findings := [finding |
	is_object(input.project)
	within_platform
	platform.uses.dataLake
	lake := placed.component_class(components.dataLake)
	dataset := spec.datasets[index]
	class_rank(dataset.classification) > class_rank(lake)
	finding := {
		"policy": "QA-PRJ-002",
		"resource": sprintf("spec.datasets[%d].classification", [index]),
		"message": sprintf("dataset %s is %s data but the data lake of platform %s holds at most %s data", [dataset.name, dataset.classification, input.blueprint.metadata.name, lake]),
	}
]

component_findings := [finding |
	is_object(input.project)
	within_platform
	some name in ["modelRegistry", "serving", "monitoring"]
	reason := platform.uses[name]
	component := components[name]
	object.get(component, "enabled", true) == true
	held := placed.component_class(component)
	class_rank(spec.dataClassification) > class_rank(held)
	finding := {
		"policy": "QA-PRJ-002",
		"resource": "spec.dataClassification",
		"message": sprintf("the project's %s data would reach component %s, which holds at most %s data on platform %s (%s)", [spec.dataClassification, name, held, input.blueprint.metadata.name, reason]),
	}
]
