"""Offline answers to lookups: facts from the catalog, computed documents, marked placeholders,
and nothing invented."""

import json

from qantara.catalog import load_catalog
from qantara.plan.offline_invokes import (
    PLACEHOLDER,
    answers,
    placeholder_warnings,
    unanswered_result,
    unanswered_uses,
)

ANSWERS = answers(load_catalog())


def _ask(token: str, args: dict, region: str = "me-central-1"):
    return ANSWERS[token](args, region)


def test_subnets_of_the_default_vpc_say_so_and_others_do_not():
    vpc = _ask("aws:ec2/getVpc:getVpc", {"default": True})
    of_default = _ask("aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": [vpc["id"]]}]})
    other = _ask("aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": ["vpc-0a1b2c3d"]}]})
    assert of_default["ids"] == [f"{PLACEHOLDER} subnet id of the default VPC"]
    assert other["ids"] == [f"{PLACEHOLDER} subnet id"]


def test_a_vpc_found_by_tag_is_not_answered():
    assert _ask("aws:ec2/getVpc:getVpc", {"tags": {"Name": "main"}}) is None


def test_zones_the_program_excludes_are_left_out():
    zones = _ask("aws:index/getAvailabilityZones:getAvailabilityZones", {"excludeNames": ["me-central-1b"]})
    assert zones["names"] == ["me-central-1a", "me-central-1c"]


def test_a_policy_document_merges_override_statements_by_sid():
    source = json.dumps({"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    document = json.loads(_ask("aws:iam/getPolicyDocument:getPolicyDocument", {
        "sourcePolicyDocuments": [source],
        "statements": [{"sid": "Read", "effect": "Deny", "actions": ["s3:GetObject"], "resources": ["*"]}],
    })["json"])
    assert document["Statement"] == [{"Sid": "Read", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]


def test_an_unanswered_lookup_marks_text_fields_and_is_traced_to_the_arguments_that_took_it():
    result = unanswered_result("aws:ec2/getVpc:getVpc")
    assert result["id"] == "[unanswered lookup aws:ec2/getVpc:getVpc]" and result["tags"] == {}
    lookups = [{"token": "aws:ec2/getVpc:getVpc", "args": ["tags"]}]
    resources = [{"urn": "urn:x", "inputs": {"vpcConfig": {"subnetIds": ["s-1", "in " + result["id"]]}}}]
    unanswered_uses(resources, lookups)
    assert lookups[0]["usedBy"] == [{"resource": "urn:x", "argument": "vpcConfig.subnetIds[1]"}]


def test_the_account_placeholder_alone_raises_no_warning_but_a_vpc_placeholder_does():
    assert placeholder_warnings(["aws:index/getCallerIdentity:getCallerIdentity"]) == []
    assert "aws:ec2/getVpc:getVpc" in placeholder_warnings(["aws:ec2/getVpc:getVpc"])[0]
