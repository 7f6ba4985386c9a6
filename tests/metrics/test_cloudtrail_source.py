"""The audit-trail source against recorded LookupEvents responses (botocore's Stubber).

Stubber checks every request and response against the installed botocore cloudtrail model:
one lookup attribute, MaxResults within 1..50, NextToken, and the response's Event shape.
The records inside `CloudTrailEvent` follow CloudTrail's record format (camelCase
requestParameters/responseElements, userIdentity, errorCode on a failed call).
"""

import datetime as dt
import itertools
import json

import boto3
import pytest
from botocore.stub import Stubber

from qantara.errors import InputError
from qantara.metrics.compute import Window, compute_metrics
from qantara.metrics.events import event_from_dict
from qantara.metrics.sources.aws import AwsTarget
from qantara.metrics.sources.cloudtrail import EVENT_NAMES, Pacer, collect_cloudtrail

UTC = dt.UTC
REGION = "me-central-1"
ACCOUNT = "111122223333"
GROUP = "triage-model"
TARGET = AwsTarget("triage", "prod", GROUP, "triage-prod", (), "triage-training")
LAYLA = f"arn:aws:sts::{ACCOUNT}:assumed-role/ml-release/layla"
OMAR = f"arn:aws:sts::{ACCOUNT}:assumed-role/ml-release/omar"
PIPELINE_ROLE = f"arn:aws:sts::{ACCOUNT}:assumed-role/sagemaker-pipeline/SageMaker"
_ids = itertools.count(1)


def t(day, hour=0):
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


def package(version, group=GROUP):
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/{version}"


def execution(pipeline, name):
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{pipeline}/execution/{name}"


def raw(name, when, request, response=None, actor=LAYLA, source="sagemaker.amazonaws.com", error=None):
    """One LookupEvents `Event` as CloudTrail returns it, the record as a JSON string."""
    event_id = f"00000000-0000-4000-8000-{next(_ids):012d}"
    record = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:" + actor.rsplit("/", 1)[-1], "arn": actor,
                         "accountId": ACCOUNT, "sessionContext": {"sessionIssuer": {"type": "Role", "arn": actor}}},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": source, "eventName": name,
        "awsRegion": REGION, "sourceIPAddress": "198.51.100.7", "userAgent": "Boto3/1.40.0",
        "requestParameters": request, "responseElements": response, "requestID": "r-" + event_id,
        "eventID": event_id, "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True,
        "recipientAccountId": ACCOUNT, "eventCategory": "Management",
    }
    if error:
        record["errorCode"], record["errorMessage"] = error, "User is not authorized to perform this action"
    return {"EventId": event_id, "EventName": name, "ReadOnly": "false", "EventTime": when, "EventSource": source,
            "Username": actor.rsplit("/", 1)[-1], "Resources": [], "CloudTrailEvent": json.dumps(record)}


def history():
    """Per event name, the pages LookupEvents returns (newest first, as CloudTrail lists them)."""
    return {
        "StartPipelineExecution": [
            [raw("StartPipelineExecution", t(9, 8), {"pipelineName": "triage-training"},
                 {"pipelineExecutionArn": execution("triage-training", "b2")}, PIPELINE_ROLE),
             raw("StartPipelineExecution", t(5, 8), {"pipelineName": "fraud-training"},
                 {"pipelineExecutionArn": execution("fraud-training", "z9")}, PIPELINE_ROLE)],
            [raw("StartPipelineExecution", t(2, 8), {"pipelineName": "triage-training"},
                 {"pipelineExecutionArn": execution("triage-training", "a1")}, PIPELINE_ROLE)],
        ],
        "CreateModelPackage": [[
            raw("CreateModelPackage", t(10), {"modelPackageGroupName": GROUP,
                "metadataProperties": {"generatedBy": execution("triage-training", "b2")}}, {"modelPackageArn": package(2)}, PIPELINE_ROLE),
            raw("CreateModelPackage", t(6), {"modelPackageGroupName": "fraud-model"}, {"modelPackageArn": package(1, "fraud-model")}),
            raw("CreateModelPackage", t(3), {"modelPackageGroupName": GROUP,
                "metadataProperties": {"generatedBy": execution("triage-training", "a1")}}, {"modelPackageArn": package(1)}, PIPELINE_ROLE),
        ]],
        "UpdateModelPackage": [[
            # someone without the right tries to approve version 3: the call failed, nothing changed
            raw("UpdateModelPackage", t(20), {"modelPackageArn": package(3), "modelApprovalStatus": "Approved"},
                actor=f"arn:aws:sts::{ACCOUNT}:assumed-role/data-scientist/mallory", error="AccessDeniedException"),
            raw("UpdateModelPackage", t(10, 8), {"modelPackageArn": package(2), "modelApprovalStatus": "Approved"}, actor=OMAR),
            raw("UpdateModelPackage", t(3, 8), {"modelPackageArn": package(1), "modelApprovalStatus": "Approved"}),
            raw("UpdateModelPackage", t(3, 7), {"modelPackageArn": package(1), "customerMetadataProperties": {"team": "triage"}}),
        ]],
        "CreateModel": [[
            raw("CreateModel", t(10, 19), {"modelName": "triage-model-v2", "primaryContainer": {"modelPackageName": package(2)}}),
            raw("CreateModel", t(3, 11), {"modelName": "triage-model-v1", "primaryContainer": {"modelPackageName": package(1)}}),
        ]],
        "CreateEndpointConfig": [[
            raw("CreateEndpointConfig", t(10, 19), {"endpointConfigName": "triage-prod-cfg-2",
                "productionVariants": [{"variantName": "champion", "modelName": "triage-model-v2"}]}),
            raw("CreateEndpointConfig", t(3, 11), {"endpointConfigName": "triage-prod-cfg-1",
                "productionVariants": [{"variantName": "champion", "modelName": "triage-model-v1"}]}),
        ]],
        "CreateEndpoint": [[raw("CreateEndpoint", t(3, 12), {"endpointName": "triage-prod", "endpointConfigName": "triage-prod-cfg-1"})]],
        "UpdateEndpoint": [
            [raw("UpdateEndpoint", t(11, 2), {"endpointName": "triage-prod", "endpointConfigName": "triage-prod-cfg-1"}, actor=OMAR),
             # another endpoint of the account: not this project's deployment
             raw("UpdateEndpoint", t(10, 21), {"endpointName": "fraud-prod", "endpointConfigName": "fraud-prod-cfg-7"})],
            # Comprehend has an UpdateEndpoint too: same name, another service
            [raw("UpdateEndpoint", t(10, 22), {"endpointArn": f"arn:aws:comprehend:{REGION}:{ACCOUNT}:"
                                                               "document-classifier-endpoint/triage-prod",
                                                "desiredInferenceUnits": 2}, source="comprehend.amazonaws.com"),
             raw("UpdateEndpoint", t(10, 20), {"endpointName": "triage-prod", "endpointConfigName": "triage-prod-cfg-2"})],
        ],
    }


def stub(stubber, pages_by_name, start=None, end=None, names=EVENT_NAMES):
    for name in names:
        pages = pages_by_name.get(name) or [[]]
        for number, events in enumerate(pages):
            request = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}], "MaxResults": 50}
            if start:
                request["StartTime"] = start
            if end:
                request["EndTime"] = end
            if number:
                request["NextToken"] = f"{name}-page-{number}"
            response = {"Events": events}
            if number + 1 < len(pages):
                response["NextToken"] = f"{name}-page-{number + 1}"
            stubber.add_response("lookup_events", response, request)


class FakeClock:
    """Time stands still, so every call after the first must wait; sleeps are recorded, not slept."""

    def __init__(self):
        self.slept = []

    def pacer(self):
        return Pacer(clock=lambda: 100.0, sleep=self.slept.append)


@pytest.fixture
def trail():
    client = boto3.client("cloudtrail", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_the_audit_trail_gives_deployments_approvals_and_a_rollback_with_who_did_them(trail):
    client, stubber = trail
    stub(stubber, history())
    events = collect_cloudtrail(TARGET, client=client, pacer=FakeClock().pacer())
    assert [(e.time.strftime("%d %H"), e.kind, e.version, e.actor) for e in events] == [
        ("02 08", "run", "1", PIPELINE_ROLE), ("03 08", "approval", "1", LAYLA), ("03 12", "deployment", "1", LAYLA),
        ("09 08", "run", "2", PIPELINE_ROLE), ("10 08", "approval", "2", OMAR), ("10 20", "deployment", "2", LAYLA),
        ("11 02", "rollback", "1", OMAR),
    ]
    assert {e.source for e in events} == {"cloudtrail"}
    assert all(e.ref and e.ref.startswith("00000000-") for e in events)


def test_every_page_is_read_and_calls_are_paced_to_two_a_second(trail):
    client, stubber = trail
    stub(stubber, history())
    clock = FakeClock()
    collect_cloudtrail(TARGET, client=client, pacer=clock.pacer())
    calls = sum(len(pages) for pages in history().values())
    assert calls == 9  # seven event names, two of them on two pages
    assert clock.slept == [0.5] * (calls - 1)


def test_the_window_is_passed_to_every_lookup(trail):
    client, stubber = trail
    stub(stubber, {}, start=t(1), end=t(29))
    assert collect_cloudtrail(TARGET, client=client, start=t(1), end=t(29), pacer=FakeClock().pacer()) == []


def test_an_empty_trail_gives_no_events_and_no_metrics(trail):
    client, stubber = trail
    stub(stubber, {})
    events = collect_cloudtrail(TARGET, client=client, pacer=FakeClock().pacer())
    assert events == []
    assert compute_metrics(events, Window(t(1), t(29))) == []


def test_a_configuration_older_than_the_trail_deploys_under_its_own_name(trail):
    client, stubber = trail
    stub(stubber, {"UpdateEndpoint": [[raw("UpdateEndpoint", t(4), {"endpointName": "triage-prod",
                                                                   "endpointConfigName": "triage-prod-cfg-0"})]]})
    [event] = collect_cloudtrail(TARGET, client=client, pacer=FakeClock().pacer())
    assert (event.kind, event.model, event.version) == ("deployment", GROUP, "config:triage-prod-cfg-0")


def test_an_unreadable_record_is_refused_naming_the_event(trail):
    client, stubber = trail
    broken = raw("CreateEndpoint", t(3), {})
    broken["CloudTrailEvent"] = '{"eventSource": "sagemaker.amazonaws.com", "eventTime": '
    # the lookups after the refused one are never made
    stub(stubber, {"CreateEndpoint": [[broken]]}, names=EVENT_NAMES[:EVENT_NAMES.index("CreateEndpoint") + 1])
    with pytest.raises(InputError, match=broken["EventId"]):
        collect_cloudtrail(TARGET, client=client, pacer=FakeClock().pacer())


def test_metrics_from_the_audit_trail(trail):
    client, stubber = trail
    stub(stubber, history())
    events = collect_cloudtrail(TARGET, client=client, pacer=FakeClock().pacer())
    [group] = compute_metrics(events, Window(t(1), t(29)))
    # lead times: v1 02 08:00 -> 03 12:00 = 28 h, v2 09 08:00 -> 10 20:00 = 36 h: median 32 h
    assert group["metrics"]["leadTime"]["value"] == 32.0
    # the deployment of v2 was rolled back before the next deployment: 1 of 2 failed
    assert (group["failedDeployments"], group["deployments"]) == (1, 2)


def test_the_actor_survives_the_event_file_round_trip(trail):
    client, stubber = trail
    stub(stubber, history())
    events = collect_cloudtrail(TARGET, client=client, pacer=FakeClock().pacer())
    assert [event_from_dict(json.loads(e.to_json()), "f", 1) for e in events] == events


def test_updating_an_endpoint_to_the_configuration_it_serves_changes_nothing(trail):
    client, stubber = trail
    pages = history()
    pages["UpdateEndpoint"][0].insert(0, raw("UpdateEndpoint", t(12), {"endpointName": "triage-prod",
                                                                       "endpointConfigName": "triage-prod-cfg-1"}))
    stub(stubber, pages)
    events = collect_cloudtrail(TARGET, client=client, pacer=FakeClock().pacer())
    assert [e.kind for e in events if e.kind in ("deployment", "rollback")] == ["deployment", "deployment", "rollback"]


def test_a_next_token_that_repeats_is_refused_rather_than_paged_forever(trail):
    client, stubber = trail
    request = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "StartPipelineExecution"}], "MaxResults": 50}
    stubber.add_response("lookup_events", {"Events": [], "NextToken": "again"}, request)
    stubber.add_response("lookup_events", {"Events": [], "NextToken": "again"}, {**request, "NextToken": "again"})
    with pytest.raises(InputError, match="NextToken repeated"):
        collect_cloudtrail(TARGET, client=client, pacer=FakeClock().pacer())
