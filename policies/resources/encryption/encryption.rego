# QA-RES-003: every bucket is encrypted at rest with a customer-managed KMS key of the plan.
package qantara.resources.encryption

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

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
} else := sprintf("is encrypted with %s, not a customer-managed KMS key", [text.plain(algorithm)]) if {
	some rule in rules(bucket)
	algorithm := sse_algorithm(rule)
	not algorithm in {"aws:kms", "aws:kms:dsse"}
} else := "uses SSE-KMS without naming a customer-managed key of this plan (the AWS-managed aws/s3 key is not under the platform's control)" if {
	some rule in rules(bucket)
	not customer_key(sse_resource(bucket), rule)
}

# A rule without a default algorithm leaves S3's own default, SSE-S3.
sse_algorithm(rule) := rule.applyServerSideEncryptionByDefault.sseAlgorithm if is_string(rule.applyServerSideEncryptionByDefault.sseAlgorithm)

else := "SSE-S3 (no default algorithm set)"

# pulumi-aws v7's inline block on the bucket holds one `rule` object; older shapes a list.
inline_rules(bucket) := [rule] if {
	rule := bucket.inputs.serverSideEncryptionConfiguration.rule
	is_object(rule)
} else := rules if {
	rules := bucket.inputs.serverSideEncryptionConfiguration.rule
	is_array(rules)
} else := []

sse_resource(bucket) := config if {
	config := plan.config_for(bucket, sse_index)
} else := bucket

rules(bucket) := sse_resource(bucket).inputs.rules if plan.configured(bucket, sse_index)

else := inline_rules(bucket)

# Where the key reference sits: `rules` on an encryption configuration, the inline block on a bucket.
key_properties := ["rules", "serverSideEncryptionConfiguration"]

referenced(resource) := {urn |
	some property in key_properties
	some urn in object.get(resource, ["propertyDependencies", property], [])
}

aliases := [r | some r in plan.resources; r.type == "aws:kms/alias:Alias"]

# Lookups built once, so a bucket's check costs what its own references cost, not the
# number of keys in the plan (plans reach tens of thousands of resources).
key_urns := {key.urn | some key in keys}

# Aliases that point at a key of this plan.
plan_aliases := [alias |
	some alias in aliases
	some target in object.get(alias, ["propertyDependencies", "targetKeyId"], [])
	target in key_urns
]

customer_key_urns := key_urns | {alias.urn | some alias in plan_aliases}

plan_alias_names := {alias.inputs.name | some alias in plan_aliases; is_string(alias.inputs.name)}

# The key is one the plan creates: referenced through a dependency on the key or on one of
# its aliases, or named by one of its aliases (`alias/...` or the alias ARN).
customer_key(resource, rule) if {
	is_string(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId)
	some urn in referenced(resource)
	urn in customer_key_urns
}

customer_key(_, rule) if {
	id := rule.applyServerSideEncryptionByDefault.kmsMasterKeyId
	not plan.is_unknown(id)
	alias_name(id) in plan_alias_names
}

# `alias/x` itself, or the alias part of `arn:aws:kms:<region>:<account>:alias/x`.
alias_name(id) := id if startswith(id, "alias/")

alias_name(id) := concat("", ["alias/", parts[1]]) if {
	parts := split(id, ":alias/")
	count(parts) == 2
}
