# Helpers over the Kubernetes resources of a plan, shared by the kubernetes_* policies.
#
# A workload is any resource that runs pods: a Pod, the controllers with a pod template
# (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job), a CronJob,
# and a KServe InferenceService, whose predictor, transformer and explainer are each a pod
# spec with an optional `model` container. Inputs are the Kubernetes API's camelCase.
package qantara.lib.kubernetes

import rego.v1

import data.qantara.lib.plan

template_types := {
	"kubernetes:apps/v1:Deployment",
	"kubernetes:apps/v1:StatefulSet",
	"kubernetes:apps/v1:DaemonSet",
	"kubernetes:apps/v1:ReplicaSet",
	"kubernetes:core/v1:ReplicationController",
	"kubernetes:batch/v1:Job",
}

inference_service := "kubernetes:serving.kserve.io/v1beta1:InferenceService"

kserve_components := ["predictor", "transformer", "explainer"]

# The pod specs a resource declares; [] when it runs no pods.
pod_specs(r) := [object.get(r.inputs, ["spec"], {})] if {
	r.type == "kubernetes:core/v1:Pod"
} else := [object.get(r.inputs, ["spec", "template", "spec"], {})] if {
	r.type in template_types
} else := [object.get(r.inputs, ["spec", "jobTemplate", "spec", "template", "spec"], {})] if {
	r.type == "kubernetes:batch/v1:CronJob"
} else := [spec |
	some component in kserve_components
	spec := r.inputs.spec[component]
	is_object(spec)
] if {
	r.type == inference_service
} else := []

# Every workload once, with its pod specs: the policies iterate this, not the whole plan twice.
workloads := [{"resource": r, "pods": pods} |
	some t in object.keys(plan.indexes_by_type)
	startswith(t, "kubernetes:")
	some i in plan.indexes_by_type[t]
	r := plan.resources[i]
	pods := pod_specs(r)
	count(pods) > 0
]

# Containers, init containers and ephemeral containers of a pod spec, plus KServe's `model`.
containers(pod) := array.concat(
	array.concat(listed(pod, "containers"), listed(pod, "initContainers")),
	array.concat(listed(pod, "ephemeralContainers"), model_container(pod)),
)

listed(pod, key) := pod[key] if is_array(pod[key])

else := []

model_container(pod) := [pod.model] if {
	is_object(pod.model)
} else := []

container_name(container) := container.name if is_string(container.name)

else := "model"

# A resource's namespace as written, or "default" when it names none.
namespace(r) := object.get(r.inputs, ["metadata", "namespace"], "default")

# What a resource's namespace can be matched by: its name when the plan knows it, and the
# Namespace resources it depends on (a preview does not know an auto-named namespace yet).
namespace_keys(r) := {key |
	some key in array.concat([namespace(r)], namespace_dependencies(r))
	not plan.is_unknown(key)
}

namespace_dependencies(r) := [urn |
	some urn in object.get(r, ["propertyDependencies", "metadata"], [])
	contains(urn, "kubernetes:core/v1:Namespace::")
]
