"""`qantara lineage`: from a registered model version back to the data it was trained on.

A project's pipeline (`python -m <package>.pipeline`, `make pipeline`) writes one record per
run, `runs/<run id>/lineage.json`: who started it and why, the code commit, the content hash of
every file read, parameters, metrics, the hash of every step's outputs and the registered
model version. This module finds the run that produced a model version and lays the chain out,
model first. The records are the project's files, so they are read as untrusted data: a record
that is not what the pipeline writes is refused with its path, never half-printed.

With a tracking URI (MLFLOW_TRACKING_URI, as on the platform or in CI, where `runs/` is not
committed), the record is rebuilt from the MLflow run the pipeline tagged (`qantara.*` tags:
`mlflow_tags` in the project's pipeline.py); MLflow is imported only then, so the project's
governance check does not need it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from qantara.errors import ProjectError
from qantara.input_file import short_repr

RUNS_DIR = "runs"
RECORD = "lineage.json"
# Records are small JSON; a larger file is not read into memory.
MAX_RECORD_BYTES = 4 * 1024 * 1024
# A model version as the pipeline writes it (12 hex digits of the model's hash), or as a person
# may type it; it is placed in an MLflow filter, so nothing that could end the quoted value.
MODEL_VERSION = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REGISTERED_TAG = "qantara.approvalStatus"
REQUIRED = {"run": str, "startedAt": str, "startedBy": str, "reason": str, "why": str, "code": dict,
            "dataRead": list, "metrics": dict, "steps": list}


def load_records(project_dir: str | os.PathLike[str]) -> list[dict]:
    """Every run's lineage record in the project, oldest first."""
    runs = Path(project_dir) / RUNS_DIR
    if not runs.is_dir():
        raise ProjectError(f"{runs}: no pipeline runs (run `make pipeline` in the project first)")
    records = [_read(path) for path in sorted(runs.glob(f"*/{RECORD}")) if not path.is_symlink()]
    return sorted(records, key=lambda record: record["startedAt"])


def _read(path: Path) -> dict:
    if path.stat().st_size > MAX_RECORD_BYTES:
        raise ProjectError(f"{path}: larger than {MAX_RECORD_BYTES} bytes; not a lineage record the pipeline wrote")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProjectError(f"{path}: not valid JSON ({error}); a lineage record is the JSON the pipeline writes") from None
    if not isinstance(record, dict):
        raise ProjectError(f"{path}: a lineage record is a JSON object, got {type(record).__name__}")
    for field, kind in REQUIRED.items():
        if not isinstance(record.get(field), kind):
            raise ProjectError(f"{path}: field {field!r} is missing or not a {kind.__name__} "
                               f"(allowed: the record `make pipeline` writes)")
    for index, item in enumerate(record["dataRead"]):
        if not (isinstance(item, dict) and isinstance(item.get("sha256"), str) and isinstance(item.get("path"), str)):
            raise ProjectError(f"{path}: dataRead[{index}] has no path and sha256 (allowed: the record `make pipeline` writes)")
    return record


def chain(project_dir: str | os.PathLike[str], model_version: str | None = None, *,
          tracking_uri: str | None = None, client=None) -> dict:
    """The record of the run that registered `model_version` (default: the latest registered
    model): from MLflow when `tracking_uri` (or a `client`) is given, else the local records."""
    if tracking_uri or client is not None:
        return chain_from_mlflow(project_dir, model_version, tracking_uri=tracking_uri, client=client)
    registered = [r for r in load_records(project_dir) if isinstance(r.get("model"), dict)
                  and isinstance(r["model"].get("modelVersion"), str)]
    if model_version is not None:
        registered = [r for r in registered if r["model"]["modelVersion"] == model_version]
    if not registered:
        what = f"model version {short_repr(model_version)}" if model_version else "any model"
        known = ", ".join(r["model"]["modelVersion"] for r in load_records(project_dir) if isinstance(r.get("model"), dict))
        raise ProjectError(f"{Path(project_dir) / RUNS_DIR}: no run registered {what} (registered: {known or 'none'})")
    return registered[-1]


def registered_runs(project_dir: str | os.PathLike[str], *, tracking_uri: str | None = None,
                    client=None) -> list[dict]:
    """Who started each run that registered a model, oldest first: from MLflow when a tracking
    URI is given, else the local records ([] when the project has none)."""
    if tracking_uri or client is not None:
        records = [_record_from_run(run) for run in _mlflow_runs(project_dir, None, tracking_uri, client)]
        records.reverse()
    elif (Path(project_dir) / RUNS_DIR).is_dir():
        records = [r for r in load_records(project_dir) if isinstance(r.get("model"), dict)
                   and isinstance(r["model"].get("modelVersion"), str)]
    else:
        return []
    return [{"run": r["run"], "startedBy": r["startedBy"], "modelVersion": r["model"]["modelVersion"]}
            for r in records]


def chain_from_mlflow(project_dir: str | os.PathLike[str], model_version: str | None = None, *,
                      tracking_uri: str | None = None, client=None) -> dict:
    """The lineage record of the MLflow run that registered `model_version` (default: the latest)."""
    runs = _mlflow_runs(project_dir, model_version, tracking_uri, client)
    if not runs:
        what = f"model version {short_repr(model_version)}" if model_version else "any model"
        raise ProjectError(f"MLflow at {tracking_uri or 'the given client'}: no run of this project registered {what}")
    return _record_from_run(runs[0])


def _search_mlflow(project_dir, model_version: str | None, tracking_uri: str | None, client) -> list:
    """The project's registering MLflow runs, newest first (for one model version if given)."""
    from qantara.project.manifest import load_manifest

    if model_version is not None and not MODEL_VERSION.match(model_version):
        raise ProjectError(f"--model-version {short_repr(model_version)}: not a model version "
                           f"(allowed: letters, digits, '.', '_' and '-', as `make lineage` prints)")
    client = client or _mlflow_client(tracking_uri)
    name = load_manifest(project_dir)[0].metadata.name
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        raise ProjectError(f"MLflow at {tracking_uri or 'the given client'}: no experiment {name!r} "
                           f"(the pipeline logs to the experiment named after metadata.name)")
    query = f"tags.`{REGISTERED_TAG}` = 'PendingManualApproval'"
    if model_version is not None:
        query += f" and tags.`qantara.modelVersion` = '{model_version}'"
    return list(client.search_runs([experiment.experiment_id], filter_string=query,
                                   order_by=["attributes.start_time DESC"], max_results=1000))


def _mlflow_runs(project_dir, model_version: str | None, tracking_uri: str | None, client) -> list:
    """The project's registering MLflow runs, newest first; MLflow's own failures as ours."""
    try:
        return _search_mlflow(project_dir, model_version, tracking_uri, client)
    except ProjectError:
        raise
    except Exception as error:  # the server's or the store's: unreachable, refused, malformed
        raise ProjectError(f"MLflow at {tracking_uri or 'the given client'}: cannot read the project's runs "
                           f"({type(error).__name__}: {short_repr(str(error))}); unset MLFLOW_TRACKING_URI "
                           f"to read the local records") from None


def _mlflow_client(tracking_uri: str | None):
    try:
        from mlflow import MlflowClient
    except ImportError:
        raise ProjectError("reading lineage from MLflow (a tracking URI is set) needs the mlflow-skinny package: "
                           "pip install mlflow-skinny, or unset MLFLOW_TRACKING_URI to read the local records") \
            from None
    return MlflowClient(tracking_uri=tracking_uri)


def _record_from_run(run) -> dict:
    """A lineage record, in the shape the pipeline writes, from the tags it put on its MLflow run."""
    tags, data = run.data.tags, run.data
    missing = [t for t in ("qantara.run", "qantara.startedBy", "qantara.reason", "qantara.modelVersion")
               if not isinstance(tags.get(t), str)]
    if missing:
        raise ProjectError(f"MLflow run {run.info.run_id}: tags {', '.join(missing)} are missing; it is not a run "
                           f"the project's pipeline registered")
    count = int(tags["qantara.data.count"]) if str(tags.get("qantara.data.count", "")).isdigit() else 0
    data_read = [{key: tags[f"qantara.data.{i}.{key}"] for key in ("path", "sha256", "what", "uri", "versionId")
                  if f"qantara.data.{i}.{key}" in tags} for i in range(count)]
    return {
        "run": tags["qantara.run"], "startedAt": tags.get("qantara.startedAt", ""),
        "startedBy": tags["qantara.startedBy"], "reason": tags["qantara.reason"], "why": tags.get("qantara.why", ""),
        "code": {"commit": tags.get("qantara.codeCommit"), "dirty": tags.get("qantara.codeDirty") == "true"},
        "runtime": {"engine": tags.get("qantara.engine"), "executionId": tags.get("qantara.executionId") or None,
                    "imageDigest": tags.get("qantara.imageDigest") or None},
        "dataRead": [item for item in data_read if "sha256" in item and "path" in item],
        "parameters": dict(data.params), "metrics": dict(data.metrics), "steps": [],
        "model": {"modelVersion": tags["qantara.modelVersion"], "status": tags.get(REGISTERED_TAG),
                  "mlflowRunId": run.info.run_id, "run": tags["qantara.run"]},
    }


def format_chain(record: dict) -> str:
    """The chain as text, from the model back to the data."""
    model, code = record["model"], record["code"]
    lines = [
        f"model version {model.get('modelVersion')}  status {model.get('status')}  sha256 {model.get('modelSha256')}",
        f"  registered by run {record['run']} (MLflow run {model.get('mlflowRunId')})",
        f"  started {record['startedAt']} by {record['startedBy']}, reason: {record['reason']}"
        + (f" ({record['why']})" if record["why"] else ""),
        f"  code: commit {code.get('commit')}" + (" with uncommitted changes" if code.get("dirty") else ""),
        _runtime_line(record.get("runtime")),
        "  metrics: " + ", ".join(f"{name}={value:.4g}" if isinstance(value, (int, float)) else f"{name}={value}"
                                  for name, value in sorted(record["metrics"].items())),
        "  steps: " + " -> ".join(str(step.get("name")) for step in record["steps"] if isinstance(step, dict)),
        "  data read:",
    ]
    for item in record["dataRead"]:
        lines.append(f"    {item['sha256']}  {item['path']}" + (f"  ({item['what']})" if item.get("what") else ""))
        if item.get("uri") or item.get("versionId"):
            lines.append(f"      from {item.get('uri', '?')}" + (f" version {item['versionId']}" if item.get("versionId")
                                                                   else ""))
    return "\n".join(_printable(line) for line in lines)


def _runtime_line(runtime: object) -> str:
    """Where the run ran; a record from before the runtime was recorded says so."""
    if not isinstance(runtime, dict):
        return "  ran: not recorded (a record from before image and execution were kept)"
    return (f"  ran: {runtime.get('engine')} execution {runtime.get('executionId') or 'unknown'}, "
            f"image {runtime.get('imageDigest') or 'none (not in a container)'}")


def _printable(text: str) -> str:
    """A record's text with control characters escaped: a record cannot drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
