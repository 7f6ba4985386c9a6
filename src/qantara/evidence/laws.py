"""The residency rules behind each component's placement, as the catalog states them.

Placement (qantara.sovereignty.placement, through Rego) decides where a component goes;
this module only finds, for display, the catalog rules that apply to the component's data
class and the blueprint's sectors, with their law, article, quote, source URL and date read.
Fields another change may add to a rule (`url`, `quote`, `language`, `read`, `certainty`) are
read with `.get`: what is absent is shown as absent, never invented.
"""

from __future__ import annotations

RULE_FIELDS = ("article", "quote", "language", "url", "read", "certainty", "checked", "summary", "exceptions")


def _scopes(catalog: dict, jurisdiction: str) -> list[tuple[str, dict, list[dict]]]:
    """(scope name, scope record, its rules): the baseline, the country and, in a zone, the zone."""
    table = catalog["jurisdictions"]
    country = jurisdiction.split("-")[0]
    record = table.get("jurisdictions", {}).get(country, {})
    scopes = [("Qantara baseline", {}, table.get("baseline", [])), (record.get("name", country), record, record.get("rules", []))]
    zone = record.get("zones", {}).get(jurisdiction) if jurisdiction != country else None
    if zone:
        scopes.append((zone.get("name", jurisdiction), zone, zone.get("rules", [])))
    return scopes


def _law(scope: dict, law_id: str | None, country_record: dict) -> dict:
    for law in scope.get("laws", []) + country_record.get("laws", []):
        if law.get("id") == law_id:
            return law
    return {}


def rules_for(catalog: dict, jurisdiction: str, data_class: str, sectors: list[str], requirement: str) -> list[dict]:
    """The rules applying to one component; `decisive` marks those whose requirement it follows."""
    country_record = catalog["jurisdictions"].get("jurisdictions", {}).get(jurisdiction.split("-")[0], {})
    found = []
    for scope_name, scope, rules in _scopes(catalog, jurisdiction):
        for rule in rules:
            if data_class not in rule.get("classes", []):
                continue
            if rule.get("sectors") and not set(rule["sectors"]) & set(sectors):
                continue
            law = _law(scope, rule.get("law"), country_record)
            found.append({
                "id": rule.get("id"), "scope": scope_name, "requirement": rule.get("requirement"),
                "decisive": rule.get("requirement") == requirement,
                "law": law.get("title") or ("Qantara's own default (not law)" if rule.get("basis") == "qantara-baseline"
                                            else rule.get("law")),
                "lawSource": law.get("source"),
                **{key: rule.get(key) for key in RULE_FIELDS},
            })
    return found
