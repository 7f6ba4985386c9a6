"""Which source a `qantara metrics` run reads, what it needs, and the reading itself.

One table says what each source requires, so the CLI's options and this check cannot drift.
Without `--source`, the source is the one whose defining option is given (the event file,
an MLflow URI, a model package group), as before `--source` existed; the audit trail and the
cluster are only read when asked for by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from qantara.errors import InputError
from qantara.metrics.events import Event

# source -> (options it needs, as the CLI spells them, keyed by SourceOptions field)
REQUIRED: dict[str, dict[str, str]] = {
    "events": {"events": "--events FILE"},
    "sagemaker": {"model_package_group": "--model-package-group", "endpoint": "--endpoint", "project": "--project", "env": "--env"},
    "cloudtrail": {"model_package_group": "--model-package-group", "endpoint": "--endpoint", "project": "--project", "env": "--env"},
    "mlflow": {"mlflow_uri": "--mlflow-uri", "mlflow_model": "--mlflow-model", "project": "--project", "env": "--env"},
    "cluster": {"namespace": "--namespace", "deployment": "--deployment", "project": "--project", "env": "--env"},
    "kserve": {"namespace": "--namespace", "inference_service": "--inference-service", "project": "--project", "env": "--env"},
}
# source -> the options it also reads when given
OPTIONAL: dict[str, dict[str, str]] = {
    "events": {},
    "sagemaker": {"alarm": "--alarm", "pipeline": "--pipeline", "region": "--region"},
    "cloudtrail": {"pipeline": "--pipeline", "region": "--region"},
    "mlflow": {},
    "cluster": {"model": "--model", "kube_context": "--kube-context"},
    "kserve": {"model": "--model", "kube_context": "--kube-context"},
}
# Every source-specific option (--project and --env are read by every source: they filter a file).
FLAGS = {field: flag for table in (*REQUIRED.values(), *OPTIONAL.values()) for field, flag in table.items()
         if field not in ("project", "env")}
SOURCES = tuple(REQUIRED)
# Implied by an option when --source is not given, in this order (the event file wins, as before).
IMPLIED = (("events", "events"), ("mlflow_uri", "mlflow"), ("model_package_group", "sagemaker"))


@dataclass(frozen=True)
class SourceOptions:
    source: str | None = None
    events: Path | None = None
    model_package_group: str | None = None
    endpoint: str | None = None
    alarm: tuple[str, ...] = ()
    pipeline: str | None = None
    region: str | None = None
    mlflow_uri: str | None = None
    mlflow_model: str | None = None
    namespace: str | None = None
    deployment: str | None = None
    inference_service: str | None = None
    model: str | None = None
    kube_context: str | None = None
    project: str | None = None
    env: str | None = None


def chosen_source(options: SourceOptions) -> str:
    """The source to read, with every option it needs present; InputError saying what is missing."""
    if options.source is not None and options.source not in SOURCES:
        raise InputError(f"--source {options.source[:40]!r}: not a source (allowed: {', '.join(SOURCES)})")
    source = options.source or next((s for field, s in IMPLIED if getattr(options, field)), None)
    if source is None:
        raise InputError("say where the events come from: --events FILE, --model-package-group (SageMaker), "
                         f"--mlflow-uri, or --source ({', '.join(SOURCES)})")
    missing = [flag for field, flag in REQUIRED[source].items() if not getattr(options, field)]
    if missing:
        raise InputError(f"--source {source} needs {', '.join(missing)}")
    # An option the source does not read would be silently ignored: the reader would believe
    # the figures are filtered or sourced by it.
    unread = [flag.split()[0] for field, flag in FLAGS.items()
              if getattr(options, field) and field not in REQUIRED[source] and field not in OPTIONAL[source]]
    if unread:
        raise InputError(f"--source {source} does not read {', '.join(sorted(set(unread)))}")
    return source


def read_source(options: SourceOptions, end: dt.datetime | None = None) -> tuple[list[Event], list[str]]:
    """The events of the chosen source up to `end`, and notes on what it could not show.

    Only the end bounds a live read: lead time starts at a version's first run, which may be
    before the window, and a rollback is a return to something served before it."""
    source = chosen_source(options)
    if source == "events":
        from qantara.metrics.events import read_events

        return read_events(options.events), []
    if source == "mlflow":
        from qantara.metrics.sources.mlflow_registry import collect_mlflow

        return collect_mlflow(options.mlflow_uri, options.mlflow_model, options.project, options.env), []
    if source in ("cluster", "kserve"):
        return _cluster(source, options)
    from qantara.metrics.sources.aws import AwsTarget

    target = AwsTarget(options.project, options.env, options.model_package_group, options.endpoint,
                       tuple(options.alarm), options.pipeline)
    if source == "cloudtrail":
        from qantara.metrics.sources.cloudtrail import collect_cloudtrail

        return collect_cloudtrail(target, region=options.region, end=end), []
    from qantara.metrics.sources.aws import collect_aws

    return collect_aws(target, region=options.region), []


def _cluster(source: str, options: SourceOptions) -> tuple[list[Event], list[str]]:
    from qantara.metrics.sources.cluster import ClusterTarget, collect_cluster

    workload = options.deployment if source == "cluster" else options.inference_service
    target = ClusterTarget(options.project, options.env, options.namespace, workload, options.model or workload)
    if source == "kserve":
        from qantara.metrics.sources.knative import collect_revisions

        history = collect_revisions(target, context=options.kube_context)
    else:
        history = collect_cluster(target, context=options.kube_context)
    notes = [f"{options.namespace}/{workload}: {item}: Kubernetes no longer keeps its time; not counted"
             for item in history.untimed]
    return history.events, notes
