# Helpers over the Plan document (DESIGN §4.3), shared by the resource policies.
package qantara.lib.plan

import rego.v1

# Read straight from input: regopy 1.5 hands out a builtin's result (object.get) as a value
# whose every later read costs about 5x a read of input (measured: 28 vs 6 µs a resource).
resources := input.plan.resources if is_array(input.plan.resources)

else := []

blueprint_class := input.blueprint.spec.dataClassification

# The class a resource may hold: its derived class, else the blueprint's highest.
data_class(resource) := resource.dataClassification if is_string(resource.dataClassification)

else := blueprint_class

context := {
	"jurisdiction": input.blueprint.spec.jurisdiction,
	"sectors": object.get(input.blueprint.spec, "sectors", []),
	"transfers": object.get(input.blueprint.spec, ["governance", "transfers"], []),
}

is_unknown(value) if value == "[unknown]"

is_secret(value) if value == "[secret]"

# A short name for messages: the logical name, with the physical bucket name when known.
label(resource) := sprintf("%s `%s`", [kind_word(resource.type), resource.name])

kind_word(type_token) := parts[count(parts) - 1] if {
	parts := split(type_token, ":")
}

bucket_types := {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}

# Values by which other resources may name a bucket: its URN (dependencies) or its physical name.
bucket_handles(bucket) := {h | some h in [bucket.urn, object.get(bucket.inputs, "bucket", "[unknown]")]; not is_unknown(h)}

# --- Indexes and joins that stay linear in regopy 1.5 -----------------------------------
#
# Measured on regopy 1.5.2 (benchmarks/synthetic.py plans): an object or set comprehension
# costs time quadratic in its size (8,000 URNs as keys: about 60 s); looking a key up in an
# object or set, or testing `x in s`, scans it (a 61-type set: 30 s for 10,000 resources when
# written as a literal inside the loop, 1.2 s as a rule); reading a resource costs about
# 40 µs, so every pass over 10,000 resources costs 0.4 s; and a large array handed to a
# function called once per element is copied on each call. Arrays, sort(), split() and
# numbers.range() are linear. So resources are found by type through one shared index and
# joined through the input's reverse dependencies (input.planIndex, from Python), or by
# sorting "key kind index" lines when the input lacks them; never through an object keyed
# by URN.

# Correctness, regopy 1.5: a variable bound OUTSIDE a comprehension (a function's parameter, an
# outer `some k; x := xs[k]`) that indexes a collection INSIDE it is ignored: `f(k) := [x | some x
# in b[k][1]]` gives every `b[_][1]`. Bind the indexed value outside (`items := b[k][1]`, then
# `[x | some x in items]`); see docs/decisions.md (QA-RES-030's fix).

# Resource positions by type, {type: [index, ...]}: handed in by Qantara's input builder
# (qantara.policy.evaluate.plan_index), else built here with one pass and one sort.
indexes_by_type := input.planIndex.byType if is_object(input.planIndex.byType)

else := {run[0][0]: [to_number(row[1]) | some row in run] | some run in runs(type_rows)}

# Positions are zero-padded so that they sort as numbers: regopy 1.5's sort() orders even
# numbers as text (1, 10, 110, 2).
type_rows := [split(line, " ") | some line in sort([concat(" ", [r.type, sprintf("%09d", [i])]) | some i; r := resources[i]])]

# Positions of the resources of the given types (a small set: it is scanned per type).
indexes_of(types) := [i | some t in types; some i in object.get(indexes_by_type, t, [])]

# The resources of the given types.
resources_of(types) := [resources[i] | some i in indexes_of(types)]

# The resources a join is about, by position in `resources`: [[index, [key, ...]], ...].
# links(subjects, providers) pairs every subject with the providers that share one of its
# keys: [[subject index, [provider id, ...]], ...] for every subject, in no given order.
# Provider ids are strings (e.g. "12/bucket", index and the property that refers); subject
# indexes are numbers. A subject with no provider gets an empty list.
links(subjects, _) := [] if count(subjects) == 0

# One key per subject (the common case: providers name subjects by URN): one sort, and each
# run of equal keys holds the subject and its providers.
links(subjects, providers) := [[to_number(s[2]), [p[2] | some p in run; p[1] == "0"]] |
	some run in runs(key_rows(subjects, providers))
	some s in run
	s[1] == "1"
] if {
	count(subjects) > 0
	count([s | some s in subjects; count(s[1]) != 1]) == 0
}

# Several keys per subject (a URN and a name): pair by key, then gather each subject's
# providers from every run it was in with a second sort.
links(subjects, providers) := [[to_number(run[0][0]), [row[2] | some row in run; count(row) == 3]] |
	some run in runs(paired)
] if {
	count([s | some s in subjects; count(s[1]) != 1]) > 0
	pairs := [concat(" ", [s[2], "1", p[2]]) |
		some run in runs(key_rows(subjects, providers))
		some p in run
		p[1] == "0"
		some s in run
		s[1] == "1"
	]
	# A bare subject index sorts first in its run, so every subject keeps a run of its own.
	lines := sort(array.concat(pairs, [format_int(s[0], 10) | some s in subjects]))
	paired := [split(line, " ") | some line in distinct(lines)]
}

# [key, kind, id] rows sorted by key: providers (kind "0") before subjects (kind "1").
key_rows(subjects, providers) := [split(line, " ") | some line in sort(array.concat(
	[concat(" ", [join_key(key), "0", p[0]]) | some p in providers; some key in p[1]],
	[concat(" ", [join_key(key), "1", format_int(s[0], 10)]) | some s in subjects; some key in s[1]],
))]

# Keys are split on spaces; a space inside a key is escaped on both sides alike.
join_key(key) := replace(key, " ", "%20")

# A sorted, non-empty array without repeats.
distinct(sorted) := array.concat([sorted[0]], [sorted[i] | some i in numbers.range(1, count(sorted) - 1); sorted[i] != sorted[i - 1]])

# Consecutive rows that share their first field.
runs(rows) := [] if count(rows) == 0

runs(rows) := [run |
	some k in numbers.range(0, count(starts) - 1)
	run := [rows[i] | some i in numbers.range(starts[k], ends[k] - 1)]
] if {
	count(rows) > 0
	starts := array.concat([0], [i | some i in numbers.range(1, count(rows) - 1); rows[i][0] != rows[i - 1][0]])
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(rows)])
}

# The position of the resource a provider id ("12/bucket") names, and the property it
# refers through. Index `resources` with it in a rule body, never inside a function: a
# function that indexes `resources` (or input.plan.resources) with a computed number scans
# the whole array on every call (measured: 0.17 s a call on a 2,000-resource plan).
link_index(id) := to_number(split(id, "/")[0])

link_property(id) := split(id, "/")[1]

# --- References ------------------------------------------------------------------------

# Known strings in a value: the value itself, or the strings of a list; never unknowns or secrets.
known_strings(value) := [value] if {
	is_string(value)
	not is_unknown(value)
	not is_secret(value)
} else := [v | some v in value; is_string(v); not is_unknown(v); not is_secret(v)] if is_array(value)

else := []

# What `property` of `r` refers to: the URNs it depends on (previews, stack exports and
# offline plans record them), else the names or ARNs it holds when they are known.
references(r, property) := deps if {
	deps := object.get(r, ["propertyDependencies", property], [])
	count(deps) > 0
} else := known_strings(object.get(r.inputs, property, null))

# A bucket named by ARN (arn:<partition>:s3:::name[/key]) is named by its name.
bucket_name_in_arn(arn) := split(split(arn, ":::")[1], "/")[0] if {
	startswith(arn, "arn:")
	contains(arn, ":s3:::")
}

# Every resource that configures or points at a bucket, by what it refers through.
bucket_link_properties := {
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
	"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["bucket"],
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": ["bucket"],
	"aws:s3/bucketVersioning:BucketVersioning": ["bucket"],
	"aws:s3/bucketVersioningV2:BucketVersioningV2": ["bucket"],
	"aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
	"aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": ["bucket"],
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": ["bucket"],
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig": ["bucket"],
	"aws:s3/bucketLogging:BucketLogging": ["targetBucket"],
	"aws:s3/bucketLoggingV2:BucketLoggingV2": ["targetBucket"],
	"aws:cloudtrail/trail:Trail": ["s3BucketName"],
}

# The buckets each resource points at, through which property:
# [[bucket index, [provider id "index/property", ...]], ...] for every bucket of the plan.
# Besides bucket_link_properties, a replication configuration points at its destinations
# ("destination") and a trail at the buckets whose S3 data events it records ("dataEvents").
bucket_links := [[i, [id |
	some ref in input.planIndex.referrers[i]
	parts := split(ref, "/")
	property := dependency_link(resources[to_number(parts[0])].type, parts[1])
	id := concat("/", [parts[0], property])
]] |
	some i in indexes_of(bucket_types)
] if {
	# The input's reverse dependencies (qantara.policy.evaluate.plan_index) hold every link
	# made by URN; a link made by name needs the join below.
	is_array(input.planIndex.referrers)
	not bucket_named_by_name
} else := links(bucket_subjects, bucket_link_providers)

# The link property a dependency makes, as bucket_link_providers names it: the property
# itself, or what a replication rule's or a trail selector's dependency means.
dependency_link(type, property) := dependency_links[type][property]

dependency_link(type, property) := property if {
	not dependency_links[type]
	property in object.get(bucket_link_properties, type, [])
}

dependency_links := {
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig": {"bucket": "bucket", "rules": "destination"},
	"aws:cloudtrail/trail:Trail": {"s3BucketName": "s3BucketName", "eventSelectors": "dataEvents", "advancedEventSelectors": "dataEvents"},
}

# Buckets are joined by URN; by name as well only when some provider names one (a
# dependency-less reference, e.g. a hard-coded bucket name), which costs a second sort.
bucket_subjects := [[i, [h | some h in bucket_handles(resources[i])]] | some i in indexes_of(bucket_types)] if {
	bucket_named_by_name
} else := [[i, [resources[i].urn]] | some i in indexes_of(bucket_types)]

# Some resource names a bucket by name or ARN rather than by dependency. Tested without
# building bucket_link_providers (a property whose dependencies are empty but whose input
# holds a known string), since the fast path of bucket_links exists to skip building them.
bucket_named_by_name if {
	some t in object.keys(bucket_link_properties)
	some i in object.get(indexes_by_type, t, [])
	some property in bucket_link_properties[t]
	count(object.get(resources[i], ["propertyDependencies", property], [])) == 0
	count(known_strings(object.get(resources[i].inputs, property, null))) > 0
}

bucket_named_by_name if {
	some provider in special_link_providers
	some key in provider[1]
	not startswith(key, "urn:")
}

bucket_link_providers := array.concat(
	[[concat("/", [format_int(i, 10), property]), references(resources[i], property)] |
		# regopy rejects `some k, v in` inside comprehensions: index explicitly.
		properties := bucket_link_properties[t]
		some i in object.get(indexes_by_type, t, [])
		some property in properties
	],
	special_link_providers,
)

# Replication rules name their destinations, and trail selectors the buckets they record,
# inside nested inputs (by dependency, or by ARN when known).
special_link_providers := array.concat(
	[[concat("/", [format_int(i, 10), "destination"]), replication_destinations(resources[i])] |
		some i in object.get(indexes_by_type, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", [])
	],
	[[concat("/", [format_int(i, 10), "dataEvents"]), data_event_buckets(resources[i])] |
		some i in object.get(indexes_by_type, "aws:cloudtrail/trail:Trail", [])
	],
)

# A rule's destination names its bucket by ARN; the dependency on `rules` is its URN.
replication_destinations(r) := array.concat(
	object.get(r, ["propertyDependencies", "rules"], []),
	[name |
		some rule in object.get(r.inputs, "rules", [])
		some arn in known_strings(object.get(rule, ["destination", "bucket"], null))
		name := bucket_name_in_arn(arn)
	],
)

# The buckets a trail's selectors name, by dependency or by known ARN (prefixes such as
# arn:aws:s3:::bucket/ or arn:aws:s3:::bucket/prefix).
data_event_buckets(trail) := array.concat(
	array.concat(
		object.get(trail, ["propertyDependencies", "eventSelectors"], []),
		object.get(trail, ["propertyDependencies", "advancedEventSelectors"], []),
	),
	[name | some arn in data_event_arns(trail); name := bucket_name_in_arn(arn)],
)

data_event_arns(trail) := array.concat(
	[arn |
		some selector in object.get(trail.inputs, "eventSelectors", [])
		some resource in object.get(selector, "dataResources", [])
		resource.type == "AWS::S3::Object"
		some arn in known_strings(object.get(resource, "values", []))
	],
	[arn |
		some selector in object.get(trail.inputs, "advancedEventSelectors", [])
		some field in object.get(selector, "fieldSelectors", [])
		field.field == "resources.ARN"
		some operator in ["equals", "startsWiths"]
		some arn in known_strings(object.get(field, operator, []))
	],
)

# --- Policy documents ------------------------------------------------------------------

# A JSON document that pulumi-aws records as a string (policies, provider settings) or as
# an object; undefined while a preview cannot read it ([unknown], [secret]) or if not JSON.
json_document(value) := json.unmarshal(value) if {
	is_string(value)
	json.is_valid(value)
} else := value if is_object(value)

# An IAM or resource policy as an object.
policy_document(value) := json_document(value)

policy_statements(doc) := doc.Statement if is_array(doc.Statement)

else := [doc.Statement] if is_object(doc.Statement)

else := []

# A policy field that may be a string or a list, as a list.
as_list(value) := value if is_array(value)

else := [value]

# --- Keys and tags ---------------------------------------------------------------------

# An AWS-managed key (alias/aws/s3, or its alias ARN): not under the platform's control.
aws_managed_key(value) if startswith(value, "alias/aws/")

aws_managed_key(value) if contains(value, ":alias/aws/")

# A provider's default tags (pulumi-aws records provider inputs as JSON strings); undefined
# while a preview cannot read them.
provider_default_tags(provider) := object.get(doc, "tags", {}) if {
	doc := json_document(provider.inputs.defaultTags)
} else := {} if not provider.inputs.defaultTags
