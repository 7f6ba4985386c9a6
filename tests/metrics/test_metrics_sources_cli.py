"""`qantara metrics --source ...`: choosing the audit trail or the cluster, and what each needs."""

import datetime as dt
import json

import boto3
import pytest
from botocore.stub import Stubber
from test_cloudtrail_source import REGION, FakeClock, history, stub
from test_cluster_source import api, replica_set, rs_list, stamp
from test_metrics_cli import run
from typer.testing import CliRunner

from qantara.cli import app
from qantara.metrics.sources import cloudtrail
from qantara.metrics.sources import cluster as cluster_source

WINDOW = ("--days", "28", "--end", "2026-11-29T00:00:00Z")


def test_an_unknown_source_is_refused_with_the_allowed_ones():
    done = run("metrics", "--source", "splunk")
    assert done.returncode == 2 and "events, sagemaker, cloudtrail, mlflow, cluster, kserve" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("source, missing", [
    ("cloudtrail", "--model-package-group, --endpoint, --project, --env"),
    ("cluster", "--namespace, --deployment, --project, --env"),
    ("kserve", "--namespace, --inference-service, --project, --env"),
])
def test_a_named_source_says_every_option_it_still_needs(source, missing):
    done = run("metrics", "--source", source)
    assert done.returncode == 2 and f"--source {source} needs {missing}" in done.stderr
    done = run("metrics", "export", "--out", "never-written.jsonl", "--source", source)
    assert done.returncode == 2 and f"--source {source} needs {missing}" in done.stderr


def test_metrics_from_the_audit_trail_on_the_command_line(monkeypatch):
    client = boto3.client("cloudtrail", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(boto3, "client", lambda service, region_name=None: client)
    monkeypatch.setattr(cloudtrail, "Pacer", FakeClock().pacer)
    with Stubber(client) as stubber:
        # the trail is read up to the window's end, and from as far back as it keeps (runs and
        # configurations before the window start lead times and define rollbacks)
        stub(stubber, history(), end=dt.datetime(2026, 11, 29, tzinfo=dt.UTC))
        done = CliRunner().invoke(app, ["metrics", "--source", "cloudtrail", "--model-package-group", "triage-model",
                                        "--endpoint", "triage-prod", "--pipeline", "triage-training", "--project", "triage",
                                        "--env", "prod", "--format", "json", *WINDOW])
        stubber.assert_no_pending_responses()
    assert done.exit_code == 0, done.output
    [group] = json.loads(done.stdout)["groups"]
    assert group["metrics"]["leadTime"]["value"] == 32.0 and group["failedDeployments"] == 1


def test_the_cluster_history_exported_names_untimed_revisions(monkeypatch, tmp_path):
    apps, _ = api([rs_list([
        replica_set("triage-predictor-5d8f9c7b4a", 5, stamp(3, 12), "1", history="1,3", controller_update=stamp(14, 9)),
        replica_set("triage-predictor-6b7c8d9e0f", 2, stamp(10, 20), "2"),
        replica_set("triage-predictor-7a1b2c3d4e", 4, stamp(12, 10), "3"),
    ])])
    monkeypatch.setattr(cluster_source, "_apps_api", lambda context: apps)
    out = tmp_path / "events.jsonl"
    done = CliRunner().invoke(app, ["metrics", "export", "--out", str(out), "--source", "cluster", "--namespace", "ml-platform",
                                    "--deployment", "triage-predictor", "--model", "triage-model", "--project", "triage", "--env", "prod"])
    assert done.exit_code == 0, done.output
    assert "revision 3 (triage-predictor-5d8f9c7b4a)" in done.stderr and "not counted" in done.stderr
    kinds = [json.loads(line)["kind"] for line in out.read_text().splitlines()]
    assert kinds == ["deployment", "deployment", "deployment", "rollback"]


def test_an_option_the_source_does_not_read_is_refused_not_ignored():
    # CloudTrail holds no alarm history: --alarm would silently give no incidents
    done = run("metrics", "--source", "cloudtrail", "--model-package-group", "g", "--endpoint", "e", "--project", "p",
               "--env", "prod", "--alarm", "triage-latency")
    assert done.returncode == 2 and "--source cloudtrail does not read --alarm" in done.stderr
    done = run("metrics", "--events", "history.jsonl", "--mlflow-model", "triage-model")
    assert done.returncode == 2 and "--source events does not read --mlflow-model" in done.stderr


def test_kserve_revisions_on_the_command_line(monkeypatch):
    from test_kserve_source import IMAGE, page, revision
    from test_kserve_source import api as knative_api

    _, client = knative_api([page([revision(1, "2026-11-03T12:00:00Z", IMAGE.format(1)),
                                   revision(2, "2026-11-10T20:00:00Z", IMAGE.format(2)),
                                   revision(3, "2026-11-11T02:00:00Z", IMAGE.format(1))])])
    monkeypatch.setattr(cluster_source, "api_client", lambda context: client)
    done = CliRunner().invoke(app, ["metrics", "--source", "kserve", "--namespace", "ae-health-cloud-prod",
                                    "--inference-service", "triage", "--model", "triage-model", "--project", "triage",
                                    "--env", "prod", "--format", "json", *WINDOW])
    assert done.exit_code == 0, done.output
    [group] = json.loads(done.stdout)["groups"]
    assert (group["deployments"], group["failedDeployments"], group["sources"]) == (2, 1, {"knative": 3})
