"""The walk: every jurisdiction and zone x every class above public x every sector (and
none). No region outside the jurisdiction's countries may hold the data unless a rule says
so: a sourced law rule whose declared transfer basis is satisfied, or Qantara's baseline that
names the class as free to go (`any`). Every verdict comes from the Rego residency rule, asked
as placement asks it: once per jurisdiction, sector choice and transfers for every class,
through the per-revision verdict cache (qantara.sovereignty.region_verdicts), whose compiled
entrypoint spares each question a compilation of the whole policy library."""

from __future__ import annotations

import pytest

from qantara.catalog import jurisdiction_codes, load_catalog
from qantara.engine.rego import default_engine, to_plain
from qantara.sovereignty.region_verdicts import cached_region_options

OPTIONS = "data.qantara.lib.residency.region_options"
CATALOG = load_catalog()
FACTS = CATALOG["jurisdictions"]
ABOVE_PUBLIC = [c for c in FACTS["classifications"] if c != "public"]
SECTORS = [[]] + [[sector] for sector in FACTS["sectors"]]
RULES = {rule["id"]: rule for rule in FACTS["baseline"]}
for _code, _jurisdiction in FACTS["jurisdictions"].items():
    for _scope in [_jurisdiction, *(_jurisdiction.get("zones") or {}).values()]:
        RULES.update({rule["id"]: rule for rule in _scope.get("rules", [])})
# One transfer per mechanism to a country no jurisdiction covers: what the most permissive
# blueprint could declare.
EVERY_TRANSFER = [{"country": "US", "mechanism": m, "reference": f"walk {m}"} for m in FACTS["transferMechanisms"]]


def home(code: str) -> set[str]:
    return set(FACTS["jurisdictions"][code.split("-")[0]]["countries"])


def is_zone_with_onshore_third_country(code: str) -> bool:
    parent = FACTS["jurisdictions"][code.split("-")[0]]
    return bool((parent.get("zones") or {}).get(code, {}).get("onshoreIsThirdCountry"))


def sourced(rule: dict) -> bool:
    if rule.get("basis") == "qantara-baseline":
        return True
    return bool(rule.get("url") or rule.get("secondary")) and bool(rule.get("quote"))


def walk(transfers: list[dict], sector_choices=SECTORS):
    for code in jurisdiction_codes(CATALOG):
        for sectors in sector_choices:
            context = {"jurisdiction": code, "sectors": sectors, "transfers": transfers}
            yield code, sectors, cached_region_options(context, ABOVE_PUBLIC, None, default_engine, "regopy")


def test_the_walk_sees_what_a_plain_query_of_the_rule_answers():
    # The cache and its compiled entrypoint answer exactly what the rule does when asked directly.
    context = {"jurisdiction": "AE-DIFC", "sectors": ["health"], "transfers": EVERY_TRANSFER}
    direct = default_engine().query(OPTIONS, to_plain({"context": context, "classes": ABOVE_PUBLIC, "onprem": None}))
    assert cached_region_options(context, ABOVE_PUBLIC, None, default_engine, "regopy") == direct


def zone_law_covers(code: str, data_class: str) -> bool:
    parent = FACTS["jurisdictions"][code.split("-")[0]]
    zone = (parent.get("zones") or {}).get(code, {})
    return any(data_class in rule["classes"] for rule in zone.get("rules", []))


def outside(code: str, region: dict, data_class: str) -> bool:
    """Outside the jurisdiction: another country, or, for a zone whose law treats onshore as a
    third country, onshore for a class the zone's law covers."""
    if region.get("country") not in home(code):
        return True
    return is_zone_with_onshore_third_country(code) and zone_law_covers(code, data_class)


def test_no_class_above_public_leaves_without_a_rule_that_says_so():
    regions = CATALOG["aws_regions"]["regions"]
    walked = 0
    for code, sectors, options in walk([]):
        for data_class in ABOVE_PUBLIC:
            option = options[data_class]
            for region_code, verdict in option["regions"].items():
                walked += 1
                if not verdict["allowed"] or not outside(code, regions[region_code], data_class):
                    continue
                # With no transfer declared, only a rule that frees the class may let it out.
                binding = [RULES[r] for r in option["requirement"]["rules"]]
                where = f"{code} {sectors} {data_class} in {region_code}"
                assert binding, f"{where}: allowed with no rule saying so"
                assert option["requirement"]["level"] == "any", where
                assert all(rule["requirement"] == "any" and sourced(rule) for rule in binding), where
    assert walked > 10_000  # every jurisdiction x sector x class x region was judged


def test_with_every_mechanism_declared_data_leaves_only_where_each_binding_rule_is_satisfied():
    regions = CATALOG["aws_regions"]["regions"]
    # The sectors whose rules accept narrower mechanisms (banking) and none; the full
    # sector walk without transfers is the test above.
    for code, sectors, options in walk(EVERY_TRANSFER, [[], ["finance"], ["government"]]):
        for data_class in ABOVE_PUBLIC:
            option = options[data_class]
            level = option["requirement"]["level"]
            binding = [RULES[r] for r in option["requirement"]["rules"]]
            for region_code, verdict in option["regions"].items():
                region = regions[region_code]
                if not verdict["allowed"] or not outside(code, region, data_class):
                    continue
                where = f"{code} {sectors} {data_class} in {region_code}"
                assert level in {"any", "conditional"}, where
                assert all(sourced(rule) for rule in binding), where
                if level == "conditional":
                    assert region["country"] == "US", f"{where}: opened without a transfer to its country"
                    for rule in binding:
                        # adequacy counts only for a country on the rule's published list
                        usable = set(rule.get("mechanisms", FACTS["transferMechanisms"]))
                        if rule.get("adequacyList") and "US" not in FACTS["adequacyLists"][rule["adequacyList"]]["countries"]:
                            usable.discard("adequacy")
                        assert usable, f"{where}: {rule['id']} accepts nothing declared"


def test_the_walk_can_fail_a_rule_that_frees_data_without_a_source():
    # The walk's own check on a rule: a law rule with no url, secondary or quote is unsourced.
    assert not sourced({"id": "X", "requirement": "any"})
    assert sourced(RULES["QANTARA-INTERNAL-ANYWHERE"])


@pytest.mark.parametrize("code", ["AE-DIFC", "AE-ADGM"])
def test_zone_data_in_an_onshore_region_needs_a_transfer(code):
    engine = default_engine()
    context = {"jurisdiction": code, "sectors": ["nonbank-finance"], "transfers": []}
    options = engine.query(OPTIONS, to_plain({"context": context, "classes": ["confidential"], "onprem": None}))
    verdict = options["confidential"]["regions"]["me-central-1"]
    assert verdict["allowed"] is False
    assert f"may leave the {code} zone only with a declared transfer basis" in verdict["reason"]
