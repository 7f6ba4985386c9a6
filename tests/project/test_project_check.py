"""`check_project`: a project is checked against its platform's governance, at the level of
the platform environment it targets, with the blueprint's waivers."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from qantara.errors import ProjectError
from qantara.project.check import check_project

TODAY = dt.date(2026, 11, 23)

BLUEPRINT = {
    "apiVersion": "qantara.dev/v1",
    "kind": "Blueprint",
    "metadata": {"name": "dubai-care-ml", "owner": "ml-platform@dubai-care.example"},
    "spec": {
        "jurisdiction": "AE",
        "dataClassification": "restricted",
        "sectors": ["health"],
        "deployment": "cloud",
        "cloud": {"provider": "aws", "region": "me-central-1"},
        "environments": [{"name": "dev"}, {"name": "prod", "approvers": ["clinical-safety-board"]}],
        "components": {"featureStore": {"online": False}},
    },
}

MANIFEST = {
    "apiVersion": "qantara.dev/v1",
    "kind": "MLProject",
    "metadata": {"name": "readmission-risk", "owner": "dr.salem@dubai-care.example", "team": "clinical-ml"},
    "spec": {
        "blueprint": "../platform/blueprint.yaml",
        "platform": "dubai-care-ml",
        "environments": ["dev", "prod"],
        "dataClassification": "restricted",
        "problemType": "classification",
        "framework": "scikit-learn",
        "serving": "realtime",
        "datasets": [{"name": "admissions", "classification": "restricted", "source": "curated/admissions/"}],
        "evaluation": {"primaryMetric": "roc_auc", "thresholds": [{"metric": "roc_auc", "min": 0.8}]},
        "biasCheck": {"enabled": True, "sensitiveFeatures": ["sex"], "metric": "demographic_parity_difference",
                      "maxDisparity": 0.1},
        "approvals": [{"environment": "prod", "approvedBy": "clinical-safety-board", "date": "2026-11-01",
                       "reference": "CSB-2026-117"}],
        "monitoring": {"drift": {"enabled": True, "threshold": 0.2}, "alertsTo": "oncall@dubai-care.example"},
    },
}

CARD = {
    "modelDetails": {"name": "readmission-risk", "version": "1.0.0", "owners": ["dr.salem@dubai-care.example"],
                     "date": "2026-10-30", "description": "30-day readmission risk.", "framework": "scikit-learn"},
    "intendedUse": {"primaryUses": ["prioritise follow-up calls"], "primaryUsers": ["nurses"],
                    "outOfScope": ["diagnosis"]},
    "data": {"training": ["admissions"], "evaluation": ["admissions"], "classification": "restricted"},
    "metrics": [{"name": "roc_auc", "value": 0.84, "threshold": {"min": 0.8}, "passed": True}],
    "ethicalConsiderations": {"sensitiveFeatures": ["sex"], "biasMetric": "demographic_parity_difference",
                              "biasValue": 0.03, "risks": ["sparse records"]},
    "limitations": ["one hospital group"],
    "training": {"mlflowRunId": "4f1c2a", "trackingUri": "https://mlflow.example", "trainedAt": "2026-10-30T09:00:00Z"},
}


def merged(base, override):
    """`override` merged into `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{k: merged(base[k], v) if k in base else copy.deepcopy(v) for k, v in override.items()}}
    return copy.deepcopy(override)


# The pipeline run that registered the approved model: who trained it (QA-PRJ-011).
LINEAGE = {"run": "20261030T090000Z-a1b2c3", "startedAt": "2026-10-30T09:00:00+00:00",
           "startedBy": "dr.salem@dubai-care.example", "reason": "person", "why": "first model",
           "code": {"commit": "3f2c1e0", "dirty": False}, "dataRead": [{"path": "curated/admissions.csv",
                                                                        "sha256": "ab" * 32}],
           "parameters": {}, "metrics": {"roc_auc": 0.84}, "steps": [{"name": "ingest"}],
           "model": {"modelVersion": "03455a8176a8", "status": "PendingManualApproval"}}


def write_project(root: Path, *, manifest=None, card=None, blueprint=None, card_text: str | None = None,
                  lineage=None) -> Path:
    """A platform blueprint in root/platform and a project in root/project, changed as asked."""
    (root / "platform").mkdir(parents=True, exist_ok=True)
    (root / "platform" / "blueprint.yaml").write_text(yaml.safe_dump(merged(BLUEPRINT, blueprint or {})))
    project = root / "project"
    project.mkdir(exist_ok=True)
    (project / "qantara.yaml").write_text(yaml.safe_dump(merged(MANIFEST, manifest or {}), sort_keys=False))
    if card_text is not None:
        (project / "model_card.yaml").write_text(card_text)
    elif card != "missing":
        (project / "model_card.yaml").write_text(yaml.safe_dump(merged(CARD, card or {})))
    if lineage != "missing":
        record = merged(LINEAGE, lineage or {})
        (project / "runs" / record["run"]).mkdir(parents=True, exist_ok=True)
        (project / "runs" / record["run"] / "lineage.json").write_text(json.dumps(record))
    return project


def policies(result) -> list[str]:
    return sorted(f["policy"] for f in result.findings)


def test_a_complete_project_passes_in_its_last_environment(tmp_path):
    result = check_project(write_project(tmp_path), today=TODAY)

    assert result.findings == []
    assert result.verdict == "pass"
    assert (result.blueprint, result.environment, result.enforcement) == ("dubai-care-ml", "prod", "mandatory")


def test_a_model_trained_by_a_and_approved_by_a_cannot_be_promoted_to_prod(tmp_path):
    approval = {"environment": "prod", "approvedBy": "dr.salem@dubai-care.example", "date": "2026-11-01",
                "reference": "self", "modelVersion": "03455a8176a8"}
    blueprint = {"spec": {"environments": [{"name": "dev"}, {"name": "prod", "approvers": [
        "clinical-safety-board", "dr.salem@dubai-care.example"]}]}}
    project = write_project(tmp_path, manifest={"spec": {"approvals": [approval]}}, blueprint=blueprint)
    result = check_project(project, "prod", today=TODAY)
    assert policies(result) == ["QA-PRJ-011"] and result.verdict == "fail"
    assert "a model's author cannot approve it" in result.findings[0]["message"]
    # Someone else approves the same version: it may go.
    other = {**approval, "approvedBy": "clinical-safety-board", "reference": "CSB-2026-117"}
    project = write_project(tmp_path, manifest={"spec": {"approvals": [other]}}, blueprint=blueprint)
    assert check_project(project, "prod", today=TODAY).verdict == "pass"


def test_an_approval_without_any_pipeline_run_shows_no_separation_of_duties(tmp_path):
    result = check_project(write_project(tmp_path, lineage="missing"), "prod", today=TODAY)
    assert policies(result) == ["QA-PRJ-011"] and result.verdict == "fail"


@pytest.mark.parametrize("trained_at", ["2026-05-01T09:00:00Z", "2026-05-01"])
def test_a_model_older_than_the_platform_allows_is_not_served_in_prod(tmp_path, trained_at):
    old = {"training": {"mlflowRunId": "4f1c2a", "trackingUri": "https://mlflow.example", "trainedAt": trained_at}}
    result = check_project(write_project(tmp_path, card=old), "prod", today=TODAY)  # 206 days, default 180
    assert policies(result) == ["QA-PRJ-012"] and "206 days ago" in result.findings[0]["message"]
    # The platform allows a year: the same model passes.
    longer = {"spec": {"governance": {"maxModelAgeDays": 365}}}
    assert check_project(write_project(tmp_path, card=old, blueprint=longer), "prod", today=TODAY).verdict == "pass"


def test_a_card_whose_training_date_is_unreadable_shows_no_age(tmp_path):
    card = {"training": {"mlflowRunId": "4f1c2a", "trackingUri": "https://mlflow.example", "trainedAt": "last spring"}}
    result = check_project(write_project(tmp_path, card=card), "prod", today=TODAY)
    assert policies(result) == ["QA-PRJ-012"] and "no readable training date" in result.findings[0]["message"]


def test_a_tampered_lineage_record_is_an_error_not_a_pass(tmp_path):
    project = write_project(tmp_path)
    (project / "runs" / LINEAGE["run"] / "lineage.json").write_text('{"run": "x", "startedBy": 7}')
    with pytest.raises(ProjectError, match="lineage.json"):
        check_project(project, "prod", today=TODAY)


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"card": "missing"}, "QA-PRJ-001", id="no model card"),
    pytest.param({"card": {"metrics": []}}, "QA-PRJ-001", id="untrained model card"),
    pytest.param({"manifest": {"spec": {"dataClassification": "secret", "datasets": []}}}, "QA-PRJ-002",
                 id="data above the platform's class"),
    pytest.param({"blueprint": {"spec": {"components": {"dataLake": {"dataClassification": "confidential"}}}}},
                 "QA-PRJ-002", id="dataset above the data lake's class"),
    pytest.param({"manifest": {"spec": {"evaluation": {"primaryMetric": "roc_auc", "thresholds": [
        {"metric": "f1", "min": 0.5}]}}}, "card": {"metrics": [{"name": "f1", "value": 0.7}]}}, "QA-PRJ-003",
                 id="primary metric without a threshold"),
    pytest.param({"manifest": {"spec": {"biasCheck": {"enabled": False}}}}, "QA-PRJ-004",
                 id="bias check disabled on health data"),
    pytest.param({"manifest": {"spec": {"approvals": []}}}, "QA-PRJ-005", id="no production approval"),
    pytest.param({"manifest": {"spec": {"monitoring": None}}}, "QA-PRJ-006", id="served without monitoring"),
    pytest.param({"manifest": {"spec": {"environments": ["dev", "uat", "prod"]}}}, "QA-PRJ-007",
                 id="environment the platform lacks"),
    pytest.param({"manifest": {"spec": {"platform": "riyadh-health-ml"}}}, "QA-PRJ-008", id="another platform's name"),
    pytest.param({"card": {"metrics": [{"name": "roc_auc", "value": 0.7}]}}, "QA-PRJ-009",
                 id="model below its threshold"),
    pytest.param({"card": {"metrics": [{"name": "roc_auc", "value": float("nan")}]}}, "QA-PRJ-009",
                 id="a NaN metric meets no threshold"),
    pytest.param({"blueprint": {"spec": {"components": {"serving": {"enabled": False}}}}}, "QA-PRJ-010",
                 id="realtime serving on a platform without serving"),
])
def test_each_gap_is_reported_by_its_policy(tmp_path, changes, expected):
    result = check_project(write_project(tmp_path, **changes), today=TODAY)

    assert policies(result) and set(policies(result)) == {expected}, result.findings
    assert result.verdict == "fail"
    assert all(f["resource"].startswith("spec.") for f in result.findings)


def test_a_drift_threshold_drift_never_reaches_fails_the_check_naming_the_bound(tmp_path):
    project = write_project(tmp_path, manifest={"spec": {"monitoring": {"drift": {"enabled": True, "threshold": 50}}}})

    result = check_project(project, "prod", today=TODAY)

    assert result.verdict == "fail" and policies(result) == ["QA-PRJ-006"], result.findings
    [finding] = result.findings
    assert finding["resource"] == "spec.monitoring.drift.threshold"
    assert "50 is above 0.25" in finding["message"] and "policies/data/drift.yaml" in finding["message"]


@pytest.mark.parametrize("threshold", [0.25, 0.01])
def test_a_drift_threshold_within_the_bound_passes(tmp_path, threshold):
    project = write_project(tmp_path, manifest={"spec": {"monitoring": {"drift": {"enabled": True,
                                                                                  "threshold": threshold}}}})
    assert check_project(project, "prod", today=TODAY).verdict == "pass"


@pytest.mark.parametrize("threshold", [".inf", "-.inf", ".nan", "0", "-0.1"])
def test_a_drift_threshold_that_is_no_positive_finite_number_is_refused_at_its_line(tmp_path, threshold):
    project = write_project(tmp_path)
    manifest = project / "qantara.yaml"
    text = manifest.read_text()
    assert "threshold: 0.2" in text
    manifest.write_text(text.replace("threshold: 0.2", f"threshold: {threshold}"))

    with pytest.raises(ProjectError) as raised:
        check_project(project, "prod", today=TODAY)

    [problem] = raised.value.problems
    assert problem.file == str(manifest) and problem.field == "spec.monitoring.drift.threshold"
    assert "threshold:" in manifest.read_text().splitlines()[problem.line - 1]


def test_a_gap_in_dev_is_advisory(tmp_path):
    project = write_project(tmp_path, manifest={"spec": {"monitoring": None}})

    result = check_project(project, environment="dev", today=TODAY)

    assert (result.environment, result.enforcement, result.verdict) == ("dev", "advisory", "pass")
    assert {f["enforcement"] for f in result.findings} == {"advisory"}


def test_an_environment_the_platform_does_not_declare_is_enforced_as_mandatory(tmp_path):
    project = write_project(tmp_path, manifest={"spec": {"environments": ["dev", "uat"], "approvals": []}})

    result = check_project(project, today=TODAY)

    assert (result.environment, result.enforcement, result.verdict) == ("uat", "mandatory", "fail")
    assert policies(result) == ["QA-PRJ-007"]


def test_the_blueprints_waivers_apply_to_project_findings(tmp_path):
    waiver = {"policy": "QA-PRJ-005", "resources": "spec.environments[1]", "reason": "pilot under supervision",
              "approvedBy": "ciso@dubai-care.example", "expires": "2027-01-31"}
    project = write_project(tmp_path, manifest={"spec": {"approvals": []}},
                            blueprint={"spec": {"governance": {"waivers": [waiver]}}})

    result = check_project(project, today=TODAY)

    assert [(f["policy"], f["enforcement"]) for f in result.findings] == [("QA-PRJ-005", "waived")]
    assert result.verdict == "pass"


def test_an_environment_the_project_does_not_use_is_refused_at_its_manifest_line(tmp_path):
    project = write_project(tmp_path)

    with pytest.raises(ProjectError) as raised:
        check_project(project, environment="staging", today=TODAY)

    problem = raised.value.problems[0]
    assert problem.file == str(project / "qantara.yaml") and problem.line is not None
    assert "'staging'" in problem.message and "dev, prod" in problem.message


def test_a_missing_blueprint_names_the_manifest_line_and_the_path_tried(tmp_path):
    project = write_project(tmp_path, manifest={"spec": {"blueprint": "../platform/missing.yaml"}})

    with pytest.raises(ProjectError) as raised:
        check_project(project, today=TODAY)

    problem = raised.value.problems[0]
    lines = (project / "qantara.yaml").read_text().splitlines()
    assert problem.file == str(project / "qantara.yaml")
    assert "blueprint: ../platform/missing.yaml" in lines[problem.line - 1]
    assert problem.field == "spec.blueprint"
    assert str(project / "../platform/missing.yaml") in problem.message


def test_a_broken_model_card_is_a_located_project_error(tmp_path):
    project = write_project(tmp_path, card_text="modelDetails:\n  name: [unclosed\n")

    with pytest.raises(ProjectError) as raised:
        check_project(project, today=TODAY)

    problem = raised.value.problems[0]
    assert problem.file == str(project / "model_card.yaml") and problem.line is not None
    assert "YAML syntax error" in problem.message


def test_a_model_card_that_is_not_a_mapping_is_refused(tmp_path):
    project = write_project(tmp_path, card_text="- just\n- a list\n")

    with pytest.raises(ProjectError) as raised:
        check_project(project, today=TODAY)

    assert "top level must be a mapping" in raised.value.problems[0].message
