import pulumi
import pulumi_aws as aws
import pytest
from pod_checks import of_type

from qantara.blueprint.models import Connectivity
from qantara.components.identity import StackIdentity
from qantara.components.site_link import SiteLink, SiteLinkArgs, routing
from qantara.plan.classification import classify_resources

REGION = "me-south-1"
VPN = "aws:ec2/vpnConnection:VpnConnection"
CIDRS = ["10.20.0.0/16", "10.30.0.0/16"]


def connectivity(**fields) -> Connectivity:
    return Connectivity.model_validate(fields, by_alias=True)


def _link(link: Connectivity, tables: int = 2):
    def body():
        provider = aws.Provider(f"aws-{REGION}", region=REGION)
        in_region = pulumi.ResourceOptions(provider=provider)
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.100.0.0/16", opts=in_region)
        route_tables = [aws.ec2.RouteTable(f"routes-{i}", vpc_id=vpc.id, opts=in_region) for i in range(tables)]
        SiteLink("site-link", SiteLinkArgs(
            identity=StackIdentity(blueprint="riyadh-health-ml", environment="prod"), vpc_id=vpc.id,
            route_table_ids=[t.id for t in route_tables], connectivity=link,
            tags={"cost-centre": "rh-ml-01", "data-classification": "internal"}),
            opts=in_region)
    return body


@pytest.fixture
def bgp(build):
    return build(_link(connectivity(kind="vpn", siteCidrs=CIDRS, customerGatewayIp="203.0.113.10", bgpAsn=64500)),
                 config={"aws:region": REGION})


def test_vpn_gateway_is_attached_to_the_vpc_and_propagates_into_every_route_table(bgp):
    vpc = bgp[("aws:ec2/vpc:Vpc", "vpc")]
    gateway = bgp[("aws:ec2/vpnGateway:VpnGateway", "site-link-vgw")]
    assert vpc["urn"] in gateway["propertyDependencies"]["vpcId"]
    propagations = of_type(bgp, "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation")
    tables = {bgp[("aws:ec2/routeTable:RouteTable", f"routes-{i}")]["urn"] for i in range(2)}
    assert {urn for p in propagations for urn in p["propertyDependencies"]["routeTableId"]} == tables
    # Routes arrive by propagation only: no hand-written route can lead elsewhere.
    assert not of_type(bgp, "aws:ec2/route:Route")


def test_vpn_with_the_site_router_asn_uses_bgp_to_the_site_device(bgp):
    customer = bgp[("aws:ec2/customerGateway:CustomerGateway", "site-link-cgw")]["inputs"]
    assert (customer["ipAddress"], customer["bgpAsn"], customer["type"]) == ("203.0.113.10", "64500", "ipsec.1")
    (vpn,) = of_type(bgp, VPN)
    assert vpn["inputs"]["staticRoutesOnly"] is False
    assert not of_type(bgp, "aws:ec2/vpnConnectionRoute:VpnConnectionRoute")


def test_vpn_tunnels_accept_only_ikev2_and_strong_suites_and_keep_keys_in_secrets_manager(bgp):
    (vpn,) = of_type(bgp, VPN)
    inputs = vpn["inputs"]
    assert inputs["presharedKeyStorage"] == "SecretsManager"
    for tunnel in ("tunnel1", "tunnel2"):
        assert inputs[f"{tunnel}IkeVersions"] == ["ikev2"]
        assert set(inputs[f"{tunnel}Phase1EncryptionAlgorithms"]) <= {"AES256", "AES256-GCM-16"}
        assert "SHA1" not in inputs[f"{tunnel}Phase2IntegrityAlgorithms"]
        assert min(inputs[f"{tunnel}Phase1DhGroupNumbers"]) >= 14


def test_vpn_without_an_asn_routes_statically_to_each_site_cidr(build):
    link = connectivity(kind="vpn", siteCidrs=CIDRS, customerGatewayIp="203.0.113.10")
    assert routing(link) == "static"
    resources = build(_link(link), config={"aws:region": REGION})
    (vpn,) = of_type(resources, VPN)
    assert vpn["inputs"]["staticRoutesOnly"] is True
    routes = of_type(resources, "aws:ec2/vpnConnectionRoute:VpnConnectionRoute")
    assert sorted(r["inputs"]["destinationCidrBlock"] for r in routes) == CIDRS


def test_direct_connect_associates_the_given_gateway_with_the_vpn_gateway(build):
    link = connectivity(kind="direct-connect", siteCidrs=CIDRS, directConnectGatewayId="dxgw-0123456789abcdef0")
    resources = build(_link(link, tables=1), config={"aws:region": REGION})
    (association,) = of_type(resources, "aws:directconnect/gatewayAssociation:GatewayAssociation")
    assert association["inputs"]["dxGatewayId"] == "dxgw-0123456789abcdef0"
    gateway = resources[("aws:ec2/vpnGateway:VpnGateway", "site-link-vgw")]
    assert gateway["urn"] in association["propertyDependencies"]["associatedGatewayId"]
    assert not of_type(resources, VPN) and not of_type(resources, "aws:ec2/customerGateway:CustomerGateway")
    assert len(of_type(resources, "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation")) == 1


def test_every_aws_resource_of_the_link_goes_through_the_regional_provider(bgp):
    for (type_token, name), resource in bgp.items():
        if type_token.startswith("aws:") and name != "vpc" and not name.startswith("routes-"):
            assert resource["provider"].endswith(f"::aws-{REGION}"), name


def test_the_link_is_classified_as_the_cloud_side_it_serves(bgp):
    resources = classify_resources(list(bgp.values()), ["public", "internal", "confidential", "restricted", "secret"])
    link = [r for r in resources if r["name"].startswith("site-link")]
    assert link and all(r["dataClassification"] == "internal" for r in link)
