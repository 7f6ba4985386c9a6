# Helpers over the Plan document (DESIGN §4.3), shared by the resource policies.
package qantara.lib.plan

import rego.v1

resources := object.get(input, ["plan", "resources"], [])

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

buckets := [r | some r in resources; r.type in bucket_types]

bucket_types := {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}

# Values by which other resources may name a bucket: its URN (dependencies) or its physical name.
bucket_handles(bucket) := {h | some h in [bucket.urn, object.get(bucket.inputs, "bucket", "[unknown]")]; not is_unknown(h)}

# Does `resource` point at `target` through property `property`?
refers_to(resource, property, target) if target.urn in object.get(resource, ["propertyDependencies", property], [])

refers_to(resource, property, target) if {
	value := object.get(resource.inputs, property, "[unknown]")
	not is_unknown(value)
	value in bucket_handles(target)
}

# Resources of a type, indexed by every handle of the bucket they configure (URN or name).
by_bucket(types) := {handle: r |
	some r in resources
	r.type in types
	some handle in bucket_refs(r)
}

bucket_refs(r) := {h | some h in object.get(r, ["propertyDependencies", "bucket"], [])} | {h |
	h := object.get(r.inputs, "bucket", "[unknown]")
	not is_unknown(h)
}

configured(bucket, index) if {
	some handle in bucket_handles(bucket)
	index[handle]
}

config_for(bucket, index) := index[handle] if {
	some handle in bucket_handles(bucket)
	index[handle]
}
