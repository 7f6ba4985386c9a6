# QA-RES-030: replicas of data (S3 replication, DynamoDB global table replicas, ECR
#             replication) are only in regions the jurisdiction allows for that data's class.
# QA-RES-031: replica KMS keys are only in regions allowed for the class of the data their
#             primary key protects.
#
# The residency rule itself is qantara.lib.residency's verdict, the one QA-RES-001 and
# placement use. What this package adds is which class a copy carries: the source's (a
# replication configuration's, a table's, a primary key's), not the copy's own.
package qantara.resources.replication

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.residency
import data.qantara.lib.text

findings := array.concat(
	array.concat(bucket_findings, external_bucket_findings),
	array.concat(region_findings, replica_key_findings),
)

# `what` says what the resource puts where: "copies restricted data to bucket `dr`".
replica_finding(policy, r, what, class, location) := {
	"policy": policy,
	"resource": r.urn,
	"message": sprintf("%s %s in %s: %s [%s]", [plan.label(r), what, replica_where(location), verdict.reason, verdict.because]),
} if {
	verdict := residency.verdict(plan.context, class, location)
	not verdict.allowed
}

replica_where(location) := residency.where(location)

# A region named in a resource's inputs, located as the plan locates resources.
region_location(region) := {
	"kind": "cloud",
	"cloud": "aws",
	"region": region,
	"country": object.get(data.catalog.aws_regions.regions, [region, "country"], null),
}

unknown_location := {"kind": "cloud", "cloud": "aws", "region": "[unknown]", "country": null}

# --- QA-RES-030: S3 replication ----------------------------------------------------------

replication_configs := plan.indexes_of({"aws:s3/bucketReplicationConfig:BucketReplicationConfig"})

# Each configuration with the plan's buckets its rules name as destinations.
destinations := links if {
	count(replication_configs) > 0
	links := plan.links(
		[[i, plan.replication_destinations(plan.resources[i])] | some i in replication_configs],
		[[format_int(i, 10), [h | some h in plan.bucket_handles(plan.resources[i])]] | some i in plan.indexes_of(plan.bucket_types)],
	)
} else := []

bucket_findings := [f |
	some entry in destinations
	config := plan.resources[entry[0]]
	some id in entry[1]
	bucket := plan.resources[to_number(id)]
	class := plan.data_class(config)
	f := replica_finding("QA-RES-030", config, sprintf("copies %s data to %s", [class, plan.label(bucket)]), class, bucket.location)
]

# A destination named by an ARN no bucket of the plan has: its region cannot be shown.
external_bucket_findings := [f |
	some entry in destinations
	config := plan.resources[entry[0]]
	names := {object.get(plan.resources[to_number(id)].inputs, "bucket", "") | some id in entry[1]}
	some rule in object.get(config.inputs, "rules", [])
	some arn in plan.known_strings(object.get(rule, ["destination", "bucket"], null))
	name := text.plain(plan.bucket_name_in_arn(arn))
	not name in names
	class := plan.data_class(config)
	f := replica_finding("QA-RES-030", config, sprintf("copies %s data to bucket %s, which this plan does not hold,", [class, name]), class, unknown_location)
]

# --- QA-RES-030: DynamoDB and ECR replicas ------------------------------------------------

region_findings := [f |
	some at in plan.indexes_of(region_replica_types)
	r := plan.resources[at]
	some region in replica_regions(r)
	class := plan.data_class(r)
	f := replica_finding("QA-RES-030", r, sprintf("replicates %s data to a replica", [class]), class, region_location(region))
]

region_replica_types := {
	"aws:dynamodb/table:Table",
	"aws:dynamodb/globalTable:GlobalTable",
	"aws:ecr/replicationConfiguration:ReplicationConfiguration",
}

replica_regions(r) := [region |
	some replica in object.get(r.inputs, "replicas", [])
	some region in plan.known_strings(object.get(replica, "regionName", null))
] if {
	r.type != "aws:ecr/replicationConfiguration:ReplicationConfiguration"
} else := [region |
	some rule in object.get(r.inputs, ["replicationConfiguration", "rules"], [])
	some destination in object.get(rule, "destinations", [])
	some region in plan.known_strings(object.get(destination, "region", null))
]

# --- QA-RES-031 --------------------------------------------------------------------------

replica_key_types := {"aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"}

replica_keys := plan.indexes_of(replica_key_types)

# Each replica with its primary key, joined through primaryKeyArn.
primaries := links if {
	count(replica_keys) > 0
	links := plan.links(
		[[i, plan.references(plan.resources[i], "primaryKeyArn")] | some i in replica_keys],
		[[format_int(i, 10), [plan.resources[i].urn]] | some i in plan.indexes_of({"aws:kms/key:Key", "aws:kms/externalKey:ExternalKey"})],
	)
} else := []

replica_key_findings := [f |
	some entry in primaries
	replica := plan.resources[entry[0]]
	# A replica the plan cannot locate is judged too: it may be anywhere.
	replica.location.kind in {"cloud", "onprem", "unknown"}
	class := protected_class(replica, [plan.resources[to_number(id)] | some id in entry[1]])
	f := replica_finding("QA-RES-031", replica, sprintf("holds key material that decrypts %s data", [class]), class, replica.location)
]

# The class the primary key protects; the replica's own when the primary is not in the plan.
protected_class(replica, keys) := plan.data_class(keys[0]) if count(keys) > 0

else := plan.data_class(replica) if true
