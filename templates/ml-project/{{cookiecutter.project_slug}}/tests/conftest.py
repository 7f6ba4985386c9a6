"""Train once on small synthetic data, with MLflow writing to a temporary file store.

The project's own qantara.yaml and model_card.yaml are copied first: tests never touch them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }} import config, synthetic
from {{ cookiecutter.project_slug }}.train import TrainingResult, train


@pytest.fixture(scope="session")
def workspace(tmp_path_factory) -> Path:
    """A scratch copy of the manifest and model card, and an MLflow store, for the session."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy(config.MANIFEST, root / "qantara.yaml")
    shutil.copy(config.MODEL_CARD, root / "model_card.yaml")
    patch = pytest.MonkeyPatch()
    patch.setenv("MLFLOW_TRACKING_URI", (root / "mlruns").as_uri())
    patch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    yield root
    patch.undo()


@pytest.fixture(scope="session")
def trained(workspace: Path) -> TrainingResult:
    return train(synthetic.make_dataset(rows=3000, seed=1), manifest_path=workspace / "qantara.yaml",
                 card_path=workspace / "model_card.yaml")
