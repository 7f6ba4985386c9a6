"""`qantara lineage`: the chain from a registered model version back to the data's hashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qantara.cli import app
from qantara.errors import ProjectError
from qantara.project.lineage import chain, format_chain

DATA_HASH = "a0e058b5b905cf3affaa94ff70776032d9fa3504f4e426599a1b6b1af6287ef6"


def record(run: str, version: str | None, started: str, **extra) -> dict:
    data = {"run": run, "startedAt": started, "startedBy": "analyst-a", "reason": "drift", "why": "drift alarm",
            "code": {"commit": "3f2c1e0", "dirty": False}, "project": "risk",
            "dataRead": [{"path": "runs/x/ingest/data.csv", "sha256": DATA_HASH, "what": "ingested data"}],
            "parameters": {"model__C": "1.0"}, "metrics": {"roc_auc": 0.83}, "steps": [{"name": "ingest"}],
            "status": "succeeded"}
    if version:
        data["model"] = {"modelVersion": version, "modelSha256": version * 4, "status": "PendingManualApproval",
                         "mlflowRunId": "abc", "run": run}
    data.update(extra)
    return data


def write(project: Path, data: dict | str) -> None:
    directory = project / "runs" / (data["run"] if isinstance(data, dict) else "broken")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "lineage.json").write_text(data if isinstance(data, str) else json.dumps(data))


def test_the_chain_names_the_data_by_hash_the_commit_and_who_started_it(tmp_path):
    write(tmp_path, record("r1", "aaaaaaaaaaaa", "2026-12-01T10:00:00+00:00"))
    text = format_chain(chain(tmp_path, "aaaaaaaaaaaa"))
    assert DATA_HASH in text and "commit 3f2c1e0" in text and "analyst-a" in text and "drift alarm" in text
    assert "PendingManualApproval" in text


def test_the_default_is_the_latest_registered_model_not_a_later_failed_run(tmp_path):
    write(tmp_path, record("r1", "aaaaaaaaaaaa", "2026-12-01T10:00:00+00:00"))
    write(tmp_path, record("r2", "bbbbbbbbbbbb", "2026-12-02T10:00:00+00:00"))
    write(tmp_path, record("r3", None, "2026-12-03T10:00:00+00:00", status="stopped at evaluate"))
    assert chain(tmp_path)["run"] == "r2"
    assert chain(tmp_path, "aaaaaaaaaaaa")["run"] == "r1"


def test_an_unknown_version_names_the_registered_ones(tmp_path):
    write(tmp_path, record("r1", "aaaaaaaaaaaa", "2026-12-01T10:00:00+00:00"))
    with pytest.raises(ProjectError, match="registered: aaaaaaaaaaaa"):
        chain(tmp_path, "cccccccccccc")


@pytest.mark.parametrize("bad", ["{not json", "[]", json.dumps({"run": "r9"}),
                                 json.dumps(record("r9", "dddddddddddd", "2026-12-01", dataRead=[{"path": "x"}]))])
def test_a_record_that_is_not_the_pipelines_is_refused_with_its_path(tmp_path, bad):
    write(tmp_path, bad)
    with pytest.raises(ProjectError, match="lineage.json"):
        chain(tmp_path)


def test_a_record_cannot_drive_the_terminal(tmp_path):
    write(tmp_path, record("r1", "aaaaaaaaaaaa", "2026-12-01T10:00:00+00:00", why="\x1b[2J\x1b]0;pwned\x07"))
    text = format_chain(chain(tmp_path))
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[2J" in text


def test_the_command_prints_the_chain_and_refuses_a_project_without_runs(tmp_path):
    write(tmp_path / "p", record("r1", "aaaaaaaaaaaa", "2026-12-01T10:00:00+00:00"))
    result = CliRunner().invoke(app, ["lineage", str(tmp_path / "p")])
    assert result.exit_code == 0 and DATA_HASH in result.output
    as_json = CliRunner().invoke(app, ["lineage", str(tmp_path / "p"), "--json"])
    assert json.loads(as_json.output)["dataRead"][0]["sha256"] == DATA_HASH
    empty = CliRunner().invoke(app, ["lineage", str(tmp_path)])
    assert empty.exit_code == 2 and "make pipeline" in empty.output and "Traceback" not in empty.output
