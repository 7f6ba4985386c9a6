"""Which public addresses each security group admits: the union of its ingress ranges.

Rego cannot do address arithmetic on regopy (no `net.cidr_*` builtins), so Qantara works
out, before evaluation, what the ingress ranges of every security group add up to, and the
policies read the answer (`input.derived.ingress`, by resource position).

A security group is every resource that adds ingress to it: the group's inline `ingress`
blocks, `aws.ec2.SecurityGroupRule` (type ingress) and `aws.vpc.SecurityGroupIngressRule`
resources that name it by dependency or by a known id. Ports and protocols are not
separated (the stricter reading: two halves of the internet on two ports are still the
whole internet reaching the group). The public address space is catalog data
(`aws_exposure.yaml` `publicAddressSpace`, from IANA's special-purpose registries):

- a range is *public* when it holds any public address (the fail-closed criterion: a
  group that admits one public range has an open door, however narrow);
- a group reaches *the internet* when the union of its ranges covers all public space of a
  family (0.0.0.0/1 + 128.0.0.0/1 does; so does any set that leaves out only private and
  reserved blocks).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from qantara.catalog import load_catalog
from qantara.plan.document import SECRET, UNKNOWN

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

GROUP = "aws:ec2/securityGroup:SecurityGroup"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
RANGE_PROPERTIES = ("cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6")


def public_space(space: dict) -> dict[int, tuple[Network, ...]]:
    """The public blocks of each IP version: `space` minus `except`, per family."""
    blocks: dict[int, tuple[Network, ...]] = {}
    for family, version in (("ipv4", 4), ("ipv6", 6)):
        remaining = [ipaddress.ip_network(n) for n in space[family]["space"]]
        for excluded in (ipaddress.ip_network(n) for n in space[family]["except"]):
            remaining = [piece for block in remaining for piece in _minus(block, excluded)]
        blocks[version] = tuple(ipaddress.collapse_addresses(remaining))
    return blocks


def _minus(block: Network, excluded: Network) -> list[Network]:
    if block.version != excluded.version or not block.overlaps(excluded):
        return [block]
    if block.subnet_of(excluded):
        return []
    return list(block.address_exclude(excluded))


@lru_cache(maxsize=1)
def _catalog_space() -> dict[int, tuple[Network, ...]]:
    return public_space(load_catalog()["aws_exposure"]["publicAddressSpace"])


def is_public(network: Network, public: dict[int, tuple[Network, ...]]) -> bool:
    """Whether the range holds any public address."""
    return any(network.overlaps(block) for block in public[network.version])


def covers_public(networks: Iterable[Network], version: int, public: dict[int, tuple[Network, ...]]) -> bool:
    """Whether the ranges of one IP version together hold every public address of it."""
    union = list(ipaddress.collapse_addresses(n for n in networks if n.version == version))
    for block in public[version]:
        # After collapsing, the union's ranges are disjoint, and two CIDR blocks are nested or
        # disjoint: the block is covered when the union's ranges inside it (or one holding
        # it) add up to its size.
        covered = sum(min(u.num_addresses, block.num_addresses) for u in union
                      if u.subnet_of(block) or block.subnet_of(u))
        if covered < block.num_addresses:
            return False
    return True


def ingress_ranges(resource: dict) -> tuple[list[str], bool]:
    """The ingress ranges a resource adds to its group, and whether some could not be read."""
    inputs = resource.get("inputs") or {}
    if resource.get("type") == GROUP:
        blocks = inputs.get("ingress") if isinstance(inputs.get("ingress"), list) else []
        if inputs.get("ingress") in (UNKNOWN, SECRET):
            return [], True
    elif resource.get("type") == RULE:
        blocks = [inputs] if inputs.get("type") == "ingress" else []
    elif resource.get("type") == INGRESS_RULE:
        blocks = [inputs]
    else:
        return [], False
    ranges, unreadable = [], False
    for block in blocks:
        for prop in RANGE_PROPERTIES:
            value = block.get(prop) if isinstance(block, dict) else None
            for item in value if isinstance(value, list) else [value] if value is not None else []:
                if isinstance(item, str) and item not in (UNKNOWN, SECRET):
                    ranges.append(item)
                else:
                    unreadable = True
    return ranges, unreadable


def _group_key(resource: dict) -> str:
    """The group a resource adds ingress to: its own URN for a group, else the group it names."""
    if resource["type"] == GROUP:
        return resource["urn"]
    named = (resource.get("propertyDependencies") or {}).get("securityGroupId") or []
    if named:
        return named[0]
    group_id = (resource.get("inputs") or {}).get("securityGroupId")
    if isinstance(group_id, str) and group_id not in (UNKNOWN, SECRET):
        return group_id
    return resource["urn"]  # a group nobody can name: judged alone


def _network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def ingress_exposure(resources: list[dict], public: dict[int, tuple[Network, ...]] | None = None) -> list[dict | None]:
    """For each resource (by position), what it and its group admit; None for other types.

    {"group": key, "publicRanges": [this resource's public ranges], "invalidRanges": [...],
     "unreadable": bool, "internetV4": bool, "internetV6": bool (the group's union)}
    """
    public = public or _catalog_space()
    own: list[tuple[str, list[Network], list[str], list[str], bool] | None] = []
    groups: dict[str, list[Network]] = {}
    for resource in resources:
        if resource.get("type") not in (GROUP, RULE, INGRESS_RULE):
            own.append(None)
            continue
        ranges, unreadable = ingress_ranges(resource)
        networks = [n for n in map(_network, ranges) if n is not None]
        invalid = [r for r in ranges if _network(r) is None]
        key = _group_key(resource)
        groups.setdefault(key, []).extend(networks)
        public_ranges = [r for r in ranges if (n := _network(r)) is not None and is_public(n, public)]
        own.append((key, networks, public_ranges, invalid, unreadable))
    exposure: list[dict | None] = []
    for entry in own:
        if entry is None:
            exposure.append(None)
            continue
        key, _, public_ranges, invalid, unreadable = entry
        exposure.append({
            "group": key,
            "publicRanges": public_ranges,
            "invalidRanges": invalid,
            "unreadable": unreadable,
            "internetV4": covers_public(groups[key], 4, public),
            "internetV6": covers_public(groups[key], 6, public),
        })
    return exposure
