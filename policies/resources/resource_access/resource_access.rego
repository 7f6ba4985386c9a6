# QA-RES-060: resource policies admit no one outside the declared accounts: no "*" principal
#             without a condition narrowing it to them, no undeclared account, no outside
#             identity provider, no service acting for an undeclared account.
# QA-RES-061: nothing is granted or shared outside the declared accounts (Lambda permissions,
#             KMS grants, RAM and Lake Formation shares, datashares, snapshot and AMI
#             permissions, endpoint services), and nothing to everyone.
# QA-RES-062: a policy document or grantee Qantara cannot read is reported as not checked:
#             it fails for restricted and secret data, and is informational otherwise.
#
# The types and properties are rows of aws_exposure.yaml; who is declared is
# qantara.lib.access.
package qantara.resources.resource_access

import rego.v1

import data.qantara.lib.access
import data.qantara.lib.plan
import data.qantara.lib.text

exposure := data.catalog.aws_exposure

findings := array.concat(array.concat(policy_findings, grant_findings), unread_findings)

declared_words := text.join(", ", access.declared_accounts) if count(access.declared_accounts) > 0

else := "none declared"

# --- QA-RES-060 ------------------------------------------------------------------------

policy_findings := [finding |
	some row in exposure.resourcePolicies
	some at in plan.indexes_of({row.type})
	r := plan.resources[at]
	doc := plan.policy_document(object.get(r.inputs, row.property, null))
	doors := sort({d |
		some s in plan.policy_statements(doc)
		some d in array.concat(access.statement_doors(s), access.service_statement_doors(s))
		not reported_as_public_bucket(r, s, d)
	})
	count(doors) > 0
	finding := {
		"policy": "QA-RES-060",
		"resource": r.urn,
		"dataClass": plan.data_class(r),
		"message": sprintf("%s (%s) lets in %s; grant only the declared accounts (%s: spec.cloud.accounts and the stack's own), and narrow \"*\" with aws:SourceAccount or aws:SourceArn to them", [plan.label(r), text.plain(row.property), text.join(", ", doors), declared_words]),
	}
]

# QA-RES-005 already reports a bucket policy's "*" statement without any condition.
reported_as_public_bucket(r, s, door) if {
	r.type == "aws:s3/bucketPolicy:BucketPolicy"
	startswith(door, "everyone")
	not s.Condition
}

# --- QA-RES-061 ------------------------------------------------------------------------

grant_findings := [finding |
	some row in exposure.grants
	some at in plan.indexes_of({row.type})
	r := plan.resources[at]
	some value in plan.known_strings(object.get(r.inputs, row.property, null))
	door := access.grant_door(row.kind, value)
	not narrowed_grant(r, row, value)
	finding := {
		"policy": "QA-RES-061",
		"resource": r.urn,
		"dataClass": plan.data_class(r),
		"message": sprintf("%s: %s %s (%s); share only with the declared accounts (%s: spec.cloud.accounts and the stack's own)", [plan.label(r), door, text.plain(row.what), text.plain(row.property), declared_words]),
	}
]

# A Lambda permission for "*" or a service is narrowed by its own sourceAccount/sourceArn.
narrowed_grant(r, row, value) if {
	row.narrowedBy
	not access.principal_account(value)
	some property in object.keys(row.narrowedBy)
	some v in plan.known_strings(object.get(r.inputs, property, null))
	access.declared_value(row.narrowedBy[property], v)
}

# --- QA-RES-062 ------------------------------------------------------------------------

unread_findings := array.concat(
	[unread_finding(r, sprintf("its %s", [text.plain(row.property)])) |
		some row in exposure.resourcePolicies
		some at in plan.indexes_of({row.type})
		r := plan.resources[at]
		unread_document(object.get(r.inputs, row.property, null))
	],
	[unread_finding(r, sprintf("who %s (%s)", [text.plain(row.what), text.plain(row.property)])) |
		some row in exposure.grants
		some at in plan.indexes_of({row.type})
		r := plan.resources[at]
		some value in plan.as_list(object.get(r.inputs, row.property, []))
		access.unreadable(value)
		# A grantee the plan creates (a role of the stack) is in the stack's own account.
		count(object.get(r, ["propertyDependencies", row.property], [])) == 0
	],
)

# Unknown or secret at preview, not JSON, or a statement whose principal is unknown.
unread_document(value) if access.unreadable(value)

unread_document(value) if {
	is_string(value)
	not access.unreadable(value)
	not json.is_valid(value)
}

unread_document(value) if {
	doc := plan.policy_document(value)
	some s in plan.policy_statements(doc)
	count(access.unread_principals(s)) > 0
}

unread_finding(r, what) := finding if {
	class := plan.data_class(r)
	class in exposure.uncheckedFailClasses
	finding := {
		"policy": "QA-RES-062",
		"resource": r.urn,
		"dataClass": class,
		"message": sprintf("%s: Qantara cannot read %s at preview, so who it lets in is not checked; %s data needs it checked: build the document from values known before deployment (names, the account id), or check a preview of the deployed stack", [plan.label(r), what, text.plain(class)]),
	}
} else := {
	"policy": "QA-RES-062",
	"resource": r.urn,
	"advisory": true,
	"message": sprintf("%s: Qantara cannot read %s at preview, so who it lets in is not checked (informational for %s data)", [plan.label(r), what, text.plain(plan.data_class(r))]),
}
