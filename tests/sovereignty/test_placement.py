"""Placement: where every component lives and why, or a located refusal naming the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from qantara.blueprint.loader import load_blueprint
from qantara.errors import BlueprintError
from qantara.sovereignty.placement import region_report, resolve_placement

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"


# The government example's deployment and on-prem site, as the file writes them.
GOV_ON_PREM = ("  deployment: on-prem\n  onPrem:\n    site: riyadh-gov-dc\n    country: SA\n    kind: kubernetes\n"
               "    kubeContext: riyadh-gov-dc-ml\n    registry: registry.agency.gov.example/ml\n"
               "    storageClass: encrypted-local\n    serving: deployment\n")


def place(path: Path):
    return resolve_placement(load_blueprint(path))


def refusal(path: Path) -> BlueprintError:
    with pytest.raises(BlueprintError) as caught:
        place(path)
    return caught.value


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_ae_health_places_every_component_in_me_central_1_naming_the_law():
    placement = place(BLUEPRINTS / "ae-health-cloud.yaml")
    assert placement.primary_region == "me-central-1"
    assert placement.components
    for name, component in placement.components.items():
        assert (component.kind, component.region, component.country) == ("cloud", "me-central-1", "AE"), name
        assert component.requirement == "in-country"
        assert "AE-HEALTH-DATA-IN-COUNTRY" in component.reason
        assert "Federal Law No. 2 of 2019" in component.reason
        assert component.allowed_regions == ["me-central-1"]


def test_sa_hybrid_keeps_restricted_components_on_prem_and_tracks_internal_metadata_in_aws():
    placement = place(BLUEPRINTS / "sa-health-hybrid.yaml")
    tracking = placement.components["experimentTracking"]
    assert tracking.data_class == "internal"
    assert tracking.kind == "cloud"
    assert tracking.region in tracking.allowed_regions
    assert tracking.region == placement.primary_region
    restricted = {n: c for n, c in placement.components.items() if c.data_class == "restricted"}
    assert restricted
    for name, component in restricted.items():
        assert (component.kind, component.site, component.country) == ("onprem", "riyadh-dc1", "SA"), name
        # me-west-1 is in the Kingdom (botocore's partition data) but lists no service yet.
        assert component.allowed_regions == ["me-west-1"]
        assert "only me-west-1 may hold it, and botocore's endpoint data lists none of its services yet" in component.reason


def test_a_region_with_no_endpoint_data_is_never_chosen_automatically_but_said():
    placement = place(BLUEPRINTS / "sa-health-hybrid.yaml")
    assert placement.primary_region != "me-west-1"
    assert any(w.startswith("me-west-1 (Middle East (Saudi Arabia)) is in SA") and "not chosen automatically" in w
               for w in placement.warnings)


def test_pinning_the_saudi_region_places_in_the_kingdom_and_warns_every_service_is_uncertain(saudi_pinned):
    placement = place(saudi_pinned(monitoring_on_prem=True))
    data_lake = placement.components["dataLake"]
    assert (data_lake.kind, data_lake.region, data_lake.country) == ("cloud", "me-west-1", "SA")
    assert "SA-HEALTH-DATA-IN-COUNTRY" in data_lake.reason
    assert any("availability of Amazon S3 in me-west-1 is uncertain" in w for w in data_lake.warnings)
    assert placement.components["monitoring"].kind == "onprem"


def test_pinning_the_saudi_region_with_cloud_monitoring_is_refused_for_the_model_monitor_image(saudi_pinned):
    message = str(refusal(saudi_pinned(monitoring_on_prem=False)))
    assert "SageMaker Model Monitor's analyzer image is not known for region `me-west-1`" in message
    assert "place monitoring on-prem" in message
    assert "not an AWS region known to the catalog" not in message


def test_cloud_only_deployment_of_a_class_no_region_may_hold_is_refused_saying_on_prem(rewritten):
    path = rewritten(
        "sa-government-onprem.yaml",
        (GOV_ON_PREM,
         "  deployment: cloud\n  cloud:\n    provider: aws\n    region: me-central-1\n"),
    )
    error = refusal(path)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.field == "spec.cloud.region"
    assert problem.line == line_of(path, "region: me-central-1")
    assert "no AWS region may hold it" in problem.message
    assert "on-prem" in problem.message
    assert "SA-GOV-SECRET-ON-PREM" in problem.message


def test_cloud_only_deployment_without_a_region_is_refused_too(rewritten):
    path = rewritten(
        "sa-government-onprem.yaml",
        (GOV_ON_PREM,
         "  deployment: cloud\n  cloud:\n    provider: aws\n"),
    )
    error = refusal(path)
    assert any("on-prem" in p.message and "no AWS region may hold it" in p.message for p in error.problems)


def test_bh_dr_in_the_uae_is_allowed_because_of_the_declared_transfer():
    placement = place(BLUEPRINTS / "bh-fintech-cloud.yaml")
    assert placement.primary_region == "me-south-1"
    assert placement.disaster_recovery is not None
    assert placement.disaster_recovery.region == "me-central-1"
    assert placement.disaster_recovery.country == "AE"


def test_bh_dr_in_the_uae_is_refused_without_the_transfer_naming_the_cross_border_rule(tmp_path):
    text = (BLUEPRINTS / "bh-fintech-cloud.yaml").read_text(encoding="utf-8")
    start = text.index("    transfers:\n")
    end = text.index("  tags:\n")
    path = tmp_path / "bh-no-transfer.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    error = refusal(path)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.field == "spec.cloud.drRegion"
    assert problem.line == line_of(path, "drRegion: me-central-1")
    assert "BH-PDPL-CROSS-BORDER" in problem.message
    assert "'me-central-1'" in problem.message


@pytest.mark.parametrize("key", ["region", "drRegion"])
def test_an_unknown_region_code_is_refused_at_its_line(rewritten, key):
    old = {"region": "    region: me-south-1\n", "drRegion": "    drRegion: me-central-1\n"}[key]
    path = rewritten("bh-fintech-cloud.yaml", (old, old.replace("me-", "me-west-").replace("-1\n", "-9\n")))
    error = refusal(path)
    problem = next(p for p in error.problems if p.field == f"spec.cloud.{key}")
    assert problem.line == line_of(path, f"{key}: me-west-")
    assert "not an AWS region known to the catalog" in problem.message


def test_an_online_feature_store_is_refused_where_its_runtime_is_not_offered(rewritten):
    path = rewritten("ae-health-cloud.yaml", ("      online: false\n", "      online: true\n"))
    error = refusal(path)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.field == "spec.cloud.region"
    assert "does not offer SageMaker Feature Store runtime" in problem.message
    assert "featureStore" in problem.message


def test_region_report_allows_only_the_uae_for_ae_restricted_health():
    requirement, rows = region_report("AE", "restricted", ["health"])
    assert requirement["level"] == "in-country"
    assert [r.region for r in rows if r.allowed] == ["me-central-1"]
    us_east = next(r for r in rows if r.region == "us-east-1")
    assert not us_east.allowed and "must stay in AE" in us_east.reason


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("XX", "restricted", []), "unknown jurisdiction 'XX'"),
        (("AE", "top-secret", []), "unknown classification 'top-secret'"),
        (("AE", "restricted", ["spaceflight"]), "unknown sector 'spaceflight'"),
    ],
)
def test_region_report_refuses_unknown_names(args, says):
    with pytest.raises(BlueprintError, match=says):
        region_report(*args)
