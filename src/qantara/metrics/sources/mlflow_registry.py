"""Delivery events of an on-prem platform, read from an MLflow model registry (never written).

MLflow records versions and runs but not deployments, so the platform's deploy job tags the
version it deploys (the project template's deploy step is the place to do it):
- `qantara.approved` = ISO 8601 time the version was approved for production;
- `qantara.deployed.<environment>` = ISO 8601 time it reached that environment;
- `qantara.rollback.<environment>` = ISO 8601 time a deployment to it was undone.
Each version also gives a `run` event at the start of the run that logged it (`run_id`),
else at the version's creation. Tags with a malformed time are refused with the model,
version and tag named (fail closed: a metric is never computed from a time guessed).
"""

from __future__ import annotations

import datetime as dt

from qantara.errors import InputError
from qantara.metrics.events import Event, parse_time

APPROVED = "qantara.approved"
DEPLOYED = "qantara.deployed."
ROLLBACK = "qantara.rollback."


def _millis(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)


def _tag_time(model: str, version: str, tag: str, value: str) -> dt.datetime:
    try:
        return parse_time(value)
    except ValueError as error:
        raise InputError(f"MLflow model {model!r} version {version}: tag {tag}={value[:40]!r}: {error}") from None


def _version_events(client, project: str, environment: str, mv) -> list[Event]:
    model, version = mv.name, str(mv.version)
    started = _millis(mv.creation_timestamp)
    if mv.run_id:
        started = _millis(client.get_run(mv.run_id).info.start_time)
    events = [Event(started, "run", project, environment, model, version, "mlflow", mv.run_id or None)]
    for tag, value in sorted((mv.tags or {}).items()):
        if tag == APPROVED:
            events.append(Event(_tag_time(model, version, tag, value), "approval", project, environment, model, version, "mlflow"))
        elif tag == DEPLOYED + environment:
            events.append(Event(_tag_time(model, version, tag, value), "deployment", project, environment, model, version, "mlflow"))
        elif tag == ROLLBACK + environment:
            events.append(Event(_tag_time(model, version, tag, value), "rollback", project, environment, model, version, "mlflow"))
    return events


def collect_mlflow(tracking_uri: str, model: str, project: str, environment: str) -> list[Event]:
    """Every delivery event of `model`'s versions in the registry at `tracking_uri`."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    events = []
    try:
        for mv in client.search_model_versions(f"name = '{model.replace(chr(39), '')}'"):
            events.extend(_version_events(client, project, environment, mv))
    except MlflowException as error:
        raise InputError(f"--mlflow-uri {tracking_uri}: cannot read model {model!r}: {str(error)[:200]}") from None
    return sorted(events)
