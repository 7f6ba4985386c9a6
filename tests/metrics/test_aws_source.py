"""The SageMaker and CloudWatch source, against recorded response shapes (botocore's Stubber).

Stubber validates every stubbed response and every request against the real botocore
service models installed, so a field name or a parameter the API does not have fails here.
"""

import datetime as dt
import json

import boto3
import pytest
from botocore.stub import Stubber

from qantara.metrics.compute import Window, compute_metrics
from qantara.metrics.sources.aws import AwsTarget, collect_aws

UTC = dt.UTC
REGION = "me-central-1"
ACCOUNT = "111122223333"
GROUP = "triage-model"
PIPELINE = "triage-training"


def t(day, hour=0):
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


def package_arn(version):
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{GROUP}/{version}"


def execution_arn(name):
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{PIPELINE}/execution/{name}"


def _packages(stub):
    stub.add_response("list_pipeline_executions", {"PipelineExecutionSummaries": [
        {"PipelineExecutionArn": execution_arn("a1"), "StartTime": t(2, 8), "PipelineExecutionStatus": "Succeeded"},
        {"PipelineExecutionArn": execution_arn("b2"), "StartTime": t(9, 8), "PipelineExecutionStatus": "Succeeded"},
    ]}, {"PipelineName": PIPELINE})
    stub.add_response("list_model_packages", {"ModelPackageSummaryList": [
        {"ModelPackageArn": package_arn(v), "ModelPackageGroupName": GROUP, "ModelPackageVersion": v,
         "CreationTime": t(day), "ModelPackageStatus": "Completed", "ModelApprovalStatus": status}
        for v, day, status in ((1, 3, "Approved"), (2, 10, "Approved"), (3, 20, "PendingManualApproval"))
    ]}, {"ModelPackageGroupName": GROUP})
    for version, created, approved, generated_by in ((1, t(3), t(3, 8), execution_arn("a1")),
                                                      (2, t(10), t(10, 8), execution_arn("b2")),
                                                      (3, t(20), None, None)):
        response = {"ModelPackageName": GROUP, "ModelPackageArn": package_arn(version), "ModelPackageVersion": version,
                    "CreationTime": created, "ModelPackageStatus": "Completed",
                    "ModelPackageStatusDetails": {"ValidationStatuses": []},
                    "ModelApprovalStatus": "Approved" if approved else "PendingManualApproval"}
        if approved:
            response["LastModifiedTime"] = approved
        if generated_by:
            response["MetadataProperties"] = {"GeneratedBy": generated_by}
        stub.add_response("describe_model_package", response, {"ModelPackageName": package_arn(version)})


def _endpoint(stub):
    configs = [("triage-prod-cfg-1", t(3, 12), 1), ("triage-prod-cfg-2", t(10, 20), 2), ("triage-prod-cfg-3", t(11, 2), 1)]
    stub.add_response("list_endpoint_configs", {"EndpointConfigs": [
        {"EndpointConfigName": name, "EndpointConfigArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/{name}",
         "CreationTime": when} for name, when, _ in configs
    ]}, {"NameContains": "triage-prod", "SortBy": "CreationTime", "SortOrder": "Ascending"})
    for name, when, version in configs:
        stub.add_response("describe_endpoint_config", {
            "EndpointConfigName": name, "EndpointConfigArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/{name}",
            "ProductionVariants": [{"VariantName": "champion", "ModelName": f"triage-model-v{version}"}], "CreationTime": when,
        }, {"EndpointConfigName": name})
        stub.add_response("describe_model", {
            "ModelName": f"triage-model-v{version}", "CreationTime": when,
            "ModelArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/triage-model-v{version}",
            "PrimaryContainer": {"ModelPackageName": package_arn(version)},
        }, {"ModelName": f"triage-model-v{version}"})


def _alarms(stub):
    history = [(t(11, 0), "OK", "ALARM"), (t(11, 4), "ALARM", "OK")]
    stub.add_response("describe_alarm_history", {"AlarmHistoryItems": [
        {"AlarmName": "triage-latency", "AlarmType": "MetricAlarm", "Timestamp": when, "HistoryItemType": "StateUpdate",
         "HistorySummary": f"Alarm updated from {old} to {new}",
         "HistoryData": json.dumps({"version": "1.0", "oldState": {"stateValue": old}, "newState": {"stateValue": new}},
                                   separators=(",", ":"))}
        for when, old, new in history
    ]}, {"AlarmName": "triage-latency", "HistoryItemType": "StateUpdate", "ScanBy": "TimestampAscending"})


@pytest.fixture
def clients():
    sagemaker = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    cloudwatch = boto3.client("cloudwatch", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(sagemaker) as sm, Stubber(cloudwatch) as cw:
        _packages(sm)
        _endpoint(sm)
        _alarms(cw)
        yield sagemaker, cloudwatch
        sm.assert_no_pending_responses()
        cw.assert_no_pending_responses()


TARGET = AwsTarget("triage", "prod", GROUP, "triage-prod", ("triage-latency",), PIPELINE)


def test_recorded_sagemaker_history_becomes_the_expected_events(clients):
    events = collect_aws(TARGET, sagemaker=clients[0], cloudwatch=clients[1])
    summary = [(e.time.strftime("%d %H"), e.kind, e.version) for e in events]
    assert summary == [
        ("02 08", "run", "1"), ("03 08", "approval", "1"), ("03 12", "deployment", "1"),
        ("09 08", "run", "2"), ("10 08", "approval", "2"), ("10 20", "deployment", "2"),
        ("11 00", "alarm", None), ("11 02", "rollback", "1"),
        ("11 04", "recovery", None), ("20 00", "run", "3"),
    ]


def test_metrics_from_the_live_source(clients):
    events = collect_aws(TARGET, sagemaker=clients[0], cloudwatch=clients[1])
    [group] = compute_metrics(events, Window(t(1), t(29)))
    # lead times: v1 28 h (pipeline start 02 08:00 -> 03 12:00), v2 36 h (09 08:00 -> 10 20:00): median 32 h
    assert group["metrics"]["leadTime"]["value"] == 32.0
    # the alarm opens the incident at 11 00:00 (the rollback at 02:00 belongs to it), recovery at 04:00
    assert group["metrics"]["mttr"]["value"] == 4.0
    # v2 was followed by the alarm and rolled back; v1 was not
    assert group["failedDeployments"] == 1 and group["deployments"] == 2
    # v1 is back in production; v2 (approved later) is newer
    assert group["freshness"][0]["version"] == "1" and group["freshness"][0]["versionsBehind"] == 1
