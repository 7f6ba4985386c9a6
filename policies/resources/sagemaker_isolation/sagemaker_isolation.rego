# QA-RES-014: SageMaker notebooks and Studio domains reach the network only through the VPC.
# QA-RES-015: SageMaker models and training jobs run network-isolated or inside the VPC.
package qantara.resources.sagemaker_isolation

import rego.v1

import data.qantara.lib.plan

findings := array.concat(workspace_findings, isolation_findings)

# --- QA-RES-014 ------------------------------------------------------------------------

workspace_types := {"aws:sagemaker/notebookInstance:NotebookInstance", "aws:sagemaker/domain:Domain"}

workspace_findings := [finding |
	some at in plan.indexes_of(workspace_types)
	r := plan.resources[at]
	problem := workspace_problem(r)
	finding := {
		"policy": "QA-RES-014",
		"resource": r.urn,
		"message": sprintf("%s %s", [plan.label(r), problem]),
	}
]

# SageMaker's defaults are the open ones: directInternetAccess "Enabled", appNetworkAccessType
# "PublicInternetOnly"; an unknown value is given the benefit of the doubt.
workspace_problem(r) := "has direct internet access (directInternetAccess is Enabled, SageMaker's default); set direct_internet_access=\"Disabled\" with a private subnet_id" if {
	r.type == "aws:sagemaker/notebookInstance:NotebookInstance"
	object.get(r.inputs, "directInternetAccess", "Enabled") == "Enabled"
} else := "runs outside the VPC (no subnetId); set subnet_id to a private subnet and direct_internet_access=\"Disabled\"" if {
	r.type == "aws:sagemaker/notebookInstance:NotebookInstance"
	not r.inputs.subnetId
} else := "lets Studio apps reach the internet directly (appNetworkAccessType is PublicInternetOnly, SageMaker's default); set app_network_access_type=\"VpcOnly\"" if {
	r.type == "aws:sagemaker/domain:Domain"
	object.get(r.inputs, "appNetworkAccessType", "PublicInternetOnly") == "PublicInternetOnly"
}

# --- QA-RES-015 ------------------------------------------------------------------------

isolated_types := {"aws:sagemaker/model:Model", "aws:sagemaker/trainingJob:TrainingJob"}

isolation_findings := [finding |
	some at in plan.indexes_of(isolated_types)
	r := plan.resources[at]
	not network_isolated(r)
	not runs_in_vpc(r)
	finding := {
		"policy": "QA-RES-015",
		"resource": r.urn,
		"message": sprintf("%s runs its containers with network access outside the VPC (no enableNetworkIsolation, no vpcConfig subnets); set enable_network_isolation=True or vpc_config with private subnets", [plan.label(r)]),
	}
]

network_isolated(r) if r.inputs.enableNetworkIsolation == true

network_isolated(r) if plan.is_unknown(r.inputs.enableNetworkIsolation)

runs_in_vpc(r) if {
	subnets := object.get(r.inputs, ["vpcConfig", "subnets"], [])
	is_array(subnets)
	count(subnets) > 0
}

# A subnet list, or a whole VPC configuration, that a preview cannot read yet.
runs_in_vpc(r) if plan.is_unknown(object.get(r.inputs, ["vpcConfig", "subnets"], null))

runs_in_vpc(r) if plan.is_unknown(r.inputs.vpcConfig)
