"""The rules behind a component's placement, read from the catalog with whatever fields it has."""

from qantara.evidence.laws import rules_for

CATALOG = {"jurisdictions": {
    "baseline": [{"id": "QANTARA-RESTRICTED-IN-COUNTRY", "classes": ["restricted"], "requirement": "in-country",
                  "basis": "qantara-baseline"}],
    "jurisdictions": {"AE": {
        "name": "United Arab Emirates",
        "laws": [{"id": "ae-health-ict", "title": "Federal Law No. 2 of 2019", "source": "Art. 13"}],
        "rules": [
            {"id": "AE-HEALTH-DATA-IN-COUNTRY", "sectors": ["health"], "classes": ["restricted"], "requirement": "in-country",
             "law": "ae-health-ict", "article": "Art. 13", "quote": "health data ... stored in the State",
             "language": "en (unofficial translation)", "url": "https://uaelegislation.gov.ae/en/legislations/1208",
             "read": "2026-12-06", "certainty": "confirmed"},
            {"id": "AE-PDPL-CROSS-BORDER", "sectors": ["general"], "classes": ["restricted"], "requirement": "conditional"},
        ],
        "zones": {"AE-DIFC": {"name": "DIFC", "laws": [], "rules": [
            {"id": "AE-DIFC-DPL-CROSS-BORDER", "classes": ["restricted"], "requirement": "conditional"}]}},
    }},
}}


def test_sector_rules_apply_only_to_their_sectors_and_new_fields_are_shown():
    rules = {r["id"]: r for r in rules_for(CATALOG, "AE", "restricted", ["health"], "in-country")}
    assert set(rules) == {"QANTARA-RESTRICTED-IN-COUNTRY", "AE-HEALTH-DATA-IN-COUNTRY"}
    health = rules["AE-HEALTH-DATA-IN-COUNTRY"]
    assert health["decisive"] and health["law"] == "Federal Law No. 2 of 2019"
    assert health["url"].startswith("https://uaelegislation") and health["quote"] and health["read"] == "2026-12-06"
    assert rules["QANTARA-RESTRICTED-IN-COUNTRY"]["law"] == "Qantara's own default (not law)"


def test_rules_without_the_new_fields_still_render_with_them_absent():
    [pdpl] = [r for r in rules_for(CATALOG, "AE", "restricted", ["general"], "in-country") if r["id"] == "AE-PDPL-CROSS-BORDER"]
    assert pdpl["url"] is None and pdpl["quote"] is None and not pdpl["decisive"]


def test_zone_rules_join_the_countrys_and_other_classes_are_left_out():
    ids = [r["id"] for r in rules_for(CATALOG, "AE-DIFC", "restricted", [], "in-country")]
    assert ids == ["QANTARA-RESTRICTED-IN-COUNTRY", "AE-DIFC-DPL-CROSS-BORDER"]
    assert rules_for(CATALOG, "AE", "public", ["health"], "any") == []
