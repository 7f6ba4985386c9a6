"""Placement of hybrid and on-prem blueprints: what goes on site, and what is refused."""

from __future__ import annotations

from pathlib import Path

from onprem_plans import SA_GOVERNMENT, SA_HEALTH, SA_OUTPOSTS, refusal, rewritten

from qantara.blueprint.loader import load_blueprint
from qantara.sovereignty.placement import resolve_placement

PATIENT_DATA = ("dataLake", "featureStore", "serving")


def place(path: Path):
    return resolve_placement(load_blueprint(path))


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


def test_pinning_patient_data_to_the_cloud_is_refused_naming_the_rule_and_the_unlisted_saudi_region(tmp_path):
    pinned = "".join(f"    {name}:\n      placement: cloud\n" for name in PATIENT_DATA if name != "serving")
    path = rewritten(tmp_path, SA_HEALTH, ("  components:\n", "  components:\n" + pinned),
                     ("    serving:\n", "    serving:\n      placement: cloud\n"))
    error = refusal(path)
    assert {p.field for p in error.problems} == {f"spec.components.{n}.placement" for n in PATIENT_DATA}
    for problem in error.problems:
        assert "SA-HEALTH-DATA-IN-COUNTRY" in problem.message
        # me-west-1 is the Kingdom's AWS region (botocore's partition data), services unlisted.
        assert "allowed: me-west-1" in problem.message
        assert "botocore's endpoint data lists no service in me-west-1 yet" in problem.message
        assert "set placement: onprem" in problem.message
        assert problem.line is not None


def test_hybrid_whose_every_component_must_stay_on_site_names_no_region(tmp_path):
    path = rewritten(tmp_path, SA_HEALTH, ("      dataClassification: internal\n", "      dataClassification: restricted\n"))
    placement = place(path)
    assert not placement.cloud_components()
    assert placement.primary_region is None


def test_an_outpost_anchored_to_a_region_offering_s3_on_outposts_takes_what_may_not_leave_the_kingdom():
    placement = place(SA_OUTPOSTS)
    # Only what the blueprint classes internal goes to the parent region: the de-identified
    # experiment metadata and the trail of API activity CloudTrail records there anyway.
    assert set(placement.cloud_components()) == {"experimentTracking", "audit"}
    assert {c.data_class for c in placement.cloud_components().values()} == {"internal"}
    assert placement.primary_region == "me-south-1"
    for name, component in placement.onprem_components().items():
        assert (component.site, component.country, component.data_class) == ("riyadh-outpost1", "SA", "restricted"), name


def test_an_outpost_whose_parent_region_lacks_s3_on_outposts_is_refused_naming_the_field_and_the_choice(tmp_path):
    path = rewritten(tmp_path, SA_OUTPOSTS, (":outposts:me-south-1:", ":outposts:me-central-1:"))
    (problem,) = refusal(path).problems
    assert problem.field == "spec.onPrem.outpostArn" and problem.line is not None
    assert "parent region me-central-1 does not offer Amazon S3 on Outposts" in problem.message
    assert "(dataLake, featureStore, modelRegistry)" in problem.message
    assert problem.message.endswith(
        "allowed: an Outpost anchored to a region near SA that offers Amazon S3 on Outposts: me-south-1")


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
