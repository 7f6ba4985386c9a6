# QA-BP-007: a waiver is approved by someone other than the platform's owner, and expires
#            no further ahead than the target stage allows (maturity_stages.yaml waiverMaxDays).
# QA-BP-008: an expired waiver is reported (enforcement already ignores it).
#
# Dates are ISO strings compared with input.context.date (regopy 1.5 has no
# time.parse_rfc3339_ns; time.parse_ns with a date layout works).
package qantara.blueprint.waivers

import rego.v1

waivers := object.get(input, ["blueprint", "spec", "governance", "waivers"], [])

today := input.context.date

owner := input.blueprint.metadata.owner

day_ns := 86400000000000

target := object.get(input, ["blueprint", "spec", "governance", "stage"], null)

max_days := stage.waiverMaxDays if {
	some stage in data.catalog.maturity_stages.stages
	stage.name == target
}

findings := array.concat(array.concat(owner_findings, horizon_findings), expired_findings)

same_person(a, b) if lower(trim_space(a)) == lower(trim_space(b))

owner_findings := [finding |
	waiver := waivers[index]
	same_person(waiver.approvedBy, owner)
	finding := {
		"policy": "QA-BP-007",
		"resource": sprintf("spec.governance.waivers[%d].approvedBy", [index]),
		"message": sprintf("waiver of %s for `%s` is approved by %s, the platform's owner: an exception to the owner's own platform needs someone else's approval", [waiver.policy, waiver.resources, waiver.approvedBy]),
	}
]

days_ahead(date) := (time.parse_ns("2006-01-02", date) - time.parse_ns("2006-01-02", today)) / day_ns

horizon_findings := [finding |
	waiver := waivers[index]
	days := days_ahead(waiver.expires)
	days > max_days
	finding := {
		"policy": "QA-BP-007",
		"resource": sprintf("spec.governance.waivers[%d].expires", [index]),
		"message": sprintf("waiver of %s for `%s` expires on %s, %v days ahead; a platform targeting the %s stage reviews its waivers at least every %v days", [waiver.policy, waiver.resources, waiver.expires, days, target, max_days]),
	}
]

expired_findings := [finding |
	waiver := waivers[index]
	waiver.expires < today
	finding := {
		"policy": "QA-BP-008",
		"resource": sprintf("spec.governance.waivers[%d].expires", [index]),
		"message": sprintf("waiver of %s for `%s` (approved by %s) expired on %s and no longer applies: renew it with a new approval or remove it", [waiver.policy, waiver.resources, waiver.approvedBy, waiver.expires]),
	}
]
