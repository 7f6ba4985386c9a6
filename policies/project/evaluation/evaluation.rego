# QA-PRJ-003: the project declares how candidate models are judged: thresholds, and a
#            primary metric among them.
# QA-PRJ-009: the trained model, as its model card records it, meets every declared threshold.
#
# The bounds are the manifest's (spec.evaluation.thresholds); the card only supplies the
# measured values, so a card cannot pass itself by writing `passed: true`.
package qantara.project.evaluation

import rego.v1

evaluation := object.get(input.project.manifest.spec, "evaluation", {})

thresholds := object.get(evaluation, "thresholds", [])

primary := object.get(evaluation, "primaryMetric", null)

findings := array.concat(declared_findings, shortfall_findings)

declared_findings := [finding |
	is_object(input.project)
	some gap in declaration_gaps
	finding := {"policy": "QA-PRJ-003", "resource": gap.resource, "message": gap.message}
]

declaration_gaps := array.concat(array.concat(no_thresholds, no_primary), unbounded_primary)

no_thresholds := [gap |
	count(thresholds) == 0
	gap := {
		"resource": "spec.evaluation.thresholds",
		"message": "the project declares no evaluation thresholds: any model, however poor, could be registered and promoted",
	}
]

no_primary := [gap |
	not is_string(primary)
	gap := {
		"resource": "spec.evaluation.primaryMetric",
		"message": "the project declares no primary metric: nothing says which metric decides between candidate models",
	}
]

unbounded_primary := [gap |
	is_string(primary)
	count(thresholds) > 0
	not primary in {threshold.metric | some threshold in thresholds}
	gap := {
		"resource": "spec.evaluation.primaryMetric",
		"message": sprintf("primary metric %s has no threshold: the metric that decides has no bound a model must meet", [primary]),
	}
]

card_metrics := input.project.modelCard.metrics

shortfall_findings := [finding |
	is_object(input.project)
	is_array(card_metrics)
	count(card_metrics) > 0 # an untrained card is QA-PRJ-001's finding
	threshold := thresholds[index]
	message := shortfall(threshold)
	finding := {
		"policy": "QA-PRJ-009",
		"resource": sprintf("spec.evaluation.thresholds[%d]", [index]),
		"message": message,
	}
]

# The first numeric value the card records for a metric.
measured(name) := values[0] if {
	values := [metric.value | some metric in card_metrics; metric.name == name; is_number(metric.value)]
	count(values) > 0
}

# regopy 1.5 needs a body on the first clause of a function with else.
shortfall(threshold) := sprintf("model card %s records no value for %s, so the model cannot be shown to meet its threshold", [input.project.modelCardPath, threshold.metric]) if {
	not measured(threshold.metric)
} else := sprintf("%s is %v in model card %s, below the minimum %v", [threshold.metric, measured(threshold.metric), input.project.modelCardPath, threshold.min]) if {
	is_number(threshold.min)
	measured(threshold.metric) < threshold.min
} else := sprintf("%s is %v in model card %s, above the maximum %v", [threshold.metric, measured(threshold.metric), input.project.modelCardPath, threshold.max]) if {
	is_number(threshold.max)
	measured(threshold.metric) > threshold.max
}
