"""The Rego library as a whole: every module compiles in the embedded engine, and the one
residency rule (`qantara.lib.residency`) that placement and the policies share decides as
the catalog's sources say."""

from __future__ import annotations

import pytest

from qantara.catalog import load_catalog
from qantara.engine.rego import default_engine, rego_modules
from qantara.paths import policy_dir
from qantara.policy.library import policy_packages

MODULES = rego_modules(policy_dir())
CONTEXT_DATE = {"date": "2026-11-23"}
BLUEPRINT = {
    "apiVersion": "qantara.dev/v1",
    "kind": "Blueprint",
    "metadata": {"name": "dubai-care-ml", "owner": "ml-platform@dubai-care.example"},
    "spec": {"jurisdiction": "AE", "dataClassification": "restricted", "sectors": ["health"],
             "environments": [{"name": "prod", "approvers": ["board"]}], "governance": {"transfers": []}},
}
# Its resolved facts (qantara.resolution.facts): no component, prod is production.
PROD = {"name": "prod", "production": True, "enforcement": "mandatory"}
RESOLVED = {"environment": PROD, "environments": [PROD], "components": {}}


def package_of(source: str) -> str:
    return next(line.split()[1] for line in source.splitlines() if line.startswith("package "))


def region_options(jurisdiction: str, classes: list[str], *, sectors=(), transfers=(), onprem=None) -> dict:
    context = {"jurisdiction": jurisdiction, "sectors": list(sectors), "transfers": list(transfers)}
    return default_engine().query("data.qantara.lib.residency.region_options",
                                  {"context": context, "classes": classes, "onprem": onprem})


def regions_in(*countries: str) -> set[str]:
    return {code for code, region in load_catalog()["aws_regions"]["regions"].items() if region["country"] in countries}


def allowed(options: dict) -> set[str]:
    return {code for code, verdict in options["regions"].items() if verdict["allowed"]}


EU_COUNTRIES = load_catalog()["jurisdictions"]["jurisdictions"]["EU"]["countries"]


# --- compilation ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_compiles_and_evaluates_in_the_engine(name):
    package = package_of(MODULES[name])
    document = {"blueprint": BLUEPRINT, "plan": {"resources": []}, "environment": None, "context": CONTEXT_DATE}
    assert isinstance(default_engine().query(f"data.{package}", document), dict), f"{name}: data.{package} is undefined"


@pytest.mark.parametrize("package", [p.package for p in policy_packages()])
def test_every_policy_package_defines_findings_as_a_list(package):
    document = {"blueprint": BLUEPRINT, "resolved": RESOLVED, "plan": {"resources": []}, "environment": None,
                "context": CONTEXT_DATE}
    assert default_engine().query(f"data.{package}.findings", document) == []


def test_every_policy_package_has_a_module_whose_package_matches_its_directory():
    packages = {package_of(source) for source in MODULES.values()}
    assert {p.package for p in policy_packages()} <= packages


# --- residency: AE -------------------------------------------------------------------------

def test_ae_restricted_health_data_may_only_be_in_uae_regions():
    options = region_options("AE", ["restricted"], sectors=["health"])["restricted"]

    assert allowed(options) == regions_in("AE") == {"me-central-1"}
    assert options["requirement"]["level"] == "in-country"
    assert "AE-HEALTH-DATA-IN-COUNTRY" in options["requirement"]["rules"]


def test_ae_health_verdicts_name_the_health_law_for_allowed_and_refused_regions():
    options = region_options("AE", ["restricted"], sectors=["health"])["restricted"]

    for code in ("me-central-1", "me-south-1", "us-east-1"):
        assert "AE-HEALTH-DATA-IN-COUNTRY" in options["regions"][code]["because"]
        assert "Art. 13" in options["regions"][code]["because"]
    assert options["regions"]["me-south-1"]["reason"] == "restricted data under AE rules must stay in AE; me-south-1 is in BH"


def test_ae_internal_health_data_stays_in_the_uae_because_art_13_covers_all_health_data():
    options = region_options("AE", ["internal"], sectors=["health"])["internal"]

    assert allowed(options) == {"me-central-1"}
    assert options["requirement"]["rules"] == ["AE-HEALTH-DATA-IN-COUNTRY"]


def test_ae_internal_data_outside_regulated_sectors_may_be_anywhere_under_the_named_baseline():
    options = region_options("AE", ["internal"], sectors=["general"])["internal"]

    assert allowed(options) == set(options["regions"]) - regions_in(None)
    assert options["requirement"]["level"] == "any"
    assert options["requirement"]["rules"] == ["QANTARA-INTERNAL-ANYWHERE"]


def test_a_region_without_a_known_country_is_never_allowed():
    options = region_options("AE", ["internal"])["internal"]

    for code in regions_in(None):
        assert not options["regions"][code]["allowed"]
        assert "country is not known" in options["regions"][code]["reason"]


def test_an_unknown_region_is_refused_for_restricted_data():
    verdict = default_engine().query(
        "data.qantara.lib.residency.verdict(input.ctx, input.class, input.location)",
        {"ctx": {"jurisdiction": "AE", "sectors": ["health"]}, "class": "restricted",
         "location": {"kind": "cloud", "cloud": "aws", "region": "[unknown]", "country": None}},
    )
    assert verdict["allowed"] is False


# --- residency: SA -------------------------------------------------------------------------

SA_SITE = {"site": "riyadh-dc1", "country": "SA"}


def test_sa_secret_government_data_is_allowed_in_no_cloud_region():
    options = region_options("SA", ["secret"], sectors=["government"], onprem=SA_SITE)["secret"]

    assert allowed(options) == set()
    assert options["requirement"]["level"] == "on-prem"
    assert "SA-GOV-SECRET-ON-PREM" in options["requirement"]["rules"]
    assert "must stay on-premises in SA" in options["regions"]["me-central-1"]["reason"]


def test_sa_secret_government_data_may_be_on_premises_in_the_kingdom():
    onprem = region_options("SA", ["secret"], sectors=["government"], onprem=SA_SITE)["secret"]["onprem"]

    assert onprem["allowed"] is True
    assert "site riyadh-dc1" in onprem["reason"]


def test_sa_secret_government_data_is_refused_on_premises_in_the_uae():
    site = {"site": "dubai-dc1", "country": "AE"}
    onprem = region_options("SA", ["secret"], sectors=["government"], onprem=site)["secret"]["onprem"]

    assert onprem["allowed"] is False
    assert onprem["reason"] == "secret data under SA rules must stay in SA; site dubai-dc1 is in AE"


def test_without_an_on_prem_site_there_is_no_on_prem_verdict():
    assert region_options("SA", ["secret"], sectors=["government"])["secret"]["onprem"] is None


def test_sa_internal_data_may_use_foreign_regions():
    options = region_options("SA", ["internal", "restricted"], sectors=["health"])

    assert {"me-south-1", "me-central-1"} <= allowed(options["internal"])
    # me-west-1 is the only AWS region in the Kingdom (botocore's partition data).
    assert allowed(options["restricted"]) == {"me-west-1"}


# --- residency: EU -------------------------------------------------------------------------

def test_eu_confidential_data_may_be_in_every_eu_and_eea_region():
    options = region_options("EU", ["confidential"])["confidential"]

    assert allowed(options) == regions_in(*EU_COUNTRIES)
    assert {"eu-central-1", "eu-west-1", "eu-north-1", "eusc-de-east-1"} <= allowed(options)
    assert options["requirement"]["level"] == "conditional"
    assert "EU-GDPR-CROSS-BORDER" in options["requirement"]["rules"]


def test_eu_confidential_data_needs_a_declared_transfer_outside_the_eea():
    options = region_options("EU", ["confidential"])["confidential"]

    for code in ("us-east-1", "eu-west-2", "eu-central-2", "me-central-1"):
        verdict = options["regions"][code]
        assert verdict["allowed"] is False
        assert "declared transfer basis" in verdict["reason"]
        assert "spec.governance.transfers" in verdict["reason"]


def test_a_declared_transfer_opens_only_its_own_country():
    transfer = {"country": "GB", "mechanism": "adequacy", "reference": "UK adequacy decision 2021/1772",
                "approvedBy": "dpo@example.eu"}
    options = region_options("EU", ["confidential"], transfers=[transfer])["confidential"]

    assert allowed(options) == regions_in(*EU_COUNTRIES) | {"eu-west-2"}
    assert "declared under adequacy" in options["regions"]["eu-west-2"]["reason"]
    assert options["regions"]["us-east-1"]["allowed"] is False


def test_a_transfer_with_a_mechanism_no_binding_rule_accepts_opens_nothing():
    # EU confidential: the baseline accepts every mechanism, so only an unknown one is refused;
    # see the known issue in policies/resources/residency/samples.yaml about narrower laws.
    transfer = {"country": "US", "mechanism": "treaty", "reference": "-", "approvedBy": "-"}
    options = region_options("EU", ["confidential"], transfers=[transfer])["confidential"]

    assert options["regions"]["us-east-1"]["allowed"] is False


# --- certainty -----------------------------------------------------------------------------

def test_an_uncertain_rule_is_marked_uncertain_in_the_reason():
    options = region_options("SA", ["restricted"], sectors=["health"])["restricted"]

    assert "SA-HEALTH-DATA-IN-COUNTRY" in options["requirement"]["rules"]
    assert "SA-HEALTH-DATA-IN-COUNTRY: Saudi health-sector data residency" in options["requirement"]["because"]
    assert options["requirement"]["because"].endswith("[uncertain]")
    assert "[uncertain]" in options["regions"]["me-central-1"]["because"]


def test_a_confirmed_rule_is_not_marked_uncertain():
    # SAMA's Outsourcing Rules §42 was read in SAMA's own rulebook.
    options = region_options("SA", ["confidential"], sectors=["banking"])["confidential"]
    sama = next(part for part in options["requirement"]["because"].split("; ") if part.startswith("SA-BANKING-OUTSOURCING-ABROAD"))

    assert "[uncertain]" not in sama


def test_a_rule_applies_only_to_the_sectors_it_names():
    government = region_options("SA", ["restricted"], sectors=["government"])["restricted"]["requirement"]
    general = region_options("SA", ["restricted"], sectors=["general"])["restricted"]["requirement"]

    assert "SA-GOV-ABOVE-PUBLIC-IN-KINGDOM" in government["rules"]
    assert "SA-GOV-ABOVE-PUBLIC-IN-KINGDOM" not in general["rules"]
    assert general["rules"] == ["QANTARA-RESTRICTED-IN-COUNTRY"]


def test_a_zone_adds_its_own_rules_to_its_jurisdictions():
    # A non-bank financial firm: the CBUAE banking rule (kept in the zone, stricter) does not
    # apply; the UAE PDPL does not reach into the DIFC.
    difc = region_options("AE-DIFC", ["confidential"], sectors=["nonbank-finance"])["confidential"]["requirement"]

    assert difc["level"] == "conditional"
    assert "AE-DIFC-DPL-CROSS-BORDER" in difc["rules"]
    assert "DIFC Data Protection Law No. 5 of 2020 Arts. 26-27" in difc["because"]
    assert "AE-PDPL-CROSS-BORDER" not in difc["rules"]
