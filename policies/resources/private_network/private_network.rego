# QA-RES-012: restricted and secret data have no path to the internet: no internet gateway,
#             egress-only internet gateway or public NAT gateway, and no route to one.
# QA-RES-013: every VPC reaches S3 and SageMaker through VPC endpoints.
package qantara.resources.private_network

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

controls := data.catalog.network_controls

findings := array.concat(array.concat(gateway_findings, route_findings), endpoint_findings)

# --- QA-RES-012 ------------------------------------------------------------------------

gateway_types := {
	"aws:ec2/internetGateway:InternetGateway",
	"aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
	"aws:ec2/natGateway:NatGateway",
	"aws:ec2/internetGatewayAttachment:InternetGatewayAttachment",
}

gateway_findings := [finding |
	some at in plan.indexes_of(gateway_types)
	r := plan.resources[at]
	internet_facing(r)
	class := plan.data_class(r)
	class in controls.noInternetPathClasses
	finding := {
		"policy": "QA-RES-012",
		"resource": r.urn,
		"message": sprintf("%s opens a path to the internet in a network that holds %s data; %s data reaches AWS services only through VPC endpoints", [plan.label(r), text.plain(class), text.join(" and ", controls.noInternetPathClasses)]),
	}
]

# A private NAT gateway (connectivityType "private") translates between private networks only.
internet_facing(r) if r.type != "aws:ec2/natGateway:NatGateway"

internet_facing(r) if object.get(r.inputs, "connectivityType", "public") != "private"

route_types := {"aws:ec2/route:Route", "aws:ec2/routeTable:RouteTable", "aws:ec2/defaultRouteTable:DefaultRouteTable"}

route_findings := [finding |
	some at in plan.indexes_of(route_types)
	r := plan.resources[at]
	class := plan.data_class(r)
	class in controls.noInternetPathClasses
	target := internet_target(r)
	finding := {
		"policy": "QA-RES-012",
		"resource": r.urn,
		"message": sprintf("%s routes traffic to %s in a network that holds %s data; remove the route and reach AWS services through VPC endpoints", [plan.label(r), target, text.plain(class)]),
	}
]

# Gateways are joined by the URNs a route depends on (their type is in the URN) or known ids.
gateway_urn_types := {
	"aws:ec2/internetGateway:InternetGateway::": "an internet gateway",
	"aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway::": "an egress-only internet gateway",
	"aws:ec2/natGateway:NatGateway::": "a NAT gateway",
}

route_properties := {"aws:ec2/route:Route": ["gatewayId", "natGatewayId", "egressOnlyGatewayId"]}

internet_target(r) := target if {
	some property in object.get(route_properties, r.type, ["routes", "route"])
	some urn in object.get(r, ["propertyDependencies", property], [])
	some marker, what in gateway_urn_types
	contains(urn, marker)
	target := what
} else := target if {
	some id in route_targets(r)
	target := id_target(id)
}

# Known gateway ids in a route or in a table's inline routes.
route_targets(r) := [id |
	some property in ["gatewayId", "natGatewayId", "egressOnlyGatewayId"]
	some id in plan.known_strings(object.get(r.inputs, property, null))
] if {
	r.type == "aws:ec2/route:Route"
} else := [id |
	some route in array.concat(object.get(r.inputs, "routes", []), object.get(r.inputs, "route", []))
	some property in ["gatewayId", "natGatewayId", "egressOnlyGatewayId"]
	some id in plan.known_strings(object.get(route, property, null))
]

id_target(id) := "an internet gateway" if startswith(id, "igw-")

else := "a NAT gateway" if startswith(id, "nat-")

else := "an egress-only internet gateway" if startswith(id, "eigw-")

# --- QA-RES-013 ------------------------------------------------------------------------

vpc_indexes := plan.indexes_of({"aws:ec2/vpc:Vpc"})

endpoint_indexes := plan.indexes_of({"aws:ec2/vpcEndpoint:VpcEndpoint"})

# Endpoints by the VPC they depend on; one that names its VPC only by a known id (a stack
# export of an existing VPC) cannot be placed, and counts for every VPC.
endpoints_by_vpc := plan.links(
	[[i, [plan.resources[i].urn]] | some i in vpc_indexes],
	[[format_int(i, 10), object.get(plan.resources[i], ["propertyDependencies", "vpcId"], [])] | some i in endpoint_indexes],
)

unplaced_endpoints := [plan.resources[i] |
	some i in endpoint_indexes
	count(object.get(plan.resources[i], ["propertyDependencies", "vpcId"], [])) == 0
]

endpoint_findings := [finding |
	some entry in endpoints_by_vpc
	vpc := plan.resources[entry[0]]
	endpoints := array.concat([plan.resources[to_number(id)] | some id in entry[1]], unplaced_endpoints)
	# An endpoint whose service is not known yet may be any of them.
	not any_unknown_service(endpoints)
	missing := [sprintf("%s (%s)", [required.service, text.join(" or ", required.types)]) |
		some required in controls.requiredVpcEndpoints
		not endpoint_provided(endpoints, required)
	]
	count(missing) > 0
	finding := {
		"policy": "QA-RES-013",
		"resource": vpc.urn,
		"message": sprintf("%s has no VPC endpoint for %s; add them so S3 and SageMaker traffic stays on the AWS network of the region", [plan.label(vpc), text.join(", ", missing)]),
	}
]

any_unknown_service(endpoints) if {
	some e in endpoints
	plan.is_unknown(object.get(e.inputs, "serviceName", "[unknown]"))
}

endpoint_provided(endpoints, required) if {
	some e in endpoints
	endswith(e.inputs.serviceName, sprintf(".%s", [required.service]))
	object.get(e.inputs, "vpcEndpointType", "Gateway") in required.types
}
