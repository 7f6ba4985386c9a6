"""Every residency fact carries its proof: the official text's URL (or, when it could not be
read, why and what was read instead), the article, a verbatim quote of at most 40 words, the
language read, the date read and its certainty. Region and service facts name the data file or
page and its version. Nothing is read from outside the repository."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "policies" / "data"
READ = "2026-12-06"
MAX_QUOTE_WORDS = 40


def load(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def source_problems(fact: dict, *, needs_article: bool = True, needs_language: bool = True) -> list[str]:
    """What a fact lacks to be traceable; empty when it carries its proof."""
    problems = []
    url = fact.get("url", "missing")
    if url == "missing":
        problems.append("no url key (null when no official page could be read)")
    elif url is not None and not str(url).startswith("https://"):
        problems.append(f"url {url!r} is not an https address")
    if needs_article and not fact.get("article"):
        problems.append("no article or section")
    quote = fact.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        problems.append("no quote")
    elif len(quote.split()) > MAX_QUOTE_WORDS:
        problems.append(f"quote has {len(quote.split())} words (at most {MAX_QUOTE_WORDS})")
    if needs_language and not fact.get("language"):
        problems.append("no language or translation read")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(fact.get("read", ""))):
        problems.append("no read date")
    problems += _certainty_problems(fact, url)
    return problems


def _certainty_problems(fact: dict, url) -> list[str]:
    problems = []
    certainty = fact.get("certainty")
    quote_from = fact.get("quoteFrom", "primary")
    secondary = fact.get("secondary", [])
    if quote_from not in {"primary", "secondary"}:
        problems.append(f"quoteFrom {quote_from!r} is neither primary nor secondary")
    if quote_from == "primary" and url is None:
        problems.append("a quote from the primary text needs the primary text's url")
    if quote_from == "secondary" and not secondary:
        problems.append("a quote from a secondary source needs that source in `secondary`")
    for entry in secondary:
        if not str(entry.get("url", "")).startswith("https://"):
            problems.append(f"secondary source without an https url: {entry}")
    if certainty == "confirmed":
        if url is None or quote_from != "primary":
            problems.append("confirmed only when the primary text was read at its official url")
    elif certainty == "uncertain":
        if not fact.get("why"):
            problems.append("uncertain without `why`")
        if url is None and not secondary:
            problems.append("neither an official url nor a secondary source: nothing was read")
    else:
        problems.append(f"certainty {certainty!r} is neither confirmed nor uncertain")
    return problems


def law_and_rule_facts(catalog: dict):
    """(label, fact) for every law, rule and zone exclusion of every jurisdiction and zone."""
    for code, jurisdiction in catalog["jurisdictions"].items():
        scopes = [(code, jurisdiction)] + list((jurisdiction.get("zones") or {}).items())
        for name, scope in scopes:
            for law in scope.get("laws", []):
                yield f"{name} law {law['id']}", law
            for rule in scope.get("rules", []):
                yield f"{name} rule {rule['id']}", rule
            for entry in scope.get("parentRulesNotApplying", []):
                yield f"{name} exclusion of {entry['rule']}", entry


CATALOG = load("jurisdictions.yaml")
FACTS = list(law_and_rule_facts(CATALOG))


@pytest.mark.parametrize(("label", "fact"), FACTS, ids=[label for label, _ in FACTS])
def test_every_law_rule_and_exclusion_carries_its_proof(label, fact):
    needs_article = "exclusion" not in label
    assert source_problems(fact, needs_article=needs_article) == [], label


def test_every_fact_was_read_on_the_date_recorded():
    assert CATALOG["read"] == READ
    for label, fact in FACTS:
        assert fact["read"] == READ, label


@pytest.mark.parametrize("key", sorted(CATALOG["adequacyLists"]))
def test_every_published_adequacy_list_carries_its_proof_and_iso_codes(key):
    entry = CATALOG["adequacyLists"][key]
    assert source_problems(entry, needs_article=False) == [], key
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in entry["countries"]), key


def test_every_adequacy_list_a_rule_names_exists():
    for label, fact in FACTS:
        if fact.get("adequacyList"):
            assert fact["adequacyList"] in CATALOG["adequacyLists"], label
            assert "adequacy" in fact["mechanisms"], label


@pytest.mark.parametrize("key", sorted(CATALOG["classificationSchemes"]))
def test_every_classification_scheme_carries_its_proof_and_maps_every_class(key):
    scheme = CATALOG["classificationSchemes"][key]
    assert source_problems(scheme, needs_article=False) == [], key
    assert set(scheme["map"]) == set(CATALOG["classifications"])


def test_a_confirmed_fact_quotes_the_page_it_names():
    confirmed = [label for label, fact in FACTS if fact["certainty"] == "confirmed"]
    # SAMA §42, CBB OM-2.8.1, DIFC Art. 26, ADGM s. 40-41, DGSSI decree 2-24-921, UAE Law 2/2019 Art. 2.
    assert len(confirmed) >= 6, confirmed
    for label, fact in FACTS:
        if fact["certainty"] == "confirmed":
            assert fact["quoteFrom"] == "primary" and fact["url"], label


def test_secondary_sources_never_stand_alone_as_confirmed():
    for label, fact in FACTS:
        if fact.get("quoteFrom") == "secondary":
            assert fact["certainty"] == "uncertain", label


@pytest.mark.parametrize("row", load("other_cloud_regions.yaml")["regions"], ids=lambda r: f"{r['provider']}-{r['code']}")
def test_every_other_cloud_region_names_the_providers_page(row):
    assert source_problems(row, needs_article=False, needs_language=False) == [], row["code"]
    assert re.fullmatch(r"[A-Z]{2}", row["country"])
    host = row["url"].split("/")[2]
    assert host.endswith(("google.com", "oracle.com", "microsoft.com")), f"{row['code']}: {host} is not the provider's"


def test_every_aws_region_names_the_data_file_and_version_it_comes_from():
    catalog = json.loads((DATA / "aws_regions.json").read_text(encoding="utf-8"))
    for code, region in catalog["regions"].items():
        assert re.fullmatch(r"botocore \d+\.\d+\.\d+ botocore/data/(endpoints|partitions)\.json.*", region["source"]), code
    for key, service in catalog["services"].items():
        assert service["source"], key


def test_every_extra_service_fact_names_its_source_and_read_date():
    facts = load("aws_region_facts.yaml")
    for key, service in facts["extraServices"].items():
        assert service["source"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", service["read"]), key


def test_the_proof_checker_catches_what_a_fact_can_lack():
    good = {"url": "https://rulebook.sama.gov.sa/en/node/2525", "article": "§42", "quote": "banks are required to seek",
            "quoteFrom": "primary", "language": "English", "read": READ, "certainty": "confirmed"}
    assert source_problems(good) == []
    broken = {
        "no url key": {k: v for k, v in good.items() if k != "url"},
        "no article": good | {"article": ""},
        "long quote": good | {"quote": " ".join(["word"] * 41)},
        "no language": good | {"language": None},
        "no read date": good | {"read": "recently"},
        "confirmed from a law firm": good | {"url": None, "quoteFrom": "secondary", "secondary": [{"url": "https://firm.example"}]},
        "uncertain without why": good | {"certainty": "uncertain"},
        "uncertain with nothing read": good | {"certainty": "uncertain", "why": "x", "url": None, "quoteFrom": "secondary"},
        "a path outside the repository": good | {"url": "../reference/sovereignty-sources.md"},
    }
    for name, fact in broken.items():
        assert source_problems(fact), name


def test_nothing_in_the_sovereignty_area_reads_outside_the_repository():
    # The catalog once pointed at a reference folder beside the repository; its content now
    # lives in the repository, and no file of this area may name a path above it.
    paths = [*DATA.glob("*.yaml"), *(ROOT / "src" / "qantara" / "sovereignty").glob("*.py"),
             *(ROOT / "tests" / "sovereignty").glob("*.py"), ROOT / "scripts" / "generate_catalog.py"]
    for path in paths:
        if path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8")
        assert "../" not in text, path


def test_the_earlier_research_moved_into_the_repository_with_its_provenance():
    research = ROOT / "docs" / "sources" / "sovereignty-research-2026-11.md"
    review = ROOT / "docs" / "sources" / "sovereignty-review-2026-12.md"
    for path in (research, review):
        text = path.read_text(encoding="utf-8")
        assert "Provenance" in text, path
