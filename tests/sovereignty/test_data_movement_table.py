"""The data-movement table (policies/data/aws_data_movement.yaml) names only what pulumi-aws has.

A row whose type token or property path pulumi-aws does not have would never match a plan: the
movement it describes would pass unseen. So every type must be a pulumi_aws resource token and
every path must walk that type's input types, by the wire names (camelCase) plans record.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from functools import cache
from pathlib import Path

import pulumi_aws
import pytest

from qantara.catalog import load_catalog

TABLE = load_catalog()["aws_data_movement"]
VIAS = {"region", "arn", "bucket", "url", "host", "any", "document", "definition", "self", "global"}
NESTED = re.compile(r"ForwardRef\('(\w+)'\)")
URL = re.compile(r"^https://(docs\.aws\.amazon\.com|www\.pulumi\.com/registry/packages/aws/api-docs)/\S+$")


@cache
def resource_classes() -> dict[str, tuple[str, str]]:
    """Every pulumi_aws resource token with (module, class name), from pulumi_aws's own table."""
    source = Path(pulumi_aws.__file__).read_text(encoding="utf-8")
    table = json.loads(source.split('resource_modules="""', 1)[1].split('"""', 1)[0])
    return {token: (m["fqn"], name) for m in table for token, name in m["classes"].items()}


def args_class(token: str) -> tuple[type, object]:
    """The resource's input class and the module its nested input types resolve in."""
    package, name = resource_classes()[token]
    module = sys.modules[getattr(importlib.import_module(package), name).__module__]
    # A resource whose name collides with a nested type (dynamodb TableReplica) takes InitArgs.
    return getattr(module, f"{name}InitArgs", None) or getattr(module, f"{name}Args"), module


def wire_properties(cls: type) -> dict[str, str]:
    """Wire name -> annotation text of every input property of an input class."""
    found = {}
    for attribute, value in vars(cls).items():
        if isinstance(value, property):
            found[getattr(value.fget, "_pulumi_name", None) or attribute] = str(value.fget.__annotations__.get("return"))
    return found


def path_problem(token: str, path: list) -> str | None:
    """Why `path` does not exist in the inputs of `token`, or None when it does."""
    cls, module = args_class(token)
    annotation = None
    for step, segment in enumerate(path):
        is_list = annotation is not None and annotation.startswith("typing.Union[typing.Sequence[")
        if (segment == "*") != is_list:
            return f"{path[:step]} is {'' if is_list else 'not '}a list: {'' if is_list else 'no '}'*' must follow"
        if segment == "*":
            annotation = None  # an element of the list: its class, if any, is already `cls`
            continue
        if cls is None:
            if annotation is not None and "Mapping[str" in annotation:
                return None  # a free-form map (connectionProperties): any key is a key
            return f"{path[:step]} has no properties"
        properties = wire_properties(cls)
        if segment not in properties:
            return f"{segment!r} is not a property at {path[:step]} (has: {', '.join(sorted(properties))})"
        annotation = properties[segment]
        nested = NESTED.findall(annotation)
        cls = getattr(module, nested[0], None) if nested and nested[0].endswith("Args") else None
    return None


def rows():
    return sorted(TABLE["types"].items())


def test_the_table_covers_every_way_the_issue_names():
    needed = {
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "aws:s3/bucket:Bucket",
        "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint", "aws:dynamodb/table:Table",
        "aws:dynamodb/globalTable:GlobalTable", "aws:kms/replicaKey:ReplicaKey",
        "aws:ecr/replicationConfiguration:ReplicationConfiguration", "aws:backup/plan:Plan",
        "aws:rds/snapshotCopy:SnapshotCopy", "aws:rds/instance:Instance", "aws:rds/cluster:Cluster",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "aws:datasync/task:Task",
        "aws:cloudtrail/trail:Trail", "aws:cloudfront/distribution:Distribution",
        "aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
        "aws:cloudwatch/eventTarget:EventTarget", "aws:sns/topicSubscription:TopicSubscription",
        "aws:ecs/taskDefinition:TaskDefinition", "aws:glue/connection:Connection",
    }
    assert needed <= set(TABLE["types"]), sorted(needed - set(TABLE["types"]))


@pytest.mark.parametrize(("token", "row"), rows(), ids=[t for t, _ in rows()])
def test_every_row_names_a_pulumi_aws_type_and_paths_it_has(token, row):
    assert token in resource_classes(), f"{token} is not a pulumi-aws {TABLE['pulumiAws']} resource"
    for destination in row["destinations"]:
        assert destination["via"] in VIAS, destination
        if destination["via"] in ("self", "global"):
            assert "path" not in destination, destination
            continue
        assert (problem := path_problem(token, destination["path"])) is None, problem
    source = row["source"]
    if source != "self":
        for path in source["paths"]:
            assert (problem := path_problem(token, path)) is None, problem


@pytest.mark.parametrize(("token", "row"), rows(), ids=[t for t, _ in rows()])
def test_every_row_says_what_moves_and_cites_aws_and_the_pulumi_registry(token, row):
    assert row["what"].strip()
    docs = row["docs"]
    assert any(d.startswith("https://docs.aws.amazon.com/") for d in docs), docs
    assert any(d.startswith("https://www.pulumi.com/registry/packages/aws/api-docs/") for d in docs), docs
    assert all(URL.match(d) for d in docs), docs
    assert TABLE["read"] == "2026-12-06"


def test_every_holder_is_a_pulumi_aws_type():
    missing = [t for t in TABLE["holders"] if t not in resource_classes()]
    assert missing == []


def test_the_path_check_refuses_a_property_pulumi_aws_does_not_have():
    # The check itself can fail: a misspelt or invented path is reported.
    assert path_problem("aws:s3/bucketReplicationConfig:BucketReplicationConfig", ["rules", "*", "destination", "bucket"]) is None
    assert path_problem("aws:s3/bucketReplicationConfig:BucketReplicationConfig", ["rules", "*", "destination", "region"])
    assert path_problem("aws:s3/bucketReplicationConfig:BucketReplicationConfig", ["rules", "destination"])
    assert path_problem("aws:dynamodb/table:Table", ["replica", "*", "regionName"])


@pytest.mark.parametrize(("token", "row"), rows(), ids=[t for t, _ in rows()])
def test_every_row_uses_only_keys_the_rule_reads(token, row):
    # A misspelt key (`absnet: self`) would be ignored by the Rego rule, silently.
    assert set(row) <= {"what", "source", "sourceAbsent", "destinations", "docs", "policy"}, sorted(row)
    assert row.get("policy", "QA-RES-030") in {"QA-RES-030", "QA-RES-031"}
    assert row.get("sourceAbsent", "self") == "self"
    assert row["source"] == "self" or set(row["source"]) == {"paths"}
    for destination in row["destinations"]:
        assert set(destination) <= {"path", "via", "absent"}, destination
        assert destination.get("absent", "self") == "self"
