# QA-KUBE-001: no container runs privileged or may escalate its privileges.
# QA-KUBE-002: no pod shares the node's network, process or IPC namespace.
# QA-KUBE-005: every container runs as a non-root user.
package qantara.resources.kubernetes_workloads

import rego.v1

import data.qantara.lib.kubernetes
import data.qantara.lib.plan
import data.qantara.lib.text

findings := array.concat(array.concat(privilege_findings, host_findings), root_findings)

# One row per container of every workload, built once for the three rules.
rows := [{"resource": workload.resource, "pod": pod, "container": container} |
	some workload in kubernetes.workloads
	some pod in workload.pods
	some container in kubernetes.containers(pod)
]

privilege_findings := [finding |
	some row in rows
	problem := privilege_problem(row.container)
	finding := {
		"policy": "QA-KUBE-001",
		"resource": row.resource.urn,
		"message": sprintf("%s container `%s` %s", [plan.label(row.resource), kubernetes.container_name(row.container), problem]),
	}
]

privilege_problem(container) := "runs privileged (securityContext.privileged: true): it holds every capability of the node" if {
	object.get(container, ["securityContext", "privileged"], false) == true
} else := "may gain more privileges than its process has (securityContext.allowPrivilegeEscalation is not false)" if {
	object.get(container, ["securityContext", "allowPrivilegeEscalation"], true) != false
}

host_namespaces := ["hostNetwork", "hostPID", "hostIPC"]

host_findings := [finding |
	some workload in kubernetes.workloads
	some pod in workload.pods
	shared := [key | some key in host_namespaces; object.get(pod, key, false) == true]
	count(shared) > 0
	finding := {
		"policy": "QA-KUBE-002",
		"resource": workload.resource.urn,
		"message": sprintf("%s shares the node's namespaces (%s: true): its pods see the node's network or processes", [plan.label(workload.resource), text.join(", ", shared)]),
	}
]

root_findings := [finding |
	some row in rows
	runs_as_root(row.pod, row.container)
	finding := {
		"policy": "QA-KUBE-005",
		"resource": row.resource.urn,
		"message": sprintf("%s container `%s` %s", [plan.label(row.resource), kubernetes.container_name(row.container), root_problem(row.pod, row.container)]),
	}
]

# The container's setting wins over the pod's, as in Kubernetes.
effective(pod, container, key) := container.securityContext[key] if {
	not is_null(object.get(container, ["securityContext", key], null))
} else := object.get(pod, ["securityContext", key], null)

runs_as_root(pod, container) if effective(pod, container, "runAsUser") == 0

runs_as_root(pod, container) if {
	effective(pod, container, "runAsNonRoot") != true
	not positive(effective(pod, container, "runAsUser"))
}

positive(user) if {
	is_number(user)
	user > 0
}

root_problem(pod, container) := "runs as root (runAsUser: 0)" if {
	effective(pod, container, "runAsUser") == 0
} else := "may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set (container or pod securityContext)"
