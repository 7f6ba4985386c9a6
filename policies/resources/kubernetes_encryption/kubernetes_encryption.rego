# QA-KUBE-007: an object store (MinIO) encrypts what it stores: auto-encryption on, with a
# key from a KMS (a static key, KES or MinIO KMS), set in the workload's own pod spec.
package qantara.resources.kubernetes_encryption

import rego.v1

import data.qantara.lib.kubernetes
import data.qantara.lib.plan

# The variables by which MinIO is given a key: a static key (or its file), KES, MinIO KMS.
key_variables := {"MINIO_KMS_SECRET_KEY", "MINIO_KMS_SECRET_KEY_FILE", "MINIO_KMS_KES_ENDPOINT", "MINIO_KMS_SERVER"}

findings := [finding |
	some workload in kubernetes.workloads
	some pod in workload.pods
	some container in kubernetes.containers(pod)
	is_minio(container)
	problem := encryption_problem(container)
	finding := {
		"policy": "QA-KUBE-007",
		"resource": workload.resource.urn,
		"message": sprintf("%s container `%s` runs MinIO %s", [plan.label(workload.resource), kubernetes.container_name(container), problem]),
	}
]

# The image's repository name, whatever the registry and tag: `.../minio:<tag>` or `@sha256:...`.
is_minio(container) if regex.match(`(^|/)minio([:@]|$)`, container.image)

variables(container) := {v.name | some v in object.get(container, "env", []); is_string(v.name)}

auto_encryption(container) if {
	some v in object.get(container, "env", [])
	v.name == "MINIO_KMS_AUTO_ENCRYPTION"
	lower(object.get(v, "value", "off")) == "on"
}

encryption_problem(container) := "without a KMS key (none of MINIO_KMS_SECRET_KEY, MINIO_KMS_SECRET_KEY_FILE, MINIO_KMS_KES_ENDPOINT, MINIO_KMS_SERVER is set): objects are stored unencrypted" if {
	count(variables(container) & key_variables) == 0
} else := "without MINIO_KMS_AUTO_ENCRYPTION=on: objects written without encryption headers are stored unencrypted" if {
	not auto_encryption(container)
}
