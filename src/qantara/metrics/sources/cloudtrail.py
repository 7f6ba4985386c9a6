"""Delivery events from the audit trail: CloudTrail `LookupEvents` of SageMaker's management calls.

SageMaker's own APIs say what is deployed; the trail also says who did it. The calls read:
- `CreateEndpoint` / `UpdateEndpoint` of the target endpoint: a `deployment` of the endpoint
  configuration it names; going back to a configuration this endpoint served before, or to an
  older model package version than the one it serves, is a `rollback` (it undoes a change);
- `CreateEndpointConfig` and `CreateModel`: only to resolve which model package version a
  configuration serves (config -> its first variant's model -> that model's package ARN). A
  configuration created before the trail's 90 days cannot be resolved; its deployment then
  carries `config:<name>` as its version (known, not guessed; lead time counts it unpaired);
- `UpdateModelPackage` setting `modelApprovalStatus` to `Approved` on a version of the target
  group: an `approval`, with the approver;
- `CreateModelPackage` of a version of the group: a `run`, at the start of the pipeline
  execution that generated it when `StartPipelineExecution` of the target pipeline is in the
  trail (linked by the execution ARN), else at the version's creation.
Calls that failed (an `errorCode` in the record) changed nothing and are ignored, as are calls
of another service with the same name (the event name is not unique across AWS) and calls on
another endpoint, group or pipeline. Each event carries the caller (`actor`) and its EventId.
The trail records calls, not outcomes: an `UpdateEndpoint` that SageMaker's deployment
guardrails later rolled back automatically is still the accepted call it was (its alarm, read by
the `sagemaker` source, is where the failure shows).

LookupEvents limits (CloudTrail API reference, botocore's cloudtrail service model): one
lookup attribute per call (so one lookup per event name), at most 50 results a page (pages
follow `NextToken`), two requests a second per account and Region (the `Pacer` below keeps
calls at least half a second apart), and only the last 90 days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Callable

from qantara.errors import InputError
from qantara.metrics.events import Event, parse_time
from qantara.metrics.sources.aws import AwsTarget

SOURCE = "sagemaker.amazonaws.com"
EVENT_NAMES = ("StartPipelineExecution", "CreateModelPackage", "UpdateModelPackage", "CreateModel",
               "CreateEndpointConfig", "CreateEndpoint", "UpdateEndpoint")
PAGE_SIZE = 50          # LookupEvents' maximum MaxResults
MIN_INTERVAL = 0.5      # seconds between calls: LookupEvents allows two a second


@dataclasses.dataclass
class Pacer:
    """Keeps successive calls `interval` seconds apart; clock and sleep are injectable for tests."""

    interval: float = MIN_INTERVAL
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            self.sleep(self.interval - (now - self._last))
            now = self.clock()
        self._last = now


@dataclasses.dataclass(frozen=True)
class TrailRecord:
    """One parsed CloudTrail record: what was called, when, by whom, with which parameters."""

    event_id: str
    name: str
    time: dt.datetime
    actor: str | None
    request: dict
    response: dict


def lookup(client, event_name: str, start: dt.datetime | None, end: dt.datetime | None, pacer: Pacer) -> list[dict]:
    """Every raw event of one name, all pages, paced."""
    kwargs = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": event_name}], "MaxResults": PAGE_SIZE}
    if start is not None:
        kwargs["StartTime"] = start
    if end is not None:
        kwargs["EndTime"] = end
    events, token, tokens = [], None, set()
    while True:
        pacer.wait()
        page = client.lookup_events(**kwargs, **({"NextToken": token} if token else {}))
        events.extend(page.get("Events", []))
        token = page.get("NextToken")
        if not token:
            return events
        if token in tokens:  # a token given twice would page forever
            raise InputError(f"CloudTrail LookupEvents {event_name}: NextToken repeated; the trail cannot be read to its end")
        tokens.add(token)


def _actor(identity: dict, fallback: str | None) -> str | None:
    # The ARN names the caller (for an assumed role, the session: usually the person or the
    # pipeline); a service acting on its own has none and says which service it was.
    return identity.get("arn") or fallback or identity.get("invokedBy")


def parse_record(raw: dict) -> TrailRecord | None:
    """The record inside `CloudTrailEvent`, or None for a failed call or another service's call."""
    event_id = raw.get("EventId", "?")
    try:
        record = json.loads(raw.get("CloudTrailEvent") or "")
    except ValueError as error:
        raise InputError(f"CloudTrail event {event_id}: CloudTrailEvent is not JSON ({error})") from None
    if not isinstance(record, dict):
        raise InputError(f"CloudTrail event {event_id}: CloudTrailEvent is not a JSON object")
    if record.get("eventSource") != SOURCE or record.get("errorCode"):
        return None
    try:
        when = parse_time(record["eventTime"])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"CloudTrail event {event_id}: eventTime missing or malformed "
                         f"({str(record.get('eventTime'))[:40]!r})") from None
    return TrailRecord(event_id, record.get("eventName") or raw.get("EventName", ""), when,
                       _actor(record.get("userIdentity") or {}, raw.get("Username")),
                       record.get("requestParameters") or {}, record.get("responseElements") or {})


def _package_version(arn: str | None, group: str) -> str | None:
    """The version of a model package ARN of `group` (`.../model-package/<group>/<version>`)."""
    if not arn or "/" not in arn:
        return None
    head, version = arn.rsplit("/", 1)
    return version if head.endswith("/" + group) else None


def _records(client, target: AwsTarget, start, end, pacer: Pacer) -> dict[str, list[TrailRecord]]:
    found: dict[str, list[TrailRecord]] = {}
    for name in EVENT_NAMES:
        parsed = (parse_record(raw) for raw in lookup(client, name, start, end, pacer))
        found[name] = sorted((r for r in parsed if r is not None and r.name == name), key=lambda r: r.time)
    return found


def _config_versions(records: dict[str, list[TrailRecord]], group: str) -> dict[str, str]:
    """Endpoint configuration name -> the model package version its first variant serves."""
    model_package = {}
    for r in records["CreateModel"]:
        container = r.request.get("primaryContainer") or (r.request.get("containers") or [{}])[0]
        model_package[r.request.get("modelName")] = _package_version(container.get("modelPackageName"), group)
    versions = {}
    for r in records["CreateEndpointConfig"]:
        variants = r.request.get("productionVariants") or [{}]
        version = model_package.get(variants[0].get("modelName"))
        if version:
            versions[r.request.get("endpointConfigName")] = version
    return versions


def _older(version: str, current: str | None) -> bool:
    return current is not None and version.isdigit() and current.isdigit() and int(version) < int(current)


def deployment_events(records: dict[str, list[TrailRecord]], target: AwsTarget) -> list[Event]:
    versions = _config_versions(records, target.model_package_group)
    changes = sorted(records["CreateEndpoint"] + records["UpdateEndpoint"], key=lambda r: r.time)
    events, served, served_last, current = [], set(), None, None
    for r in changes:
        if r.request.get("endpointName") != target.endpoint:
            continue
        config = r.request.get("endpointConfigName") or ""
        if events and config == served_last:
            continue  # the configuration it already serves: nothing changed
        version = versions.get(config, f"config:{config}")
        rollback = config in served or _older(version, current)
        events.append(Event(r.time, "rollback" if rollback else "deployment", target.project, target.environment,
                            target.model_package_group, version, "cloudtrail", r.event_id, r.actor))
        served.add(config)
        served_last, current = config, version
    return events


def package_events(records: dict[str, list[TrailRecord]], target: AwsTarget) -> list[Event]:
    group = target.model_package_group
    starts = {r.response.get("pipelineExecutionArn"): r.time for r in records["StartPipelineExecution"]
              if target.pipeline and r.request.get("pipelineName") == target.pipeline}
    events = []
    for r in records["CreateModelPackage"]:
        version = _package_version(r.response.get("modelPackageArn"), group)
        if version is None:
            continue
        generated_by = (r.request.get("metadataProperties") or {}).get("generatedBy")
        events.append(Event(starts.get(generated_by, r.time), "run", target.project, target.environment, group, version,
                            "cloudtrail", r.event_id, r.actor))
    for r in records["UpdateModelPackage"]:
        version = _package_version(r.request.get("modelPackageArn"), group)
        if version is not None and r.request.get("modelApprovalStatus") == "Approved":
            events.append(Event(r.time, "approval", target.project, target.environment, group, version,
                                "cloudtrail", r.event_id, r.actor))
    return events


def collect_cloudtrail(target: AwsTarget, *, client=None, region: str | None = None,
                       start: dt.datetime | None = None, end: dt.datetime | None = None,
                       pacer: Pacer | None = None) -> list[Event]:
    """Every delivery event of one project/environment found in the audit trail, sorted by time."""
    if client is None:
        import boto3

        client = boto3.client("cloudtrail", region_name=region)
    records = _records(client, target, start, end, pacer or Pacer())
    events = deployment_events(records, target) + package_events(records, target)
    return sorted(dataclasses.replace(e, time=e.time.astimezone(dt.UTC)) for e in events)
