# QA-RES-026: no identity policy grants a whole data service ("*", "s3:*", NotAction) or
#             attaches an AWS-managed full-access policy.
# QA-RES-027: no identity policy allows a write action on a data service for every resource.
#
# Identity policies only: role, user and group inline policies, managed policies and their
# attachments. Bucket and key policies are resource policies (QA-RES-005 for buckets). A
# document a preview cannot read ([unknown], [secret]) is skipped.
package qantara.resources.iam_permissions

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

services := data.catalog.aws_data_services

# Where each type keeps its policy documents.
document_types := {
	"aws:iam/policy:Policy",
	"aws:iam/rolePolicy:RolePolicy",
	"aws:iam/userPolicy:UserPolicy",
	"aws:iam/groupPolicy:GroupPolicy",
	"aws:iam/role:Role",
}

policy_documents(r) := [doc | some policy in object.get(r.inputs, "inlinePolicies", []); doc := plan.policy_document(policy.policy)] if {
	r.type == "aws:iam/role:Role"
} else := [plan.policy_document(r.inputs.policy)] if {
	plan.policy_document(r.inputs.policy)
} else := []

allow_statements(r) := [s |
	some doc in policy_documents(r)
	some s in plan.policy_statements(doc)
	s.Effect == "Allow"
]

# Positions, not resources: an array of resource objects is a copy of each (regopy 1.5).
policy_holders := plan.indexes_of(document_types)

findings := array.concat(array.concat(wildcard_findings, managed_findings), resource_findings)

# --- QA-RES-026 ------------------------------------------------------------------------

wildcard_findings := [finding |
	some at in policy_holders
	r := plan.resources[at]
	grants := [grant | some s in allow_statements(r); some grant in broad_grants(s)]
	count(grants) > 0
	finding := {
		"policy": "QA-RES-026",
		"resource": r.urn,
		"message": sprintf("%s allows %s: whole services that hold or decrypt data; list the actions the workload calls instead", [plan.label(r), text.join(", ", sort(grants))]),
	}
]

broad_grants(s) := ["every action except those under NotAction"] if s.NotAction

else := [action | some action in plan.as_list(s.Action); whole_service(action)]

whole_service(action) if action == "*"

whole_service(action) if {
	parts := split(lower(action), ":")
	count(parts) == 2
	parts[0] in services.iamDataServices
	parts[1] == "*"
}

attachment_types := {
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment",
	"aws:iam/userPolicyAttachment:UserPolicyAttachment",
	"aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
	"aws:iam/policyAttachment:PolicyAttachment",
	"aws:iam/role:Role",
}

managed_findings := [finding |
	some at in plan.indexes_of(attachment_types)
	r := plan.resources[at]
	some arn in array.concat(
		plan.known_strings(object.get(r.inputs, "policyArn", null)),
		plan.known_strings(object.get(r.inputs, "managedPolicyArns", null)),
	)
	name := aws_managed_name(arn)
	name in services.fullAccessManagedPolicies
	finding := {
		"policy": "QA-RES-026",
		"resource": r.urn,
		"message": sprintf("%s attaches the AWS-managed policy %s, which grants whole services; write a policy with the actions and resources the workload needs", [plan.label(r), name]),
	}
]

# arn:aws:iam::aws:policy/AmazonS3FullAccess (and service-role/ paths) -> AmazonS3FullAccess
aws_managed_name(arn) := text.plain(parts[count(parts) - 1]) if {
	contains(arn, ":iam::aws:policy/")
	parts := split(arn, "/")
}

# --- QA-RES-027 ------------------------------------------------------------------------

resource_findings := [finding |
	some at in policy_holders
	r := plan.resources[at]
	actions := [action |
		some s in allow_statements(r)
		on_every_resource(s)
		some action in plan.as_list(object.get(s, "Action", []))
		data_write(action)
		not action in services.actionsWithoutResourceScope
	]
	count(actions) > 0
	finding := {
		"policy": "QA-RES-027",
		"resource": r.urn,
		"message": sprintf("%s allows %s on every resource (Resource \"*\", an ARN whose resource is a wildcard, or NotResource); name the buckets, keys, models and tables it may change", [plan.label(r), text.join(", ", sort(actions))]),
	}
]

on_every_resource(s) if "*" in plan.as_list(object.get(s, "Resource", []))

on_every_resource(s) if {
	some resource in plan.as_list(object.get(s, "Resource", []))
	resource != "*"
	every_resource_pattern(resource)
	not tag_scoped(s)
}

on_every_resource(s) if s.NotResource

# AWS matches wildcards inside ARNs: arn:aws:s3:::*, arn:aws:logs:*:*:* and
# arn:aws:kms:*:*:key/* name every resource (of the service, or of one type), as "*" does.
every_resource_pattern("*") := true

every_resource_pattern(resource) if {
	is_string(resource)
	parts := split(resource, ":")
	count(parts) >= 6
	rest := concat(":", array.slice(parts, 5, count(parts)))
	wildcard_resource(parts[2], rest)
}

# A wildcard ARN under a StringEquals on a resource or request tag (attribute-based access:
# only resources carrying the platform's tag) is scoped by that tag, as the deploy role's
# statements are. A bare "*" is judged as before (QA-RES-027 predates this reading).
tag_scoped(s) if {
	some key in object.keys(object.get(object.get(s, "Condition", {}), "StringEquals", {}))
	some prefix in ["aws:resourcetag/", "aws:requesttag/"]
	startswith(lower(key), prefix)
}

# S3's resource part is bucket/key, so only "*" and "*/*" are every bucket; other services'
# is [type/ or type:]id, so a type followed by a wildcard is every resource of that type.
wildcard_resource("s3", rest) if regex.match(`^[*](/[*])?$`, rest)

wildcard_resource(service, rest) if {
	service != "s3"
	regex.match(`^([A-Za-z0-9-]+[/:])?[*](/[*])?$`, rest)
}

# A write on a data service: "*", or an action of a data service whose name does not start
# with a read-only verb ("s3:Put*" and "s3:*Object" are writes).
data_write(action) if action == "*"

data_write(action) if {
	parts := split(action, ":")
	count(parts) == 2
	lower(parts[0]) in services.iamDataServices
	not read_only_action(parts[1])
}

read_only_action(name) if {
	some prefix in services.readOnlyActionPrefixes
	startswith(lower(name), lower(prefix))
}
