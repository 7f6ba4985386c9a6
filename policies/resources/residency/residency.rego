# QA-RES-001: every regional resource is in a location allowed for the data it may hold.
# QA-RES-002: no multi-Region KMS keys (their replicas decrypt data outside the jurisdiction).
package qantara.resources.residency

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.residency

regional := [r |
	some r in plan.resources
	r.location.kind in {"cloud", "onprem"}
	not startswith(r.type, "pulumi:providers:")
]

# One verdict per (class, location) pair, not per resource: plans repeat a few regions.
locations := {[plan.data_class(r), r.location] | some r in regional}

verdicts := {pair_key(pair): residency.verdict(plan.context, pair[0], pair[1]) | some pair in locations}

pair_key(pair) := json.marshal(pair)

findings := array.concat(residency_findings, multi_region_findings)

residency_findings := [finding |
	some r in regional
	verdict := verdicts[pair_key([plan.data_class(r), r.location])]
	not verdict.allowed
	finding := {
		"policy": "QA-RES-001",
		"resource": r.urn,
		# Enforcement reads the class: residency of restricted and secret data is never waived.
		"dataClass": plan.data_class(r),
		"message": sprintf("%s is in %s: %s [%s]", [plan.label(r), where(r.location), verdict.reason, verdict.because]),
	}
]

where(location) := location.region if location.kind == "cloud"

else := sprintf("on-prem site %s", [location.site])

multi_region_types := {"aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"}

multi_region_findings := [finding |
	some r in plan.resources
	multi_region(r)
	finding := {
		"policy": "QA-RES-002",
		"resource": r.urn,
		"message": sprintf("%s is a multi-Region key or key replica: its copies can decrypt data outside %s", [plan.label(r), plan.context.jurisdiction]),
	}
]

multi_region(r) if {
	r.type in {"aws:kms/key:Key", "aws:kms/externalKey:ExternalKey"}
	r.inputs.multiRegion == true
}

multi_region(r) if r.type in multi_region_types
