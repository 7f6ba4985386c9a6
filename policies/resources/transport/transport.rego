# QA-RES-016: every bucket refuses requests that do not use TLS.
package qantara.resources.transport

import rego.v1

import data.qantara.lib.plan

findings := [finding |
	some link in plan.bucket_links
	bucket := plan.resources[link[0]]
	policies := array.concat(
		[r | some id in link[1]; r := plan.resources[plan.link_index(id)]; r.type == "aws:s3/bucketPolicy:BucketPolicy"],
		[bucket | bucket.inputs.policy],
	)
	not tls_only(policies)
	finding := {
		"policy": "QA-RES-016",
		"resource": bucket.urn,
		"message": sprintf("%s has no bucket policy that denies requests without TLS; attach a Deny of s3:* for Principal \"*\" under the condition aws:SecureTransport false", [plan.label(bucket)]),
	}
]

# A policy a preview cannot read yet ([unknown]) is given the benefit of the doubt.
tls_only(policies) if {
	some p in policies
	plan.is_unknown(p.inputs.policy)
}

tls_only(policies) if {
	some p in policies
	some statement in plan.policy_statements(plan.policy_document(p.inputs.policy))
	denies_insecure_transport(statement)
}

denies_insecure_transport(s) if {
	s.Effect == "Deny"
	any_principal(s.Principal)
	some action in plan.as_list(s.Action)
	lower(action) in {"s3:*", "*"}
	insecure_condition(object.get(s, "Condition", {}))
}

any_principal("*") := true

any_principal(principal) if "*" in plan.as_list(principal.AWS)

# Condition keys are case-insensitive in IAM; values may be strings, booleans or lists.
insecure_condition(condition) if {
	some key
	value := condition.Bool[key]
	lower(key) == "aws:securetransport"
	some v in plan.as_list(value)
	v in {"false", false}
}

# Denying old TLS versions (s3:TlsVersion below 1.2) also refuses plain HTTP.
insecure_condition(condition) if {
	some key
	condition.NumericLessThan[key]
	lower(key) == "s3:tlsversion"
}
