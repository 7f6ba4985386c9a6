"""One ML project's part of the evidence pack: manifest, lineage as recorded, model card, metrics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qantara.errors import QantaraError
from qantara.metrics.events import format_time

CHANGES = ("approval", "deployment", "rollback")


def _card(project_dir: Path, card_path: str) -> tuple[dict | None, str | None]:
    from qantara.blueprint.yaml_source import load_yaml_with_positions

    path = project_dir / card_path
    try:
        data = load_yaml_with_positions(path).data
    except (QantaraError, OSError) as error:
        return None, f"{path}: {getattr(error, 'message', str(error))}"
    return (data if isinstance(data, dict) else {"value": data}), None


def _metrics(name: str, environment: str, history, time: dt.datetime, window_days: int) -> list[dict]:
    if history is None:
        return []
    from qantara.metrics.bands import band_certain
    from qantara.metrics.charts import LABELS, metric_svg
    from qantara.metrics.compute import Window, compute_metrics

    window = Window(time - dt.timedelta(days=window_days), time)
    groups = compute_metrics(history, window, project=name, environment=environment)
    for group in groups:
        group["charts"] = {metric: metric_svg(metric, group["series"], f"{name} / {environment}") for metric in LABELS}
        for metric, entry in group["metrics"].items():
            entry["bandCertain"] = band_certain(metric, entry["band"])
        group["changes"] = _changes(history, name, group["environment"], window)
    return groups


def _changes(history, project: str, environment: str, window) -> list[dict]:
    """The window's approvals, deployments and rollbacks with who made them, where the source says."""
    return [{"time": format_time(e.time), "kind": e.kind, "model": e.model, "version": e.version,
             "actor": e.actor, "source": e.source, "ref": e.ref}
            for e in sorted(history) if e.project == project and e.environment == environment
            and e.kind in CHANGES and e.time in window]


def project_evidence(project_dir: Path, environment: str, history, time: dt.datetime, window_days: int) -> dict:
    from qantara.project.manifest import load_manifest

    manifest, _source, path = load_manifest(project_dir)
    spec = manifest.spec
    card, card_error = _card(Path(project_dir), spec.model_card)
    lineage = {
        "datasets": [d.model_dump(mode="json", by_alias=True) for d in spec.datasets],
        "approvals": [a.model_dump(mode="json", by_alias=True) for a in spec.approvals],
        # Lineage recorded by a training run (data versions, run id) is not in the manifest yet:
        # the pack shows what the project records and says what is missing.
        "recorded": bool(spec.datasets or spec.approvals),
    }
    return {
        "name": manifest.metadata.name, "owner": manifest.metadata.owner, "team": manifest.metadata.team,
        "description": manifest.metadata.description, "manifest": str(path),
        "dataClassification": spec.data_classification, "serving": spec.serving, "framework": spec.framework,
        "lineage": lineage, "modelCard": card, "modelCardError": card_error, "modelCardPath": spec.model_card,
        "metrics": _metrics(manifest.metadata.name, environment, history, time, window_days),
    }
