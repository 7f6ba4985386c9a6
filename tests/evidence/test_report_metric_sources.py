"""The evidence pack says what each delivery figure was computed from, and who changed production."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from html_check import html_problems

from qantara.evidence.model import build_evidence
from qantara.evidence.render import render_html, render_markdown

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "readmission-risk"
TIME = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
APPROVER = "arn:aws:sts::111122223333:assumed-role/clinical-release/<b>dr-salma</b>"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    project = tmp_path_factory.mktemp("p") / "readmission-risk"
    shutil.copytree(FIXTURE, project)
    lines = []
    for line in (FIXTURE / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event["kind"] == "approval" and event["version"] == "1":
            event.update(source="cloudtrail", actor=APPROVER, ref="00000000-0000-4000-8000-000000000042")
        lines.append(json.dumps(event))
    (project / "events.jsonl").write_text("\n".join(lines) + "\n")
    evidence = build_evidence(ROOT / "blueprints" / "ae-health-cloud.yaml", "prod", projects=[project],
                              events=project / "events.jsonl", window_days=28, time=TIME)
    return evidence, render_html(evidence), render_markdown(evidence)


def test_each_group_names_the_sources_of_its_events(pack):
    evidence, html, markdown = pack
    [group] = [g for g in evidence["projects"][0]["metrics"] if g["environment"] == "prod"]
    assert group["sources"]["cloudtrail"] == 1 and group["sources"]["mlflow"] == 1
    assert "Computed from: cloudtrail (1 event(s))" in html and "Computed from: cloudtrail (1 event(s))" in markdown


def test_the_approver_is_shown_escaped_and_unrecorded_actors_are_said_so(pack):
    evidence, html, markdown = pack
    [group] = [g for g in evidence["projects"][0]["metrics"] if g["environment"] == "prod"]
    [approval] = [c for c in group["changes"] if c["kind"] == "approval" and c["version"] == "1"]
    assert approval["actor"] == APPROVER
    assert html_problems(html) == []
    assert "&lt;b&gt;dr-salma&lt;/b&gt;" in html and "<b>dr-salma</b>" not in html
    assert "not recorded by the source" in html
    assert "\\<b\\>dr-salma\\</b\\>" in markdown


def test_a_band_whose_threshold_is_only_quoted_by_others_is_marked(pack):
    evidence, html, markdown = pack
    [group] = [g for g in evidence["projects"][0]["metrics"] if g["environment"] == "prod"]
    assert group["metrics"]["leadTime"] == {"value": 28.0, "band": "high", "bandCertain": False}
    assert "(threshold uncertain)" in html and "(threshold uncertain)" in markdown
    assert "https://dora.dev/research/2023/2023-DORA-Report-Infographic.v10.pdf" in html
