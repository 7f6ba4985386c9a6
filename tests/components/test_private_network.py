import json

import pulumi
import pulumi_aws as aws
import pytest

from qantara.components.identity import StackIdentity
from qantara.components.private_network import INTERFACE_ENDPOINT_SERVICES, PrivateNetwork, PrivateNetworkArgs

REGION = "me-central-1"
ACCOUNT = "111122223333"
SUBNETS = {"me-central-1a": "10.20.0.0/20", "me-central-1b": "10.20.16.0/20", "me-central-1c": "10.20.32.0/20"}
FLOW_LOG_GROUP = "/qantara/dubai-care-ml/prod/net/vpc-flow-logs"
WRITE_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogGroup"}


def _network(subnets=SUBNETS, **changes):
    provider = aws.Provider("aws-me-central-1", region=REGION)
    key = aws.kms.Key("key", enable_key_rotation=True, opts=pulumi.ResourceOptions(provider=provider))
    PrivateNetwork(
        "net",
        PrivateNetworkArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region=REGION, account_id=ACCOUNT),
            vpc_cidr="10.20.0.0/16",
            subnet_cidrs=subnets,
            kms_key_arn=key.arn,
            flow_log_retention_days=400,
            tags={"data-classification": "restricted"},
            **changes,
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


@pytest.fixture
def net(build):
    return build(_network)


def _of_type(resources, type_token):
    return [r for (t, _), r in resources.items() if t == type_token]


def test_restricted_network_has_no_internet_path(net):
    assert not _of_type(net, "aws:ec2/internetGateway:InternetGateway")
    assert not _of_type(net, "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway")
    assert not _of_type(net, "aws:ec2/natGateway:NatGateway")
    assert not _of_type(net, "aws:ec2/eip:Eip")
    assert not _of_type(net, "aws:ec2/route:Route")
    subnets = _of_type(net, "aws:ec2/subnet:Subnet")
    assert subnets and all(s["inputs"].get("mapPublicIpOnLaunch") is not True for s in subnets)


def test_vpc_resolves_private_dns(net):
    vpc = net[("aws:ec2/vpc:Vpc", "net-vpc")]["inputs"]
    assert vpc["enableDnsSupport"] is True and vpc["enableDnsHostnames"] is True


def test_private_subnets_span_at_least_two_availability_zones(net):
    subnets = {r["name"]: r["inputs"] for r in _of_type(net, "aws:ec2/subnet:Subnet")}
    assert {s["availabilityZone"] for s in subnets.values()} == set(SUBNETS)
    assert len(SUBNETS) >= 2
    for az, cidr in SUBNETS.items():
        assert subnets[f"net-private-{az}"]["cidrBlock"] == cidr


def test_a_single_zone_network_is_refused():
    with pytest.raises(ValueError, match="at least 2"):
        PrivateNetwork(
            "net",
            PrivateNetworkArgs(
                identity=StackIdentity(blueprint="b", environment="e", region=REGION, account_id=ACCOUNT), vpc_cidr="10.0.0.0/16",
                subnet_cidrs={"me-central-1a": "10.0.0.0/20"}, kms_key_arn="arn",
            ),
        )


def test_every_subnet_has_its_own_route_table(net):
    associations = {r["name"]: r for r in _of_type(net, "aws:ec2/routeTableAssociation:RouteTableAssociation")}
    for az in SUBNETS:
        assoc = associations[f"net-private-{az}-routes-association"]
        table_urn = net[("aws:ec2/routeTable:RouteTable", f"net-private-{az}-routes")]["urn"]
        subnet_urn = net[("aws:ec2/subnet:Subnet", f"net-private-{az}")]["urn"]
        assert table_urn in assoc["propertyDependencies"]["routeTableId"]
        assert subnet_urn in assoc["propertyDependencies"]["subnetId"]


def test_endpoint_security_group_allows_only_https_from_the_vpc(net):
    sg = net[("aws:ec2/securityGroup:SecurityGroup", "net-endpoints")]["inputs"]
    (rule,) = sg["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
    assert rule["cidrBlocks"] == ["10.20.0.0/16"]
    assert sg.get("egress", []) == []


def test_s3_is_reached_through_a_gateway_endpoint_on_every_route_table(net):
    s3 = net[("aws:ec2/vpcEndpoint:VpcEndpoint", "net-s3-endpoint")]
    assert s3["inputs"]["serviceName"] == f"com.amazonaws.{REGION}.s3"
    assert s3["inputs"]["vpcEndpointType"] == "Gateway"
    for az in SUBNETS:
        table_urn = net[("aws:ec2/routeTable:RouteTable", f"net-private-{az}-routes")]["urn"]
        assert table_urn in s3["propertyDependencies"]["routeTableIds"]


@pytest.mark.parametrize("service", INTERFACE_ENDPOINT_SERVICES)
def test_aws_apis_are_reached_through_private_dns_interface_endpoints(net, service):
    assert set(INTERFACE_ENDPOINT_SERVICES) >= {
        "sagemaker.api", "sagemaker.runtime", "ecr.api", "ecr.dkr", "kms", "logs", "sts"
    }
    endpoint = net[("aws:ec2/vpcEndpoint:VpcEndpoint", f"net-{service.replace('.', '-')}-endpoint")]
    inputs = endpoint["inputs"]
    assert inputs["serviceName"] == f"com.amazonaws.{REGION}.{service}"
    assert inputs["vpcEndpointType"] == "Interface"
    assert inputs["privateDnsEnabled"] is True
    sg_urn = net[("aws:ec2/securityGroup:SecurityGroup", "net-endpoints")]["urn"]
    assert sg_urn in endpoint["propertyDependencies"]["securityGroupIds"]
    subnet_urns = {r["urn"] for r in _of_type(net, "aws:ec2/subnet:Subnet")}
    assert subnet_urns <= set(endpoint["propertyDependencies"]["subnetIds"])


def test_flow_logs_capture_all_traffic_into_the_encrypted_log_group(net):
    flow = net[("aws:ec2/flowLog:FlowLog", "net-flow-log")]
    group = net[("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs")]
    key_urn = net[("aws:kms/key:Key", "key")]["urn"]
    assert flow["inputs"]["trafficType"] == "ALL"
    assert flow["inputs"]["logDestinationType"] == "cloud-watch-logs"
    assert group["urn"] in flow["propertyDependencies"]["logDestination"]
    assert net[("aws:ec2/vpc:Vpc", "net-vpc")]["urn"] in flow["propertyDependencies"]["vpcId"]
    assert group["inputs"]["name"] == FLOW_LOG_GROUP
    assert group["inputs"]["retentionInDays"] == 400
    assert key_urn in group["propertyDependencies"]["kmsKeyId"]


def test_flow_logs_role_trusts_only_the_flow_logs_service(net):
    role = net[("aws:iam/role:Role", "net-flow-logs-role")]
    (statement,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    flow = net[("aws:ec2/flowLog:FlowLog", "net-flow-log")]
    assert role["urn"] in flow["propertyDependencies"]["iamRoleArn"]


def test_flow_logs_role_writes_only_to_its_log_group(net):
    policy = net[("aws:iam/rolePolicy:RolePolicy", "net-flow-logs-write")]["inputs"]["policy"]
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{FLOW_LOG_GROUP}"
    for statement in json.loads(policy)["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert "*" not in actions and not any(a.endswith(":*") for a in actions)
        if WRITE_ACTIONS & set(actions):
            assert "*" not in resources
            assert all(r.startswith(group_arn) for r in resources)


def test_every_child_uses_the_placed_regions_provider(net):
    provider_urn = net[("pulumi:providers:aws", "aws-me-central-1")]["urn"]
    children = [r for r in net.values() if r["type"].startswith("aws:") and r["name"].startswith("net-")]
    assert len(children) > 10 and all(r["provider"] == provider_urn for r in children)


def test_workload_security_group_reaches_only_the_vpc_endpoints_and_its_own_members(net):
    group = net[("aws:ec2/securityGroup:SecurityGroup", "net-workloads")]["inputs"]
    (https, peers) = group["egress"]
    assert (https["fromPort"], https["toPort"], https["cidrBlocks"]) == (443, 443, ["10.20.0.0/16"])
    assert peers["self"] is True and "cidrBlocks" not in peers
    assert all(rule["self"] is True and "cidrBlocks" not in rule for rule in group["ingress"])


MLFLOW_SERVICE = f"aws.sagemaker.{REGION}.experiments"


def _endpoint_services(resources) -> set[str]:
    return {r["inputs"]["serviceName"] for r in _of_type(resources, "aws:ec2/vpcEndpoint:VpcEndpoint")}


def test_a_platform_with_experiment_tracking_reaches_mlflow_through_a_private_dns_interface_endpoint(build):
    resources = build(lambda: _network(experiment_tracking=True))
    (endpoint,) = [r for r in _of_type(resources, "aws:ec2/vpcEndpoint:VpcEndpoint")
                   if r["inputs"]["serviceName"] == MLFLOW_SERVICE]
    assert endpoint["inputs"]["vpcEndpointType"] == "Interface" and endpoint["inputs"]["privateDnsEnabled"] is True
    # In every private subnet, behind the endpoints' group (HTTPS from the VPC only), like every AWS API.
    sg_urn = resources[("aws:ec2/securityGroup:SecurityGroup", "net-endpoints")]["urn"]
    assert endpoint["propertyDependencies"]["securityGroupIds"] == [sg_urn]
    subnet_urns = {r["urn"] for r in _of_type(resources, "aws:ec2/subnet:Subnet")}
    assert set(endpoint["propertyDependencies"]["subnetIds"]) == subnet_urns and len(subnet_urns) == len(SUBNETS)


def test_a_platform_without_experiment_tracking_has_no_mlflow_endpoint(net):
    assert MLFLOW_SERVICE not in _endpoint_services(net)


def test_no_mlflow_endpoint_is_guessed_outside_the_partition_its_service_name_is_sourced_for(build):
    def china():
        provider = aws.Provider("aws-cn-north-1", region="cn-north-1")
        PrivateNetwork("net", PrivateNetworkArgs(
            identity=StackIdentity(blueprint="b", environment="prod", region="cn-north-1", account_id=ACCOUNT,
                                   partition="aws-cn"),
            vpc_cidr="10.20.0.0/16", subnet_cidrs={"cn-north-1a": "10.20.0.0/20", "cn-north-1b": "10.20.16.0/20"},
            kms_key_arn="arn:aws-cn:kms:cn-north-1:111122223333:key/k", endpoint_service_prefix="cn.com.amazonaws",
            experiment_tracking=True), opts=pulumi.ResourceOptions(provider=provider))
    assert not [s for s in _endpoint_services(build(china, region="cn-north-1")) if "experiments" in s]
