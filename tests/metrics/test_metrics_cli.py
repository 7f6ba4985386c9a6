"""`qantara metrics` and `qantara metrics export` as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
QANTARA = [str(Path(sys.executable).with_name("qantara"))]


def run(*args, cwd=HERE):
    return subprocess.run([*QANTARA, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd)


WINDOW = ("--days", "28", "--end", "2026-11-30T00:00:00Z")


def test_table_names_bands_and_their_source():
    done = run("metrics", "--events", "history.jsonl", "--project", "triage", "--env", "prod", *WINDOW)
    assert done.returncode == 0, done.stderr
    assert "Lead time (hours, median)" in done.stdout and "28.0" in done.stdout and "high" in done.stdout
    # the band's row says whether its threshold is DORA's own or only quoted by others
    assert "high (threshold uncertain)" in done.stdout
    assert "https://dora.dev/research/2023/2023-DORA-Report-Infographic.v10.pdf" in done.stdout
    assert "goelacademy.com" in done.stdout
    assert "computed from: cloudwatch (2 event(s)), mlflow (1 event(s)), unspecified (12 event(s))" in done.stdout


def test_json_and_charts(tmp_path):
    done = run("metrics", "--events", "history.jsonl", "--format", "json", "--charts", tmp_path, *WINDOW)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [(g["project"], g["environment"]) for g in data["groups"]] == [("triage", "prod"), ("triage", "staging")]
    assert data["bands"]["certainty"] == "partly-uncertain"
    assert data["groups"][0]["sources"] == {"cloudwatch": 2, "mlflow": 1, "unspecified": 12}
    charts = sorted(p.name for p in tmp_path.iterdir())
    assert len(charts) == 8 and "triage-prod-leadTime.svg" in charts
    svg = (tmp_path / "triage-prod-leadTime.svg").read_text()
    assert svg.startswith("<svg ") and "<script" not in svg and "http://www.w3.org/2000/svg" in svg


def test_export_writes_the_documented_format(tmp_path):
    out = tmp_path / "events.jsonl"
    done = run("metrics", "export", "--events", "history.jsonl", "--out", out)
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 16 and json.loads(lines[0])["time"] == "2026-11-02T08:00:00Z"


def test_bad_input_is_one_message_and_exit_2(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"time": "2026-11-02T08:00:00Z", "kind": "deploy", "project": "p", "environment": "e"}\n')
    done = run("metrics", "--events", bad)
    assert done.returncode == 2 and f"{bad}:1: kind:" in done.stderr and "Traceback" not in done.stderr
    done = run("metrics", "--events", "history.jsonl", "--end", "yesterday")
    assert done.returncode == 2 and "--end" in done.stderr
    done = run("metrics")
    assert done.returncode == 2 and "--events FILE" in done.stderr
