"""`assess_maturity`: the stage a platform reached, and the gaps to its target stage."""

from __future__ import annotations

import copy

import pytest

from qantara.blueprint.models import Blueprint
from qantara.policy.library import STAGES
from qantara.policy.maturity import assess_maturity, prerequisites, stage_names

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
    },
}


def blueprint(**spec) -> dict:
    """The blueprint as the policies see it (validated, defaults filled in), with `spec` changes."""
    data = copy.deepcopy(BLUEPRINT)
    data["spec"].update(spec)
    return Blueprint.model_validate(data, by_alias=True, by_name=False).model_dump(mode="json", by_alias=True)


def finding(policy: str, enforcement: str = "mandatory", resource: str = "spec.x") -> dict:
    return {"policy": policy, "resource": resource, "message": f"{policy} failed", "enforcement": enforcement}


def test_the_stages_are_the_ones_policies_declare_in_order():
    assert stage_names() == list(STAGES)


def test_a_clean_platform_reaches_every_stage_whose_prerequisites_hold():
    # Audit, approvers, monitoring and the registry are there; no DR region for optimized.
    assessment = assess_maturity([], blueprint())

    assert assessment == {"reached": "integrated", "target": "managed", "gaps": []}


def test_an_initial_stage_finding_means_no_stage_is_reached():
    assessment = assess_maturity([finding("QA-RES-001", resource="urn:raw")], blueprint())

    assert assessment["reached"] is None
    assert [(g["stage"], g["policy"], g["resource"]) for g in assessment["gaps"]] == [("initial", "QA-RES-001", "urn:raw")]
    assert assessment["gaps"][0]["title"] and assessment["gaps"][0]["message"] == "QA-RES-001 failed"


def test_an_advisory_finding_blocks_its_stage_and_a_waived_one_does_not():
    advisory = assess_maturity([finding("QA-BP-001", "advisory")], blueprint())
    waived = assess_maturity([finding("QA-BP-001", "waived")], blueprint())

    assert advisory["reached"] == "initial"
    assert [g["policy"] for g in advisory["gaps"]] == ["QA-BP-001"]
    assert waived["reached"] == "integrated" and waived["gaps"] == []


def test_a_missing_prerequisite_of_the_target_stage_is_a_gap():
    spec = {"governance": {"stage": "optimized"}, "environments": [
        {"name": "dev"}, {"name": "staging", "enforcement": "advisory"}, {"name": "prod", "approvers": ["board"]}]}

    assessment = assess_maturity([], blueprint(**spec))

    assert (assessment["reached"], assessment["target"]) == ("integrated", "optimized")
    assert [(g["stage"], g["policy"], g["resource"]) for g in assessment["gaps"]] == [
        ("optimized", "QA-BP-006", "spec.cloud.drRegion"),
        ("optimized", "QA-BP-006", "spec.environments"),
    ]
    assert "staging" in assessment["gaps"][1]["message"]


def test_gaps_run_from_the_stage_after_the_one_reached_up_to_the_target():
    spec = {"governance": {"stage": "integrated"}, "components": {"audit": {"enabled": False},
                                                                  "monitoring": {"enabled": False}}}

    assessment = assess_maturity([finding("QA-PRJ-009"), finding("QA-BP-009")], blueprint(**spec))

    assert assessment["reached"] is None  # QA-BP-009 is an initial-stage policy
    assert [(g["stage"], g["policy"]) for g in assessment["gaps"]] == [
        ("initial", "QA-BP-009"), ("managed", "QA-BP-006"), ("integrated", "QA-PRJ-009"), ("integrated", "QA-BP-006")]


def test_a_reached_stage_above_the_target_leaves_no_gaps():
    assessment = assess_maturity([finding("QA-PRJ-009")], blueprint(governance={"stage": "initial"}))

    assert assessment == {"reached": "managed", "target": "initial", "gaps": []}


def test_prerequisite_findings_are_not_counted_twice():
    spec = {"components": {"audit": {"enabled": False}}}

    assessment = assess_maturity([finding("QA-BP-006", resource="spec.components.audit.enabled")], blueprint(**spec))

    assert [(g["stage"], g["policy"]) for g in assessment["gaps"]] == [("managed", "QA-BP-006")]


def test_a_waiver_does_not_make_a_missing_prerequisite_hold():
    spec = {"components": {"audit": {"enabled": False}}}

    assessment = assess_maturity([finding("QA-BP-006", "waived")], blueprint(**spec))

    assert assessment["reached"] == "initial"


def test_a_blueprint_model_is_accepted():
    model = Blueprint.model_validate(BLUEPRINT, by_alias=True, by_name=False)

    assert assess_maturity([], model)["reached"] == "integrated"


@pytest.mark.parametrize(("spec", "held"), [
    ({}, {"audit-enabled", "production-approvers", "monitoring-enabled", "model-registry-enabled",
          "mandatory-outside-dev"}),
    ({"cloud": {"provider": "aws", "region": "me-central-1", "drRegion": "me-south-1"},
      "environments": [{"name": "dev"}, {"name": "live", "production": True}]},
     {"audit-enabled", "monitoring-enabled", "model-registry-enabled", "disaster-recovery", "mandatory-outside-dev"}),
])
def test_prerequisites_are_judged_for_every_stage(spec, held):
    statuses = prerequisites(blueprint(**spec))

    assert [s["stage"] for s in statuses] == ["managed", "managed", "integrated", "integrated", "optimized", "optimized"]
    assert {s["id"] for s in statuses if s["held"]} == held
