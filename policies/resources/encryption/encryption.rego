# QA-RES-003: every bucket is encrypted at rest with a customer-managed KMS key of the plan.
package qantara.resources.encryption

import rego.v1

import data.qantara.lib.plan

sse_types := {
	"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
}

key_types := {"aws:kms/key:Key", "aws:kms/externalKey:ExternalKey"}

sse_index := plan.by_bucket(sse_types)

keys := [r | some r in plan.resources; r.type in key_types]

findings := [finding |
	some bucket in plan.buckets
	problem := encryption_problem(bucket)
	finding := {"policy": "QA-RES-003", "resource": bucket.urn, "message": sprintf("%s %s", [plan.label(bucket), problem])}
]

encryption_problem(bucket) := "has no server-side encryption configuration" if {
	not plan.configured(bucket, sse_index)
	count(inline_rules(bucket)) == 0
} else := sprintf("is encrypted with %s, not a customer-managed KMS key", [algorithm]) if {
	some rule in rules(bucket)
	algorithm := object.get(rule, ["applyServerSideEncryptionByDefault", "sseAlgorithm"], "none")
	not algorithm in {"aws:kms", "aws:kms:dsse"}
} else := "uses SSE-KMS without naming a customer-managed key of this plan (the AWS-managed aws/s3 key is not under the platform's control)" if {
	some rule in rules(bucket)
	not customer_key(sse_resource(bucket), rule)
}

inline_rules(bucket) := object.get(bucket.inputs, ["serverSideEncryptionConfiguration", "rule"], [])

sse_resource(bucket) := config if {
	config := plan.config_for(bucket, sse_index)
} else := bucket

rules(bucket) := sse_resource(bucket).inputs.rules if plan.configured(bucket, sse_index)

else := inline_rules(bucket)

# The key is one the plan creates: referenced by dependency, or by a known ARN, id or alias.
customer_key(resource, rule) if {
	some key in keys
	key.urn in object.get(resource, ["propertyDependencies", "rules"], [])
	is_string(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId)
}

customer_key(_, rule) if {
	id := rule.applyServerSideEncryptionByDefault.kmsMasterKeyId
	some key in keys
	id in {object.get(key.inputs, "arn", "-"), object.get(key.inputs, "keyId", "-")}
}
