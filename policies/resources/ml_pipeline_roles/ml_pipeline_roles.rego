# QA-RES-083: a SageMaker pipeline's roles (its own, and any its steps run as) are limited to what its steps need: no action
#             wildcards, no S3 on every bucket, "*" only for the actions AWS accepts only on
#             "*", no managed policies, no pipelines to manage or start.
# QA-RES-086: a pipeline's role holds no action that approves or deploys a model (QA-RES-084
#             is the same rule over the definition's steps).
# QA-RES-085: a role that may start pipelines names each pipeline it may start.
# The tables are in policies/data/sagemaker_pipeline_steps.yaml.
package qantara.resources.ml_pipeline_roles

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

table := data.catalog.sagemaker_pipeline_steps

pipeline_types := {"aws:sagemaker/pipeline:Pipeline"}

role_types := {"aws:iam/role:Role"}

role_policy_types := {"aws:iam/rolePolicy:RolePolicy"}

attachment_types := {"aws:iam/rolePolicyAttachment:RolePolicyAttachment"}

findings := array.concat(
	array.concat(unidentified_findings, attachment_findings),
	array.concat(array.concat(pipeline_role_findings, managed_findings), start_findings),
)

# --- Which roles are a pipeline's ---------------------------------------------------------

# A role named by a known ARN (arn:<partition>:iam::<account>:role[/path]/<name>).
role_name_in_arn(arn) := parts[count(parts) - 1] if {
	is_string(arn)
	contains(arn, ":role/")
	parts := split(arn, "/")
}

# The pipeline's own role, and every role a step of its definition runs as (a track step's role
# is a pipeline's role too: what it may do is what the pipeline may do).
pipeline_role_names := array.concat(
	[name |
		some at in plan.indexes_of(pipeline_types)
		name := role_name_in_arn(plan.resources[at].inputs.roleArn)
	],
	[name |
		some at in plan.indexes_of(pipeline_types)
		doc := plan.json_document(plan.resources[at].inputs.pipelineDefinition)
		is_object(doc)
		some step in object.get(doc, "Steps", [])
		name := role_name_in_arn(object.get(step, ["Arguments", "RoleArn"], null))
	],
)

pipeline_role_urns := array.concat(
	[urn |
		some at in plan.indexes_of(pipeline_types)
		some urn in object.get(plan.resources[at], ["propertyDependencies", "roleArn"], [])
	],
	[role.urn |
		some at in plan.indexes_of(role_types)
		role := plan.resources[at]
		object.get(role.inputs, "name", "") in pipeline_role_names
	],
)

is_pipeline_role_reference(ref) if ref in pipeline_role_urns

is_pipeline_role_reference(ref) if ref in pipeline_role_names

# A role policy or attachment of a pipeline's role, by dependency or by the name it gives
# (a dependency on something else, e.g. an apply over another output, still gives the name).
role_of(r) if {
	some ref in array.concat(plan.references(r, "role"), plan.known_strings(r.inputs.role))
	is_pipeline_role_reference(ref)
}

unidentified_findings := [finding |
	some at in plan.indexes_of(pipeline_types)
	r := plan.resources[at]
	not role_name_in_arn(r.inputs.roleArn)
	count(object.get(r, ["propertyDependencies", "roleArn"], [])) == 0
	finding := {
		"policy": "QA-RES-083",
		"resource": r.urn,
		"message": sprintf("%s runs as a role the plan cannot identify (roleArn is neither a known role ARN nor a role of this stack); what the pipeline may reach cannot be shown; give it a role declared beside it", [plan.label(r)]),
	}
]

# --- The documents of pipeline roles --------------------------------------------------------

# [[resource index, document text or value], ...]: inline policies of pipeline roles.
pipeline_role_documents := array.concat(
	[[at, rp.inputs.policy] |
		some at in plan.indexes_of(role_policy_types)
		rp := plan.resources[at]
		role_of(rp)
	],
	[[at, inline.policy] |
		some at in plan.indexes_of(role_types)
		role := plan.resources[at]
		object.get(role.inputs, "name", "") in pipeline_role_names
		some inline in object.get(role.inputs, "inlinePolicies", [])
	],
)

pipeline_role_findings := [finding |
	some entry in pipeline_role_documents
	r := plan.resources[entry[0]]
	some problem in document_problems(entry[1])
	finding := {
		"policy": problem[0],
		"resource": r.urn,
		"message": sprintf("%s, of a SageMaker pipeline's role, %s", [plan.label(r), problem[1]]),
	}
]

# [[policy id, problem], ...] of one document; an unreadable one is a problem itself.
document_problems(value) := [["QA-RES-083", "cannot be read (not known before deployment, or not JSON): what the pipeline may do cannot be shown; build the policy from known values"]] if {
	not plan.policy_document(value)
} else := array.concat(scope_problems(statements), promotion_problems(statements)) if {
	statements := [s | some s in plan.policy_statements(plan.policy_document(value)); s.Effect == "Allow"]
}

scope_problems(statements) := array.concat(
	array.concat(
		[["QA-RES-083", sprintf("allows every action of a service (%s); name the actions the steps need", [action])] |
			some s in statements
			some action in plan.as_list(object.get(s, "Action", []))
			wildcard_action(action)
		],
		[["QA-RES-083", sprintf("allows %s on every bucket (%s); name the platform's buckets and the project's prefixes", [action, resource])] |
			some s in statements
			some action in plan.as_list(object.get(s, "Action", []))
			startswith(lower(action), "s3:")
			not wildcard_action(action)
			some resource in plan.as_list(object.get(s, "Resource", []))
			every_bucket(resource)
		],
	),
	array.concat(
		[["QA-RES-083", sprintf("allows %s on \"*\"; only actions AWS accepts on \"*\" alone (%s) may have it", [action, text.join(", ", star_actions)])] |
			some s in statements
			"*" in plan.as_list(object.get(s, "Resource", []))
			some action in plan.as_list(object.get(s, "Action", []))
			not wildcard_action(action)
			not startswith(lower(action), "s3:")
			not star_action(action)
		],
		array.concat(
			[["QA-RES-083", "allows through NotAction or NotResource, which grant everything not listed; list the actions and resources"] |
				some s in statements
				inverted(s)
			],
			[["QA-RES-083", sprintf("allows %s: a pipeline's role runs its steps, it does not create, change or start pipelines", [action])] |
				some s in statements
				some action in plan.as_list(object.get(s, "Action", []))
				not wildcard_action(action)
				glob.match("sagemaker:*pipeline*", [], lower(action))
			],
		),
	),
)

promotion_problems(statements) := [["QA-RES-086", sprintf("allows %s (it grants %s): a retraining pipeline must not approve or deploy what it trains", [action, text.join(", ", forbidden)])] |
	some s in statements
	some action in plan.as_list(object.get(s, "Action", []))
	forbidden := [f | some f in table.promotionActions; glob.match(lower(action), [], lower(f))]
	count(forbidden) > 0
]

wildcard_action(action) if action == "*"

wildcard_action(action) if endswith(action, ":*")

every_bucket(resource) if resource == "*"

every_bucket(resource) if regex.match(`^arn:[^:]+:s3:::\*$`, resource)

star_actions := [row.action | some row in table.starResourceActions]

star_action(action) if {
	some allowed in star_actions
	glob.match(lower(allowed), [], lower(action))
}

inverted(statement) if statement.NotAction

inverted(statement) if statement.NotResource

managed_findings := [finding |
	some at in plan.indexes_of(role_types)
	role := plan.resources[at]
	object.get(role.inputs, "name", "") in pipeline_role_names
	count(object.get(role.inputs, "managedPolicyArns", [])) > 0
	finding := {
		"policy": "QA-RES-083",
		"resource": role.urn,
		"message": sprintf("%s, a SageMaker pipeline's role, has managed policies (%s); managed policies (AmazonSageMakerFullAccess and the like) reach every bucket and pipeline: give it an inline policy of what its steps need", [plan.label(role), text.join(", ", plan.known_strings(role.inputs.managedPolicyArns))]),
	}
]

attachment_findings := [finding |
	some at in plan.indexes_of(attachment_types)
	attachment := plan.resources[at]
	role_of(attachment)
	finding := {
		"policy": "QA-RES-083",
		"resource": attachment.urn,
		"message": sprintf("%s attaches a managed policy (%v) to a SageMaker pipeline's role; managed policies reach every bucket and pipeline: give the role an inline policy of what its steps need", [plan.label(attachment), text.plain(object.get(attachment.inputs, "policyArn", "?"))]),
	}
]

# --- QA-RES-085 ------------------------------------------------------------------------

start_findings := [finding |
	some at in plan.indexes_of(role_policy_types)
	rp := plan.resources[at]
	doc := plan.policy_document(rp.inputs.policy)
	some s in plan.policy_statements(doc)
	s.Effect == "Allow"
	some action in plan.as_list(object.get(s, "Action", []))
	lower(action) == "sagemaker:startpipelineexecution"
	some resource in plan.as_list(object.get(s, "Resource", []))
	contains(resource, "*")
	finding := {
		"policy": "QA-RES-085",
		"resource": rp.urn,
		"message": sprintf("%s may start any pipeline matching %s; a trigger's role names the one pipeline it starts (arn:...:pipeline/<name>)", [plan.label(rp), resource]),
	}
]
