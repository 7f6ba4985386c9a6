"""`qantara report`: the evidence pack, self-contained, deterministic, escaped, readable."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from html_check import html_problems

from qantara.errors import InputError
from qantara.evidence.model import build_evidence, report_time
from qantara.evidence.render import render_html, render_markdown

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "readmission-risk"
TIME = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def evidence():
    return build_evidence(ROOT / "blueprints" / "ae-health-cloud.yaml", "prod", projects=[FIXTURE],
                          events=FIXTURE / "events.jsonl", window_days=28, time=TIME)


@pytest.fixture(scope="module")
def html(evidence):
    return render_html(evidence)


def test_html_is_balanced_and_loads_nothing_from_outside(html):
    assert html_problems(html) == []


def test_uae_health_report_shows_the_article_that_keeps_data_in_the_country(html, evidence):
    [rule] = [r for r in evidence["platform"]["rules"] if r["id"] == "AE-HEALTH-DATA-IN-COUNTRY"]
    assert rule["article"] == "Art. 13" and rule["requirement"] == "in-country"
    assert "Federal Law No. 2 of 2019" in rule["law"]
    assert "AE-HEALTH-DATA-IN-COUNTRY" in html and "<b>Art. 13</b>" in html
    assert all("AE-HEALTH-DATA-IN-COUNTRY" in [r["id"] for r in c["rules"]] for c in evidence["platform"]["components"])


def test_report_records_the_check_maturity_and_integrity(evidence):
    platform, integrity = evidence["platform"], evidence["integrity"]
    assert platform["check"]["verdict"] == "pass" and platform["check"]["environment"] == "prod"
    assert platform["maturity"]["target"] == "managed"
    blueprint_bytes = (ROOT / "blueprints" / "ae-health-cloud.yaml").read_bytes()
    assert integrity["blueprintSha256"] == hashlib.sha256(blueprint_bytes).hexdigest()
    assert len(integrity["policyRevision"]) == 64 and len(integrity["planDigest"]) == 64
    assert integrity["time"] == "2026-11-30T00:00:00Z"


def test_project_section_carries_card_lineage_and_hand_checked_metrics(evidence):
    [project] = evidence["projects"]
    assert project["modelCard"]["modelDetails"]["name"] == "readmission-risk"
    assert project["lineage"]["approvals"][0]["approvedBy"] == "clinical-safety-board"
    [group] = [g for g in project["metrics"] if g["environment"] == "prod"]
    assert group["metrics"]["leadTime"]["value"] == 28.0 and group["metrics"]["mttr"]["value"] == 6.0
    assert set(group["charts"]) == {"deploymentFrequency", "leadTime", "mttr", "changeFailureRate"}


def test_same_inputs_same_bytes(evidence, html):
    again = build_evidence(ROOT / "blueprints" / "ae-health-cloud.yaml", "prod", projects=[FIXTURE],
                           events=FIXTURE / "events.jsonl", window_days=28, time=TIME)
    assert render_html(again) == html
    assert render_markdown(again) == render_markdown(evidence)


def test_values_from_files_are_escaped_never_rendered_as_templates(tmp_path):
    project = tmp_path / "evil"
    shutil.copytree(FIXTURE, project)
    manifest = yaml.safe_load((project / "qantara.yaml").read_text())
    manifest["metadata"]["description"] = "{{ 7*7 }} <script>alert(1)</script> | # [x](http://evil.example)"
    (project / "qantara.yaml").write_text(yaml.safe_dump(manifest))
    card = yaml.safe_load((project / "model_card.yaml").read_text())
    card["limitations"] = ["<img src=http://evil.example/x.png>", "{% include 'report.html.j2' %}"]
    (project / "model_card.yaml").write_text(yaml.safe_dump(card))
    evidence = build_evidence(ROOT / "blueprints" / "ae-health-cloud.yaml", "prod", projects=[project], time=TIME)
    html = render_html(evidence)
    assert html_problems(html) == []
    assert "{{ 7*7 }}" in html and "49" not in html.split("{{ 7*7 }}")[0][-5:]
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "{% include" in html  # shown as text, not executed
    markdown = render_markdown(evidence)
    assert "<script>" not in markdown and "\\<script\\>" in markdown


def test_report_time_is_pinned_by_option_or_source_date_epoch():
    assert report_time("2026-11-30T00:00:00Z", "1") == TIME
    assert report_time(None, str(int(TIME.timestamp()))) == TIME
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        report_time(None, "yesterday")
    with pytest.raises(InputError, match="--time"):
        report_time("2026-11-30", None)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(tmp_path, html):
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    run = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                          f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
                         capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr[-500:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    # The DOM as the browser built it still holds the article: nothing was hidden by broken markup.
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         capture_output=True, timeout=120, text=True)
    assert "Art. 13" in dom.stdout and "Integrity" in dom.stdout


def test_plan_digest_ignores_resource_order_but_not_content():
    from qantara.evidence.model import plan_digest

    a = {"resources": [{"urn": "u:1", "inputs": {"x": 1}}, {"urn": "u:2", "inputs": {}}]}
    b = {"resources": list(reversed(a["resources"]))}
    c = {"resources": [{"urn": "u:1", "inputs": {"x": 2}}, {"urn": "u:2", "inputs": {}}]}
    assert plan_digest(a) == plan_digest(b) != plan_digest(c)


def test_scan_section_renders_every_stack_escaped(evidence):
    pack = dict(evidence, scan={"backend": "file:///srv/state", "verdict": "fail", "stacks": [
        {"stack": "qantara/prod", "blueprint": "blueprints/ae-health-cloud.yaml", "environment": "prod", "verdict": "pass",
         "findings": []},
        {"stack": "qantara/<b>x</b>", "blueprint": None, "environment": None, "verdict": "error",
         "error": "checkpoint.config lacks qantara:blueprint"},
    ]})
    html = render_html(pack)
    assert html_problems(html) == []
    assert "Live stacks" in html and "qantara/&lt;b&gt;x&lt;/b&gt;" in html and "lacks qantara:blueprint" in html
    assert "qantara/\\<b\\>x\\</b\\>" in render_markdown(pack)


def test_cli_writes_html_and_markdown_twin(tmp_path):
    import os
    import sys

    out = tmp_path / "pack" / "report.html"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(TIME.timestamp()))}
    done = subprocess.run([str(Path(sys.executable).with_name("qantara")), "report", "blueprints/ae-health-cloud.yaml",
                           "--env", "prod", "--project", str(FIXTURE), "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    assert html_problems(out.read_text()) == [] and "2026-11-30T00:00:00Z" in out.read_text()
    assert out.with_suffix(".md").read_text().startswith("# Evidence pack: dubai-care-ml (prod)")
