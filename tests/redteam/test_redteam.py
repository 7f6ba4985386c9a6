"""The red-team suite: realistic Pulumi programs that each move, copy, expose or leave
unencrypted restricted data in one way, checked as a user checks them
(`qantara check --program`) against the UAE health blueprint, whose data must stay in the
country. Each program's `expect.yaml` says what it must cause:

    verdict: fail              # or pass, for the compliant programs
    behaviour: <one line>      # what the program does, for the reader
    findings:                  # fail only: every (policy, logical name) that must be found
      - {policy: QA-RES-0NN, resource: <logical name>}

A failing program passes the test only when `check` exits 1 *and* a finding of the named
policy names the named resource: a program that fails for some other reason (a missing
tag) does not count. A compliant program must exit 0 with no finding at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROGRAMS = HERE / "programs"
BLUEPRINT = REPO / "blueprints" / "ae-health-cloud.yaml"
_SCRIPT = Path(sys.executable).with_name("qantara")
COMMAND = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-c", "from qantara.cli import main; main()"]


def _programs() -> list[Path]:
    return sorted(p for p in PROGRAMS.iterdir() if (p / "__main__.py").is_file())


def _expectation(program: Path) -> dict:
    return yaml.safe_load((program / "expect.yaml").read_text(encoding="utf-8"))


def _check(program: Path) -> tuple[subprocess.CompletedProcess, dict | None]:
    env = {k: v for k, v in os.environ.items() if k not in ("QANTARA_DEBUG", "AWS_REGION", "AWS_DEFAULT_REGION")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    result = subprocess.run([*COMMAND, "check", str(BLUEPRINT), "--env", "prod", "--format", "json",
                             "--program", str(program)],
                            capture_output=True, text=True, timeout=180, cwd=REPO, env=env, check=False)
    report = json.loads(result.stdout) if result.stdout.strip() else None
    return result, report


def _named(finding: dict) -> str:
    return finding["resource"].rsplit("::", 1)[-1]


def test_the_suite_has_at_least_forty_attacks_and_five_compliant_programs():
    verdicts = [_expectation(p)["verdict"] for p in _programs()]
    assert verdicts.count("fail") >= 40, verdicts.count("fail")
    assert verdicts.count("pass") >= 5, verdicts.count("pass")


@pytest.mark.parametrize("program", _programs(), ids=lambda p: p.name)
def test_program_gets_the_verdict_its_behaviour_deserves(program):
    expected = _expectation(program)
    result, report = _check(program)
    assert "Traceback" not in result.stderr, result.stderr
    assert report is not None, result.stderr
    if expected["verdict"] == "pass":
        assert result.returncode == 0, report["findings"]
        assert report["findings"] == []
        return
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected["findings"], "a failing program must name the findings it causes"
    found = {(f["policy"], _named(f)) for f in report["findings"]}
    for want in expected["findings"]:
        assert (want["policy"], want["resource"]) in found, (want, sorted(found))
