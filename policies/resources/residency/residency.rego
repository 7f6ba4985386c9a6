# QA-RES-001: every regional resource is in a location allowed for the data it may hold.
# QA-RES-002: no multi-Region KMS keys (their replicas decrypt data outside the jurisdiction).
package qantara.resources.residency

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.residency
import data.qantara.lib.text

# Positions of the resources that sit somewhere, or may, since the plan cannot say where
# (provider configurations aside).
regional := [i |
	some t in object.keys(plan.indexes_by_type)
	not startswith(t, "pulumi:providers:")
	some i in plan.indexes_by_type[t]
	plan.resources[i].location.kind in located_kinds
]

located_kinds := {"cloud", "onprem", "unknown"}

# One verdict per (class, location) pair, not per resource: plans repeat a few regions. The
# pairs are told apart by sorting their keys, not through a set: regopy 1.5 builds a set in
# time quadratic in the number of insertions.
pair_keys := [json.marshal([plan.data_class(plan.resources[i]), plan.resources[i].location]) | some i in regional]

verdicts := {key: located_verdict(pair[0], pair[1]) |
	some key in distinct_pair_keys
	pair := json.unmarshal(key)
}

# An AWS resource on an Outpost is on the blueprint's site only if the Outpost is the site's
# own (spec.onPrem.outpostArn); on any other Outpost, its country is not known.
located_verdict(class, location) := {
	"allowed": false,
	"reason": sprintf("it is on Outpost %s, which is not the site's (spec.onPrem.outpostArn: %s), so its country is not known", [location.outpost, text.plain(site_outpost)]),
	"because": "the plan places a resource on the site only through the site's own Outpost",
} if {
	is_string(location.outpost)
	not endswith(site_outpost, concat("", ["/", location.outpost]))
} else := residency.verdict(plan.context, class, location)

site_outpost := object.get(input.blueprint, ["spec", "onPrem", "outpostArn"], "none")

distinct_pair_keys := plan.distinct(sort(pair_keys)) if count(pair_keys) > 0

else := []

findings := array.concat(residency_findings, multi_region_findings)

residency_findings := [finding |
	some n in numbers.range(0, count(regional) - 1)
	count(regional) > 0
	verdict := verdicts[pair_keys[n]]
	not verdict.allowed
	r := plan.resources[regional[n]]
	finding := {
		"policy": "QA-RES-001",
		"resource": r.urn,
		# Enforcement reads the class: residency of restricted and secret data is never waived.
		"dataClass": plan.data_class(r),
		"message": sprintf("%s is in %s: %s [%s]", [plan.label(r), residency.where(r.location), verdict.reason, verdict.because]),
	}
]

multi_region_candidates := {"aws:kms/key:Key", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"}

multi_region_types := {"aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"}

multi_region_findings := [finding |
	some at in plan.indexes_of(multi_region_candidates)
	r := plan.resources[at]
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
