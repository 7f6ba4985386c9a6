# QA-RES-004: every bucket blocks public access (all four public-access-block settings).
# QA-RES-005: no bucket policy or ACL grants access to everyone.
package qantara.resources.public_access

import rego.v1

import data.qantara.lib.text

import data.qantara.lib.plan

block_type := "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"

settings := ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]

findings := array.concat(block_findings, grant_findings)

block_findings := [finding |
	some link in plan.bucket_links
	bucket := plan.resources[link[0]]
	blocks := [r |
		some id in link[1]
		r := plan.resources[plan.link_index(id)]
		r.type == block_type
		names_bucket(r, bucket)
	]
	problem := block_problem(blocks)
	finding := {"policy": "QA-RES-004", "resource": bucket.urn, "message": sprintf("%s %s", [plan.label(bucket), problem])}
]

# A block counts only for the bucket it names: a dependency on the bucket is not enough when
# the block's `bucket` is known and is another name (e.g. derived from the bucket through an
# apply that returns another bucket's name). An unknown name is trusted to be the dependency's.
names_bucket(block, _) if plan.is_unknown(object.get(block.inputs, "bucket", "[unknown]"))

names_bucket(block, bucket) if block.inputs.bucket == object.get(bucket.inputs, "bucket", "[unknown]")

block_problem(blocks) := "has no public access block" if {
	count(blocks) == 0
} else := sprintf("has a public access block with %s not set to true", [text.join(", ", off)]) if {
	some block in blocks
	off := [s | some s in settings; object.get(block.inputs, s, false) != true]
	count(off) > 0
}

policy_types := {"aws:s3/bucketPolicy:BucketPolicy"}

public_acls := {"public-read", "public-read-write", "authenticated-read"}

grant_findings := array.concat(
	[finding |
		some at in plan.indexes_of(policy_types)
		r := plan.resources[at]
		statement := public_statements(r)[_]
		finding := {"policy": "QA-RES-005", "resource": r.urn, "message": sprintf("%s allows %v to everyone (Principal \"*\") without a condition", [plan.label(r), statement.Action])}
	],
	array.concat(
		[finding |
			some at in plan.indexes_of(acl_types)
			r := plan.resources[at]
			acl := object.get(r.inputs, "acl", "private")
			acl in public_acls
			finding := {"policy": "QA-RES-005", "resource": r.urn, "message": sprintf("%s grants the canned ACL %s", [plan.label(r), acl])}
		],
		[finding |
			some at in plan.indexes_of(acl_types)
			r := plan.resources[at]
			some grant in object.get(r.inputs, ["accessControlPolicy", "grants"], [])
			group := object.get(grant, ["grantee", "uri"], "-")
			public_group(group)
			finding := {"policy": "QA-RES-005", "resource": r.urn, "message": sprintf("%s grants %s to the group %s", [plan.label(r), text.plain(object.get(grant, "permission", "access")), group])}
		],
	),
)

acl_types := {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl"}

# S3's predefined groups for everyone and for any AWS account.
public_group(uri) if endswith(uri, "/global/AllUsers")

public_group(uri) if endswith(uri, "/global/AuthenticatedUsers")

# A policy a preview cannot read ([unknown], [secret]) is not judged here: the public access
# block (QA-RES-004) is what stops it from opening the bucket.
document(r) := json.unmarshal(r.inputs.policy) if {
	is_string(r.inputs.policy)
	json.is_valid(r.inputs.policy)
} else := r.inputs.policy if is_object(r.inputs.policy)

statements(doc) := doc.Statement if is_array(doc.Statement)

else := [doc.Statement]

public_statements(r) := [s |
	some s in statements(document(r))
	s.Effect == "Allow"
	everyone(s.Principal)
	not s.Condition
]

everyone("*") := true

everyone(principal) if principal.AWS == "*"

everyone(principal) if "*" in principal.AWS
