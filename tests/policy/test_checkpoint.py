"""The one checkpoint (`run_checkpoint`) behind check, check --project and the policy pack:
what it hands the policies, and what it makes of their findings in each environment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.paths import project_root
from qantara.policy.checkpoint import BLUEPRINT_SUBJECTS, PROJECT_SUBJECTS, run_checkpoint

TODAY = dt.date(2026, 12, 6)
FINDING = {"policy": "QA-RES-003", "resource": "urn:pulumi:prod::qantara::aws:s3/bucket:Bucket::raw", "message": "m"}
EXAMPLE = project_root() / "blueprints" / "ae-health-cloud.yaml"


def blueprint(tmp_path: Path, *waivers: dict, environments: list | None = None) -> LoadedBlueprint:
    """The AE health example with `waivers` (and `environments` when given), as a file."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["spec"].setdefault("governance", {})["waivers"] = list(waivers)
    if environments is not None:
        data["spec"]["environments"] = environments
    path = tmp_path / "blueprint.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_blueprint(path)


def evaluator_finding(finding: dict, seen: list):
    def evaluate(document: dict, subjects: tuple[str, ...]) -> list[dict]:
        seen.append((document, subjects))
        return [dict(finding)]

    return evaluate


def test_a_finding_fails_a_mandatory_environment_and_only_advises_an_advisory_one(tmp_path):
    loaded = blueprint(tmp_path)
    mandatory = run_checkpoint(BLUEPRINT_SUBJECTS, loaded, "prod", today=TODAY, evaluator=evaluator_finding(FINDING, []))
    advisory = run_checkpoint(BLUEPRINT_SUBJECTS, loaded, "dev", today=TODAY, evaluator=evaluator_finding(FINDING, []))
    assert (mandatory.verdict, mandatory.enforcement, [f["enforcement"] for f in mandatory.findings]) == (
        "fail", "mandatory", ["mandatory"])
    assert (advisory.verdict, advisory.enforcement, [f["enforcement"] for f in advisory.findings]) == (
        "pass", "advisory", ["advisory"])


def test_a_current_waiver_passes_and_an_expired_one_does_not(tmp_path):
    def waiver(expires: str) -> dict:
        return {"policy": "QA-RES-003", "resources": "raw", "approvedBy": "ciso", "reason": "r", "expires": expires}

    (tmp_path / "current").mkdir()
    (tmp_path / "expired").mkdir()
    current = run_checkpoint(BLUEPRINT_SUBJECTS, blueprint(tmp_path / "current", waiver("2027-01-01")), "prod",
                             today=TODAY, evaluator=evaluator_finding(FINDING, []))
    expired = run_checkpoint(BLUEPRINT_SUBJECTS, blueprint(tmp_path / "expired", waiver("2026-12-05")), "prod",
                             today=TODAY, evaluator=evaluator_finding(FINDING, []))
    assert current.verdict == "pass" and current.findings[0]["enforcement"] == "waived"
    assert expired.verdict == "fail" and "expired on 2026-12-05" in expired.findings[0]["waiver"]


def test_the_policies_read_the_environment_its_level_the_date_and_the_project(tmp_path):
    seen: list = []
    run_checkpoint(PROJECT_SUBJECTS, blueprint(tmp_path), "staging", project={"path": "p"}, today=TODAY,
                   evaluator=evaluator_finding(FINDING, seen))
    [(document, subjects)] = seen
    assert subjects == ("project",)
    assert document["environment"] == {"name": "staging", "enforcement": "mandatory"}
    assert document["context"] == {"date": "2026-12-06"}
    assert document["project"] == {"path": "p"} and document["plan"] == {"resources": []}


def test_the_policies_get_the_resolved_platform_of_the_checked_environment(tmp_path):
    seen: list = []
    run_checkpoint(BLUEPRINT_SUBJECTS, blueprint(tmp_path), "prod", today=TODAY, evaluator=evaluator_finding(FINDING, seen))
    resolved = seen[0][0]["resolved"]
    assert resolved["environment"]["name"] == "prod" and resolved["environment"]["production"] is True
    assert {e["name"]: (e["production"], e["enforcement"]) for e in resolved["environments"]} == {
        "dev": (False, "advisory"), "staging": (False, "mandatory"), "prod": (True, "mandatory")}
    assert resolved["components"]["dataLake"]["dataClassification"] == "restricted"
    assert resolved["components"]["dataLake"]["placement"] == "cloud"
    assert resolved["components"]["dataLake"]["location"]["region"] == "me-central-1"


def test_an_environment_the_blueprint_does_not_declare_is_enforced_mandatory_with_no_resolved_environment(tmp_path):
    seen: list = []
    result = run_checkpoint(PROJECT_SUBJECTS, blueprint(tmp_path), "qa", project={"path": "p"}, today=TODAY,
                            evaluator=evaluator_finding(FINDING, seen))
    resolved = seen[0][0]["resolved"]
    assert result.enforcement == "mandatory" and result.verdict == "fail"
    assert resolved["environment"] is None and [e["name"] for e in resolved["environments"]] == ["dev", "staging", "prod"]


def test_the_checked_blueprint_decides_production_whatever_the_caller_would_hand_in(tmp_path):
    # No caller can hand the checkpoint resolved facts of its own: it resolves the file it
    # checks. A blueprint that names its production environment `live` gets QA-BP-001 when
    # it names no approvers, and an environment called prod marked `production: false` none.
    loaded = blueprint(tmp_path, environments=[{"name": "dev"}, {"name": "live", "production": True},
                                               {"name": "prod", "production": False}])
    result = run_checkpoint(BLUEPRINT_SUBJECTS, loaded, "live", today=TODAY)
    approvers = [f["resource"] for f in result.findings if f["policy"] == "QA-BP-001"]
    assert approvers == ["spec.environments[1]"]
    assert result.verdict == "fail"


def test_the_policies_are_told_which_program_the_plan_is_of_from_what_qantara_ran(tmp_path):
    endpoint = {"urn": "urn:pulumi:prod::qantara::aws:sagemaker/endpoint:Endpoint::e", "type": "aws:sagemaker/endpoint:Endpoint"}
    seen: list = []
    loaded = blueprint(tmp_path)
    run_checkpoint(BLUEPRINT_SUBJECTS, loaded, "prod", plan={"resources": [endpoint]}, today=TODAY,
                   evaluator=evaluator_finding(FINDING, seen), planned_platform_program=True)
    run_checkpoint(BLUEPRINT_SUBJECTS, loaded, "prod", plan={"resources": [endpoint]}, today=TODAY,
                   evaluator=evaluator_finding(FINDING, seen))
    run_checkpoint(PROJECT_SUBJECTS, loaded, "prod", project={"path": "p"}, today=TODAY, evaluator=evaluator_finding(FINDING, seen))
    assert [document["program"]["kind"] if document["program"] else None for document, _ in seen] == [
        "platform", "project", None]


def test_an_endpoint_without_a_trail_fails_the_platforms_plan_and_passes_a_projects(tmp_path):
    # The AE blueprint's audit component is in me-central-1, where the endpoint is.
    endpoint = {"urn": "urn:pulumi:prod::qantara::aws:sagemaker/endpoint:Endpoint::serving", "type": "aws:sagemaker/endpoint:Endpoint",
                "name": "serving", "parent": "", "provider": "", "custom": True, "inputs": {"name": "ae-health-prod-x"},
                "dependencies": [], "propertyDependencies": {}, "dataClassification": "restricted",
                "location": {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}}
    loaded = blueprint(tmp_path)

    def trail_findings(planned_platform_program: bool) -> list[str]:
        verdict = run_checkpoint(BLUEPRINT_SUBJECTS, loaded, "prod", plan={"resources": [endpoint]}, today=TODAY,
                                 planned_platform_program=planned_platform_program)
        return [f["resource"] for f in verdict.findings if f["policy"] == "QA-RES-019"]

    assert trail_findings(True) == [endpoint["urn"]]
    assert trail_findings(False) == []
