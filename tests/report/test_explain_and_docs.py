"""`qantara explain ID` and the generated policy reference (docs/policies.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qantara.policy.library import policy_index
from qantara.report.policy_reference import HEADER, policy_reference_markdown

REPO = Path(__file__).resolve().parents[2]
QANTARA = Path(sys.executable).parent / "qantara"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(QANTARA), *args], capture_output=True, text=True, timeout=60, cwd=REPO, check=False)


def test_explain_prints_the_policy_reference():
    meta = policy_index()["QA-RES-001"]
    done = _run("explain", "QA-RES-001")
    assert done.returncode == 0, done.stderr
    assert meta.title in done.stdout
    for text in (meta.severity, meta.stage, meta.rationale, meta.remediation, *meta.frameworks):
        assert text in done.stdout


def test_explain_of_an_unknown_id_exits_2_listing_the_known_ids():
    done = _run("explain", "QA-NOPE-999")
    assert done.returncode == 2
    assert "QA-NOPE-999" in done.stderr and "QA-RES-001" in done.stderr and "Traceback" not in done.stderr


def test_docs_policies_md_is_current():
    expected = policy_reference_markdown()
    current = (REPO / "docs" / "policies.md").read_text(encoding="utf-8")
    assert current == expected, "docs/policies.md is stale: run `.venv/bin/qantara docs --out docs/policies.md`"


def test_policy_reference_says_it_is_generated_and_covers_every_policy():
    markdown = policy_reference_markdown()
    assert markdown.startswith(HEADER + "\n")
    for policy_id, meta in policy_index().items():
        assert f"### {policy_id}" in markdown and meta.rationale in markdown
