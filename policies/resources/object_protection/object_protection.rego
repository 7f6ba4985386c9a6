# QA-RES-017: every bucket keeps object versions.
# QA-RES-018: audit-log buckets lock their objects (Object Lock, COMPLIANCE mode, a default
#             retention of at least the blueprint's audit retention).
package qantara.resources.object_protection

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

findings := array.concat(versioning_findings, lock_findings)

versioning_types := {"aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"}

lock_types := {
	"aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
}

# --- QA-RES-017 ------------------------------------------------------------------------

versioning_findings := [finding |
	some link in plan.bucket_links
	bucket := plan.resources[link[0]]
	configs := [r | some id in link[1]; r := plan.resources[plan.link_index(id)]; r.type in versioning_types]
	not keeps_versions(bucket, configs)
	finding := {
		"policy": "QA-RES-017",
		"resource": bucket.urn,
		"message": sprintf("%s %s; add an aws.s3.BucketVersioning with status \"Enabled\" so overwritten and deleted objects can be recovered", [plan.label(bucket), versioning_state(configs)]),
	}
]

# Object Lock turns versioning on for good, so a locked bucket is versioned (and one whose
# lock setting a preview cannot read yet may be).
keeps_versions(bucket, _) if bucket.inputs.objectLockEnabled == true

keeps_versions(bucket, _) if plan.is_unknown(bucket.inputs.objectLockEnabled)

keeps_versions(bucket, _) if bucket.inputs.versioning.enabled == true

keeps_versions(_, configs) if {
	some config in configs
	status := object.get(config.inputs, ["versioningConfiguration", "status"], "[unknown]")
	status in {"Enabled", "[unknown]"}
}

versioning_state(configs) := sprintf("has versioning %s", [text.plain(configs[0].inputs.versioningConfiguration.status)]) if {
	is_string(configs[0].inputs.versioningConfiguration.status)
} else := "keeps no object versions"

# --- QA-RES-018 ------------------------------------------------------------------------

audit_tag := data.catalog.logging.auditLogBucketTag

# The days audit records are kept (the blueprint model defaults it to 365).
audit_days := object.get(input.blueprint, ["spec", "governance", "auditRetentionDays"], 365)

lock_findings := [finding |
	some link in plan.bucket_links
	bucket := plan.resources[link[0]]
	audit_log_bucket(bucket, link)
	configs := [r | some id in link[1]; r := plan.resources[plan.link_index(id)]; r.type in lock_types]
	problem := lock_problem(bucket, configs)
	finding := {
		"policy": "QA-RES-018",
		"resource": bucket.urn,
		"message": sprintf("%s holds audit logs but %s; create it with object_lock_enabled=True and add an aws.s3.BucketObjectLockConfiguration with a COMPLIANCE default retention of at least %v days (spec.governance.auditRetentionDays)", [plan.label(bucket), problem, audit_days]),
	}
]

audit_log_bucket(_, link) if {
	some id in link[1]
	plan.link_property(id) == "s3BucketName"
}

audit_log_bucket(bucket, _) if object.get(bucket.inputs, ["tags", audit_tag.key], "") == audit_tag.value

lock_problem(bucket, configs) := "was not created with Object Lock (objectLockEnabled)" if {
	not lock_enabled(bucket)
} else := "has no default retention (no object lock configuration)" if {
	count(default_retentions(bucket, configs)) == 0
} else := sprintf("retains objects in %s mode, which privileged users can bypass", [text.plain(retention.mode)]) if {
	some retention in default_retentions(bucket, configs)
	not plan.is_unknown(retention.mode)
	retention.mode != "COMPLIANCE"
} else := sprintf("retains objects %v days only", [days]) if {
	some retention in default_retentions(bucket, configs)
	days := retention_days(retention)
	days < audit_days
}

lock_enabled(bucket) if bucket.inputs.objectLockEnabled == true

lock_enabled(bucket) if plan.is_unknown(bucket.inputs.objectLockEnabled)

lock_enabled(bucket) if bucket.inputs.objectLockConfiguration.objectLockEnabled == "Enabled"

# Default retentions from lock configurations, or the deprecated inline block; an unknown
# rule counts as a retention whose details cannot be judged.
default_retentions(bucket, configs) := array.concat(
	[object.get(config.inputs, ["rule", "defaultRetention"], {"mode": "[unknown]"}) |
		some config in configs
		not no_rule(config)
	],
	[retention | retention := bucket.inputs.objectLockConfiguration.rule.defaultRetention],
)

no_rule(config) if not config.inputs.rule

retention_days(retention) := retention.days if is_number(retention.days)

else := retention.years * 365 if is_number(retention.years)
