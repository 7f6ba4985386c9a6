# QA-PRJ-004: the project declares its bias check: enabled with the sensitive features it
# measures across and a disparity metric, or explicitly disabled; and enabled whenever its
# data class or its platform's sector requires it (catalog model_card.yaml biasCheckRequired).
package qantara.project.bias

import rego.v1

import data.qantara.lib.text

requirement := data.catalog.model_card.biasCheckRequired

spec := input.project.manifest.spec

bias := object.get(spec, "biasCheck", null)

# Why the bias check must be enabled, if it must.
reasons := array.concat(
	[sprintf("it handles %s data", [spec.dataClassification]) | spec.dataClassification in requirement.classes],
	[sprintf("its platform serves the %s sector", [sector]) | some sector in object.get(input.blueprint.spec, "sectors", []); sector in requirement.sectors],
)

findings := [finding |
	is_object(input.project)
	some gap in gaps
	finding := {"policy": "QA-PRJ-004", "resource": gap.resource, "message": gap.message}
]

gaps := array.concat(array.concat(undeclared, incomplete), disabled)

undeclared := [gap |
	not is_object(bias)
	gap := {
		"resource": "spec.biasCheck",
		"message": sprintf("the project declares no bias check: declare biasCheck with enabled: true, sensitiveFeatures and a metric, or enabled: false%s", [required_note]),
	}
]

required_note := sprintf(" (it must be enabled: %s)", [text.join("; ", reasons)]) if {
	count(reasons) > 0
} else := ""

# is_object first: regorus makes object.get on null a hard error where OPA and regopy give undefined.
enabled if {
	is_object(bias)
	object.get(bias, "enabled", false) == true
}

incomplete := array.concat(no_features, no_metric)

no_features := [gap |
	enabled
	count(object.get(bias, "sensitiveFeatures", [])) == 0
	gap := {
		"resource": "spec.biasCheck.sensitiveFeatures",
		"message": "the bias check is enabled but names no sensitive features to measure across",
	}
]

no_metric := [gap |
	enabled
	not is_string(object.get(bias, "metric", null))
	gap := {
		"resource": "spec.biasCheck.metric",
		"message": "the bias check is enabled but names no disparity metric",
	}
]

disabled := [gap |
	is_object(bias)
	object.get(bias, "enabled", true) == false
	count(reasons) > 0
	gap := {
		"resource": "spec.biasCheck.enabled",
		"message": sprintf("the bias check is disabled but must be enabled: %s", [text.join("; ", reasons)]),
	}
]
