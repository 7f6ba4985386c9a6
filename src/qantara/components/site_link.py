"""SiteLink: the private link between the platform's VPC and its on-premises site."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.blueprint.models import Connectivity
from qantara.components.base import QantaraComponent
from qantara.components.identity import StackIdentity
from qantara.tagging import DATA_CLASSIFICATION_TAG

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:site_link:SiteLink"
# IKEv2 with AES-256, SHA-2 and Diffie-Hellman groups of 2048 bits or more (14; ECP 19-21):
# the tunnel refuses the older suites AWS would otherwise negotiate.
IKE_VERSIONS = ["ikev2"]
ENCRYPTION = ["AES256", "AES256-GCM-16"]
INTEGRITY = ["SHA2-256", "SHA2-384", "SHA2-512"]
DH_GROUPS = [14, 19, 20, 21]


@dataclass
class SiteLinkArgs:
    identity: StackIdentity
    vpc_id: pulumi.Input[str]
    # The VPC's route tables: routes to the site are propagated into each.
    route_table_ids: list[pulumi.Input[str]]
    connectivity: Connectivity
    # With a `data-classification` tag (tagging.component_tags): the class of the cloud side
    # the link serves, which the untaggable children (routes, propagations) inherit.
    tags: dict[str, str] = field(default_factory=dict)


def routing(connectivity: Connectivity) -> str:
    """`bgp` when the blueprint names the site router's ASN, else `static` routes to siteCidrs."""
    return "bgp" if "bgp_asn" in connectivity.model_fields_set else "static"


def tunnel_options() -> dict:
    options = {}
    for tunnel in ("tunnel1", "tunnel2"):
        options.update({
            f"{tunnel}_ike_versions": IKE_VERSIONS,
            f"{tunnel}_phase1_encryption_algorithms": ENCRYPTION,
            f"{tunnel}_phase2_encryption_algorithms": ENCRYPTION,
            f"{tunnel}_phase1_integrity_algorithms": INTEGRITY,
            f"{tunnel}_phase2_integrity_algorithms": INTEGRITY,
            f"{tunnel}_phase1_dh_group_numbers": DH_GROUPS,
            f"{tunnel}_phase2_dh_group_numbers": DH_GROUPS,
        })
    return options


class SiteLink(QantaraComponent):
    """A virtual private gateway attached to the VPC and, per `connectivity.kind`:

    - `vpn`: a customer gateway for the site's device and a Site-to-Site VPN connection
      (two IKEv2 tunnels, strong suites only, pre-shared keys kept in Secrets Manager),
      with static routes to the site's CIDRs or BGP when the site's ASN is given;
    - `direct-connect`: the association of the organisation's existing Direct Connect
      gateway with the virtual private gateway (the circuit itself is ordered from AWS).

    Either way the gateway propagates the site's routes into the VPC's route tables, so no
    route is written by hand and none leads anywhere but the site.
    """

    vpn_gateway_id: pulumi.Output[str]

    def __init__(self, name: str, args: SiteLinkArgs, opts: pulumi.ResourceOptions | None = None):
        props = {"kind": args.connectivity.kind}
        if DATA_CLASSIFICATION_TAG in args.tags:
            props["dataClassification"] = args.tags[DATA_CLASSIFICATION_TAG]
        super().__init__(TYPE_TOKEN, name, props, opts)
        self._name, self._args = name, args
        self.vpn_gateway = aws.ec2.VpnGateway(f"{name}-vgw", vpc_id=args.vpc_id, tags=self._tags("vgw"),
                                              opts=pulumi.ResourceOptions(parent=self))
        if args.connectivity.kind == "vpn":
            self.connection = self._vpn()
        else:
            self.connection = self._direct_connect()
        self.propagations = [
            aws.ec2.VpnGatewayRoutePropagation(
                f"{name}-propagation-{index}",
                vpn_gateway_id=self.vpn_gateway.id,
                route_table_id=table,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vpn_gateway, self.connection]),
            )
            for index, table in enumerate(args.route_table_ids)
        ]
        self.vpn_gateway_id = self.vpn_gateway.id
        self.register_outputs({"vpnGatewayId": self.vpn_gateway_id})

    def _tags(self, part: str) -> dict[str, str]:
        identity = self._args.identity
        return {**self._args.tags, "Name": f"{identity.blueprint}-{identity.environment}-{part}"}

    def _vpn(self) -> aws.ec2.VpnConnection:
        connectivity = self._args.connectivity
        static = routing(connectivity) == "static"
        customer_gateway = aws.ec2.CustomerGateway(
            f"{self._name}-cgw",
            type="ipsec.1",
            ip_address=connectivity.customer_gateway_ip,
            bgp_asn=str(connectivity.bgp_asn),
            tags=self._tags("cgw"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        connection = aws.ec2.VpnConnection(
            f"{self._name}-vpn",
            type="ipsec.1",
            customer_gateway_id=customer_gateway.id,
            vpn_gateway_id=self.vpn_gateway.id,
            static_routes_only=static,
            preshared_key_storage="SecretsManager",
            tags=self._tags("vpn"),
            **tunnel_options(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[customer_gateway, self.vpn_gateway]),
        )
        if static:
            for cidr in connectivity.site_cidrs:
                aws.ec2.VpnConnectionRoute(
                    f"{self._name}-route-{cidr.replace('/', '-')}",
                    vpn_connection_id=connection.id,
                    destination_cidr_block=cidr,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[connection]),
                )
        return connection

    def _direct_connect(self) -> aws.directconnect.GatewayAssociation:
        return aws.directconnect.GatewayAssociation(
            f"{self._name}-dx",
            dx_gateway_id=self._args.connectivity.direct_connect_gateway_id,
            associated_gateway_id=self.vpn_gateway.id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vpn_gateway]),
        )


def build_site_link(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """The private link from the platform's VPC to the site (the network builder runs first)."""
    network = scope.built["network"]
    key_class = scope.platform_class()
    link = SiteLink(
        "site-link",
        SiteLinkArgs(
            identity=scope.identity,
            vpc_id=network.vpc_id,
            route_table_ids=[table.id for table in network.route_tables],
            connectivity=scope.platform.blueprint.spec.on_prem.connectivity,
            tags=scope.tags("siteLink", key_class),
        ),
        opts=scope.opts,
    )
    scope.built["siteLink"] = link
    return {"vpnGatewayId": link.vpn_gateway_id}
