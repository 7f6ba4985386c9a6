# QA-RES-007: data-holding services encrypt with a customer-managed KMS key, never with an
#             AWS-owned or AWS-managed (alias/aws/*) key.
# QA-RES-008: the Glue Data Catalog that holds the plan's tables is encrypted likewise.
#
# Buckets are QA-RES-003's. The SageMaker managed MLflow tracking server takes no key in
# pulumi-aws 7.x (no such input); its artifacts are in S3, under QA-RES-003.
package qantara.resources.service_encryption

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

# Where each type names its key; a path under an optional block applies when the block is set.
key_paths := {
	"aws:sns/topic:Topic": [["kmsMasterKeyId"]],
	"aws:cloudwatch/logGroup:LogGroup": [["kmsKeyId"]],
	"aws:cloudtrail/trail:Trail": [["kmsKeyId"]],
	"aws:sagemaker/endpointConfiguration:EndpointConfiguration": [["kmsKeyArn"], ["dataCaptureConfig", "kmsKeyId"]],
	"aws:sagemaker/notebookInstance:NotebookInstance": [["kmsKeyId"]],
	"aws:sagemaker/domain:Domain": [["kmsKeyId"]],
	"aws:sagemaker/featureGroup:FeatureGroup": [
		["offlineStoreConfig", "s3StorageConfig", "kmsKeyId"],
		["onlineStoreConfig", "securityConfig", "kmsKeyId"],
	],
	"aws:sagemaker/trainingJob:TrainingJob": [["outputDataConfig", "kmsKeyId"]],
}

findings := array.concat(array.concat(key_findings, repository_findings), catalog_findings)

key_findings := [finding |
	# regopy rejects `some k, v in` inside comprehensions: index explicitly.
	paths := key_paths[t]
	some at in plan.indexes_of({t})
	r := plan.resources[at]
	some path in paths
	key_required(r, path)
	problem := key_problem(object.get(r.inputs, path, null))
	finding := {
		"policy": "QA-RES-007",
		"resource": r.urn,
		"message": sprintf("%s %s at %s, so AWS, not the platform, controls who can decrypt it; name a customer-managed KMS key of the platform there", [plan.label(r), problem, text.join(".", path)]),
	}
]

# A key under an optional block (data capture, online store) is needed only with the block.
key_required(_, path) if count(path) == 1

key_required(r, path) if {
	count(path) > 1
	object.get(r.inputs, [path[0]], null) != null
}

key_problem(value) := "names no key" if {
	not is_string(value)
} else := "names no key" if {
	value == ""
} else := sprintf("uses the AWS-managed key %s", [value]) if {
	plan.aws_managed_key(value)
}

repository_findings := [finding |
	some at in plan.indexes_of({"aws:ecr/repository:Repository"})
	r := plan.resources[at]
	problem := repository_problem(r)
	finding := {
		"policy": "QA-RES-007",
		"resource": r.urn,
		"message": sprintf("%s %s; set encryption_configurations to KMS with a customer-managed key of the platform", [plan.label(r), problem]),
	}
]

repository_problem(r) := "is encrypted with AES256 (ECR's default, no customer-managed key)" if {
	not r.inputs.encryptionConfigurations
} else := sprintf("is encrypted with %s, not a customer-managed KMS key", [text.plain(config.encryptionType)]) if {
	some config in r.inputs.encryptionConfigurations
	not plan.is_unknown(config.encryptionType)
	not config.encryptionType in {"KMS", "KMS_DSSE"}
} else := sprintf("is encrypted with the AWS-managed key (%s)", [text.plain(object.get(config, "kmsKey", "aws/ecr"))]) if {
	some config in r.inputs.encryptionConfigurations
	key_problem(object.get(config, "kmsKey", null))
}

# --- QA-RES-008 -------------------------------------------------------------------------

catalog_types := {"aws:glue/catalogDatabase:CatalogDatabase", "aws:glue/catalogTable:CatalogTable"}

settings := plan.resources_of({"aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"})

catalog_findings := array.concat(setting_findings, unencrypted_catalog_findings)

setting_findings := [finding |
	some s in settings
	problem := catalog_problem(s)
	finding := {
		"policy": "QA-RES-008",
		"resource": s.urn,
		"message": sprintf("%s %s; set encryption_at_rest to SSE-KMS with a customer-managed key of the platform", [plan.label(s), problem]),
	}
]

# Catalog resources in a region whose Data Catalog this plan does not encrypt at all.
unencrypted_catalog_findings := [finding |
	some at in plan.indexes_of(catalog_types)
	r := plan.resources[at]
	not encrypted_region(r.location)
	finding := {
		"policy": "QA-RES-008",
		"resource": r.urn,
		"message": sprintf("%s is in a Glue Data Catalog that this plan does not encrypt with a customer-managed key; add an aws.glue.DataCatalogEncryptionSettings (SSE-KMS, the platform key) in its region", [plan.label(r)]),
	}
]

encrypted_region(location) if {
	some s in settings
	not catalog_problem(s)
	same_catalog_region(s.location, location)
}

same_catalog_region(a, b) if a.region == b.region

same_catalog_region(a, _) if plan.is_unknown(a.region)

same_catalog_region(_, b) if plan.is_unknown(b.region)

at_rest(s) := object.get(s.inputs, ["dataCatalogEncryptionSettings", "encryptionAtRest"], {})

catalog_problem(s) := sprintf("leaves the catalog unencrypted (catalogEncryptionMode %s)", [text.plain(mode)]) if {
	mode := object.get(at_rest(s), "catalogEncryptionMode", "DISABLED")
	not plan.is_unknown(mode)
	not mode in {"SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"}
} else := sprintf("%s at sseAwsKmsKeyId (AWS then uses its aws/glue key)", [problem]) if {
	problem := key_problem(object.get(at_rest(s), "sseAwsKmsKeyId", null))
}
