"""Where a Step Functions definition sends data (qantara.lib.destinations, via `definition`):
its integration tasks call from the state machine's own region (a sourced fact), and every
place its parameters name is located as written, a place in another region included."""

from __future__ import annotations

import json

import pytest

from qantara.catalog import load_catalog
from qantara.engine.rego import default_engine

ACCOUNT = "111122223333"
UAE_TOPIC = f"arn:aws:sns:me-central-1:{ACCOUNT}:dubai-care-ml-prod-model-approval"


def definition(resource: str, parameters: dict) -> str:
    return json.dumps({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}}})


def places(value: str) -> list:
    """Each spot as a short tuple: ("here",) for the machine's own region, ("region", code),
    ("unknown", policy)."""
    document = {"via": "definition", "value": value, "blueprint": {"spec": {"governance": {}}}}
    found = []
    for spot in default_engine().query("data.qantara.lib.destinations.string_spots(input.via, input.value)", document):
        if spot.get("at_resource"):
            found.append(("here",))
        elif "name" in spot:
            found.append(("name", spot["name"]))
        elif spot["location"]["kind"] == "cloud":
            found.append(("region", spot["location"]["region"]))
        else:
            found.append(("unknown", spot["policy"]))
    return sorted(found)


def test_an_sns_publish_task_calls_from_the_machines_region_and_sends_to_the_topics():
    assert places(definition("arn:aws:states:::sns:publish", {"TopicArn": UAE_TOPIC, "Message.$": "$"})) == [
        ("here",), ("region", "me-central-1")]


def test_a_topic_in_frankfurt_is_located_in_frankfurt():
    frankfurt = f"arn:aws:sns:eu-central-1:{ACCOUNT}:group-approvals"
    assert ("region", "eu-central-1") in places(definition("arn:aws:states:::sns:publish", {"TopicArn": frankfurt}))


def test_an_sdk_task_naming_a_frankfurt_resource_is_located_there():
    table = f"arn:aws:dynamodb:eu-central-1:{ACCOUNT}:table/model-reviews"
    assert places(definition("arn:aws:states:::aws-sdk:dynamodb:putItem", {"TableName": table, "Item.$": "$"})) == [
        ("here",), ("region", "eu-central-1")]


def test_an_sdk_task_whose_target_comes_from_the_input_runs_in_the_machines_region():
    assert places(definition("arn:aws:states:::aws-sdk:sagemaker:describeModelPackage",
                             {"ModelPackageName.$": "$.ModelPackageArn"})) == [("here",)]


def test_a_bucket_an_sdk_task_names_is_left_for_the_plan_to_locate():
    assert places(definition("arn:aws:states:::aws-sdk:s3:putObject",
                             {"Bucket": "group-model-archive", "Key.$": "$.key", "Body.$": "$"})) == [
        ("here",), ("name", "group-model-archive")]


@pytest.mark.parametrize("computed", [
    "States.Format('arn:aws:sns:eu-central-1:{}:group-approvals', $.account)",
    "{% 'arn:aws:sns:eu-central-1:' & $account & ':group-approvals' %}",
])
def test_a_target_built_at_run_time_with_a_frankfurt_region_is_located_there(computed):
    assert ("region", "eu-central-1") in places(definition("arn:aws:states:::sns:publish", {"TopicArn.$": computed}))


@pytest.mark.parametrize(("resource", "parameters"), [
    # The HTTP task calls whatever endpoint it is given: no sourced fact locates it.
    ("arn:aws:states:::http:invoke", {"ApiEndpoint.$": "$.url", "Method": "POST"}),
    # An integration the table does not list (yet) is not assumed to stay.
    ("arn:aws:states:::bedrock:invokeModel", {"ModelId": "anthropic.model"}),
    # A literal under an *Arn parameter that is not an ARN cannot be read.
    ("arn:aws:states:::sns:publish", {"TopicArn": "model-approvals"}),
    # An ARN without a region locates nothing.
    ("arn:aws:states:::sns:publish", {"TopicArn": f"arn:aws:sns::{ACCOUNT}:model-approvals"}),
])
def test_what_no_fact_locates_is_refused_as_unlocatable(resource, parameters):
    assert ("unknown", "QA-RES-040") in places(definition(resource, parameters))


def test_a_definition_that_does_not_parse_cannot_be_shown_to_stay():
    assert places('{"StartAt": "Call", ') == [("unknown", "QA-RES-040")]


def test_an_integration_arn_outside_a_tasks_resource_is_not_taken_for_a_call_from_here():
    # Only a state's Resource is a call; the same text elsewhere is an ARN with no region.
    assert places(json.dumps({"Comment": "arn:aws:states:::sns:publish", "StartAt": "Done",
                              "States": {"Done": {"Type": "Succeed"}}})) == [("unknown", "QA-RES-040")]


def test_every_integration_row_carries_its_source():
    table = load_catalog()["aws_step_functions_integrations"]
    for row in table["integrations"]:
        assert row["url"].startswith("https://docs.aws.amazon.com/") and row["read"] == "2026-12-06", row
        assert row["quote"].strip() and row["prefix"].endswith(":"), row
