# QA-RES-009: no security group admits the whole internet: 0.0.0.0/0 or ::/0, or any set of
#             ranges whose union covers the public address space (0.0.0.0/1 + 128.0.0.0/1).
# QA-RES-065: no security group admits any public address range at all.
# QA-RES-010: nothing gets a public IP address (subnets, instances, launch templates, ECS
#             services, Elastic IPs), from the public-address rows of aws_exposure.yaml.
# QA-RES-011: no database is publicly accessible, from its public-endpoint rows.
package qantara.resources.network_exposure

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

exposure_catalog := data.catalog.aws_exposure

findings := array.concat(
	array.concat(array.concat(ingress_findings, public_range_findings), public_ip_findings),
	database_findings,
)

anywhere := {"0.0.0.0/0", "::/0"}

# --- QA-RES-009 and QA-RES-065 ---------------------------------------------------------
#
# What each group's ingress adds up to is worked out in Python (qantara.plan.addresses: regopy
# has no net.cidr_* builtins) and handed in as input.derived.ingress, by resource position.
# An input without it (an OPA user's own) gets the literal test: 0.0.0.0/0 and ::/0 only.

computed_ingress if is_array(input.derived.ingress)

ingress_findings := [finding |
	computed_ingress
	some at in plan.indexes_of(rule_types)
	r := plan.resources[at]
	# Read by position in the rule body, never inside a function (see plan.rego).
	e := input.derived.ingress[at]
	sources := internet_sources(e)
	count(sources) > 0
	finding := ingress_finding(r, sources)
] if computed_ingress

else := [finding |
	some at in plan.indexes_of(rule_types)
	r := plan.resources[at]
	sources := [cidr | some rule in open_rules(r); some cidr in open_sources(rule)]
	count(sources) > 0
	finding := ingress_finding(r, sources)
]

ingress_finding(r, sources) := {
	"policy": "QA-RES-009",
	"resource": r.urn,
	"message": sprintf("%s admits %s from %s; admit only the VPC's CIDR, named networks, security groups or prefix lists", [plan.label(r), traffic(r), text.join(", ", sources)]),
}

# The public ranges a resource adds, when its group's union reaches the whole internet.
internet_sources(e) := sources if {
	is_object(e)
	families := [f | some f in [["IPv4", e.internetV4], ["IPv6", e.internetV6]]; f[1] == true]
	count(families) > 0
	count(e.publicRanges) > 0
	whole := text.join(" and ", [sprintf("the whole %s internet", [f[0]]) | some f in families])
	sources := [sprintf("%s (with the group's other ingress: %s)", [text.join(", ", e.publicRanges), whole])]
} else := []

public_range_findings := [finding |
	computed_ingress
	some at in plan.indexes_of(rule_types)
	r := plan.resources[at]
	e := input.derived.ingress[at]
	is_object(e)
	count(e.publicRanges) > 0
	count(internet_sources(e)) == 0
	finding := {
		"policy": "QA-RES-065",
		"resource": r.urn,
		"message": sprintf("%s admits %s from public addresses %s; reach it through the VPC, a VPN or Direct Connect, or a load balancer in front", [plan.label(r), traffic(r), text.join(", ", e.publicRanges)]),
	}
]

traffic(r) := rule_traffic(r.inputs) if r.type != "aws:ec2/securityGroup:SecurityGroup"

else := "traffic"

rule_types := {
	"aws:ec2/securityGroup:SecurityGroup",
	"aws:ec2/securityGroupRule:SecurityGroupRule",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
}

# Inline ingress blocks of a group; a standalone rule is its own block (the literal test).
open_rules(r) := [rule | some rule in object.get(r.inputs, "ingress", []); count(open_sources(rule)) > 0] if {
	r.type == "aws:ec2/securityGroup:SecurityGroup"
} else := [r.inputs] if {
	r.type == "aws:ec2/securityGroupRule:SecurityGroupRule"
	r.inputs.type == "ingress"
	count(open_sources(r.inputs)) > 0
} else := [r.inputs] if {
	r.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	count(open_sources(r.inputs)) > 0
} else := []

open_sources(rule) := [cidr |
	some property in ["cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6"]
	some cidr in plan.known_strings(object.get(rule, property, null))
	cidr in anywhere
]

rule_traffic(rule) := "all traffic" if {
	rule_protocol(rule) in {"-1", "all"}
} else := sprintf("%s port %v", [rule_protocol(rule), rule.fromPort]) if {
	rule.fromPort == rule.toPort
} else := sprintf("%s ports %v-%v", [rule_protocol(rule), rule.fromPort, rule.toPort]) if {
	rule.fromPort
} else := sprintf("%s traffic", [rule_protocol(rule)])

# regopy 1.5 keeps the quotes of lower()'s result in sprintf: text.plain clears them.
rule_protocol(rule) := text.plain(lower(object.get(rule, "protocol", object.get(rule, "ipProtocol", "-1"))))

# --- QA-RES-010 and QA-RES-011 ----------------------------------------------------------

# Rows of aws_exposure.yaml publicFlags by kind: a small array, scanned per type.
flag_rows(kind) := [row | some row in exposure_catalog.publicFlags; row.kind == kind]

flag_findings(kind, policy, advice) := [finding |
	some row in flag_rows(kind)
	some at in plan.indexes_of({row.type})
	r := plan.resources[at]
	flagged(r, row)
	finding := {
		"policy": policy,
		"resource": r.urn,
		"message": sprintf("%s %s; %s", [plan.label(r), text.plain(row.what), text.plain(advice)]),
	}
]

# The resource is a public address itself, or its flag (or the default when unset) is public.
flagged(_, row) if row.always == true

flagged(r, row) if {
	not row.always
	object.get(r.inputs, row.property, object.get(row, "default", null)) == row.public
}

public_ip_findings := array.concat(
	flag_findings("address", "QA-RES-010", "set it to false (or remove the Elastic IP) and reach the workload through private subnets and VPC endpoints"),
	[finding |
		some at in plan.indexes_of({exposure_catalog.launchTemplate.type})
		r := plan.resources[at]
		some interface in object.get(r.inputs, "networkInterfaces", [])
		# pulumi-aws types this one as a string ("true"); accept both.
		interface.associatePublicIpAddress in {true, "true"}
		finding := {
			"policy": "QA-RES-010",
			"resource": r.urn,
			"message": sprintf("%s gives instances it launches a public IP address (networkInterfaces[].associatePublicIpAddress); set it to false and reach the workload through private subnets and VPC endpoints", [plan.label(r)]),
		}
	],
)

database_findings := flag_findings("database", "QA-RES-011", "it gets a public DNS name and address; set publicly_accessible=False and reach it from inside the VPC")
