# QA-KUBE-008: an Argo workflow declares its pods; it does not patch them (podSpecPatch) or set
# pod fields through templateDefaults, which the other Kubernetes policies cannot see.
# QA-KUBE-009: an Argo Events Sensor creates only objects it declares inline: a workflow or
# Kubernetes object fetched from a URL, Git, S3, a ConfigMap or a file is not in the plan.
package qantara.resources.kubernetes_argo

import rego.v1

import data.qantara.lib.kubernetes
import data.qantara.lib.plan
import data.qantara.lib.text

argo_types := array.concat(array.concat([t | some t in kubernetes.argo_workflow_types], [kubernetes.argo_cron_workflow]),
	["kubernetes:argoproj.io/v1alpha1:Sensor"])

argo_resources := [plan.resources[i] | some i in plan.indexes_of(argo_types)]

findings := array.concat(patch_findings, source_findings)

# Template fields templateDefaults would merge into every template's pod, unseen by the checks.
default_pod_fields := ["container", "script", "initContainers", "sidecars", "securityContext", "podSpecPatch"]

patch_findings := [finding |
	some r in argo_resources
	some spec in kubernetes.argo_workflow_specs(r)
	some problem in hidden_pod_fields(spec)
	finding := {
		"policy": "QA-KUBE-008",
		"resource": r.urn,
		"message": sprintf("%s %s: the Kubernetes policies judge the pods a workflow declares, not what a patch or default makes of them", [plan.label(r), problem]),
	}
]

hidden_pod_fields(spec) := array.concat(array.concat(workflow_patch(spec), template_patches(spec)), default_fields(spec))

workflow_patch(spec) := ["patches every pod (spec.podSpecPatch)"] if {
	is_string(spec.podSpecPatch)
} else := []

template_patches(spec) := [sprintf("patches the pod of template `%s` (podSpecPatch)", [text.plain(object.get(t, "name", "?"))]) |
	some t in object.get(spec, "templates", [])
	is_string(t.podSpecPatch)
]

default_fields(spec) := [sprintf("sets %s for every template through spec.templateDefaults", [text.join(", ", fields)])] if {
	fields := [f | some f in default_pod_fields; object.get(spec, ["templateDefaults", f], null) != null]
	count(fields) > 0
} else := []

# Where a trigger's object can come from besides inline (`resource`).
remote_sources := ["url", "git", "s3", "configmap", "file"]

source_findings := [finding |
	some r in argo_resources
	r.type == "kubernetes:argoproj.io/v1alpha1:Sensor"
	some trigger in object.get(r.inputs, ["spec", "triggers"], [])
	some kind in ["argoWorkflow", "k8s"]
	source := object.get(trigger, ["template", kind, "source"], null)
	source != null
	where := [s | some s in remote_sources; object.get(source, s, null) != null]
	count(where) > 0
	finding := {
		"policy": "QA-KUBE-009",
		"resource": r.urn,
		"message": sprintf("%s trigger `%s` creates an object read from %s when it fires, which the plan cannot judge; only an object declared inline (source.resource) can be shown to be allowed", [plan.label(r), text.plain(object.get(trigger, ["template", "name"], "?")), text.join(", ", where)]),
	}
]
