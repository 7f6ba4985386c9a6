"""Delivery events of a SageMaker platform, read through boto3 (never written).

- model package versions (`list_model_packages`, `describe_model_package`): a `run` event when
  the pipeline execution that generated the version (`MetadataProperties.GeneratedBy`) started,
  else when the version was created; an `approval` event for an Approved version, at its
  `LastModifiedTime` (SageMaker records no separate approval time: the last change of an
  approved package is the closest the API gives);
- endpoint configuration changes (`list_endpoint_configs` of the endpoint's configs,
  `describe_endpoint_config`, `describe_model`): a `deployment` of the model package version the
  config serves, at the config's creation; a config going back to an older version than the
  one before it is a `rollback` instead (it undoes a change; it is not a new deployment);
- CloudWatch alarm history (`describe_alarm_history`, state updates): `alarm` on entering
  ALARM, `recovery` on returning to OK.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from qantara.metrics.events import Event


@dataclass(frozen=True)
class AwsTarget:
    project: str
    environment: str
    model_package_group: str
    endpoint: str
    alarms: tuple[str, ...] = ()
    pipeline: str | None = None
    extra: dict = field(default_factory=dict)


def _version_of(package_arn: str) -> str:
    return package_arn.rsplit("/", 1)[-1]


def _pages(client, operation: str, key: str, **kwargs) -> list[dict]:
    items = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def _pipeline_starts(sagemaker, pipeline: str | None) -> dict:
    if not pipeline:
        return {}
    rows = _pages(sagemaker, "list_pipeline_executions", "PipelineExecutionSummaries", PipelineName=pipeline)
    return {row["PipelineExecutionArn"]: row["StartTime"] for row in rows if "StartTime" in row}


def package_events(sagemaker, target: AwsTarget) -> list[Event]:
    starts = _pipeline_starts(sagemaker, target.pipeline)
    events = []
    for summary in _pages(sagemaker, "list_model_packages", "ModelPackageSummaryList",
                          ModelPackageGroupName=target.model_package_group):
        arn = summary["ModelPackageArn"]
        detail = sagemaker.describe_model_package(ModelPackageName=arn)
        version, model = _version_of(arn), target.model_package_group
        generated_by = (detail.get("MetadataProperties") or {}).get("GeneratedBy")
        started = starts.get(generated_by, detail["CreationTime"])
        events.append(Event(started, "run", target.project, target.environment, model, version, "sagemaker", generated_by or arn))
        if detail.get("ModelApprovalStatus") == "Approved":
            approved = detail.get("LastModifiedTime", detail["CreationTime"])
            events.append(Event(approved, "approval", target.project, target.environment, model, version, "sagemaker", arn))
    return events


def deployment_events(sagemaker, target: AwsTarget) -> list[Event]:
    configs = _pages(sagemaker, "list_endpoint_configs", "EndpointConfigs", NameContains=target.endpoint,
                     SortBy="CreationTime", SortOrder="Ascending")
    events, previous = [], None
    for config in configs:
        detail = sagemaker.describe_endpoint_config(EndpointConfigName=config["EndpointConfigName"])
        variant = detail["ProductionVariants"][0]
        model = sagemaker.describe_model(ModelName=variant["ModelName"])
        package = (model.get("PrimaryContainer") or {}).get("ModelPackageName")
        if not package:
            continue  # a config serving no registered version: no version to measure
        version = _version_of(package)
        when = config["CreationTime"]
        rolled_back = previous is not None and version.isdigit() and previous.isdigit() and int(version) < int(previous)
        # A config going back to an older version undoes the deployment before it: a rollback
        # (an incident start and a failed change), not a new deployment to measure.
        events.append(Event(when, "rollback" if rolled_back else "deployment", target.project, target.environment,
                            target.model_package_group, version, "sagemaker", config["EndpointConfigArn"]))
        previous = version
    return events


def alarm_events(cloudwatch, target: AwsTarget) -> list[Event]:
    events = []
    for name in target.alarms:
        for item in _pages(cloudwatch, "describe_alarm_history", "AlarmHistoryItems",
                           AlarmName=name, HistoryItemType="StateUpdate", ScanBy="TimestampAscending"):
            try:
                state = json.loads(item.get("HistoryData") or "{}").get("newState", {}).get("stateValue")
            except ValueError:
                state = None
            kind = {"ALARM": "alarm", "OK": "recovery"}.get(state)
            if kind:
                events.append(Event(item["Timestamp"], kind, target.project, target.environment, source="cloudwatch", ref=name))
    return events


def collect_aws(target: AwsTarget, *, sagemaker=None, cloudwatch=None, region: str | None = None) -> list[Event]:
    """Every delivery event of one project/environment on SageMaker, sorted by time."""
    import boto3

    sagemaker = sagemaker or boto3.client("sagemaker", region_name=region)
    cloudwatch = cloudwatch or boto3.client("cloudwatch", region_name=region)
    events = package_events(sagemaker, target) + deployment_events(sagemaker, target) + alarm_events(cloudwatch, target)
    return sorted(_utc(e) for e in events)


def _utc(event: Event) -> Event:
    import dataclasses
    import datetime as dt

    return dataclasses.replace(event, time=event.time.astimezone(dt.UTC))
