"""Placement of hybrid and on-prem blueprints: what goes on site, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from onprem_plans import SA_GOVERNMENT, SA_HEALTH
from qantara.blueprint.loader import load_blueprint
from qantara.errors import BlueprintError
from qantara.sovereignty.placement import resolve_placement

PATIENT_DATA = ("dataLake", "featureStore", "serving")


def place(path: Path):
    return resolve_placement(load_blueprint(path))


def rewritten(tmp_path: Path, source: Path, *edits: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> BlueprintError:
    with pytest.raises(BlueprintError) as caught:
        place(path)
    return caught.value


def test_hybrid_keeps_classes_that_may_not_leave_the_kingdom_on_site_and_sends_the_rest_to_aws():
    placement = place(SA_HEALTH)
    assert {n for n, p in placement.components.items() if p.kind == "cloud"} == {"experimentTracking"}
    assert placement.components["experimentTracking"].data_class == "internal"
    assert placement.primary_region in placement.components["experimentTracking"].allowed_regions
    for name, component in placement.onprem_components().items():
        assert (component.site, component.country, component.data_class) == ("riyadh-dc1", "SA", "restricted"), name


def test_on_prem_deployment_puts_everything_on_site_and_names_no_region():
    placement = place(SA_GOVERNMENT)
    assert set(placement.onprem_components()) == set(placement.components)
    assert placement.primary_region is None


def test_pinning_patient_data_to_the_cloud_is_refused_naming_the_rule_and_the_missing_saudi_region(tmp_path):
    pinned = "".join(f"    {name}:\n      placement: cloud\n" for name in PATIENT_DATA if name != "serving")
    path = rewritten(tmp_path, SA_HEALTH, ("  components:\n", "  components:\n" + pinned),
                     ("    serving:\n", "    serving:\n      placement: cloud\n"))
    error = refusal(path)
    assert {p.field for p in error.problems} == {f"spec.components.{n}.placement" for n in PATIENT_DATA}
    for problem in error.problems:
        assert "SA-HEALTH-DATA-IN-COUNTRY" in problem.message
        assert "no AWS region is in SA" in problem.message
        assert "set placement: onprem" in problem.message
        assert problem.line is not None


def test_hybrid_whose_every_component_must_stay_on_site_names_no_region(tmp_path):
    path = rewritten(tmp_path, SA_HEALTH, ("      dataClassification: internal\n", "      dataClassification: restricted\n"))
    placement = place(path)
    assert not placement.cloud_components()
    assert placement.primary_region is None


def test_outposts_are_refused_as_not_supported_yet(tmp_path):
    path = rewritten(tmp_path, SA_GOVERNMENT, (
        "    kind: kubernetes\n",
        "    kind: outposts\n    outpostArn: arn:aws:outposts:me-south-1:123456789012:outpost/op-0123456789abcdef0\n"))
    (problem,) = refusal(path).problems
    assert problem.field == "spec.onPrem.kind"
    assert "'outposts' is not supported yet" in problem.message and "kind: kubernetes" in problem.message


def test_on_prem_components_without_a_registry_are_refused(tmp_path):
    path = rewritten(tmp_path, SA_GOVERNMENT, ("    registry: registry.agency.gov.example/ml\n", ""))
    (problem,) = refusal(path).problems
    assert problem.field == "spec.onPrem.registry"
    assert "public registries abroad" in problem.message


def test_placement_warns_what_the_on_prem_side_does_not_provision():
    placement = place(SA_GOVERNMENT)
    warnings = {name: " ".join(p.warnings) for name, p in placement.components.items()}
    assert "not provisioned: an audit trail" in warnings["audit"]
    assert "no feature registry, online store" in warnings["featureStore"]
    assert "qantara_model_drift_score" in warnings["monitoring"]
    assert warnings["dataLake"] == "" and warnings["serving"] == ""
