"""jurisdictions.yaml: well formed for the Rego and Python that read it, and honest
about what is not verified."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[2] / "policies" / "data"

RULE_KEYS = {"id", "classes", "requirement", "law", "summary", "certainty", "read"}
LAW_KEYS = {"id", "title", "url", "article", "quote", "read", "certainty"}
REQUIRED_JURISDICTIONS = {"AE", "SA", "BH", "QA", "KW", "OM", "EG", "MA", "JO", "EU"}
# Facts whose primary text could not be read (docs/sources/sovereignty-research-2026-11.md
# marked them [uncertain], and reading in 2026-12 did not confirm them): they stay uncertain.
UNCERTAIN_RULES = {
    "SA-GOV-ABOVE-PUBLIC-IN-KINGDOM",
    "SA-HEALTH-DATA-IN-COUNTRY",
    "QA-QCB-BANKING-IN-COUNTRY",
    "KW-CLOUD-GOV-DATA-IN-COUNTRY",
    "JO-PDPL-CROSS-BORDER",
    "AE-HEALTH-DATA-IN-COUNTRY",
}
EU_AND_EEA = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
}


@pytest.fixture(scope="module")
def catalog() -> dict:
    return yaml.safe_load((DATA / "jurisdictions.yaml").read_text(encoding="utf-8"))


def scopes(catalog: dict):
    """(name, scope, laws in force) for every jurisdiction and zone; a zone's rules may
    cite its parent's laws, since zones inherit the parent's rules."""
    for code, jurisdiction in catalog["jurisdictions"].items():
        laws = {law["id"]: law for law in jurisdiction.get("laws", [])}
        yield code, jurisdiction, laws
        for zone_code, zone in jurisdiction.get("zones", {}).items():
            yield zone_code, zone, laws | {law["id"]: law for law in zone.get("laws", [])}


def all_rules(catalog: dict) -> list[dict]:
    return list(catalog["baseline"]) + [
        rule for _, scope, _ in scopes(catalog) for rule in scope.get("rules", [])
    ]


def test_required_jurisdictions_and_uae_free_zones_are_present(catalog):
    assert REQUIRED_JURISDICTIONS <= set(catalog["jurisdictions"])
    assert {"AE-DIFC", "AE-ADGM"} <= set(catalog["jurisdictions"]["AE"]["zones"])


def test_every_rule_has_the_required_keys_and_cites_a_law_in_force(catalog):
    for name, scope, laws in scopes(catalog):
        for rule in scope.get("rules", []):
            assert RULE_KEYS <= set(rule), f"{name} {rule.get('id')}: missing {RULE_KEYS - set(rule)}"
            assert rule["law"] in laws, f"{name} {rule['id']}: unknown law {rule['law']}"


def test_every_law_names_its_source_and_date(catalog):
    for name, scope, _ in scopes(catalog):
        for law in scope.get("laws", []):
            assert LAW_KEYS <= set(law), f"{name} {law.get('id')}: missing {LAW_KEYS - set(law)}"


def test_rule_ids_are_unique_upper_kebab(catalog):
    ids = [rule["id"] for rule in all_rules(catalog)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for rule_id in ids:
        assert re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)*", rule_id), rule_id


def test_rules_use_only_the_declared_classes_requirements_sectors_and_mechanisms(catalog):
    for rule in all_rules(catalog):
        assert rule["classes"] and set(rule["classes"]) <= set(catalog["classifications"]), rule["id"]
        assert rule["requirement"] in catalog["requirementLevels"], rule["id"]
        assert set(rule.get("sectors", [])) <= set(catalog["sectors"]), rule["id"]
        assert set(rule.get("mechanisms", [])) <= set(catalog["transferMechanisms"]), rule["id"]


def test_conditional_rules_and_only_they_accept_transfer_mechanisms(catalog):
    for rule in all_rules(catalog):
        if rule["requirement"] == "conditional":
            assert rule.get("mechanisms"), f"{rule['id']} is conditional but accepts no mechanism"
        else:
            assert "mechanisms" not in rule, f"{rule['id']} is {rule['requirement']} yet lists mechanisms"


def test_ordered_lists_run_from_least_to_most_strict(catalog):
    assert catalog["classifications"] == ["public", "internal", "confidential", "restricted", "secret"]
    assert catalog["requirementLevels"] == ["any", "conditional", "in-country", "on-prem"]


def test_baseline_is_marked_as_qantaras_own_not_law(catalog):
    for rule in catalog["baseline"]:
        assert rule["basis"] == "qantara-baseline", rule["id"]
        assert "law" not in rule, rule["id"]


def test_facts_the_reference_marks_uncertain_stay_uncertain(catalog):
    certainty = {rule["id"]: rule["certainty"] for _, s, _ in scopes(catalog) for rule in s.get("rules", [])}
    assert {rule_id: certainty.get(rule_id) for rule_id in UNCERTAIN_RULES} == dict.fromkeys(
        UNCERTAIN_RULES, "uncertain"
    )


def test_rule_resting_on_an_uncertain_law_is_itself_uncertain(catalog):
    for name, scope, laws in scopes(catalog):
        for rule in scope.get("rules", []):
            assert rule["certainty"] in {"confirmed", "uncertain"}, rule["id"]
            if laws[rule["law"]].get("certainty") == "uncertain":
                assert rule["certainty"] == "uncertain", f"{name} {rule['id']}"


def test_saudi_secret_government_data_goes_on_prem_and_the_rest_above_public_stays_in_the_kingdom(catalog):
    rules = {r["id"]: r for r in catalog["jurisdictions"]["SA"]["rules"]}
    assert rules["SA-GOV-SECRET-ON-PREM"]["requirement"] == "on-prem"
    assert rules["SA-GOV-SECRET-ON-PREM"]["sectors"] == ["government"]
    above_public = rules["SA-GOV-ABOVE-PUBLIC-IN-KINGDOM"]
    assert (above_public["requirement"], set(above_public["classes"])) == ("in-country", {"internal", "confidential", "restricted"})


def test_uae_health_data_stays_in_country(catalog):
    rules = {r["id"]: r for r in catalog["jurisdictions"]["AE"]["rules"]}
    assert rules["AE-HEALTH-DATA-IN-COUNTRY"]["requirement"] == "in-country"
    assert rules["AE-HEALTH-DATA-IN-COUNTRY"]["sectors"] == ["health"]
    # Art. 13 covers health data and information, not only confidential and above.
    assert set(rules["AE-HEALTH-DATA-IN-COUNTRY"]["classes"]) == {"internal", "confidential", "restricted", "secret"}


def test_eu_jurisdiction_covers_the_eu_and_eea(catalog):
    assert set(catalog["jurisdictions"]["EU"]["countries"]) == EU_AND_EEA


def test_country_codes_are_iso_alpha_2_strings(catalog):
    # Catches YAML 1.1 reading a bare NO (Norway) as false.
    for code, jurisdiction in catalog["jurisdictions"].items():
        for country in jurisdiction["countries"]:
            assert isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country), (code, country)


def test_nearest_regions_exist_in_the_region_catalog(catalog):
    regions = json.loads((DATA / "aws_regions.json").read_text(encoding="utf-8"))["regions"]
    for code, jurisdiction in catalog["jurisdictions"].items():
        assert jurisdiction["nearestRegions"], code
        unknown = set(jurisdiction["nearestRegions"]) - set(regions)
        assert not unknown, f"{code}: nearestRegions not in aws_regions.json: {sorted(unknown)}"
