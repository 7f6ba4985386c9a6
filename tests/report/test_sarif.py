"""The SARIF log of a real check is valid SARIF 2.1.0 and says where each finding lives."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

import qantara
from qantara.policy.library import policy_index
from qantara.report.sarif import check_sarif, field_path

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference"


def test_check_has_every_kind_of_finding(kinds):
    # The fixture's bare us-east-1 bucket also fails other resource policies; these four are
    # the kinds the report tests rely on.
    expected = {"QA-BP-001": "mandatory", "QA-RES-001": "mandatory", "QA-RES-003": "waived", "QA-RES-004": "mandatory"}
    assert {policy: kinds.get(policy) for policy in expected} == expected
    assert "waived" not in {kind for policy, kind in kinds.items() if policy != "QA-RES-003"}


def test_sarif_of_a_real_check_validates_against_the_oasis_schema(result, blueprint_path):
    schema = json.loads((REFERENCE / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(json.dumps(check_sarif(result, blueprint_path)))
    jsonschema.validators.validator_for(schema)(schema).validate(log)  # the OASIS schema is draft-04
    assert len(log["runs"]) == 1 and len(log["runs"][0]["results"]) == len(result.findings)


def test_every_policy_is_a_rule_described_by_its_metadata(result, blueprint_path):
    driver = check_sarif(result, blueprint_path)["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("qantara", qantara.__version__)
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == set(policy_index())
    residency = rules["QA-RES-001"]
    meta = policy_index()["QA-RES-001"]
    assert residency["shortDescription"]["text"] == meta.title
    assert residency["fullDescription"]["text"] == meta.rationale
    assert residency["help"]["text"] == meta.remediation
    assert residency["properties"]["security-severity"] == "9.0"
    assert residency["properties"]["waivable"] is True
    assert residency["properties"]["nonWaivableClasses"] == ["restricted", "secret"]
    assert residency["properties"]["frameworks"] == list(meta.frameworks)


def test_levels_follow_enforcement_and_waivers_are_suppressions(result, blueprint_path):
    results = {r["ruleId"]: r for r in check_sarif(result, blueprint_path)["runs"][0]["results"]}
    assert results["QA-RES-001"]["level"] == "error" and "suppressions" not in results["QA-RES-001"]
    waived = results["QA-RES-003"]
    assert waived["level"] == "note"
    assert waived["suppressions"][0]["kind"] == "external"
    assert waived["suppressions"][0]["justification"].startswith("waived by ciso until 2025-06-30")


def test_blueprint_finding_points_at_its_line_in_the_blueprint(result, blueprint_path):
    results = {r["ruleId"]: r for r in check_sarif(result, blueprint_path)["runs"][0]["results"]}
    physical = results["QA-BP-001"]["locations"][0]["physicalLocation"]
    lines = blueprint_path.read_text(encoding="utf-8").splitlines()
    assert physical["artifactLocation"]["uri"] == blueprint_path.as_posix()
    assert lines[physical["region"]["startLine"] - 1].strip() == "- name: prod"
    assert "logicalLocations" not in results["QA-BP-001"]["locations"][0]


def test_resource_finding_names_the_resource_urn(result, blueprint_path):
    results = {r["ruleId"]: r for r in check_sarif(result, blueprint_path)["runs"][0]["results"]}
    location = results["QA-RES-004"]["locations"][0]
    assert location["logicalLocations"] == [{"fullyQualifiedName": results["QA-RES-004"]["properties"]["resource"],
                                             "kind": "resource"}]
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("::raw-data")
    assert location["physicalLocation"]["artifactLocation"]["uri"] == blueprint_path.as_posix()


def test_field_paths_parse_as_the_loader_formats_them():
    assert field_path("spec.environments[2]") == ("spec", "environments", 2)
    assert field_path("spec.tags['cost centre']") == ("spec", "tags", "cost centre")
    assert field_path("spec..x") is None
