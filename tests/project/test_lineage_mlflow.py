"""Lineage from MLflow: with a tracking URI, `qantara lineage` and the separation-of-duties
check read who trained a model and what data it read from the tags the pipeline put on its
MLflow run (a real local file store here, as MLflow's own client writes and searches it)."""

from __future__ import annotations

import pytest
from test_project_check import TODAY, write_project
from typer.testing import CliRunner

from qantara.cli import app
from qantara.errors import ProjectError
from qantara.project.check import check_project
from qantara.project.lineage import chain, format_chain, registered_runs

mlflow = pytest.importorskip("mlflow")

VERSION = "03455a8176a8"
DATA_HASH = "ab" * 32
S3_VERSION = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"


@pytest.fixture
def tracking(tmp_path, monkeypatch) -> str:
    """A local MLflow file store holding one registered run of project readmission-risk, by dr.salem."""
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("readmission-risk")
    log_run(client, experiment, version=VERSION, started_by="dr.salem@dubai-care.example")
    # Another project's run and an unregistered run of this one are never the answer.
    log_run(client, client.create_experiment("other-project"), version="ffffffffffff", started_by="x")
    client.create_run(experiment, tags={"qantara.run": "r-unregistered"})
    return uri


def log_run(client, experiment: str, *, version: str, started_by: str) -> None:
    tags = {"qantara.run": "20261030T090000Z-a1b2c3", "qantara.startedAt": "2026-10-30T09:00:00+00:00",
            "qantara.startedBy": started_by, "qantara.reason": "drift", "qantara.why": "drift alarm",
            "qantara.codeCommit": "3f2c1e0", "qantara.codeDirty": "false", "qantara.engine": "sagemaker",
            "qantara.executionId": "arn:aws:sagemaker:me-central-1:111122223333:pipeline/p/execution/7b2c",
            "qantara.imageDigest": "repo@sha256:" + "c" * 64, "qantara.modelVersion": version,
            "qantara.approvalStatus": "PendingManualApproval", "qantara.data.count": "1",
            "qantara.data.0.path": "/opt/ml/processing/input/admissions.csv", "qantara.data.0.sha256": DATA_HASH,
            "qantara.data.0.uri": "s3://curated/admissions.csv", "qantara.data.0.versionId": S3_VERSION}
    run = client.create_run(experiment, tags=tags)
    client.log_metric(run.info.run_id, "roc_auc", 0.84)
    client.set_terminated(run.info.run_id)


def test_lineage_from_mlflow_names_the_datas_version_hash_image_and_execution(tmp_path, tracking):
    project = write_project(tmp_path, lineage="missing")  # nothing local: MLflow is the only source
    text = format_chain(chain(project, VERSION, tracking_uri=tracking))
    assert DATA_HASH in text and f"s3://curated/admissions.csv version {S3_VERSION}" in text
    assert "execution arn:aws:sagemaker" in text and "repo@sha256:" + "c" * 64 in text
    assert "dr.salem@dubai-care.example, reason: drift (drift alarm)" in text and "roc_auc=0.84" in text


def test_the_command_reads_mlflow_when_the_tracking_uri_is_set(tmp_path, tracking):
    project = write_project(tmp_path, lineage="missing")
    result = CliRunner().invoke(app, ["lineage", str(project)], env={"MLFLOW_TRACKING_URI": tracking})
    assert result.exit_code == 0, result.output
    assert f"model version {VERSION}" in result.output and S3_VERSION in result.output


def test_an_unknown_version_in_mlflow_is_refused(tmp_path, tracking):
    with pytest.raises(ProjectError, match="no run of this project registered model version 'ffffffffffff'"):
        chain(write_project(tmp_path, lineage="missing"), "ffffffffffff", tracking_uri=tracking)


def test_a_version_that_would_change_the_mlflow_filter_is_refused(tmp_path, tracking):
    with pytest.raises(ProjectError, match="not a model version"):
        chain(write_project(tmp_path, lineage="missing"), "x' or tags.`qantara.run` != '", tracking_uri=tracking)


def test_separation_of_duties_in_ci_reads_the_author_from_mlflow(tmp_path, tracking, monkeypatch):
    # CI has no runs/ directory: the author comes from MLflow, and still may not approve.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking)
    approval = {"environment": "prod", "approvedBy": "dr.salem@dubai-care.example", "date": "2026-11-01",
                "reference": "self", "modelVersion": VERSION}
    blueprint = {"spec": {"environments": [{"name": "dev"}, {"name": "prod", "approvers": [
        "clinical-safety-board", "dr.salem@dubai-care.example"]}]}}
    project = write_project(tmp_path, manifest={"spec": {"approvals": [approval]}}, blueprint=blueprint,
                            lineage="missing")
    assert registered_runs(project, tracking_uri=tracking)[0]["startedBy"] == "dr.salem@dubai-care.example"
    result = check_project(project, "prod", today=TODAY)
    assert [f["policy"] for f in result.findings] == ["QA-PRJ-011"]
    other = {**approval, "approvedBy": "clinical-safety-board", "reference": "CSB-2026-117"}
    project = write_project(tmp_path, manifest={"spec": {"approvals": [other]}}, blueprint=blueprint,
                            lineage="missing")
    assert check_project(project, "prod", today=TODAY).verdict == "pass"


def test_an_unreadable_tracking_server_is_a_project_error_not_a_traceback(tmp_path):
    class Down:
        def get_experiment_by_name(self, name):
            raise ConnectionError("connection refused")

    with pytest.raises(ProjectError, match="cannot read the project's runs .*connection refused"):
        chain(write_project(tmp_path, lineage="missing"), client=Down())
