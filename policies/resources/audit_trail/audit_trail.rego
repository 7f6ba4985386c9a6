# QA-RES-019: a plan that holds data records its API activity in a CloudTrail trail.
# QA-RES-020: every trail is logging and validates its log files.
# QA-RES-021: trails record S3 data events (object reads and writes) on every data bucket.
package qantara.resources.audit_trail

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.resolved
import data.qantara.lib.text

trail_types := {"aws:cloudtrail/trail:Trail"}

trails := plan.resources_of(trail_types)

findings := array.concat(array.concat(missing_trail_findings, trail_findings), data_event_findings)

# --- QA-RES-019 ------------------------------------------------------------------------

# Positions, not resources: an array of resource objects is a copy of each (regopy 1.5).
data_stores := plan.indexes_of(data.catalog.aws_data_services.dataStoreTypes)

# Data stores the blueprint's own trail does not record for this plan (a project's plan holds
# no trail: the platform's records the management events of the stores listed in
# platformTrailCoveredTypes, when it is in their region).
unrecorded_stores := [i | some i in data_stores; not platform_trail_records(plan.resources[i])]

# One finding, on the first data resource: a trail is the plan's, not any one resource's.
missing_trail_findings := [finding |
	count(trails) == 0
	count(unrecorded_stores) > 0
	first := plan.resources[unrecorded_stores[0]]
	finding := {
		"policy": "QA-RES-019",
		"resource": first.urn,
		"message": sprintf("the plan holds %d data resources (%s among them) that no CloudTrail trail records API activity on; add an AuditTrail (a trail in the placed region delivering to an Object-Locked bucket)", [count(unrecorded_stores), plan.label(first)]),
	}
]

covered_types := {row.type | some row in data.catalog.aws_data_services.platformTrailCoveredTypes}

# The blueprint's platform has its trail in the store's region: the resolved audit component
# (present only when enabled) is located in the cloud, in the region the store is in. Facts of
# the blueprint being checked (input.resolved, which the checkpoint computes itself), never of
# the exports; without usable facts nothing is covered. Only a plan that is not the platform's
# own (input.program, which the checkpoint computes from what it ran and the platform's
# components in the plan) is beside the platform's trail: the platform's plan is where that
# trail must be, and a plan that does not say which program it is of is judged as the
# platform's.
platform_trail_records(store) if {
	input.program.kind == "project"
	store.type in covered_types
	resolved.valid
	audit := resolved.components.audit
	audit.location.kind == "cloud"
	store.location.kind == "cloud"
	store.location.region == audit.location.region
}

# --- QA-RES-020 ------------------------------------------------------------------------

trail_findings := [finding |
	some trail in trails
	problem := trail_problem(trail)
	finding := {
		"policy": "QA-RES-020",
		"resource": trail.urn,
		"message": sprintf("%s %s", [plan.label(trail), problem]),
	}
]

# CloudTrail validates nothing unless asked (enableLogFileValidation defaults to false).
trail_problem(trail) := "is created with logging stopped (enableLogging false); set enable_logging=True" if {
	trail.inputs.enableLogging == false
} else := "does not validate its log files (enableLogFileValidation is not true), so tampering with delivered logs goes unnoticed; set enable_log_file_validation=True" if {
	not trail.inputs.enableLogFileValidation == true
	not plan.is_unknown(trail.inputs.enableLogFileValidation)
}

# --- QA-RES-021 ------------------------------------------------------------------------

# Buckets that receive logs (a trail's, or server access logs) are not data buckets: recording
# object events on them would log the logging.
log_properties := {"s3BucketName", "targetBucket"}

audit_tag := data.catalog.logging.auditLogBucketTag

data_event_findings := [finding |
	count(trails) > 0
	some link in plan.bucket_links
	bucket := plan.resources[link[0]]
	not log_bucket(bucket, link)
	not data_events_recorded(bucket.location, link)
	finding := {
		"policy": "QA-RES-021",
		"resource": bucket.urn,
		"message": sprintf("%s is a data bucket in %s, but no trail of the plan records its S3 data events (object reads and writes) there; add its ARN to the data event selectors (AWS::S3::Object) of a trail in its region", [plan.label(bucket), text.plain(object.get(bucket.location, "region", "an unknown region"))]),
	}
]

log_bucket(_, link) if {
	some id in link[1]
	plan.link_property(id) in log_properties
}

log_bucket(bucket, _) if object.get(bucket.inputs, ["tags", audit_tag.key], "") == audit_tag.value

# A single-Region trail records the data events of its own region only.
# [[trail position, region or "*" when it sees every region], ...]
trail_reach := [[i, reach] |
	some i in plan.indexes_of(trail_types)
	trail := plan.resources[i]
	reach := trail_region(trail)
]

trail_region(trail) := "*" if trail.inputs.isMultiRegionTrail == true

else := object.get(trail.location, "region", "[unknown]")

trail_reaches(reach, location) if reach in {"*", "[unknown]", object.get(location, "region", "[unknown]")}

trail_reaches(_, location) if plan.is_unknown(object.get(location, "region", "[unknown]"))

# Trails that record every bucket's objects, and trails that record the buckets they name.
every_bucket_reach := [entry[1] | some entry in trail_reach; covers_every_bucket(plan.resources[entry[0]])]

naming_reach := [[entry[0], entry[1]] | some entry in trail_reach; s3_data_events(plan.resources[entry[0]])]

data_events_recorded(location, _) if {
	some reach in every_bucket_reach
	trail_reaches(reach, location)
}

data_events_recorded(location, link) if {
	some id in link[1]
	plan.link_property(id) == "dataEvents"
	some entry in naming_reach
	entry[0] == plan.link_index(id)
	trail_reaches(entry[1], location)
}

# Selectors that record every bucket's objects: a data resource "arn:<partition>:s3" or
# "arn:<partition>:s3:::", or an advanced selector for S3 objects without an ARN condition.
# A selector value a preview cannot read, with no dependency to say which bucket it names,
# may name any bucket, and is given the benefit of the doubt.
covers_every_bucket(trail) if {
	some selector in object.get(trail.inputs, "eventSelectors", [])
	object.get(selector, "readWriteType", "All") == "All"
	some resource in object.get(selector, "dataResources", [])
	resource.type == "AWS::S3::Object"
	some value in object.get(resource, "values", [])
	every_bucket_arn(value)
}

covers_every_bucket(trail) if {
	some selector in object.get(trail.inputs, "advancedEventSelectors", [])
	s3_data_selector(selector)
	not restricted_selector(selector)
}

covers_every_bucket(trail) if {
	count(object.get(trail, ["propertyDependencies", "eventSelectors"], [])) == 0
	count(object.get(trail, ["propertyDependencies", "advancedEventSelectors"], [])) == 0
	some selector in array.concat(object.get(trail.inputs, "eventSelectors", []), object.get(trail.inputs, "advancedEventSelectors", []))
	contains(json.marshal(selector), "[unknown]")
}

every_bucket_arn(value) if regex.match(`^arn:[a-z-]+:s3(:::)?$`, value)

s3_data_selector(selector) if {
	some field in selector.fieldSelectors
	field.field == "eventCategory"
	"Data" in object.get(field, "equals", [])
	some kind in selector.fieldSelectors
	kind.field == "resources.type"
	"AWS::S3::Object" in object.get(kind, "equals", [])
}

# An ARN condition narrows a selector to some buckets; a readOnly condition to reads or writes.
restricted_selector(selector) if {
	some field in selector.fieldSelectors
	field.field in {"resources.ARN", "readOnly"}
}

# A trail that names a bucket records its data events if one of its selectors is for S3
# objects (which selector names the bucket, dependencies do not say).
s3_data_events(trail) if {
	some selector in object.get(trail.inputs, "eventSelectors", [])
	some resource in object.get(selector, "dataResources", [])
	resource.type == "AWS::S3::Object"
}

s3_data_events(trail) if {
	some selector in object.get(trail.inputs, "advancedEventSelectors", [])
	s3_data_selector(selector)
}
