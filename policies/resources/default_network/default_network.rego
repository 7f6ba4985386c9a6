# QA-RES-071: restricted and secret data do not run in the account's default VPC.
# Only an offline plan can tell: it answers `aws.ec2.get_vpc(default=True)` (and subnets
# filtered by that VPC) with marked placeholders, which show in the arguments that took them.
# A real plan holds the VPC's real id, which does not say it is the default one.
package qantara.resources.default_network

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

controls := data.catalog.network_controls

default_vpc_lookups := {"aws:ec2/getVpc:getVpc", "aws:ec2/getSubnets:getSubnets"}

# Gate: only plans that answered a VPC or subnet lookup with a placeholder are walked.
looked_up_default := [t | some t in object.get(input.plan.source, "offlinePlaceholders", []); t in default_vpc_lookups]

findings := [finding |
	count(looked_up_default) > 0
	some r in plan.resources
	class := plan.data_class(r)
	class in controls.noInternetPathClasses
	paths := [concat(".", [format_step(s) | some s in path]) | walk(r.inputs, [path, value]); is_string(value); in_default_vpc(value)]
	count(paths) > 0
	finding := {
		"policy": "QA-RES-071",
		"resource": r.urn,
		"message": sprintf("%s is placed in the account's default VPC (%s), whose subnets are public and routed to an internet gateway; %s data runs only in a VPC built for it, reaching AWS services through VPC endpoints", [plan.label(r), text.join(", ", paths), text.plain(class)]),
	}
]

in_default_vpc(value) if value == "[offline placeholder] default VPC id"

in_default_vpc(value) if value == "[offline placeholder] subnet id of the default VPC"

format_step(step) := sprintf("%v", [step])
