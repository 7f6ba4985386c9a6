# QA-RES-080: a SageMaker pipeline's steps run where the pipeline is: its definition names no
#             other region, and a definition that cannot be read is not taken on trust.
# QA-RES-081: every job step encrypts its volume and its outputs with a customer key.
# QA-RES-082: every job step runs in the VPC with traffic encryption; network-isolated for
#             the classes data.catalog.sagemaker_pipeline_steps.isolatedClasses lists.
# QA-RES-084: retraining never promotes: models register PendingManualApproval, and no step
#             deploys or runs code that could.
# The step shapes are a table (policies/data/sagemaker_pipeline_steps.yaml); a step type it
# does not list is a finding.
package qantara.resources.ml_pipeline

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

table := data.catalog.sagemaker_pipeline_steps

pipeline_types := {"aws:sagemaker/pipeline:Pipeline"}

approval_status := "PendingManualApproval"

findings := array.concat(
	array.concat(unreadable_findings, location_findings),
	array.concat(array.concat(encryption_findings, unmodelled_findings), array.concat(network_findings, promotion_findings)),
)

# The definition as an object, when the plan shows it (a JSON string or an object).
definition(r) := doc if {
	doc := plan.json_document(r.inputs.pipelineDefinition)
	is_object(doc)
}

definition_text(r) := r.inputs.pipelineDefinition if is_string(r.inputs.pipelineDefinition)

else := json.marshal(r.inputs.pipelineDefinition)

# [[pipeline index, step], ...] for every step of every readable definition.
steps := [[at, step] |
	some at in plan.indexes_of(pipeline_types)
	doc := definition(plan.resources[at])
	some step in object.get(doc, "Steps", [])
]

step_label(r, step) := sprintf("%s step `%s` (%s)", [plan.label(r), text.plain(object.get(step, "Name", "?")), text.plain(object.get(step, "Type", "?"))])

# --- QA-RES-080 ------------------------------------------------------------------------

unreadable_findings := [finding |
	some at in plan.indexes_of(pipeline_types)
	r := plan.resources[at]
	not definition(r)
	finding := {
		"policy": "QA-RES-080",
		"resource": r.urn,
		"message": sprintf("%s has a definition the plan cannot read (not inline JSON, or not known before deployment: pipelineDefinitionS3Location, an output); where its steps run and what they touch cannot be shown; give pipeline_definition as JSON built from known values", [plan.label(r)]),
	}
]

region_codes := object.keys(data.catalog.aws_regions.regions)

location_findings := [finding |
	some at in plan.indexes_of(pipeline_types)
	r := plan.resources[at]
	r.location.kind == "cloud"
	definition(r)
	text := definition_text(r)
	some code in region_codes
	code != r.location.region
	contains(text, code)
	finding := {
		"policy": "QA-RES-080",
		"resource": r.urn,
		"message": sprintf("%s runs in %s but its definition names %s (an image, bucket, key or ARN there); every step's image, data, key and network must be in %s", [plan.label(r), r.location.region, code, r.location.region]),
	}
]

# --- QA-RES-081 ------------------------------------------------------------------------

encryption_findings := [finding |
	some entry in steps
	shape := table.jobSteps[entry[1].Type]
	some property in ["volumeKey", "outputKey"]
	problem := key_problem(object.get(entry[1], shape[property], null))
	r := plan.resources[entry[0]]
	finding := {
		"policy": "QA-RES-081",
		"resource": r.urn,
		"message": sprintf("%s %s %s; set it to the platform's customer-managed KMS key ARN", [step_label(r, entry[1]), key_words[property], problem]),
	}
]

key_words := {"volumeKey": "encrypts its job's volume", "outputKey": "encrypts its outputs"}

key_problem(value) := "with no key (no VolumeKmsKeyId / KmsKeyId: an AWS-owned key)" if {
	not is_string(value)
	not is_object(value)
} else := "with a key a run's parameters choose (a Get), not a fixed key" if {
	is_object(value)
} else := "with no key (empty)" if {
	value == ""
} else := sprintf("with the AWS-managed key %s, which the platform does not control", [value]) if {
	plan.aws_managed_key(value)
}

unmodelled_findings := [finding |
	some entry in steps
	kind := object.get(entry[1], "Type", "")
	not table.jobSteps[kind]
	not kind in table.quietSteps
	not table.promotingSteps[kind]
	r := plan.resources[entry[0]]
	finding := {
		"policy": "QA-RES-081",
		"resource": r.urn,
		"message": sprintf("%s is a step type Qantara does not model; its job's encryption, network and data cannot be shown; use Processing, Training, QualityCheck, ClarifyCheck, RegisterModel, Condition or Fail steps", [step_label(r, entry[1])]),
	}
]

# --- QA-RES-082 ------------------------------------------------------------------------

network_findings := array.concat(array.concat(vpc_findings, traffic_findings), isolation_findings)

vpc_findings := [network_finding(plan.resources[entry[0]], entry[1], "runs outside the VPC (no VpcConfig subnets); give it the platform's private subnets and security groups") |
	some entry in steps
	shape := table.jobSteps[entry[1].Type]
	not_in_vpc(object.get(entry[1], shape.subnets, []))
]

traffic_findings := [network_finding(plan.resources[entry[0]], entry[1], "does not encrypt traffic between its containers; set EnableInterContainerTrafficEncryption to true") |
	some entry in steps
	shape := table.jobSteps[entry[1].Type]
	object.get(entry[1], shape.trafficEncryption, false) != true
]

isolation_findings := [network_finding(r, entry[1], sprintf("runs with network access while its data is %s; set EnableNetworkIsolation to true (classes %s run isolated)", [data_class, text.join(", ", table.isolatedClasses)])) |
	some entry in steps
	shape := table.jobSteps[entry[1].Type]
	r := plan.resources[entry[0]]
	data_class := plan.data_class(r)
	data_class in table.isolatedClasses
	object.get(entry[1], shape.isolation, false) != true
]

# Given the resource, not its index: a function that indexes `resources` scans it per call.
network_finding(r, step, problem) := {
	"policy": "QA-RES-082",
	"resource": r.urn,
	"message": sprintf("%s %s", [step_label(r, step), text.plain(problem)]),
}

not_in_vpc(subnets) if not is_array(subnets)

not_in_vpc(subnets) if count(subnets) == 0

# --- QA-RES-084 ------------------------------------------------------------------------

promotion_findings := array.concat(approval_findings, promoting_step_findings)

approval_findings := [finding |
	some entry in steps
	entry[1].Type == "RegisterModel"
	status := object.get(entry[1], ["Arguments", "ModelApprovalStatus"], null)
	status != approval_status
	r := plan.resources[entry[0]]
	finding := {
		"policy": "QA-RES-084",
		"resource": r.urn,
		"message": sprintf("%s registers models with ModelApprovalStatus %s; a retrained model must wait for a person: set it to %s", [step_label(r, entry[1]), status_words(status), approval_status]),
	}
]

status_words(status) := text.plain(status) if is_string(status)

else := "from a run's parameters (a Get), which whoever starts the run chooses" if is_object(status)

else := "unset (SageMaker's default is not relied on)"

promoting_step_findings := [finding |
	some entry in steps
	why := table.promotingSteps[entry[1].Type]
	r := plan.resources[entry[0]]
	finding := {
		"policy": "QA-RES-084",
		"resource": r.urn,
		"message": sprintf("%s %s; a retraining pipeline registers a model for approval and stops, deployment follows a person's approval", [step_label(r, entry[1]), why]),
	}
]
