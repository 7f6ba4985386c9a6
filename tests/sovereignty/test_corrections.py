"""Each correction of issue 12, pinned by the verdict `qantara regions` or placement gives,
and the rule it comes from (docs/sources/corrections-2026-12.md says what was read)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qantara.blueprint.loader import load_blueprint
from qantara.cli import app
from qantara.engine.rego import default_engine, to_plain
from qantara.errors import BlueprintError
from qantara.sovereignty.placement import resolve_placement

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
OPTIONS = "data.qantara.lib.residency.region_options"


def regions(jurisdiction: str, classification: str, *sectors: str) -> dict:
    """`qantara regions ... --format json`, run through the CLI."""
    args = ["regions", "--jurisdiction", jurisdiction, "--classification", classification, "--format", "json"]
    for sector in sectors:
        args += ["--sector", sector]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def regions_table(jurisdiction: str, classification: str, *sectors: str) -> str:
    args = ["regions", "--jurisdiction", jurisdiction, "--classification", classification]
    for sector in sectors:
        args += ["--sector", sector]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def allowed(report: dict) -> set[str]:
    return {row["region"] for row in report["regions"] if row["allowed"]}


def verdict(jurisdiction: str, data_class: str, region: str, sectors=(), transfers=()) -> dict:
    context = {"jurisdiction": jurisdiction, "sectors": list(sectors), "transfers": list(transfers)}
    options = default_engine().query(OPTIONS, to_plain({"context": context, "classes": [data_class], "onprem": None}))
    return options[data_class]["regions"][region] | {"requirement": options[data_class]["requirement"]}


def transfer(country: str, mechanism: str) -> dict:
    return {"country": country, "mechanism": mechanism, "reference": f"{mechanism} record"}


# --- Saudi Arabia ----------------------------------------------------------------------------

def test_saudi_region_is_known_located_in_the_kingdom_and_warned_as_uncertain():
    report = regions("SA", "restricted", "health")
    assert allowed(report) == {"me-west-1"}
    saudi = next(row for row in report["regions"] if row["region"] == "me-west-1")
    assert saudi["country"] == "SA" and saudi["name"] == "Middle East (Saudi Arabia)"
    assert "service availability in me-west-1 is uncertain" in saudi["warning"]


def test_a_blueprint_naming_the_saudi_region_is_no_longer_refused_as_unknown(saudi_pinned):
    placement = resolve_placement(load_blueprint(saudi_pinned(monitoring_on_prem=True)))
    assert placement.primary_region == "me-west-1"
    assert placement.components["dataLake"].country == "SA"
    # With monitoring in the cloud, the refusal is the Model Monitor image, not an unknown region.
    with pytest.raises(BlueprintError) as caught:
        resolve_placement(load_blueprint(saudi_pinned(monitoring_on_prem=False)))
    assert "SageMaker Model Monitor's analyzer image is not known for region `me-west-1`" in str(caught.value)
    assert "not an AWS region known to the catalog" not in str(caught.value)


@pytest.mark.parametrize("data_class", ["internal", "confidential", "restricted"])
def test_saudi_government_data_above_public_stays_in_the_kingdom(data_class):
    report = regions("SA", data_class, "government")
    assert allowed(report) == {"me-west-1"}
    assert "SA-GOV-ABOVE-PUBLIC-IN-KINGDOM" in report["requirement"]["rules"]


def test_saudi_secret_government_data_goes_on_prem_and_names_no_cloud_alternative():
    report = regions("SA", "secret", "government")
    assert allowed(report) == set()
    assert report["requirement"]["level"] == "on-prem"
    assert "SA-GOV-SECRET-ON-PREM" in report["requirement"]["rules"]
    assert "alternatives" not in report["requirement"]


def test_saudi_public_government_data_may_go_anywhere():
    assert regions("SA", "public", "government")["requirement"]["level"] == "any"


def test_a_saudi_bank_needs_samas_no_objection_and_a_pdpl_basis_to_go_abroad():
    # SAMA Outsourcing Rules §42: written no-objection; PDPL: adequacy, safeguards or exemption.
    alone = verdict("SA", "confidential", "me-south-1", ["banking"])
    assert not alone["allowed"]
    assert "SA-BANKING-OUTSOURCING-ABROAD: authorisation" in alone["reason"]
    only_sama = verdict("SA", "confidential", "me-south-1", ["banking"], [transfer("BH", "authorisation")])
    assert not only_sama["allowed"]
    both = verdict("SA", "confidential", "me-south-1", ["banking"],
                   [transfer("BH", "authorisation"), transfer("BH", "safeguards")])
    assert both["allowed"], both["reason"]
    assert "authorisation (authorisation record), safeguards (safeguards record)" in both["reason"]


def test_a_saudi_nonbank_financial_firm_needs_no_sama_no_objection():
    firm = verdict("SA", "confidential", "me-south-1", ["nonbank-finance"], [transfer("BH", "safeguards")])
    assert firm["allowed"], firm["reason"]
    assert "SA-BANKING-OUTSOURCING-ABROAD" not in firm["requirement"]["rules"]


def test_finance_without_saying_which_gets_the_banking_rules_too():
    assert "SA-BANKING-OUTSOURCING-ABROAD" in regions("SA", "confidential", "finance")["requirement"]["rules"]


def test_saudi_transfer_safeguards_no_longer_include_codes_of_conduct():
    # The 2024 amendment: SCCs, binding common rules, certificate of accreditation.
    report = regions("SA", "confidential", "general")
    assert report["requirement"]["rules"] == ["QANTARA-CONFIDENTIAL-CONDITIONAL", "SA-PDPL-CROSS-BORDER"]
    ok = verdict("SA", "confidential", "eu-central-1", ["general"], [transfer("DE", "safeguards")])
    assert ok["allowed"]
    refused = verdict("SA", "confidential", "eu-central-1", ["general"], [transfer("DE", "consent")])
    assert not refused["allowed"]


# --- UAE --------------------------------------------------------------------------------------

@pytest.mark.parametrize("data_class", ["internal", "confidential", "restricted"])
def test_uae_health_data_of_every_class_above_public_stays_in_the_uae(data_class):
    report = regions("AE", data_class, "health")
    assert allowed(report) == {"me-central-1"}
    assert "AE-HEALTH-DATA-IN-COUNTRY" in report["requirement"]["rules"]


def test_uae_government_and_central_bank_data_have_rules_of_their_own():
    assert "AE-GOV-DATA-IN-COUNTRY" in regions("AE", "internal", "government")["requirement"]["rules"]
    banking = regions("AE", "confidential", "banking")
    assert banking["requirement"]["rules"] == ["AE-BANKING-DATA-IN-COUNTRY"]
    assert allowed(banking) == {"me-central-1"}
    # The PDPL covers other financial firms.
    assert "AE-PDPL-CROSS-BORDER" in regions("AE", "confidential", "nonbank-finance")["requirement"]["rules"]


@pytest.mark.parametrize("zone", ["AE-DIFC", "AE-ADGM"])
def test_free_zone_data_moved_onshore_needs_a_transfer_basis(zone):
    refused = verdict(zone, "confidential", "me-central-1", ["nonbank-finance"])
    assert not refused["allowed"]
    with_basis = verdict(zone, "confidential", "me-central-1", ["nonbank-finance"], [transfer("AE", "safeguards")])
    assert with_basis["allowed"], with_basis["reason"]


@pytest.mark.parametrize("zone", ["AE-DIFC", "AE-ADGM"])
def test_consent_stays_available_inside_the_free_zones(zone):
    assert verdict(zone, "confidential", "me-central-1", ["general"], [transfer("AE", "consent")])["allowed"]


def test_restricted_zone_data_kept_in_the_uae_still_needs_the_zones_transfer_basis_onshore():
    refused = verdict("AE-DIFC", "restricted", "me-central-1", ["health"])
    assert not refused["allowed"]
    assert "moving it out of the AE-DIFC zone" in refused["reason"]
    assert verdict("AE-DIFC", "restricted", "me-central-1", ["health"], [transfer("AE", "safeguards")])["allowed"]


# --- Bahrain ----------------------------------------------------------------------------------

def test_a_cbb_licensee_sees_the_cbb_approval_and_key_control_on_any_cloud_use():
    output = regions_table("BH", "confidential", "banking")
    assert "condition on any cloud use: BH-CBB-CLOUD-OUTSOURCING-APPROVAL: the CBB's prior written approval" in output
    assert "encryption keys kept under the licensee's control" in output


def test_the_bahrain_example_carries_the_cbb_conditions_as_warnings():
    placement = resolve_placement(load_blueprint(BLUEPRINTS / "bh-fintech-cloud.yaml"))
    warnings = placement.components["dataLake"].warnings
    assert any("BH-CBB-CLOUD-OUTSOURCING-APPROVAL" in w and "prior written approval" in w for w in warnings)
    assert placement.disaster_recovery is not None


def test_bahrain_consent_is_not_accepted_while_the_pdpl_text_is_unread():
    assert not verdict("BH", "confidential", "me-central-1", ["general"], [transfer("AE", "consent")])["allowed"]
    assert verdict("BH", "confidential", "me-central-1", ["general"], [transfer("AE", "authorisation")])["allowed"]


# --- adequacy lists ---------------------------------------------------------------------------

@pytest.mark.parametrize(("jurisdiction", "country", "region", "names"), [
    ("BH", "AE", "me-central-1", "Order (Decision) No. 42 of 2022"),
    ("AE-DIFC", "US", "us-east-1", "DIFC Commissioner of Data Protection"),
    ("AE-ADGM", "DE", "eu-central-1", "ADGM Commissioner of Data Protection"),
    ("EU", "US", "us-east-1", "European Commission adequacy decisions"),
])
def test_an_adequacy_transfer_to_a_country_off_the_published_list_is_refused_naming_it(jurisdiction, country, region, names):
    refused = verdict(jurisdiction, "confidential", region, ["general"], [transfer(country, "adequacy")])
    assert not refused["allowed"]
    assert f"{country} is not on" in refused["reason"] and names in refused["reason"]


def test_an_adequacy_transfer_to_a_listed_country_is_accepted():
    assert verdict("EU", "confidential", "eu-west-2", [], [transfer("GB", "adequacy")])["allowed"]
    assert verdict("EU", "confidential", "ap-northeast-1", [], [transfer("JP", "adequacy")])["allowed"]


# --- Egypt, Morocco, Kuwait -------------------------------------------------------------------

def test_only_cbe_supervised_banks_sit_outside_egypts_law():
    assert regions("EG", "confidential", "banking")["requirement"]["rules"] == ["EG-CBE-BANKING-IN-COUNTRY"]
    assert "EG-PDPL-CROSS-BORDER" in regions("EG", "confidential", "nonbank-finance")["requirement"]["rules"]


def test_egypt_accepts_a_licence_or_consent_in_a_listed_case_but_not_an_exemption_alone():
    assert verdict("EG", "confidential", "eu-south-1", ["general"], [transfer("IT", "licence")])["allowed"]
    assert not verdict("EG", "confidential", "eu-south-1", ["general"], [transfer("IT", "exemption")])["allowed"]


def test_moroccan_sensitive_state_data_stays_with_qualified_providers_on_prem():
    report = regions("MA", "restricted", "government")
    assert report["requirement"]["level"] == "on-prem"
    assert "MA-SENSITIVE-DATA-QUALIFIED-PROVIDER" in report["requirement"]["rules"]


def test_kuwaits_cloud_framework_binds_government_data_not_every_sector():
    assert regions("KW", "confidential", "government")["requirement"]["rules"] == ["KW-CLOUD-GOV-DATA-IN-COUNTRY"]
    general = regions("KW", "confidential", "general")["requirement"]
    assert general["level"] == "conditional"
    assert "KW-CLOUD-GOV-DATA-IN-COUNTRY" not in general["rules"]


# --- other clouds' in-country regions ---------------------------------------------------------

def test_regions_names_other_clouds_in_country_regions_when_no_aws_region_may_hold_a_class():
    output = regions_table("QA", "restricted")
    assert "Google Cloud me-central1 (Doha) is in QA; Qantara does not build it yet" in output


def test_placement_refusal_names_the_in_country_alternatives(rewritten):
    path = rewritten("ae-health-cloud.yaml", ("  jurisdiction: AE\n", "  jurisdiction: QA\n"))
    with pytest.raises(BlueprintError) as caught:
        resolve_placement(load_blueprint(path))
    messages = " ".join(p.message for p in caught.value.problems)
    assert "no AWS region may hold it" in messages
    assert "Google Cloud me-central1 (Doha) is in QA; Qantara does not build it yet" in messages
