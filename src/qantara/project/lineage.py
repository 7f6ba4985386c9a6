"""`qantara lineage`: from a registered model version back to the data it was trained on.

A project's pipeline (`python -m <package>.pipeline`, `make pipeline`) writes one record per
run, `runs/<run id>/lineage.json`: who started it and why, the code commit, the content hash of
every file read, parameters, metrics, the hash of every step's outputs and the registered
model version. This module finds the run that produced a model version and lays the chain out,
model first. The records are the project's files, so they are read as untrusted data: a record
that is not what the pipeline writes is refused with its path, never half-printed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from qantara.errors import ProjectError
from qantara.input_file import short_repr

RUNS_DIR = "runs"
RECORD = "lineage.json"
# Records are small JSON; a larger file is not read into memory.
MAX_RECORD_BYTES = 4 * 1024 * 1024
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


def chain(project_dir: str | os.PathLike[str], model_version: str | None = None) -> dict:
    """The record of the run that registered `model_version` (default: the latest registered model)."""
    registered = [r for r in load_records(project_dir) if isinstance(r.get("model"), dict)
                  and isinstance(r["model"].get("modelVersion"), str)]
    if model_version is not None:
        registered = [r for r in registered if r["model"]["modelVersion"] == model_version]
    if not registered:
        what = f"model version {short_repr(model_version)}" if model_version else "any model"
        known = ", ".join(r["model"]["modelVersion"] for r in load_records(project_dir) if isinstance(r.get("model"), dict))
        raise ProjectError(f"{Path(project_dir) / RUNS_DIR}: no run registered {what} (registered: {known or 'none'})")
    return registered[-1]


def format_chain(record: dict) -> str:
    """The chain as text, from the model back to the data."""
    model, code = record["model"], record["code"]
    lines = [
        f"model version {model.get('modelVersion')}  status {model.get('status')}  sha256 {model.get('modelSha256')}",
        f"  registered by run {record['run']} (MLflow run {model.get('mlflowRunId')})",
        f"  started {record['startedAt']} by {record['startedBy']}, reason: {record['reason']}"
        + (f" ({record['why']})" if record["why"] else ""),
        f"  code: commit {code.get('commit')}" + (" with uncommitted changes" if code.get("dirty") else ""),
        "  metrics: " + ", ".join(f"{name}={value:.4g}" if isinstance(value, (int, float)) else f"{name}={value}"
                                  for name, value in sorted(record["metrics"].items())),
        "  steps: " + " -> ".join(str(step.get("name")) for step in record["steps"] if isinstance(step, dict)),
        "  data read:",
    ]
    lines += [f"    {item['sha256']}  {item['path']}" + (f"  ({item['what']})" if item.get("what") else "")
              for item in record["dataRead"]]
    return "\n".join(_printable(line) for line in lines)


def _printable(text: str) -> str:
    """A record's text with control characters escaped: a record cannot drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
