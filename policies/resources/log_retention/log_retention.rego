# QA-RES-029: every CloudWatch log group expires its events, after at least the minimum the
#             catalog sets for the class of data it may hold.
package qantara.resources.log_retention

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

minimums := data.catalog.logging.logGroupRetention.minimumDays

findings := [finding |
	some at in plan.indexes_of({"aws:cloudwatch/logGroup:LogGroup"})
	r := plan.resources[at]
	class := plan.data_class(r)
	minimum := minimums[class]
	problem := retention_problem(object.get(r.inputs, "retentionInDays", 0), minimum)
	finding := {
		"policy": "QA-RES-029",
		"resource": r.urn,
		"message": sprintf("%s %s; set retention_in_days to at least %v days for %s data", [plan.label(r), problem, minimum, text.plain(class)]),
	}
]

# 0 or unset is CloudWatch's "never expire": an undecided retention, and personal data kept forever.
retention_problem(days, minimum) := "keeps its events forever (retentionInDays unset or 0)" if {
	days == 0
} else := sprintf("keeps its events %v days only", [days]) if {
	is_number(days)
	days < minimum
}
