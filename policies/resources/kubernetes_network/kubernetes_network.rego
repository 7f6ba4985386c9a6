# QA-KUBE-006: every namespace that runs workloads has a default-deny NetworkPolicy for
# both ingress and egress (one policy with both types, or one of each).
package qantara.resources.kubernetes_network

import rego.v1

import data.qantara.lib.kubernetes
import data.qantara.lib.plan

policy_type := "kubernetes:networking.k8s.io/v1:NetworkPolicy"

network_policies := [plan.resources[i] | some i in plan.indexes_of({policy_type})]

# Namespaces (by name or by the Namespace resource they depend on) with a default deny, per direction.
denied(direction) := {key |
	some r in network_policies
	denies_all(r, direction)
	some key in kubernetes.namespace_keys(r)
}

denied_ingress := denied("Ingress")

denied_egress := denied("Egress")

rule_keys := {"Ingress": "ingress", "Egress": "egress"}

# Selects every pod, covers the direction, and allows nothing in it.
denies_all(r, direction) if {
	spec := object.get(r.inputs, "spec", {})
	selects_every_pod(object.get(spec, "podSelector", {}))
	direction in policy_types(spec)
	count(object.get(spec, rule_keys[direction], [])) == 0
}

selects_every_pod(selector) if {
	count(object.get(selector, "matchLabels", {})) == 0
	count(object.get(selector, "matchExpressions", [])) == 0
}

# Kubernetes' default: Ingress, plus Egress when the policy has egress rules.
policy_types(spec) := spec.policyTypes if {
	is_array(spec.policyTypes)
} else := ["Ingress", "Egress"] if {
	count(object.get(spec, "egress", [])) > 0
} else := ["Ingress"]

findings := [finding |
	some workload in kubernetes.workloads
	r := workload.resource
	missing := [direction | some direction in ["ingress", "egress"]; not protected(r, direction)]
	count(missing) > 0
	finding := {
		"policy": "QA-KUBE-006",
		"resource": r.urn,
		"message": sprintf("%s runs in namespace %s, which has no default-deny NetworkPolicy for %s: its pods accept or open any connection no policy forbids", [plan.label(r), kubernetes.namespace(r), concat_directions(missing)]),
	}
]

protected(r, "ingress") if {
	some key in kubernetes.namespace_keys(r)
	key in denied_ingress
}

protected(r, "egress") if {
	some key in kubernetes.namespace_keys(r)
	key in denied_egress
}

concat_directions(missing) := "ingress and egress" if {
	count(missing) == 2
} else := missing[0]
