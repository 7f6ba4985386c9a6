# QA-RES-009: no security group admits traffic from anywhere (0.0.0.0/0 or ::/0).
# QA-RES-010: nothing gets a public IP address (subnets, instances, launch templates).
# QA-RES-011: no database is publicly accessible.
package qantara.resources.network_exposure

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

findings := array.concat(array.concat(ingress_findings, public_ip_findings), database_findings)

anywhere := {"0.0.0.0/0", "::/0"}

# --- QA-RES-009 ------------------------------------------------------------------------

ingress_findings := [finding |
	some at in plan.indexes_of(rule_types)
	r := plan.resources[at]
	some rule in open_rules(r)
	finding := {
		"policy": "QA-RES-009",
		"resource": r.urn,
		"message": sprintf("%s admits %s from %s; admit only the VPC's CIDR, named networks, security groups or prefix lists", [plan.label(r), rule_traffic(rule), text.join(", ", open_sources(rule))]),
	}
]

rule_types := {
	"aws:ec2/securityGroup:SecurityGroup",
	"aws:ec2/securityGroupRule:SecurityGroupRule",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
}

# Inline ingress blocks of a group; a standalone rule is its own block.
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

# --- QA-RES-010 ------------------------------------------------------------------------

public_ip_findings := [finding |
	some at in plan.indexes_of(public_ip_types)
	r := plan.resources[at]
	where := public_ip(r)
	finding := {
		"policy": "QA-RES-010",
		"resource": r.urn,
		"message": sprintf("%s gives %s a public IP address; set it to false and reach the workload through private subnets and VPC endpoints", [plan.label(r), where]),
	}
]

public_ip_types := {
	"aws:ec2/subnet:Subnet",
	"aws:ec2/instance:Instance",
	"aws:ec2/launchTemplate:LaunchTemplate",
	"aws:ec2/launchConfiguration:LaunchConfiguration",
}

public_ip(r) := "every instance launched in it (mapPublicIpOnLaunch)" if {
	r.type == "aws:ec2/subnet:Subnet"
	r.inputs.mapPublicIpOnLaunch == true
} else := "the instance (associatePublicIpAddress)" if {
	r.type in {"aws:ec2/instance:Instance", "aws:ec2/launchConfiguration:LaunchConfiguration"}
	r.inputs.associatePublicIpAddress == true
} else := "instances it launches (networkInterfaces[].associatePublicIpAddress)" if {
	r.type == "aws:ec2/launchTemplate:LaunchTemplate"
	some interface in object.get(r.inputs, "networkInterfaces", [])
	# pulumi-aws types this one as a string ("true"); accept both.
	interface.associatePublicIpAddress in {true, "true"}
}

# --- QA-RES-011 ------------------------------------------------------------------------

database_findings := [finding |
	some at in plan.indexes_of(database_types)
	r := plan.resources[at]
	r.inputs.publiclyAccessible == true
	finding := {
		"policy": "QA-RES-011",
		"resource": r.urn,
		"message": sprintf("%s is publicly accessible (publiclyAccessible true): it gets a public DNS name and address; set publicly_accessible=False", [plan.label(r)]),
	}
]

database_types := {
	"aws:rds/instance:Instance",
	"aws:rds/clusterInstance:ClusterInstance",
	"aws:redshift/cluster:Cluster",
	"aws:dms/replicationInstance:ReplicationInstance",
}
