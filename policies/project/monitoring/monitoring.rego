# QA-PRJ-006: a project that serves predictions declares how they are watched: input drift
# measured against a threshold, and who is alerted.
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

gaps := array.concat(array.concat(no_drift, no_threshold), no_alerts)

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

no_alerts := [gap |
	not is_string(object.get(spec, ["monitoring", "alertsTo"], null))
	gap := {
		"resource": "spec.monitoring.alertsTo",
		"message": sprintf("the project serves predictions (serving: %s) but names nobody to alert (spec.monitoring.alertsTo)", [spec.serving]),
	}
]
