# QA-KUBE-003: every container image comes from the registry the blueprint allows
# (spec.onPrem.registry), so no image is pulled from outside the jurisdiction.
package qantara.resources.kubernetes_images

import rego.v1

import data.qantara.lib.kubernetes
import data.qantara.lib.plan

registry := input.blueprint.spec.onPrem.registry

findings := [finding |
	some workload in kubernetes.workloads
	some pod in workload.pods
	some container in kubernetes.containers(pod)
	# KServe's `model` without an image runs the cluster's serving runtime: not this plan's choice.
	is_string(container.image)
	problem := image_problem(container.image)
	finding := {
		"policy": "QA-KUBE-003",
		"resource": workload.resource.urn,
		"message": sprintf("%s container `%s` %s", [plan.label(workload.resource), kubernetes.container_name(container), problem]),
	}
]

image_problem(image) := "has an image the plan does not know yet, so it cannot be shown to come from the allowed registry" if {
	plan.is_unknown(image)
} else := sprintf("uses image %s, but the blueprint names no spec.onPrem.registry to pull images from", [image]) if {
	not is_string(registry)
} else := sprintf("uses image %s from outside the allowed registry %s", [image, registry]) if {
	not from_registry(image)
}

from_registry(image) if startswith(image, sprintf("%s/", [trim_right(registry, "/")]))
