"""What a security group's ingress adds up to: public ranges and the whole internet,
however the ranges are written (qantara.plan.addresses)."""

from __future__ import annotations

import ipaddress

import pytest

from qantara.catalog import load_catalog
from qantara.plan.addresses import covers_public, ingress_exposure, is_public, public_space

SPACE = public_space(load_catalog()["aws_exposure"]["publicAddressSpace"])
GROUP_URN = "urn:pulumi:prod::p::aws:ec2/securityGroup:SecurityGroup::web"


def net(text: str):
    return ipaddress.ip_network(text)


def group(ingress: list[dict], urn: str = GROUP_URN) -> dict:
    return {"urn": urn, "type": "aws:ec2/securityGroup:SecurityGroup", "inputs": {"ingress": ingress}}


def rule(name: str, cidr: str, *, group_urn: str | None = GROUP_URN, group_id: str | None = None) -> dict:
    return {"urn": f"urn:pulumi:prod::p::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::{name}",
            "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "inputs": {"cidrIpv4": cidr, **({"securityGroupId": group_id} if group_id else {})},
            "propertyDependencies": {"securityGroupId": [group_urn]} if group_urn else {}}


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "172.16.0.0/12", "192.168.4.0/24", "100.64.0.0/10",
                                  "127.0.0.1/32", "169.254.169.254/32", "fd00:40::/56", "fe80::/10",
                                  "2001:db8::/32", "203.0.113.0/24"])
def test_private_and_reserved_ranges_hold_no_public_address(cidr):
    assert not is_public(net(cidr), SPACE)


@pytest.mark.parametrize("cidr", ["0.0.0.0/1", "52.94.76.10/32", "11.0.0.0/8", "192.0.0.9/32",
                                  "2a05:d018::/32", "64:ff9b::/96", "::/1", "8.0.0.0/7"])
def test_a_range_with_any_public_address_is_public(cidr):
    assert is_public(net(cidr), SPACE)


def test_the_two_halves_of_ipv4_are_the_internet_and_one_half_is_not():
    assert covers_public([net("0.0.0.0/1"), net("128.0.0.0/1")], 4, SPACE)
    assert not covers_public([net("0.0.0.0/1")], 4, SPACE)


def test_every_public_block_without_the_private_ones_is_the_internet():
    blocks = ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2",
              "128.0.0.0/1"]
    assert covers_public([net(b) for b in blocks], 4, SPACE)
    # Leave out one public /8 and it is no longer all of it.
    assert not covers_public([net(b) for b in blocks if b != "11.0.0.0/8"], 4, SPACE)


def test_ipv6_internet_is_judged_on_its_own_family():
    assert covers_public([net("::/0")], 6, SPACE)
    assert covers_public([net("2000::/3"), net("64:ff9b::/96")], 6, SPACE)
    assert not covers_public([net("2000::/3")], 6, SPACE)  # the NAT64 prefix reaches IPv4 hosts
    assert not covers_public([net("::/0")], 4, SPACE)


def test_the_union_is_over_every_rule_of_one_group():
    resources = [group([]), rule("lower", "0.0.0.0/1"), rule("upper", "128.0.0.0/1")]
    exposure = ingress_exposure(resources, SPACE)
    assert exposure[0]["internetV4"] and exposure[0]["publicRanges"] == []
    assert exposure[1]["internetV4"] and exposure[1]["publicRanges"] == ["0.0.0.0/1"]
    assert exposure[2]["group"] == GROUP_URN


def test_halves_in_two_different_groups_are_not_the_internet():
    other = "urn:pulumi:prod::p::aws:ec2/securityGroup:SecurityGroup::other"
    resources = [group([]), group([], other), rule("lower", "0.0.0.0/1"), rule("upper", "128.0.0.0/1", group_urn=other)]
    exposure = ingress_exposure(resources, SPACE)
    assert not any(e["internetV4"] for e in exposure)
    assert exposure[2]["publicRanges"] == ["0.0.0.0/1"]


def test_rules_of_an_existing_group_join_by_its_known_id():
    resources = [rule("a", "0.0.0.0/1", group_urn=None, group_id="sg-0123456789abcdef0"),
                 rule("b", "128.0.0.0/1", group_urn=None, group_id="sg-0123456789abcdef0")]
    assert all(e["internetV4"] for e in ingress_exposure(resources, SPACE))


def test_unknown_ranges_are_marked_unreadable_and_other_types_get_nothing():
    resources = [group([{"protocol": "tcp", "cidrBlocks": ["[unknown]"]}]), {"urn": "u", "type": "aws:s3/bucket:Bucket"}]
    exposure = ingress_exposure(resources, SPACE)
    assert exposure[0]["unreadable"] and exposure[0]["publicRanges"] == []
    assert exposure[1] is None


def test_egress_rules_add_nothing():
    egress = {"urn": "urn:pulumi:prod::p::aws:ec2/securityGroupRule:SecurityGroupRule::out",
              "type": "aws:ec2/securityGroupRule:SecurityGroupRule",
              "inputs": {"type": "egress", "cidrBlocks": ["0.0.0.0/0"]}}
    assert ingress_exposure([egress], SPACE)[0]["publicRanges"] == []
