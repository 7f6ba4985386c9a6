# QA-RES-003: every bucket is encrypted at rest with a customer-managed KMS key of the plan.
#
# Plans reach tens of thousands of resources, and regopy 1.5 scans a set or an object on
# every lookup, so which keys a bucket's encryption names is settled by two sort-based joins
# (plan.links): the aliases that point at the plan's keys, then the keys and aliases each
# bucket names.
package qantara.resources.encryption

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

sse_types := {
	"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
}

key_types := {"aws:kms/key:Key", "aws:kms/externalKey:ExternalKey"}

findings := [finding |
	some match in key_matches
	row := buckets[match[0]]
	bucket := plan.resources[row[0]]
	problem := encryption_problem(bucket, row[1], match[1])
	finding := {"policy": "QA-RES-003", "resource": bucket.urn, "message": sprintf("%s %s", [plan.label(bucket), problem])}
]

# Every bucket with its encryption configurations: [[bucket index, [configuration, ...]], ...].
buckets := [[link[0], configs] |
	some link in plan.bucket_links
	configs := [r | some id in link[1]; r := plan.resources[plan.link_index(id)]; r.type in sse_types]
]

# What each bucket's encryption names among the plan's keys and aliases:
# [[position in buckets, [provider id, ...]], ...]; ids are "urn" (a key or alias the
# encryption depends on) or "alias=<name>" (an alias named by kmsMasterKeyId).
key_matches := plan.links(
	[[k, key_handles(plan.resources[row[0]], row[1])] | some k; row := buckets[k]],
	key_providers,
)

key_providers := array.concat(
	[["urn", [plan.resources[i].urn]] | some i in array.concat(plan.indexes_of(key_types), plan_aliases)],
	[[alias_id(name), [name]] |
		some i in plan_aliases
		name := plan.resources[i].inputs.name
		is_string(name)
	],
)

# Aliases that point at a key of this plan, by position.
plan_aliases := [entry[0] | some entry in alias_targets; count(entry[1]) > 0]

alias_targets := plan.links(
	[[i, object.get(plan.resources[i], ["propertyDependencies", "targetKeyId"], [])] | some i in plan.indexes_of({"aws:kms/alias:Alias"})],
	[["key", [plan.resources[i].urn]] | some i in plan.indexes_of(key_types)],
)

# The URNs the encryption depends on, and the alias names its rules give as key ids.
key_handles(bucket, configs) := array.concat(
	[urn | some property in key_properties; some urn in object.get(sse_resource(bucket, configs), ["propertyDependencies", property], [])],
	[alias_name(id) |
		some rule in rules(bucket, configs)
		id := rule.applyServerSideEncryptionByDefault.kmsMasterKeyId
		is_string(id)
		not plan.is_unknown(id)
	],
)

alias_id(name) := concat("", ["alias=", plan.join_key(name)])

encryption_problem(bucket, configs, matched) := "has no server-side encryption configuration" if {
	count(configs) == 0
	count(inline_rules(bucket)) == 0
} else := sprintf("is encrypted with %s, not a customer-managed KMS key", [text.plain(algorithm)]) if {
	some rule in rules(bucket, configs)
	algorithm := sse_algorithm(rule)
	not algorithm in {"aws:kms", "aws:kms:dsse"}
} else := "uses SSE-KMS without naming a customer-managed key of this plan (the AWS-managed aws/s3 key is not under the platform's control)" if {
	some rule in rules(bucket, configs)
	not customer_key(rule, matched)
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

sse_resource(bucket, configs) := configs[0] if count(configs) > 0

else := bucket

rules(bucket, configs) := configs[0].inputs.rules if count(configs) > 0

else := inline_rules(bucket)

# Where the key reference sits: `rules` on an encryption configuration, the inline block on a bucket.
key_properties := ["rules", "serverSideEncryptionConfiguration"]

# The key is one the plan creates: referenced through a dependency on the key or on one of
# its aliases, or named by one of its aliases (`alias/...` or the alias ARN).
customer_key(rule, matched) if {
	is_string(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId)
	"urn" in matched
}

customer_key(rule, matched) if {
	id := rule.applyServerSideEncryptionByDefault.kmsMasterKeyId
	not plan.is_unknown(id)
	alias_id(alias_name(id)) in matched
}

# `alias/x` itself, or the alias part of `arn:aws:kms:<region>:<account>:alias/x`.
alias_name(id) := id if startswith(id, "alias/")

alias_name(id) := concat("", ["alias/", parts[1]]) if {
	parts := split(id, ":alias/")
	count(parts) == 2
}
