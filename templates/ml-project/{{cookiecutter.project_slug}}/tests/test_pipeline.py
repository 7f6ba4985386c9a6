"""The seven-step pipeline runs on synthetic data and records where its model came from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.project_slug }} import data, features, model_archive, pipeline, synthetic

SEVEN_STEPS = ["ingest", "validate", "features", "train", "evaluate", "register", "monitor"]


@pytest.fixture(scope="module")
def card(workspace: Path, tmp_path_factory) -> Path:
    """The pipeline's own copy of the card: the other tests read the one training wrote."""
    path = tmp_path_factory.mktemp("pipeline") / "model_card.yaml"
    path.write_bytes((workspace / "model_card.yaml").read_bytes())
    return path


@pytest.fixture(scope="module")
def run_dir(workspace: Path, card: Path) -> Path:
    return pipeline.run_pipeline(manifest_path=workspace / "qantara.yaml", card_path=card, root=workspace / "runs",
                                 started_by="analyst-a", reason="drift", why="drift alarm on x1")


def test_every_step_runs_in_order_and_writes_its_outputs(run_dir):
    lineage = json.loads((run_dir / "lineage.json").read_text())
    assert [s["name"] for s in lineage["steps"]] == SEVEN_STEPS
    assert lineage["status"] == "succeeded"
    for step in lineage["steps"]:
        # Monitor checks the model it will be watched with and writes nothing (the test below).
        assert bool(step["outputs"]) == (step["name"] != "monitor"), step["name"]
        for output in step["outputs"]:
            assert hashlib.sha256((run_dir / output["path"]).read_bytes()).hexdigest() == output["sha256"]


def test_the_only_drift_baseline_a_run_leaves_is_the_one_inside_its_model(run_dir):
    assert not (run_dir / "monitor").exists()
    assert [p for p in run_dir.rglob("*baseline*")] == []
    mlmodel = yaml.safe_load((run_dir / "train" / "model" / "MLmodel").read_text())
    assert sorted(f["name"] for f in mlmodel["metadata"]["qantara_drift_baseline"]["features"]) == sorted(
        features.NUMERIC)


def test_the_cloud_monitors_data_is_the_training_rows_model_inputs_and_nothing_else(run_dir):
    # SageMaker Model Monitor compares the endpoint's requests with it column by column, in order:
    # a target or sensitive column, which no request holds, would shift every comparison after it.
    written = pd.read_csv(run_dir / "features" / pipeline.MODEL_INPUTS)
    train = pd.read_csv(run_dir / "features" / "train.csv")
    assert list(written.columns) == features.NUMERIC + features.CATEGORICAL
    assert not {data.TARGET, *features.SENSITIVE} & set(written.columns)
    pd.testing.assert_frame_equal(written, train[list(written.columns)])


def test_lineage_names_the_data_read_by_content_who_started_it_and_why(run_dir):
    lineage = json.loads((run_dir / "lineage.json").read_text())
    ingested = next(run_dir.glob("ingest/data.*"))
    assert {"path": str(ingested), "sha256": hashlib.sha256(ingested.read_bytes()).hexdigest(),
            "what": "ingested data"} in lineage["dataRead"]
    assert (lineage["startedBy"], lineage["reason"], lineage["why"]) == ("analyst-a", "drift", "drift alarm on x1")
    assert lineage["code"]["commit"] and lineage["metrics"] and lineage["parameters"]


def test_a_platform_run_records_its_execution_image_and_the_s3_object_version_read(workspace, tmp_path, monkeypatch):
    source = tmp_path / "training.csv"
    synthetic.make_dataset(seed=4).to_csv(source, index=False)
    card = tmp_path / "model_card.yaml"
    card.write_bytes((workspace / "model_card.yaml").read_bytes())
    execution = "arn:aws:sagemaker:me-central-1:111122223333:pipeline/p/execution/abc123"
    image = "111122223333.dkr.ecr.me-central-1.amazonaws.com/p@sha256:" + "e" * 64
    for name, value in {"QANTARA_PIPELINE_ENGINE": "sagemaker", "QANTARA_EXECUTION_ID": execution,
                        "QANTARA_IMAGE_DIGEST": image, "QANTARA_DATA_URI": "s3://curated/p/training.csv",
                        "QANTARA_DATA_VERSION_ID": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"}.items():
        monkeypatch.setenv(name, value)
    run = pipeline.run_pipeline(source=source, manifest_path=workspace / "qantara.yaml", card_path=card,
                                root=tmp_path / "runs", reason="schedule", why="older than 90 days")
    lineage = json.loads((run / "lineage.json").read_text())
    assert lineage["runtime"] == {"engine": "sagemaker", "executionId": execution, "imageDigest": image}
    assert lineage["dataRead"][0]["versionId"] == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    training = yaml.safe_load(card.read_text())["training"]
    assert training["executionId"] == execution and training["imageDigest"] == image
    assert training["dataVersions"] == [{"uri": "s3://curated/p/training.csv",
                                         "versionId": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"}]


def test_the_mlflow_run_is_tagged_with_the_lineage_so_it_can_be_found_by_model_version(run_dir):
    import mlflow

    lineage = json.loads((run_dir / "lineage.json").read_text())
    found = mlflow.MlflowClient().get_run(lineage["model"]["mlflowRunId"]).data.tags
    assert found["qantara.modelVersion"] == lineage["model"]["modelVersion"]
    assert found["qantara.data.0.sha256"] == lineage["dataRead"][0]["sha256"]
    assert (found["qantara.reason"], found["qantara.why"]) == ("drift", "drift alarm on x1")
    assert found["qantara.engine"] == "local" and found["qantara.executionId"] == lineage["run"]


def test_the_model_package_metadata_names_the_version_and_the_data(run_dir):
    lineage = json.loads((run_dir / "lineage.json").read_text())
    metadata = json.loads((run_dir / "register" / "model_package_metadata.json").read_text())
    assert metadata["qantara:modelVersion"] == lineage["model"]["modelVersion"]
    assert metadata["qantara:data:0:sha256"] == lineage["dataRead"][0]["sha256"]
    assert metadata["qantara:startedBy"] == "analyst-a" and len(metadata) <= 50


def test_a_registered_model_always_waits_for_a_person(run_dir):
    registration = json.loads((run_dir / "register" / "registration.json").read_text())
    assert registration["status"] == "PendingManualApproval"
    model = (run_dir / "train" / "model" / "model.skops").read_bytes()
    assert registration["modelSha256"] == hashlib.sha256(model).hexdigest()


def test_the_model_card_says_which_run_version_and_data_the_model_came_from(run_dir, card):
    card = yaml.safe_load(card.read_text())
    lineage = json.loads((run_dir / "lineage.json").read_text())
    training = card["training"]
    assert training["pipelineRun"] == run_dir.name and training["modelVersion"] == lineage["model"]["modelVersion"]
    assert training["dataSha256"] == [d["sha256"] for d in lineage["dataRead"]]
    assert training["startedBy"] == "analyst-a" and card["metrics"]


def test_a_file_given_as_data_is_recorded_by_its_hash(workspace, tmp_path):
    source = tmp_path / "training.csv"
    synthetic.make_dataset(seed=3).to_csv(source, index=False)
    card = tmp_path / "model_card.yaml"
    card.write_bytes((workspace / "model_card.yaml").read_bytes())
    run = pipeline.run_pipeline(source=source, manifest_path=workspace / "qantara.yaml", card_path=card,
                                root=tmp_path / "runs")
    lineage = json.loads((run / "lineage.json").read_text())
    assert lineage["dataRead"][0] == {"path": str(source), "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
                                      "what": "training data"}


def test_a_model_below_its_thresholds_stops_before_register(workspace, tmp_path):
    manifest = yaml.safe_load((workspace / "qantara.yaml").read_text())
    for threshold in manifest["spec"]["evaluation"]["thresholds"]:
        threshold.update({"min": 1e9} if "min" in threshold else {"max": -1e9})
    strict = tmp_path / "qantara.yaml"
    strict.write_text(yaml.safe_dump(manifest))
    card = tmp_path / "model_card.yaml"
    card.write_bytes((workspace / "model_card.yaml").read_bytes())
    with pytest.raises(pipeline.ThresholdsNotMet):
        pipeline.run_pipeline(manifest_path=strict, card_path=card, root=tmp_path / "runs")
    (run,) = (tmp_path / "runs").iterdir()
    lineage = json.loads((run / "lineage.json").read_text())
    assert [s["name"] for s in lineage["steps"]] == SEVEN_STEPS[:4]
    assert lineage["status"].startswith("stopped at evaluate") and not (run / "register").exists()


def test_an_unknown_reason_is_refused(workspace, tmp_path):
    with pytest.raises(ValueError, match="allowed: person, schedule, drift"):
        pipeline.run_pipeline(manifest_path=workspace / "qantara.yaml", card_path=tmp_path / "card.yaml",
                              root=tmp_path / "runs", reason="cron")
    assert not (tmp_path / "runs").exists()


def test_the_trained_archive_is_the_registered_model_and_it_predicts(run_dir):
    archive = run_dir / "train" / "model.tar.gz"
    registration = json.loads((run_dir / "register" / "registration.json").read_text())
    assert registration["archiveSha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=200, seed=5))).head(7)
    from_archive = model_archive.load(str(archive)).predict(frame)
    # What MLflow holds for the version is the same model, byte for byte, not a second serialisation.
    assert list(model_archive.load(registration["modelUri"]).predict(frame)) == list(from_archive)
    assert len(from_archive) == 7


def test_the_archive_holds_the_model_and_its_lineage_but_no_training_data(run_dir, tmp_path):
    unpacked = model_archive.unpack(run_dir / "train" / "model.tar.gz", tmp_path / "model")
    names = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()}
    assert {"MLmodel", "model.skops", "lineage.json"} <= names
    assert not [n for n in names if n.endswith((".csv", ".parquet"))], names
    lineage = json.loads((unpacked / "lineage.json").read_text())
    assert lineage["run"] == run_dir.name and lineage["dataRead"]
    registration = json.loads((run_dir / "register" / "registration.json").read_text())
    assert model_archive.version(unpacked) == registration["modelVersion"]


def test_packing_the_same_model_twice_gives_the_same_bytes(run_dir, tmp_path):
    model_dir = run_dir / "train" / "model"
    first = model_archive.pack(model_dir, tmp_path / "a" / "model.tar.gz").read_bytes()
    assert model_archive.pack(model_dir, tmp_path / "b" / "model.tar.gz").read_bytes() == first
