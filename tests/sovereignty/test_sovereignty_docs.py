"""docs/sovereignty.md is generated from policies/data/ and must never be stale."""

from __future__ import annotations

from pathlib import Path

from qantara.sovereignty.reference import sovereignty_reference_markdown

REPO = Path(__file__).resolve().parents[2]


def test_docs_sovereignty_md_is_current():
    expected = sovereignty_reference_markdown()
    current = (REPO / "docs" / "sovereignty.md").read_text(encoding="utf-8")
    assert current == expected, "docs/sovereignty.md is stale: run `make docs` (qantara docs --sovereignty --out docs/sovereignty.md)"


def test_the_reference_lists_every_jurisdiction_and_zone_with_its_rules_and_sources():
    text = sovereignty_reference_markdown()
    for heading in ("## AE: United Arab Emirates", "## AE-DIFC:", "## AE-ADGM:", "## SA: Saudi Arabia", "## BH: Bahrain",
                    "## QA: Qatar", "## KW: Kuwait", "## OM: Oman", "## EG: Egypt", "## MA: Morocco", "## JO: Jordan", "## EU:"):
        assert heading in text, heading
    assert "**SA-BANKING-OUTSOURCING-ABROAD**" in text
    assert "https://rulebook.sama.gov.sa/en/node/2525" in text
    assert "| banking | any (no rule) |" in text
    assert "`me-west-1` (services uncertain" in text
    assert "Google Cloud `me-central2` (Dammam)" in text
