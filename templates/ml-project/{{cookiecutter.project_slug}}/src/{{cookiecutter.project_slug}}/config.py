"""Where the project's settings live: its manifest (qantara.yaml), its model card and MLflow."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = PROJECT_ROOT / "qantara.yaml"
MODEL_CARD = PROJECT_ROOT / "model_card.yaml"
PROBLEM_TYPE = "{{ cookiecutter.problem_type }}"
# The platform stack output that holds its MLflow tracking URI (see README: "Tracking").
TRACKING_URI_OUTPUT = "{{ cookiecutter._tracking_uri_output }}"


def load_manifest(path: Path = MANIFEST) -> dict:
    """The project manifest as plain data; `qantara check --project .` validates it."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def tracking_uri(root: Path = PROJECT_ROOT) -> str:
    """MLFLOW_TRACKING_URI when set (the platform's tracking server), else ./mlruns."""
    uri = os.environ.get("MLFLOW_TRACKING_URI") or (root / "mlruns").as_uri()
    if uri.startswith("file:"):
        # MLflow 3 keeps the local file store working only on request; it is what a
        # laptop run and the tests need, and nothing leaves the machine.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    return uri
