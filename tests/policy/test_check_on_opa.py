"""`qantara check --opa-url`: the same verdict and findings as the embedded engine, from a server."""

from __future__ import annotations

import json
from pathlib import Path

from fake_opa import FakeOpa
from typer.testing import CliRunner

from qantara.cli import app

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = str(ROOT / "blueprints" / "eg-retail-cloud.yaml")


def _check(*extra: str, env: dict | None = None):
    result = CliRunner().invoke(app, ["check", BLUEPRINT, "--env", "prod", "--format", "json", *extra], env=env)
    return result.exit_code, json.loads(result.stdout)


def test_check_on_an_opa_server_gives_the_embedded_verdict_and_findings():
    server = FakeOpa()
    try:
        embedded_code, embedded = _check()
        remote_code, remote = _check("--opa-url", server.url, env={"QANTARA_OPA_TOKEN": "t0ken-never-printed"})
    finally:
        server.close()
    assert remote_code == embedded_code
    assert remote["findings"] == embedded["findings"]
    assert any(r.method == "POST" for r in server.requests)
    assert all(r.headers.get("Authorization") == "Bearer t0ken-never-printed" for r in server.requests)
    assert "t0ken-never-printed" not in json.dumps(remote)


def test_the_server_url_may_come_from_the_environment():
    server = FakeOpa()
    try:
        code, _ = _check(env={"QANTARA_OPA_URL": server.url})
    finally:
        server.close()
    assert code in (0, 1)
    assert any(r.method == "PUT" for r in server.requests)
