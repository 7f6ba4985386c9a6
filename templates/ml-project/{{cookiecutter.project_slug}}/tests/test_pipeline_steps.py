"""The pipeline one step per process, as Argo runs it on the site: the same seven steps, the
same lineage, the model registered pending approval, and a tampered model file refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import skops.io

from {{ cookiecutter.project_slug }} import pipeline_steps, synthetic

SEVEN_STEPS = ["ingest", "validate", "features", "train", "evaluate", "register", "monitor"]


@pytest.fixture(scope="module")
def stepped(workspace: Path, tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data") / "training.csv"
    synthetic.make_dataset(seed=0).to_csv(data, index=False)
    run_dir = tmp_path_factory.mktemp("argo") / "run"
    for step in SEVEN_STEPS:
        # A fresh call per step: nothing but the run directory passes from one to the next.
        pipeline_steps.run_step(step, run_dir, project_dir=workspace, source=data if step == "ingest" else None,
                                reason="drift", why="drift alert on model x")
    return run_dir


def test_each_step_in_its_own_process_adds_to_one_lineage_record(stepped):
    lineage = json.loads((stepped / "lineage.json").read_text())
    assert [s["name"] for s in lineage["steps"]] == SEVEN_STEPS
    assert lineage["status"] == "succeeded"
    assert (lineage["reason"], lineage["why"]) == ("drift", "drift alert on model x")
    assert {d["what"] for d in lineage["dataRead"]} == {"training data", "ingested data"}


def test_a_model_retrained_on_site_only_registers_pending_approval(stepped):
    registration = json.loads((stepped / "register" / "registration.json").read_text())
    assert registration["status"] == "PendingManualApproval"


def test_a_model_file_holding_other_types_is_refused(stepped, tmp_path):
    tampered = tmp_path / "model.skops"
    skops.io.dump({"payload": pipeline_steps.Path("/etc/passwd")}, tampered)
    with pytest.raises(ValueError, match="outside scikit-learn"):
        pipeline_steps.load_model(tampered)


def test_the_project_files_of_the_image_are_never_written(stepped, workspace, tmp_path):
    before = (workspace / "model_card.yaml").read_bytes()
    run_dir = tmp_path / "run"
    shutil.copytree(stepped, run_dir)
    pipeline_steps.run_step("monitor", run_dir, project_dir=workspace)
    assert (workspace / "model_card.yaml").read_bytes() == before
