"""A representative few generated projects run their own tests: they train on synthetic data,
log to MLflow (a file store in a temporary directory), and write their model card.

The generated project's runtime dependencies come from Qantara's `ml` extra
(scikit-learn, pandas, pandera, mlflow-skinny, skops); without them these tests skip, saying so.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

RUNTIME = ("sklearn", "pandas", "pandera", "mlflow", "skops", "prometheus_client")
MISSING = [name for name in RUNTIME if importlib.util.find_spec(name) is None]
needs_ml_extra = pytest.mark.skipif(bool(MISSING), reason=f"install qantara[ml]: {', '.join(MISSING)} missing")

REPRESENTATIVE = [
    pytest.param({"problem_type": "classification", "serving": "realtime", "ci": "github"}, id="classification-realtime"),
    pytest.param({"problem_type": "regression", "serving": "batch", "ci": "gitlab"}, id="regression-batch"),
    pytest.param({"problem_type": "forecasting", "serving": "none", "ci": "none"}, id="forecasting-none"),
]
# Training, logging and serving a small model takes seconds; this allows for a slow machine.
RUN_TIMEOUT = 600


def _clean_env() -> dict[str, str]:
    # The generated tests choose their own tracking store; an outer one must not leak in.
    return {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_") and k != "PYTHONPATH"}


@needs_ml_extra
@pytest.mark.parametrize("answers", REPRESENTATIVE)
def test_a_generated_project_passes_its_own_tests(bake, answers):
    project = bake(project_name=f"Runs {answers['problem_type']}", **answers)
    card_before = (project / "model_card.yaml").read_bytes()
    # addopts emptied: the project's own `-q` would hide the summary line read below.
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts="],
                            cwd=project, env=_clean_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT,
                            check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary, summary
    # The tests train in a scratch copy: the project's own card and MLflow store are untouched.
    assert (project / "model_card.yaml").read_bytes() == card_before
    assert not (project / "mlruns").exists()


@needs_ml_extra
def test_make_style_training_writes_the_card_and_logs_locally(bake):
    project = bake(project_name="Runs cli", problem_type="classification", serving="none", ci="none")
    env = {**_clean_env(), "PYTHONPATH": str(project / "src")}
    package = project.name

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", *args], cwd=project, env=env, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, check=False)

    made = run(f"{package}.synthetic", "--out", "data/training.csv")
    assert made.returncode == 0, made.stderr
    trained = run(f"{package}.train", "--data", "data/training.csv")
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "model card updated" in trained.stdout
    assert (project / "mlruns").is_dir(), "without MLFLOW_TRACKING_URI runs go to ./mlruns"
    assert "Metrics" in (project / "MODEL_CARD.md").read_text(encoding="utf-8")

    from qantara.project.check import check_project

    # Trained, the card is complete: only the production approval is still missing.
    findings = {f["policy"] for f in check_project(project, "prod").findings}
    assert findings == {"QA-PRJ-005"}


# What a fresh project lacks by design: a trained model's metrics (QA-PRJ-001) and the
# production approval (QA-PRJ-005). Anything else the project policies find is the template's fault.
UNTRAINED_AND_UNAPPROVED = {"QA-PRJ-001", "QA-PRJ-005"}


@pytest.mark.parametrize("answers", REPRESENTATIVE)
def test_a_fresh_project_passes_its_dev_checkpoint_with_only_training_and_approval_open(bake, answers):
    from qantara.project.check import check_project

    project = bake(project_name=f"Checked {answers['problem_type']}", **answers)
    result = check_project(project, "dev")
    assert result.verdict == "pass", result.findings
    assert {f["policy"] for f in result.findings} <= UNTRAINED_AND_UNAPPROVED, result.findings
