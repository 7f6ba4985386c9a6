"""The platform VPC's address range: the blueprint's `spec.cloud.vpcCidr`, else a default
that never overlaps the site's ranges, since a Site-to-Site VPN or Direct Connect link
routes `siteCidrs` into the VPC, and an overlap would route the site into its own VPC.

Pure: the model validates a given range with it, composition builds the VPC from it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

# Defaults, in order: the first that overlaps none of the site's ranges wins. 10.20.0.0/16
# stays first so a platform without a site link keeps the range it always had.
DEFAULT_VPC_CANDIDATES = ("10.20.0.0/16", *(f"10.{i}.0.0/16" for i in range(21, 256)),
                          *(f"172.{i}.0.0/16" for i in range(16, 32)), "192.168.0.0/16")
# AWS accepts a VPC block between /16 and /28 and a subnet down to /28; the platform's subnets
# are sixteenths of the VPC (SUBNET_BITS deeper: /20s of a /16), so a VPC is /16 to /24.
VPC_PREFIX_RANGE = (16, 24)
SUBNET_BITS = 4
# RFC 1918 private ranges: AWS recommends them for VPCs; a public range would shadow real hosts.
PRIVATE_RANGES = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _networks(cidrs: Iterable[str]) -> list[ipaddress.IPv4Network]:
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def vpc_cidr_problem(cidr: str) -> str | None:
    """Why `cidr` cannot be the platform's VPC range, or None."""
    try:
        network = ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        return f"{cidr!r} has host bits set; write the network address, e.g. {ipaddress.ip_network(cidr, strict=False)}"
    low, high = VPC_PREFIX_RANGE
    if not low <= network.prefixlen <= high:
        return f"{cidr!r} is a /{network.prefixlen}; a platform VPC is /{low} to /{high}"
    if not any(network.subnet_of(private) for private in PRIVATE_RANGES):
        return f"{cidr!r} is not a private (RFC 1918) range (allowed: inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)"
    return None


def overlaps(cidr: str, site_cidrs: Iterable[str]) -> list[str]:
    """The site ranges that overlap `cidr`."""
    network = ipaddress.ip_network(cidr, strict=False)
    return [site for site, other in zip(site_cidrs, _networks(site_cidrs)) if network.overlaps(other)]


def default_vpc_cidr(site_cidrs: Iterable[str]) -> str | None:
    """The first default range that overlaps none of `site_cidrs`; None if every one does."""
    sites = list(site_cidrs)
    return next((c for c in DEFAULT_VPC_CANDIDATES if not overlaps(c, sites)), None)


def subnet_cidrs(vpc_cidr: str, count: int) -> list[str]:
    """The first `count` subnets, each 1/16 of the VPC (a /20 of a /16)."""
    network = ipaddress.ip_network(vpc_cidr, strict=True)
    subnets = network.subnets(prefixlen_diff=SUBNET_BITS)
    return [str(next(subnets)) for _ in range(count)]
