# QA-RES-080: a SageMaker pipeline's steps run where the pipeline is: its definition names no
#             other region, and a definition that cannot be read is not taken on trust; every
#             step's image is the platform's (its account's ECR in the placed region) or Model
#             Monitor's analyzer of the placed region (data.catalog.sagemaker_model_monitor_images,
#             the image DriftMonitoring runs), and every S3 URI names a data lake bucket of
#             the platform in the pipeline's region, by its exact name (input.resolved.dataLakeBuckets).
# QA-RES-081: every job step encrypts its volume and its outputs with a customer key.
# QA-RES-082: every job step runs in the VPC with traffic encryption; network-isolated for
#             the classes data.catalog.sagemaker_pipeline_steps.isolatedClasses lists, except
#             a record step: one shown to touch only the run's record (the table's recordOutputs).
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
	array.concat(array.concat(unreadable_findings, array.concat(location_findings, tracking_findings)), array.concat(image_findings, array.concat(bucket_findings, chosen_location_findings))),
	array.concat(array.concat(encryption_findings, unmodelled_findings), array.concat(network_findings, promotion_findings)),
)

# The definition as an object, when the plan shows it (a JSON string or an object).
definition(r) := doc if {
	doc := plan.json_document(r.inputs.pipelineDefinition)
	is_object(doc)
}

# Every text of the definition, joined, for what is searched in it (s3:// URIs, region codes),
# whichever form the plan gives it in (a JSON string, or an object). Not json.marshal of the
# object: on regopy 1.5 no s3:// URI was found in the marshalled form of a definition given as
# an object (regorus found it), so such a definition passed with any bucket in it.
definition_text(r) := concat(" ", [v |
	walk(definition(r), [_, v])
	is_string(v)
])

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

# The images a step runs: its job's (the table's `image` path) and a registered model's containers.
step_images(step) := array.concat(
	[object.get(step, shape.image, null) | shape := table.jobSteps[step.Type]],
	[object.get(c, "Image", null) |
		step.Type == "RegisterModel"
		some c in object.get(step, ["Arguments", "InferenceSpecification", "Containers"], [])
	],
)

# arn:<partition>:iam::<account>:role/<name>: the pipeline's account and partition.
role_arn_parts(r) := parts if {
	is_string(r.inputs.roleArn)
	parts := split(r.inputs.roleArn, ":")
	count(parts) == 6
	parts[4] != ""
}

monitor_images := data.catalog.sagemaker_model_monitor_images

# Model Monitor's analyzer of the pipeline's region, built as DriftMonitoring builds it.
analyzer_image(r) := sprintf("%s.dkr.ecr.%s.%s/%s", [monitor_images.registries[r.location.region].account, r.location.region, monitor_images.dnsSuffixes[role_arn_parts(r)[1]], monitor_images.repository])

platform_image(r, image) if {
	prefix := sprintf("%s.dkr.ecr.%s.%s/", [role_arn_parts(r)[4], r.location.region, monitor_images.dnsSuffixes[role_arn_parts(r)[1]]])
	startswith(image, prefix)
}

platform_image(r, image) if image == analyzer_image(r)

image_findings := [finding |
	some entry in steps
	r := plan.resources[entry[0]]
	r.location.kind == "cloud"
	some image in step_images(entry[1])
	not names_other_region(r, image) # location_findings has it
	problem := step_image_problem(r, image)
	finding := {
		"policy": "QA-RES-080",
		"resource": r.urn,
		"message": sprintf("%s runs image %s; %s", [step_label(r, entry[1]), problem[0], problem[1]]),
	}
]

step_image_problem(r, image) := ["from a run's parameters (a Get)", "whoever starts the run would choose the code; name the image"] if {
	not is_string(image)
} else := [text.plain(image), "the platform's account cannot be read from the pipeline's roleArn, so the image cannot be shown to be the platform's; give the pipeline a known role ARN"] if {
	not role_arn_parts(r)
} else := [text.plain(image), sprintf("steps run the platform's images (%s.dkr.ecr.%s...) or Model Monitor's analyzer of %s (%s), nothing from another account", [role_arn_parts(r)[4], r.location.region, r.location.region, analyzer_words(r)])] if {
	not platform_image(r, image)
}

analyzer_words(r) := analyzer_image(r) if analyzer_image(r)

else := "none sourced in policies/data/sagemaker_model_monitor_images.yaml"

# Only text names a region: an image given as a run parameter (a Get) is step_image_problem's
# (regorus, unlike regopy, errors on contains() over an object instead of leaving it undefined).
names_other_region(r, value) if {
	is_string(value)
	some code in region_codes
	code != r.location.region
	contains(value, code)
}

bucket_findings := [finding |
	some at in plan.indexes_of(pipeline_types)
	r := plan.resources[at]
	definition(r)
	some uri in regex.find_n(`s3://[^/"\\ ]*`, definition_text(r), -1)
	bucket := substring(uri, 5, -1)
	not platform_bucket(r, bucket)
	not names_other_region(r, bucket) # location_findings has it
	finding := {
		"policy": "QA-RES-080",
		"resource": r.urn,
		"message": sprintf("%s reads or writes bucket `%s`, %s; steps read and write only the platform's data lake buckets (%s)", [plan.label(r), text.plain(bucket), foreign_bucket_words(r, bucket), lake_bucket_words(r)]),
	}
]

# An S3 location that is not written out: a run parameter (a Get of Parameters.*), a property
# file value or an expression (Std:Join...) is chosen when the pipeline runs, so its bucket
# cannot be judged here. The output of one of the pipeline's own steps was written where that
# step's own location (judged) says; a Std:Join whose first part already holds a whole
# `s3://<bucket>/` (or is `s3://<bucket>` joined on "/") keeps the bucket judged.
chosen_location_findings := [finding |
	some at in plan.indexes_of(pipeline_types)
	r := plan.resources[at]
	doc := definition(r)
	walk(doc, [path, value])
	count(path) > 0
	path[count(path) - 1] in table.s3LocationKeys
	not written_location(value)
	finding := {
		"policy": "QA-RES-080",
		"resource": r.urn,
		"message": sprintf("%s takes its S3 location %s from %s, so the bucket it reads or writes cannot be shown to be the platform's; write the platform's bucket out (s3://<bucket>/...)", [plan.label(r), text.join(".", [sprintf("%v", [p]) | some p in path]), location_words(value)]),
	}
]

# Written out as s3://: SageMaker also takes an https:// URL for an S3 location (S3Uri's pattern
# is (https|s3)://..., API_ProcessingS3Input, read 2026-12-06), whose bucket the rule above does
# not read: only the s3:// form is judged, any other is a finding.
written_location(value) if {
	is_string(value)
	startswith(value, "s3://")
}

written_location(value) if {
	is_string(value.Get)
	startswith(value.Get, "Steps.")
}

written_location(value) if {
	first := value["Std:Join"].Values[0]
	is_string(first)
	regex.match(`^s3://[^/]+/`, first)
}

written_location(value) if {
	value["Std:Join"].On == "/"
	first := value["Std:Join"].Values[0]
	is_string(first)
	regex.match(`^s3://[^/]+$`, first)
}

location_words(value) := sprintf("`%s`, not an s3:// URI (SageMaker takes an https:// URL too, whose bucket is not read here)", [text.plain(value)]) if {
	is_string(value)
} else := sprintf("a run parameter (%s)", [value.Get]) if {
	is_string(value.Get)
	startswith(value.Get, "Parameters.")
} else := "an expression (a Get or a Std: function)" if is_object(value)

else := "a value that is not text"

# The platform's data lake buckets are known by name, exactly as qantara.naming.bucket_name
# makes them (input.resolved.dataLakeBuckets: {name: {region, zone}}, computed by the checkpoint): a
# prefix would miss the shortened names of a long blueprint and take a look-alike that only
# starts like one. The bucket is the platform's in the pipeline's own region.
lake_buckets := input.resolved.dataLakeBuckets if is_object(input.resolved.dataLakeBuckets)

else := {}

platform_bucket(r, bucket) if lake_buckets[bucket].region == r.location.region

foreign_bucket_words(r, bucket) := sprintf("the platform's data lake bucket of %s, not of %s where the pipeline runs", [lake_buckets[bucket].region, text.plain(object.get(r.location, "region", "an unknown region"))]) if {
	lake_buckets[bucket]
} else := "which is not the platform's"

lake_bucket_words(r) := text.join(", ", sort(lake_names_in(r.location.region))) if {
	count(lake_names_in(r.location.region)) > 0
} else := "none known for this environment and region: the checked environment's platform buckets could not be named"

# regopy rejects `some k, v in` inside comprehensions: index explicitly.
lake_names_in(region) := [name |
	some name in object.keys(lake_buckets)
	lake_buckets[name].region == region
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

# A SageMaker MLflow tracking server the definition names (a track step's MLFLOW_TRACKING_URI) is
# in the pipeline's own account (its role's): a run's lineage is metadata of its data, and is not
# logged to another account's server (another region's is location_findings').
tracking_findings := [finding |
	some at in plan.indexes_of(pipeline_types)
	r := plan.resources[at]
	definition(r)
	own := pipeline_account(r)
	some server in regex.find_n(`arn:[a-z-]+:sagemaker:[a-z0-9-]*:[0-9]{12}:mlflow-[a-z-]+/[A-Za-z0-9-]*`, definition_text(r), -1)
	account := split(server, ":")[4]
	account != own
	finding := {
		"policy": "QA-RES-080",
		"resource": r.urn,
		"message": sprintf("%s logs its runs to the MLflow tracking server `%s` of account %s; the pipeline runs in account %s, and a run's lineage is logged only to the platform's own tracking server", [plan.label(r), text.plain(server), account, own]),
	}
]

pipeline_account(r) := split(r.inputs.roleArn, ":")[4] if {
	is_string(r.inputs.roleArn)
	startswith(r.inputs.roleArn, "arn:")
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

isolation_findings := [network_finding(r, entry[1], sprintf("runs with network access while its data is %s; set EnableNetworkIsolation to true (classes %s run isolated; a step that logs the run may have a network only when its inputs are a record output of this pipeline and its role, not the pipeline's, reaches no other S3 data)", [data_class, text.join(", ", table.isolatedClasses)])) |
	some entry in steps
	shape := table.jobSteps[entry[1].Type]
	r := plan.resources[entry[0]]
	data_class := plan.data_class(r)
	data_class in table.isolatedClasses
	object.get(entry[1], shape.isolation, false) != true
	not record_step(r, entry[1])
]

# --- The record step: the one step of an isolated pipeline that may have a network -----------

# A record output: named in the table, in a platform bucket of a record purpose, beside another
# output of the step that writes it, and sharing its prefix with no other URI of the definition
# (so it cannot be the training data, another step's output, or a parent of either).
record_uris(doc) := {uri |
	some step in object.get(doc, "Steps", [])
	outputs := object.get(step, ["Arguments", "ProcessingOutputConfig", "Outputs"], [])
	some output in outputs
	output.OutputName in table.recordOutputs
	uri := output.S3Output.S3Uri
	is_string(uri)
	record_bucket(uri)
	some sibling in outputs
	sibling.OutputName != output.OutputName
	parent_prefix(sibling.S3Output.S3Uri) == parent_prefix(uri)
	count([other | some other in s3_uris(doc); other != uri; overlaps(other, uri)]) == 0
}

# The bucket is the platform's data lake bucket of a record zone (by its exact name, as
# QA-RES-080 knows it), in whatever region: QA-RES-080 judges the region.
record_bucket(uri) if {
	startswith(uri, "s3://")
	bucket := split(substring(uri, 5, -1), "/")[0]
	lake_buckets[bucket].zone in table.recordBuckets
}

s3_uris(doc) := [v | walk(doc, [_, v]); is_string(v); startswith(v, "s3://")]

overlaps(a, b) if startswith(a, b)

overlaps(a, b) if startswith(b, a)

# `s3://bucket/a/b/` -> `s3://bucket/a/`: where a step's outputs sit side by side.
parent_prefix(uri) := concat("/", array.slice(parts, 0, count(parts) - 2)) if {
	is_string(uri)
	parts := split(uri, "/")
	count(parts) > 4
}

record_step(r, step) if {
	step.Type == "Processing"
	doc := definition(r)
	uris := record_uris(doc)
	inputs := object.get(step, ["Arguments", "ProcessingInputs"], [])
	count(inputs) > 0
	count([i | some i in inputs; not object.get(i, ["S3Input", "S3Uri"], null) in uris]) == 0
	role := object.get(step, ["Arguments", "RoleArn"], null)
	is_string(role)
	role != r.inputs.roleArn
	role_reads_only(role_name_in_arn(role), uris, own_output_uris(step))
}

own_output_uris(step) := {uri |
	some output in object.get(step, ["Arguments", "ProcessingOutputConfig", "Outputs"], [])
	uri := output.S3Output.S3Uri
	is_string(uri)
}

role_name_in_arn(arn) := parts[count(parts) - 1] if {
	contains(arn, ":role/")
	parts := split(arn, "/")
}

# The role is declared in the plan by name, has no managed policy, and every document it has is
# readable and names, for S3, only the record prefixes (or its own outputs, for writing alone).
role_reads_only(name, uris, outputs) if {
	documents := role_documents(name)
	count(documents) > 0
	not role_has_attachment(name)
	count([d | some d in documents; not plan.policy_document(d)]) == 0
	count([resource |
		some d in documents
		some s in plan.policy_statements(plan.policy_document(d))
		s.Effect == "Allow"
		some resource in statement_reach(s)
		not reach_allowed(resource, s, uris, outputs)
	]) == 0
}

role_urns(name) := {role.urn |
	some role in plan.resources_of({"aws:iam/role:Role"})
	object.get(role.inputs, "name", "") == name
}

names_role(r, name) if object.get(r.inputs, "role", "") == name

names_role(r, name) if {
	some ref in plan.references(r, "role")
	ref in role_urns(name)
}

role_documents(name) := array.concat(
	[rp.inputs.policy | some rp in plan.resources_of({"aws:iam/rolePolicy:RolePolicy"}); names_role(rp, name)],
	[inline.policy |
		some role in plan.resources_of({"aws:iam/role:Role"})
		object.get(role.inputs, "name", "") == name
		some inline in object.get(role.inputs, "inlinePolicies", [])
	],
)

role_has_attachment(name) if {
	some a in plan.resources_of({"aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"})
	names_role(a, name)
}

role_has_attachment(name) if {
	some role in plan.resources_of({"aws:iam/role:Role"})
	object.get(role.inputs, "name", "") == name
	count(object.get(role.inputs, "managedPolicyArns", [])) > 0
}

# The S3 resources a statement reaches: every resource of a statement holding an S3 action (or
# every action); NotAction and NotResource reach everything.
statement_reach(s) := ["*"] if {
	object.get(s, "NotAction", null) != null
} else := ["*"] if {
	object.get(s, "NotResource", null) != null
} else := plan.as_list(object.get(s, "Resource", [])) if {
	some action in plan.as_list(object.get(s, "Action", []))
	s3_action(action)
} else := []

s3_action(action) if startswith(lower(action), "s3:")

s3_action(action) if action == "*"

reach_allowed(resource, _, uris, _) if {
	some uri in uris
	startswith(s3_path(resource), uri_path(uri))
}

reach_allowed(resource, _, uris, _) if {
	some uri in uris
	s3_path(resource) == split(uri_path(uri), "/")[0]
}

reach_allowed(resource, s, _, outputs) if {
	count([a | some a in plan.as_list(s.Action); not a in table.recordStepWrites]) == 0
	some uri in outputs
	startswith(s3_path(resource), uri_path(uri))
}

# arn:<partition>:s3:::bucket/key -> bucket/key; anything else (not an S3 ARN, "*") has none.
s3_path(resource) := substring(resource, indexof(resource, ":s3:::") + 6, -1) if {
	is_string(resource)
	startswith(resource, "arn:")
	indexof(resource, ":s3:::") > 0
}

# s3://bucket/a/b/ -> bucket/a/b/ (always ending in `/`: a prefix, not a name's beginning).
uri_path(uri) := sprintf("%s/", [trim_right(substring(uri, 5, -1), "/")])

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
