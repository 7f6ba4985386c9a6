"""`qantara promote`: a model version replaces the served one through the infra stack's variant
weights, canary first then full, and never in production without an independent approval."""

from __future__ import annotations

import json

import pytest
import yaml
from test_project_check import LINEAGE, TODAY, merged, write_project
from typer.testing import CliRunner

from qantara.cli import app
from qantara.errors import ProjectError
from qantara.project.promotion import next_variants, promote

OLD, NEW = "03455a8176a8", "9b1f0c2d3e4f"
CONFIG = "readmission-risk-infra:variants"


def project_with_two_versions(tmp_path, *, approvals, new_author="dr.salem@dubai-care.example", serving=None):
    """Two registered versions (OLD, NEW), the infra's Pulumi.yaml, and `serving` as prod's variants."""
    project = write_project(tmp_path, manifest={"spec": {"approvals": approvals}}, blueprint={"spec": {
        "environments": [{"name": "dev"}, {"name": "prod", "approvers": [
            "clinical-safety-board", "dr.salem@dubai-care.example"]}]}})
    second = merged(LINEAGE, {"run": "20261101T090000Z-d4e5f6", "startedAt": "2026-11-01T09:00:00+00:00",
                              "startedBy": new_author, "model": {"modelVersion": NEW}})
    (project / "runs" / second["run"]).mkdir(parents=True)
    (project / "runs" / second["run"] / "lineage.json").write_text(json.dumps(second))
    (project / "infra").mkdir()
    (project / "infra" / "Pulumi.yaml").write_text("name: readmission-risk-infra\nruntime: python\n")
    if serving is not None:
        (project / "infra" / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": {
            "readmission-risk-infra:environment": "prod", CONFIG: serving}}))
    return project


def approval(version: str, by: str = "clinical-safety-board") -> dict:
    return {"environment": "prod", "approvedBy": by, "date": "2026-11-02", "reference": "CSB-2026-120",
            "modelVersion": version}


def served(project) -> list[dict]:
    return yaml.safe_load((project / "infra" / "Pulumi.prod.yaml").read_text())["config"][CONFIG]


CHAMPION_OLD = [{"name": "champion", "modelVersion": OLD, "weight": 100}]


def test_an_approved_version_goes_to_canary_then_full_and_the_other_config_is_kept(tmp_path):
    project = project_with_two_versions(tmp_path, approvals=[approval(OLD), approval(NEW)], serving=CHAMPION_OLD)
    promote(project, "prod", NEW, "canary", today=TODAY)
    assert served(project) == [{"name": "champion", "modelVersion": OLD, "weight": 90},
                               {"name": "challenger", "modelVersion": NEW, "weight": 10}]
    promote(project, "prod", NEW, "full", today=TODAY)
    assert served(project) == [{"name": "champion", "modelVersion": NEW, "weight": 100}]
    config = yaml.safe_load((project / "infra" / "Pulumi.prod.yaml").read_text())["config"]
    assert config["readmission-risk-infra:environment"] == "prod"


def test_full_without_a_canary_first_is_refused(tmp_path):
    project = project_with_two_versions(tmp_path, approvals=[approval(OLD), approval(NEW)], serving=CHAMPION_OLD)
    with pytest.raises(ProjectError, match="has not been served as a canary"):
        promote(project, "prod", NEW, "full", today=TODAY)
    assert served(project) == CHAMPION_OLD


def test_a_model_trained_by_a_and_approved_by_a_is_not_promoted_to_prod(tmp_path):
    # The author approves their own new version; an older independent approval does not cover it.
    project = project_with_two_versions(tmp_path, serving=CHAMPION_OLD, new_author="dr.salem@dubai-care.example",
                                        approvals=[approval(OLD),
                                                   approval(NEW, by="dr.salem@dubai-care.example")])
    with pytest.raises(ProjectError, match="other than dr.salem@dubai-care.example, who trained it"):
        promote(project, "prod", NEW, "canary", today=TODAY)
    assert served(project) == CHAMPION_OLD


def test_an_unapproved_version_is_not_promoted_to_prod(tmp_path):
    project = project_with_two_versions(tmp_path, approvals=[approval(OLD)], serving=CHAMPION_OLD)
    with pytest.raises(ProjectError, match="no approval of this version"):
        promote(project, "prod", NEW, "canary", today=TODAY)


def test_a_version_no_run_registered_is_refused(tmp_path):
    project = project_with_two_versions(tmp_path, approvals=[approval(OLD)])
    with pytest.raises(ProjectError, match="no pipeline run registered it"):
        promote(project, "prod", "deadbeef0000", "full", today=TODAY)


def test_a_hand_edited_weight_is_refused_not_built_upon(tmp_path):
    hand = [{"name": "champion", "modelVersion": OLD, "weight": 70},
            {"name": "challenger", "modelVersion": NEW, "weight": 50}]
    project = project_with_two_versions(tmp_path, approvals=[approval(OLD), approval(NEW)], serving=hand)
    with pytest.raises(ProjectError, match="edited by hand"):
        promote(project, "prod", NEW, "full", today=TODAY)


def test_rollback_drops_the_canary():
    during = next_variants(CHAMPION_OLD, NEW, "canary", 20)
    assert during[1]["weight"] == 20
    assert next_variants(during, NEW, "rollback") == CHAMPION_OLD


def test_the_first_deployment_goes_straight_to_full_and_a_canary_of_nothing_is_refused():
    assert next_variants([], NEW, "full") == [{"name": "champion", "modelVersion": NEW, "weight": 100}]
    with pytest.raises(ProjectError, match="nothing to compare a canary with"):
        next_variants([], NEW, "canary")


def test_the_command_prints_what_is_served_and_exits_2_when_refused(tmp_path):
    project = project_with_two_versions(tmp_path, approvals=[approval(OLD)], serving=CHAMPION_OLD)
    refused = CliRunner().invoke(app, ["promote", str(project), "--env", "prod", "--model-version", NEW,
                                       "--step", "canary"])
    assert refused.exit_code == 2 and "no approval of this version" in refused.output
    dev = CliRunner().invoke(app, ["promote", str(project), "--env", "dev", "--model-version", NEW, "--step", "full"])
    assert dev.exit_code == 0, dev.output
    assert f"dev: champion {NEW} 100%" in dev.output


def test_a_ci_job_that_promotes_fails_the_project_check(tmp_path):
    from qantara.project.check import check_project

    project = project_with_two_versions(tmp_path, approvals=[approval(OLD)])
    (project / ".gitlab-ci.yml").write_text(
        "retrain:\n  rules: [{if: '$CI_PIPELINE_SOURCE == \"schedule\"'}]\n  environment: prod\n"
        "  script: [make platform-pipeline, make promote ENV=prod STEP=full]\n")
    result = check_project(project, "prod", today=TODAY)
    assert [f["policy"] for f in result.findings] == ["QA-PRJ-013"]
    assert result.findings[0]["resource"] == ".gitlab-ci.yml: retrain" and result.verdict == "fail"
    (project / ".gitlab-ci.yml").write_text("retrain: [unclosed\n")
    assert "cannot be read" in check_project(project, "prod", today=TODAY).findings[0]["message"]
