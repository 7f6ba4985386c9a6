# QA-RES-022: every SageMaker endpoint configuration captures inference data.
# QA-RES-023: every SageMaker endpoint has a monitoring schedule.
package qantara.resources.model_monitoring

import rego.v1

import data.qantara.lib.plan

findings := array.concat(capture_findings, schedule_findings)

# --- QA-RES-022 ------------------------------------------------------------------------

capture_findings := [finding |
	some at in plan.indexes_of({"aws:sagemaker/endpointConfiguration:EndpointConfiguration"})
	r := plan.resources[at]
	problem := capture_problem(object.get(r.inputs, "dataCaptureConfig", null))
	finding := {
		"policy": "QA-RES-022",
		"resource": r.urn,
		"message": sprintf("%s %s; set data_capture_config with enable_capture=True, a destination in the platform's bucket and the platform key, so drift and quality monitors have data", [plan.label(r), problem]),
	}
]

capture_problem(config) := "captures no inference data (no dataCaptureConfig)" if {
	config == null
} else := "has data capture turned off (enableCapture is not true; pulumi-aws defaults it to false)" if {
	is_object(config)
	not config.enableCapture == true
	not plan.is_unknown(object.get(config, "enableCapture", null))
}

# --- QA-RES-023 ------------------------------------------------------------------------

schedule_type := "aws:sagemaker/monitoringSchedule:MonitoringSchedule"

job_definition_type := "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"

schedules := plan.indexes_of({schedule_type})

job_definitions := plan.indexes_of({job_definition_type})

# A schedule names its job definition (monitoringJobDefinitionName) or carries an inline
# definition that names the endpoint; a job definition names the endpoint it monitors.
schedule_keys(r) := array.concat(
	object.get(r, ["propertyDependencies", "monitoringScheduleConfig"], []),
	array.concat(
		plan.known_strings(object.get(r.inputs, ["monitoringScheduleConfig", "monitoringJobDefinitionName"], null)),
		plan.known_strings(object.get(r.inputs, ["monitoringScheduleConfig", "monitoringJobDefinition", "monitoringInputs", "endpointInput", "endpointName"], null)),
	),
)

job_definition_endpoints(r) := array.concat(
	object.get(r, ["propertyDependencies", "dataQualityJobInput"], []),
	plan.known_strings(object.get(r.inputs, ["dataQualityJobInput", "endpointInput", "endpointName"], null)),
)

monitored_handles(r) := array.concat([r.urn], plan.known_strings(object.get(r.inputs, "name", null)))

# Job definitions that some schedule runs.
scheduled_job_definitions := [entry[0] |
	some entry in plan.links(
		[[i, monitored_handles(plan.resources[i])] | some i in job_definitions],
		[[format_int(i, 10), schedule_keys(plan.resources[i])] | some i in schedules],
	)
	count(entry[1]) > 0
]

# Endpoints with a schedule: through a scheduled job definition or an inline definition.
monitored := plan.links(
	[[i, monitored_handles(plan.resources[i])] | some i in plan.indexes_of({"aws:sagemaker/endpoint:Endpoint"})],
	array.concat(
		[[format_int(i, 10), job_definition_endpoints(plan.resources[i])] | some i in scheduled_job_definitions],
		[[format_int(i, 10), schedule_keys(plan.resources[i])] | some i in schedules],
	),
)

schedule_findings := [finding |
	some entry in monitored
	count(entry[1]) == 0
	endpoint := plan.resources[entry[0]]
	finding := {
		"policy": "QA-RES-023",
		"resource": endpoint.urn,
		"message": sprintf("%s has no monitoring schedule (aws.sagemaker.MonitoringSchedule naming it, directly or through a data quality job definition); add one so drift is detected in production", [plan.label(endpoint)]),
	}
]
