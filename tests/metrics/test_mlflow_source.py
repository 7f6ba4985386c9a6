"""The on-prem source: an MLflow model registry (a file store in a temporary directory)."""

import datetime as dt

import pytest

from qantara.errors import InputError
from qantara.metrics.compute import Window, compute_metrics
from qantara.metrics.sources.mlflow_registry import collect_mlflow

mlflow = pytest.importorskip("mlflow", reason="mlflow-skinny (dev extras) is not installed")
UTC = dt.UTC


@pytest.fixture
def registry(tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    # MLflow 3 keeps the file store for tests like this one behind an explicit opt-in.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.create_registered_model("readmission-risk")
    experiment = client.create_experiment("training")
    versions = []
    for start in (dt.datetime(2026, 11, 2, tzinfo=UTC), dt.datetime(2026, 11, 9, tzinfo=UTC)):
        run = client.create_run(experiment, start_time=int(start.timestamp() * 1000))
        client.set_terminated(run.info.run_id)
        versions.append(client.create_model_version("readmission-risk", f"runs:/{run.info.run_id}/model", run.info.run_id))
    client.set_model_version_tag("readmission-risk", versions[0].version, "qantara.approved", "2026-11-03T00:00:00Z")
    client.set_model_version_tag("readmission-risk", versions[0].version, "qantara.deployed.prod", "2026-11-04T00:00:00Z")
    client.set_model_version_tag("readmission-risk", versions[1].version, "qantara.approved", "2026-11-10T00:00:00Z")
    client.set_model_version_tag("readmission-risk", versions[1].version, "qantara.deployed.staging", "2026-11-10T12:00:00Z")
    return uri, client


def test_registry_versions_give_runs_approvals_and_deployments_of_the_environment(registry):
    events = collect_mlflow(registry[0], "readmission-risk", "readmission", "prod")
    assert [(e.time.isoformat()[:13], e.kind, e.version) for e in events] == [
        ("2026-11-02T00", "run", "1"), ("2026-11-03T00", "approval", "1"), ("2026-11-04T00", "deployment", "1"),
        ("2026-11-09T00", "run", "2"), ("2026-11-10T00", "approval", "2"),
    ]  # version 2's staging deployment is not a prod deployment
    [group] = compute_metrics(events, Window(dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 11, 15, tzinfo=UTC)))
    assert group["metrics"]["leadTime"]["value"] == 48.0
    assert group["freshness"][0] == {"model": "readmission-risk", "version": "1", "deployed": "2026-11-04T00:00:00Z",
                                     "ageDays": 11.0, "versionsBehind": 1, "gapDays": 7.0}


def test_a_malformed_deployment_tag_is_refused_not_guessed(registry):
    uri, client = registry
    client.set_model_version_tag("readmission-risk", "2", "qantara.deployed.prod", "last tuesday")
    with pytest.raises(InputError, match="version 2: tag qantara.deployed.prod="):
        collect_mlflow(uri, "readmission-risk", "readmission", "prod")
