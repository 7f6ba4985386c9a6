"""The pipeline one step per process, as Argo runs it on the site: the same seven steps, the
same lineage, the model registered pending approval, and a tampered model file refused."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import skops.io
import yaml

from {{ cookiecutter.project_slug }} import model_archive, pipeline_steps, synthetic
from {{ cookiecutter.project_slug }}.lineage_metadata import PROPERTY_FILE, json_name, package_metadata_keys

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


def _drop_the_baseline(mlmodel: dict) -> None:
    del mlmodel["metadata"]


def _drop_a_watched_input(mlmodel: dict) -> None:
    # The input would never be measured: the server refuses a baseline that does not watch them all.
    mlmodel["metadata"]["qantara_drift_baseline"]["features"].pop()


@pytest.mark.parametrize("tamper", [_drop_the_baseline, _drop_a_watched_input])
def test_a_model_the_server_would_refuse_to_watch_fails_the_run_at_monitor(stepped, workspace, tmp_path, tamper):
    run_dir = tmp_path / "run"
    shutil.copytree(stepped, run_dir)
    path = run_dir / "train" / "model" / "MLmodel"
    mlmodel = yaml.safe_load(path.read_text())
    tamper(mlmodel)
    path.write_text(yaml.safe_dump(mlmodel))
    with pytest.raises(model_archive.UnsafeModel, match="qantara_drift_baseline"):
        pipeline_steps.run_step("monitor", run_dir, project_dir=workspace)
    assert json.loads((run_dir / "lineage.json").read_text())["status"] == "failed at monitor: UnsafeModel"


def _archive(directory: Path, into: Path) -> Path:
    """What SageMaker does with /opt/ml/model after training: model.tar.gz of its contents."""
    import tarfile
    into.mkdir(parents=True)
    with tarfile.open(into / "model.tar.gz", "w:gz") as archive:
        for entry in sorted(directory.iterdir()):
            archive.add(entry, arcname=entry.name)
    return into


def test_the_sagemaker_form_runs_each_step_from_mounted_inputs_to_its_output(workspace, tmp_path):
    mounted = tmp_path / "input" / "data"  # the training prefix, mounted as a directory
    mounted.mkdir(parents=True)
    synthetic.make_dataset(seed=0).to_csv(mounted / "part-0001.csv", index=False)
    out = tmp_path / "output"
    common = ["--project-dir", str(workspace), "--reason", "schedule"]

    def step(name: str, *where: str) -> None:
        assert pipeline_steps.main(["--step", name, *where, "--out-dir", str(out / name), *common]) == 0

    step("ingest", "--data", str(mounted))
    step("validate", "--in-dir", str(out / "ingest"))
    step("features", "--in-dir", str(out / "validate"))
    step("train", "--in-dir", str(out / "features"))  # as container.py runs it: channel in, /opt/ml/model out
    served = {p.name for p in (out / "train").iterdir()}
    # /opt/ml/model is the served model and its lineage: no step's data goes into the archive.
    assert {"MLmodel", "model.skops", "lineage.json"} <= served and not served & {"ingest", "features"}
    step("evaluate", "--in-dir", str(out / "features"),
         "--in-dir", str(_archive(out / "train", tmp_path / "input" / "model")))
    step("monitor", "--in-dir", str(out / "evaluate"))
    lineage = json.loads((out / "monitor" / "lineage.json").read_text())
    # Register is SageMaker's own RegisterModel step; every step the image ran is in one record.
    assert [s["name"] for s in lineage["steps"]] == ["ingest", "validate", "features", "train", "evaluate", "monitor"]
    assert lineage["reason"] == "schedule"
    assert (out / "evaluate" / "evaluate" / "metrics.json").is_file()  # what the RegisterModel step reads
    # ...with the run's lineage as the package's metadata: every fixed key, the trained model's own hash.
    properties = json.loads((out / "evaluate" / "evaluate" / PROPERTY_FILE).read_text())
    assert set(properties) == {json_name(key) for key in package_metadata_keys()}
    assert properties["qantara_reason"] == "schedule"
    assert properties["qantara_modelSha256"] == hashlib.sha256((out / "train" / "model.skops").read_bytes()).hexdigest()
    assert not (mounted / "lineage.json").exists()  # inputs are read, never written


PACKAGE_ARN = "arn:aws:sagemaker:me-central-1:111122223333:model-package/readmission-risk/3"


@pytest.fixture
def own_stores():
    """The tests below log to stores of their own: MLflow's process-wide tracking URI goes back to
    the session's afterwards, where the other tests' runs and models are."""
    import mlflow
    before = mlflow.get_tracking_uri()
    yield
    mlflow.set_tracking_uri(before)


@pytest.fixture(scope="module")
def evaluated(workspace: Path, tmp_path_factory) -> Path:
    """The SageMaker form through evaluate, with its record output: the directory holding ingest/...
    evaluate/ and record/, as the mounted outputs would."""
    root = tmp_path_factory.mktemp("sagemaker")
    data = root / "input" / "data"
    data.mkdir(parents=True)
    synthetic.make_dataset(seed=0).to_csv(data / "part-0001.csv", index=False)
    out = root / "output"
    common = ["--project-dir", str(workspace), "--reason", "drift", "--why", "drift alarm on x1"]
    for name, where in (("ingest", ["--data", str(data)]), ("validate", ["--in-dir", str(out / "ingest")]),
                        ("features", ["--in-dir", str(out / "validate")]), ("train", ["--in-dir", str(out / "features")])):
        assert pipeline_steps.main(["--step", name, *where, "--out-dir", str(out / name), *common]) == 0
    model = _archive(out / "train", root / "input" / "model")
    assert pipeline_steps.main(["--step", "evaluate", "--in-dir", str(out / "features"), "--in-dir", str(model),
                                "--out-dir", str(out / "evaluate"), "--record-dir", str(out / "record"), *common]) == 0
    return out


def _rows(directory: Path) -> list[str]:
    """Every data row (not the header) of every CSV under `directory`."""
    return [line for path in directory.rglob("*.csv") for line in path.read_text().splitlines()[1:] if line]


def test_the_record_is_one_file_of_lineage_and_no_data(evaluated):
    assert [p.name for p in (evaluated / "record").rglob("*")] == ["record.json"]
    text = (evaluated / "record" / "record.json").read_text()
    record = json.loads(text)
    assert set(record) == {*pipeline_steps.RECORD_FIELDS, "model"}
    # Not one row of the training data, the split or the held-out set is in it.
    rows = _rows(evaluated / "evaluate")
    assert len(rows) > 100 and not [row for row in rows if row in text]
    assert record["model"]["modelSha256"] == hashlib.sha256((evaluated / "train" / "model.skops").read_bytes()).hexdigest()
    assert record["metrics"] and record["parameters"]


def _logged(store: Path) -> tuple[dict, dict, dict]:
    """(tags without MLflow's own, params, metrics) of the one run in `store`."""
    import mlflow
    client = mlflow.MlflowClient(tracking_uri=store.as_uri())
    runs = [run for experiment in client.search_experiments() for run in client.search_runs([experiment.experiment_id])]
    assert len(runs) == 1, runs
    data = runs[0].data
    return {k: v for k, v in data.tags.items() if not k.startswith("mlflow.")}, data.params, data.metrics


def test_the_track_step_logs_what_a_local_register_logs_with_the_packages_arn(evaluated, workspace, tmp_path,
                                                                             monkeypatch, own_stores):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    # The same run registered locally, into a store of its own...
    run_dir = tmp_path / "run"
    shutil.copytree(evaluated / "evaluate", run_dir)
    # A local train leaves the archive beside the model directory (SageMaker keeps it in S3 instead).
    model_archive.pack(run_dir / "train" / "model", run_dir / "train" / model_archive.ARCHIVE)
    local_store = tmp_path / "local-mlruns"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", local_store.as_uri())
    pipeline_steps.run_step("register", run_dir, project_dir=workspace)
    # ...and tracked from its record alone, as the SageMaker step runs it.
    tracked_store = tmp_path / "tracked-mlruns"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracked_store.as_uri())
    monkeypatch.setenv("QANTARA_MODEL_PACKAGE_ARN", PACKAGE_ARN)
    receipt = tmp_path / "track"
    assert pipeline_steps.main(["--step", "track", "--in-dir", str(evaluated / "record"), "--out-dir", str(receipt)]) == 0
    local_tags, local_params, local_metrics = _logged(local_store)
    tags, params, metrics = _logged(tracked_store)
    assert tags.pop("qantara.modelPackageArn") == PACKAGE_ARN
    assert tags == local_tags and params == local_params and metrics == local_metrics
    assert tags["qantara.reason"] == "drift" and tags["qantara.modelVersion"]
    written = json.loads((receipt / "tracking.json").read_text())
    assert written["modelPackageArn"] == PACKAGE_ARN and written["run"] == tags["qantara.run"]


@pytest.mark.parametrize("problem, fix", [
    ("no record", lambda record, env: record.unlink()),
    ("not json", lambda record, env: record.write_text("{not json")),
    ("no model", lambda record, env: record.write_text(json.dumps(
        {k: v for k, v in json.loads(record.read_text()).items() if k != "model"}))),
    ("a list", lambda record, env: record.write_text("[]")),
    ("no package", lambda record, env: env.delenv("QANTARA_MODEL_PACKAGE_ARN")),
    ("not a package", lambda record, env: env.setenv("QANTARA_MODEL_PACKAGE_ARN", "arn:aws:s3:::bucket/key")),
    ("no server", lambda record, env: env.delenv("MLFLOW_TRACKING_URI")),
])
def test_a_track_step_given_something_unusable_stops_with_one_message_and_logs_nothing(
        evaluated, tmp_path, monkeypatch, capsys, own_stores, problem, fix):
    record_dir = tmp_path / "record"
    shutil.copytree(evaluated / "record", record_dir)
    store = tmp_path / "mlruns"
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store.as_uri())
    monkeypatch.setenv("QANTARA_MODEL_PACKAGE_ARN", PACKAGE_ARN)
    fix(record_dir / "record.json", monkeypatch)
    receipt = tmp_path / "track"
    assert pipeline_steps.main(["--step", "track", "--in-dir", str(record_dir), "--out-dir", str(receipt)]) == 2, problem
    message = capsys.readouterr().err
    assert message.startswith("error: ") and "Traceback" not in message and message.count("\n") == 1
    assert not store.exists() and not receipt.exists()


def test_a_sagemaker_tracking_arn_without_the_plugin_is_refused_before_anything_is_logged(evaluated, tmp_path,
                                                                                            monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "sagemaker_mlflow" else real(name, *a))
    with pytest.raises(pipeline_steps.BadRecord, match="sagemaker-mlflow plugin"):
        pipeline_steps.track(evaluated / "record", tmp_path / "track",
                             "arn:aws:sagemaker:me-central-1:111122223333:mlflow-tracking-server/p", PACKAGE_ARN)
    assert not (tmp_path / "track").exists()


def test_only_evaluate_writes_a_record(workspace, tmp_path):
    with pytest.raises(SystemExit):
        pipeline_steps.main(["--step", "monitor", "--in-dir", str(tmp_path), "--out-dir", str(tmp_path / "o"),
                             "--record-dir", str(tmp_path / "r"), "--project-dir", str(workspace)])

def test_a_training_prefix_holding_two_data_files_is_refused(tmp_path):
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("x\n1\n")
    with pytest.raises(ValueError, match="exactly one training data file"):
        pipeline_steps.data_file(tmp_path)


def test_a_model_archive_reaching_out_of_the_run_directory_is_refused(tmp_path):
    import io
    import tarfile
    inputs = tmp_path / "model"
    inputs.mkdir()
    with tarfile.open(inputs / "model.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    run_dir = tmp_path / "run" / "inner"
    run_dir.mkdir(parents=True)
    with pytest.raises(model_archive.UnsafeModel, match="outside"):
        pipeline_steps.copy_in(inputs, run_dir)
    assert not (tmp_path / "run" / "escaped.txt").exists()

{%- if cookiecutter.serving != "none" %}


@pytest.mark.parametrize("argv, module", [
    (["train"], "pipeline_steps"),
    (["serve"], "serve"),
    ([], "serve"),
])
def test_the_image_entrypoint_sends_sagemakers_argument_to_its_module(argv, module):
    from {{ cookiecutter.project_slug }} import container
    chosen, arguments = container.command(argv)
    assert chosen == module
    if module == "pipeline_steps":
        assert arguments == ["--step", "train", "--in-dir", "/opt/ml/input/data/features", "--out-dir", "/opt/ml/model"]
{%- endif %}
