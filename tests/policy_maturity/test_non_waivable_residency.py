"""Residency findings on restricted and secret data can never be waived; on lower classes they
can. The policy's metadata names the classes (`nonWaivableClasses`), the finding its class."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from qantara.blueprint.models import Blueprint
from qantara.engine.rego import default_engine
from qantara.errors import CatalogError
from qantara.policy.enforcement import enforce
from qantara.policy.evaluate import policy_input
from qantara.policy.library import policy_index, policy_packages
from qantara.resolution import blueprint_facts

TODAY = dt.date(2026, 11, 23)
WAIVER = {"policy": "QA-BP-003", "resources": "spec.components.*", "reason": "migration to me-central-1",
          "approvedBy": "ciso@example.org", "expires": "2027-01-31"}


def residency_finding(data_class: str | None) -> dict:
    finding = {"policy": "QA-BP-003", "title": "t", "severity": "critical", "resource": "spec.components.dataLake",
               "message": "m", "remediation": "r"}
    return finding if data_class is None else {**finding, "dataClass": data_class}


@pytest.mark.parametrize("data_class", ["restricted", "secret"])
def test_a_residency_finding_on_restricted_or_secret_data_is_never_waived(data_class):
    [result] = enforce([residency_finding(data_class)], enforcement="mandatory", waivers=[WAIVER], today=TODAY)

    assert result["enforcement"] == "mandatory"
    assert result["waiver"] == f"waiver by ciso@example.org ignored: QA-BP-003 can never be waived on {data_class} data"


@pytest.mark.parametrize("data_class", ["public", "internal", "confidential"])
def test_a_residency_finding_on_lower_classes_can_be_waived(data_class):
    [result] = enforce([residency_finding(data_class)], enforcement="mandatory", waivers=[WAIVER], today=TODAY)

    assert result["enforcement"] == "waived"


def test_a_residency_finding_of_unknown_class_is_not_waived():
    [result] = enforce([residency_finding(None)], enforcement="mandatory", waivers=[WAIVER], today=TODAY)

    assert result["enforcement"] == "mandatory"
    assert "can never be waived when the data class is unknown" in result["waiver"]


def test_the_residency_policies_declare_their_non_waivable_classes():
    for policy_id in ("QA-BP-003", "QA-BP-004"):
        meta = policy_index()[policy_id]
        assert meta.waivable and meta.non_waivable_classes == ("restricted", "secret")


def test_blueprint_residency_findings_carry_their_data_class():
    blueprint = {
        "apiVersion": "qantara.dev/v1", "kind": "Blueprint",
        "metadata": {"name": "dubai-care-ml", "owner": "ml-platform@dubai-care.example"},
        "spec": {"jurisdiction": "AE", "dataClassification": "restricted", "sectors": ["health"],
                 "deployment": "cloud", "cloud": {"provider": "aws", "region": "me-south-1", "drRegion": "us-east-1"},
                 "environments": [{"name": "prod", "approvers": ["board"]}],
                 "components": {"experimentTracking": {"dataClassification": "internal"}}},
    }
    model = Blueprint.model_validate(blueprint, by_alias=True, by_name=False)
    data = model.model_dump(mode="json", by_alias=True)
    document = policy_input(blueprint=data, today=TODAY, resolved=blueprint_facts(model, "prod"))

    findings = default_engine().query("data.qantara.blueprint.residency.findings", document)

    classes = {(f["policy"], f["resource"]): f["dataClass"] for f in findings}
    assert classes[("QA-BP-003", "spec.components.dataLake")] == "restricted"
    # AE-HEALTH-DATA-IN-COUNTRY (policies/data/jurisdictions.yaml, Health ICT Law Art. 13) keeps UAE
    # health data of every class above public in the UAE, internal included: the component's
    # internal data in Bahrain is found too, and the finding carries its own class, not the platform's.
    assert classes[("QA-BP-003", "spec.components.experimentTracking")] == "internal"
    assert classes[("QA-BP-004", "spec.cloud.drRegion")] == "restricted"


# --- the library refuses metadata it cannot enforce ------------------------------------------

ENTRY = {"id": "QA-TST-001", "title": "t", "severity": "high", "stage": "initial", "waivable": True,
         "rationale": "r", "remediation": "m", "frameworks": ["f"]}


def library(root: Path, **entry) -> Path:
    directory = root / "blueprint" / "demo"
    directory.mkdir(parents=True)
    (directory / "metadata.yaml").write_text(yaml.safe_dump({"policies": [{**ENTRY, **entry}]}))
    return root


def test_the_library_reads_non_waivable_classes(tmp_path):
    [package] = policy_packages(library(tmp_path, nonWaivableClasses=["secret"]))

    assert package.policies[0].non_waivable_classes == ("secret",)
    assert package.policies[0].waivable_for("confidential") and not package.policies[0].waivable_for("secret")


def test_the_library_refuses_an_unknown_class(tmp_path):
    with pytest.raises(CatalogError, match="nonWaivableClasses .* is not a list of data classes"):
        policy_packages(library(tmp_path, nonWaivableClasses=["top-secret"]))


def test_the_library_refuses_classes_on_a_policy_that_is_never_waivable(tmp_path):
    with pytest.raises(CatalogError, match="only narrows a waivable policy"):
        policy_packages(library(tmp_path, waivable=False, nonWaivableClasses=["secret"]))
