# QA-PRJ-006: a project that serves predictions declares how they are watched: input drift
# measured against a threshold no larger than data.catalog.drift.maxProjectThreshold (a threshold
# drift never reaches would switch the alert off), and who is alerted.
package qantara.project.monitoring

import rego.v1

spec := input.project.manifest.spec

monitoring := object.get(spec, "monitoring", null)

serves if spec.serving != "none"

findings := [finding |
	is_object(input.project)
	serves
	some gap in gaps
	finding := {"policy": "QA-PRJ-006", "resource": gap.resource, "message": gap.message}
]

gaps := array.concat(array.concat(array.concat(no_drift, no_threshold), threshold_too_high), no_alerts)

drift_enabled if object.get(spec, ["monitoring", "drift", "enabled"], false) == true

no_drift := [gap |
	not drift_enabled
	gap := {
		"resource": "spec.monitoring.drift",
		"message": sprintf("the project serves predictions (serving: %s) but does not measure input drift: a model whose inputs drift degrades unnoticed", [spec.serving]),
	}
]

no_threshold := [gap |
	drift_enabled
	not is_number(object.get(spec, ["monitoring", "drift", "threshold"], null))
	gap := {
		"resource": "spec.monitoring.drift.threshold",
		"message": "drift is measured but no threshold says when it raises an alert",
	}
]

# The catalog's bound: a missing one is a finding too (fail closed), never a pass.
max_threshold := data.catalog.drift.maxProjectThreshold

threshold_too_high := [gap |
	drift_enabled
	threshold := object.get(spec, ["monitoring", "drift", "threshold"], null)
	is_number(threshold)
	not within_bound(threshold)
	gap := {
		"resource": "spec.monitoring.drift.threshold",
		"message": sprintf("the drift threshold %v is above %v, the largest Qantara allows (policies/data/drift.yaml): a threshold drift seldom or never reaches switches the drift alert, and the retraining it starts, off; declare at most %v (on site a population stability index, where above 0.25 is a significant shift)", [threshold, bound_text, bound_text]),
	}
]

within_bound(threshold) if {
	is_number(max_threshold)
	threshold <= max_threshold
}

bound_text := sprintf("%v", [max_threshold]) if {
	is_number(max_threshold)
} else := "(no bound in the catalog)"

no_alerts := [gap |
	not is_string(object.get(spec, ["monitoring", "alertsTo"], null))
	gap := {
		"resource": "spec.monitoring.alertsTo",
		"message": sprintf("the project serves predictions (serving: %s) but names nobody to alert (spec.monitoring.alertsTo)", [spec.serving]),
	}
]
