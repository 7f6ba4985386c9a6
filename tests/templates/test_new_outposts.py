"""A project whose workloads are placed on an AWS Outposts site is refused at `qantara new`, with
the reason: its pipeline has no engine there (no MinIO on the site, and SageMaker jobs take no
Outpost placement). The refusal comes before anything is written or asked."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from ml_project_cases import REPO
from typer.testing import CliRunner

import qantara.project.pipeline_site as pipeline_site
from qantara.catalog import load_catalog
from qantara.cli_new import new_app

OUTPOSTS = REPO / "blueprints" / "sa-health-outposts.yaml"
KUBERNETES_SITE = REPO / "blueprints" / "sa-government-onprem.yaml"

app = typer.Typer()
app.add_typer(new_app, name="new")


def new(out: Path, blueprint: Path, *args: str):
    return CliRunner().invoke(app, ["new", "ml-project", "--blueprint", str(blueprint), "--no-input", "-o", str(out),
                                    *args])


@pytest.mark.parametrize("serving", ["realtime", "batch", "none"])
def test_a_project_placed_on_an_outposts_site_is_refused_with_the_reason(tmp_path, serving):
    result = new(tmp_path / "out", OUTPOSTS, "--set", f"serving={serving}")
    assert result.exit_code == 2, result.output
    message = result.output
    for says in ("riyadh-outpost1", "spec.onPrem.kind: outposts", "training data (the data lake)", "MinIO",
                 "S3 on Outposts",
                 "take no Outpost placement", "sagemaker-jobs-not-on-outpost", "Allowed:"):
        assert says in message, (says, message)
    assert "Traceback" not in message
    assert not (tmp_path / "out").exists()  # nothing written


def test_the_refusal_is_made_before_any_question_is_asked(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr("qantara.project.answers.resolve_answers", lambda *a, **k: asked.append(a) or {})
    result = CliRunner().invoke(app, ["new", "ml-project", "--blueprint", str(OUTPOSTS), "-o", str(tmp_path / "o")],
                                input="\n" * 40)
    assert result.exit_code == 2 and asked == [], result.output


def test_a_kubernetes_site_still_gets_its_project(tmp_path):
    result = new(tmp_path / "out", KUBERNETES_SITE)
    assert result.exit_code == 0, result.output


def test_the_reason_is_a_sourced_fact_marked_uncertain_with_why():
    [fact] = [f for f in load_catalog()["outposts"]["facts"] if f["id"] == pipeline_site.FACT]
    assert any(s.startswith("https://docs.aws.amazon.com/sagemaker/") for s in fact["sources"])
    assert fact["uncertain"] is True and fact["why"].strip()


def test_without_its_fact_in_the_catalog_the_site_is_still_refused(monkeypatch, tmp_path):
    catalog = load_catalog()
    stripped = {**catalog, "outposts": {**catalog["outposts"],
                                        "facts": [f for f in catalog["outposts"]["facts"]
                                                  if f["id"] != pipeline_site.FACT]}}
    monkeypatch.setattr(pipeline_site, "load_catalog", lambda: stripped)
    result = new(tmp_path / "out", OUTPOSTS)
    assert result.exit_code == 2 and "riyadh-outpost1" in result.output
