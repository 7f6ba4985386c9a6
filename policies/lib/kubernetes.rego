# Helpers over the Kubernetes resources of a plan, shared by the kubernetes_* policies.
#
# A workload is any resource that runs pods: a Pod, the controllers with a pod template
# (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job), a CronJob,
# and a KServe InferenceService, whose predictor, transformer and explainer are each a pod
# spec with an optional `model` container; and the Argo objects, whose pods are not pod specs
# but are read as one (argo_pods below): a Workflow, WorkflowTemplate, ClusterWorkflowTemplate
# or CronWorkflow runs a pod per container, script or containerSet template; an Argo Events
# Sensor or EventSource runs one pod from `spec.template`, and a Sensor's inline Workflows run
# theirs. Inputs are the Kubernetes API's camelCase.
package qantara.lib.kubernetes

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

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
} else := argo_pods(object.get(r.inputs, "spec", {})) if {
	r.type in argo_workflow_types
} else := argo_pods(object.get(r.inputs, ["spec", "workflowSpec"], {})) if {
	r.type == argo_cron_workflow
} else := array.concat([argo_events_pod(r)], sensor_workflow_pods(r)) if {
	r.type in argo_events_types
} else := []

# --- Argo Workflows and Argo Events (argoproj.io/v1alpha1) ------------------------------

argo_workflow_types := {
	"kubernetes:argoproj.io/v1alpha1:Workflow",
	"kubernetes:argoproj.io/v1alpha1:WorkflowTemplate",
	"kubernetes:argoproj.io/v1alpha1:ClusterWorkflowTemplate",
}

argo_cron_workflow := "kubernetes:argoproj.io/v1alpha1:CronWorkflow"

argo_events_types := {"kubernetes:argoproj.io/v1alpha1:Sensor", "kubernetes:argoproj.io/v1alpha1:EventSource"}

# The workflow specs an Argo resource declares: its own, a CronWorkflow's, a Sensor's inline ones.
argo_workflow_specs(r) := [object.get(r.inputs, "spec", {})] if {
	r.type in argo_workflow_types
} else := [object.get(r.inputs, ["spec", "workflowSpec"], {})] if {
	r.type == argo_cron_workflow
} else := [w.spec |
	some w in sensor_workflows(r)
	is_object(w.spec)
]

# One pod per template that runs the user's containers (container, script, containerSet): the
# template's pod security context wins over the workflow's, as in Argo; sidecars are read as
# ephemeral containers. Resource, data, HTTP and plugin templates run Argo's own executor.
argo_pods(workflow) := [argo_pod(workflow, t) |
	some t in object.get(workflow, "templates", [])
	count(argo_main_containers(t)) > 0
]

argo_pod(workflow, t) := {
	"securityContext": object.get(t, "securityContext", object.get(workflow, "securityContext", {})),
	"hostNetwork": object.get(workflow, "hostNetwork", false),
	"containers": argo_main_containers(t),
	"initContainers": named(t, object.get(t, "initContainers", [])),
	"ephemeralContainers": named(t, object.get(t, "sidecars", [])),
}

argo_main_containers(t) := named(t, [t.container]) if {
	is_object(t.container)
} else := named(t, [t.script]) if {
	is_object(t.script)
} else := named(t, t.containerSet.containers) if {
	is_array(t.containerSet.containers)
} else := []

# Containers named after their template in messages: `main (template train)`.
# The renaming is a function of its own: regopy 1.5 returned [] for the same object built
# inside the comprehension's head (an object literal holding a sprintf of a function call).
named(t, listed_containers) := [named_container(c, template_name) |
	template_name := text.plain(object.get(t, "name", "?"))
	some c in listed_containers
	is_object(c)
]

named_container(c, template_name) := object.union(c, {"name": sprintf("%s (template %s)", [text.plain(object.get(c, "name", "main")), template_name])})

# An Argo Events pod: its container may be left out (the controller's defaults then apply,
# which the plan does not show, so it is read as a container with nothing set).
argo_events_pod(r) := {
	"securityContext": object.get(r.inputs, ["spec", "template", "securityContext"], {}),
	"containers": [object.union(object.get(r.inputs, ["spec", "template", "container"], {}), {"name": text.plain(lower(kind_word(r.type)))})],
}

kind_word(type_token) := parts[count(parts) - 1] if {
	parts := split(type_token, ":")
}

# The Workflows a Sensor's argoWorkflow triggers declare inline.
sensor_workflows(r) := [w |
	r.type == "kubernetes:argoproj.io/v1alpha1:Sensor"
	some trigger in object.get(r.inputs, ["spec", "triggers"], [])
	w := trigger.template.argoWorkflow.source.resource
	is_object(w)
]

sensor_workflow_pods(r) := [pod |
	some w in sensor_workflows(r)
	some pod in argo_pods(object.get(w, "spec", {}))
]

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
