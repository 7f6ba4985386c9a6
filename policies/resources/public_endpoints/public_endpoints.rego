# QA-RES-063: no service endpoint is open to the internet (Lambda function URLs without
#             authentication, OpenSearch domains outside a VPC).
# QA-RES-064: compute says which subnet it runs in (an EC2 instance without one launches into
#             the default VPC; a Lambda function holding restricted data runs in the VPC).
#
# Rows of aws_exposure.yaml: publicFlags (kind endpoint) and subnetRequired.
package qantara.resources.public_endpoints

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

exposure := data.catalog.aws_exposure

findings := array.concat(endpoint_findings, subnet_findings)

# --- QA-RES-063 ------------------------------------------------------------------------

endpoint_findings := [finding |
	some row in exposure.publicFlags
	row.kind == "endpoint"
	some at in plan.indexes_of({row.type})
	r := plan.resources[at]
	object.get(r.inputs, row.property, object.get(row, "default", null)) == row.public
	finding := {
		"policy": "QA-RES-063",
		"resource": r.urn,
		"message": sprintf("%s %s; require IAM authentication (authorization_type=\"AWS_IAM\") or place it in the VPC (vpc_options)", [plan.label(r), text.plain(row.what)]),
	}
]

# --- QA-RES-064 ------------------------------------------------------------------------

subnet_findings := [finding |
	some row in exposure.subnetRequired
	some at in plan.indexes_of({row.type})
	r := plan.resources[at]
	applies(row, r)
	not placed(object.get(r.inputs, row.property, null))
	finding := {
		"policy": "QA-RES-064",
		"resource": r.urn,
		"message": sprintf("%s names no subnet (%s): it %s; give it a private subnet of the platform's VPC", [plan.label(r), text.join(".", row.property), text.plain(row.what)]),
	}
]

applies(row, _) if not row.classes

applies(row, r) if plan.data_class(r) in row.classes

# A subnet id or VPC configuration, known or not yet known, places it; empty does not.
placed(value) if {
	is_string(value)
	value != ""
}

placed(value) if {
	is_object(value)
	count(value) > 0
}
