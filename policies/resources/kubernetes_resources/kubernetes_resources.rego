# QA-KUBE-004: every container declares CPU and memory limits.
package qantara.resources.kubernetes_resources

import rego.v1

import data.qantara.lib.kubernetes
import data.qantara.lib.plan
import data.qantara.lib.text

limited := ["cpu", "memory"]

findings := [finding |
	some workload in kubernetes.workloads
	some pod in workload.pods
	some container in kubernetes.containers(pod)
	missing := [key | some key in limited; not limit_set(container, key)]
	count(missing) > 0
	finding := {
		"policy": "QA-KUBE-004",
		"resource": workload.resource.urn,
		"message": sprintf("%s container `%s` sets no %s limit: one runaway pod can starve the node's other workloads", [plan.label(workload.resource), kubernetes.container_name(container), text.join(" or ", missing)]),
	}
]

limit_set(container, key) if {
	value := container.resources.limits[key]
	value != null
	value != ""
}
