# QA-PRJ-014: a project does not declare a model the platform serves itself.
#
# A model named in the blueprint's spec.components.serving.models is the platform's endpoint,
# with its monitoring; a project of the same name (its model is its metadata.name) would
# declare the same endpoint, schedule and alarms from a second stack. `qantara new` refuses
# the name (qantara.project.generate.endpoint_owner_problems); this finds a project renamed after.
package qantara.project.endpoint_owner

import rego.v1

served_models := [model.name | some model in object.get(input.blueprint.spec, ["components", "serving", "models"], [])]

findings := [finding |
	is_object(input.project)
	name := input.project.manifest.metadata.name
	served_models[index] == name
	finding := {
		"policy": "QA-PRJ-014",
		# The blueprint's field that makes the model the platform's.
		"resource": sprintf("spec.components.serving.models[%d].name", [index]),
		"message": sprintf("model %s is served by platform %s itself (spec.components.serving.models), with its endpoint and monitoring; project %s would declare them again from its own stack. Allowed: a model name the blueprint does not serve, or the platform team moves %s from serving.models to modelRegistry.groups so that the project owns its endpoint", [name, input.blueprint.metadata.name, name, name]),
	}
]
