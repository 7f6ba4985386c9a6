"""`qantara check --project DIR`: a generated project is checked against its platform's blueprint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qantara.cli import app
from qantara.project.generate import new_ml_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("projects")
    return new_ml_project(ROOT / "blueprints" / "ae-health-cloud.yaml", answers={}, no_input=True, output_dir=out)


def _check(*args: str):
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.stdout


def test_an_untrained_unapproved_project_fails_its_production_check_and_says_why(project):
    code, out = _check("--project", str(project), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["verdict"] == "fail"
    assert report["project"] == "readmission-risk" and report["environment"] == "prod"
    assert {"QA-PRJ-001", "QA-PRJ-005"} <= {f["policy"] for f in report["findings"]}


def test_in_dev_the_same_findings_are_advisory(project):
    code, out = _check("--project", str(project), "--env", "dev", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["enforcement"] == "advisory"
    assert report["findings"] and all(f["enforcement"] == "advisory" for f in report["findings"])


def test_project_findings_render_as_sarif_located_in_the_manifest(project):
    code, out = _check("--project", str(project), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert code == 1 and results
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("qantara.yaml")
               for r in results if r.get("locations"))


@pytest.mark.parametrize("args, message", [
    ([], "give a blueprint file or --project DIR"),
    (["blueprints/ae-health-cloud.yaml", "--project", "."], "give a blueprint file or --project DIR"),
    (["blueprints/ae-health-cloud.yaml"], "--env is required"),
    (["--project", "does-not-exist"], "no project manifest"),
])
def test_a_check_without_exactly_one_subject_is_bad_input(args, message):
    done = subprocess.run([sys.executable, "-c", "from qantara.cli import main; main()", "check", *args],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
