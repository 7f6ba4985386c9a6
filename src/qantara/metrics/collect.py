"""Where `qantara metrics` reads its events from, and over which window.

One source is chosen: an offline event file, SageMaker (and CloudWatch) for a cloud
platform, or MLflow for an on-prem one; each live source needs to know which project and
environment its events belong to, since the services themselves do not say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from qantara.errors import InputError
from qantara.input_file import short_repr
from qantara.metrics.compute import Window
from qantara.metrics.events import Event, parse_time


@dataclass(frozen=True)
class EventSource:
    """The options that name an event source; exactly one of events, sagemaker_group, mlflow_uri."""

    events: Path | None = None
    sagemaker_group: str | None = None
    endpoint: str | None = None
    alarms: tuple[str, ...] = field(default_factory=tuple)
    pipeline: str | None = None
    region: str | None = None
    mlflow_uri: str | None = None
    mlflow_model: str | None = None
    project: str | None = None
    environment: str | None = None


def window(days: int, end: str | None, now: dt.datetime | None = None) -> Window:
    """The `days` ending at `end` (ISO 8601 with a zone), or at `now`."""
    if days < 1:
        raise InputError(f"--days {days}: expected a whole number of days, 1 or more")
    try:
        stop = parse_time(end) if end else (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    except ValueError as error:
        raise InputError(f"--end {short_repr(end)}: {error} (expected ISO 8601 with a zone, e.g. 2026-12-06T00:00:00Z)") from None
    return Window(stop - dt.timedelta(days=days), stop)


def collect_events(source: EventSource) -> list[Event]:
    """The events of the one source `source` names; bad input when it names none or lacks a part."""
    if source.events is not None:
        from qantara.metrics.events import read_events

        return read_events(source.events)
    if source.mlflow_uri:
        from qantara.metrics.sources.mlflow_registry import collect_mlflow

        if not (source.mlflow_model and source.project and source.environment):
            raise InputError("--mlflow-uri needs --mlflow-model, --project and --env")
        return collect_mlflow(source.mlflow_uri, source.mlflow_model, source.project, source.environment)
    if source.sagemaker_group:
        from qantara.metrics.sources.aws import AwsTarget, collect_aws

        if not (source.endpoint and source.project and source.environment):
            raise InputError("--model-package-group needs --endpoint, --project and --env")
        target = AwsTarget(source.project, source.environment, source.sagemaker_group, source.endpoint,
                           source.alarms, source.pipeline)
        return collect_aws(target, region=source.region)
    raise InputError("say where the events come from: --events FILE, --model-package-group (SageMaker) or --mlflow-uri")
