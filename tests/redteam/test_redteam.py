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

Most programs are checked through `qantara.cli.main` in this process: the same argument
parsing, check, report and exit code as the console script, and still one fresh planning
child process per program (`qantara.plan.child`), so nothing a program does stays behind.
What the console script adds (interpreter start, imports, compiling the policy bundles) is
the same for every program and costs about three times the check itself, so it is paid once
per attack family: the first program of each family (`move-`, `enc-`, `ok-`...) runs as a
real `qantara` subprocess, as a user or CI runs it.
"""

from __future__ import annotations

import contextlib
import io
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


# Variables that must not leak from the developer's shell into a check.
_UNSET = ("QANTARA_DEBUG", "AWS_REGION", "AWS_DEFAULT_REGION")
# Seconds one program may take to plan, in both ways of running it.
_TIMEOUT = 180


def _family(program: Path) -> str:
    return program.name.split("-", 1)[0]


def _runs_as_subprocess(program: Path) -> bool:
    """The first program of its family: checked through the real console script."""
    return next(p for p in _programs() if _family(p) == _family(program)) == program


def _arguments(program: Path) -> list[str]:
    return ["check", str(BLUEPRINT), "--env", "prod", "--format", "json", "--program", str(program)]


def _check_subprocess(program: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    return subprocess.run([*COMMAND, *_arguments(program)],
                          capture_output=True, text=True, timeout=_TIMEOUT, cwd=REPO, env=env, check=False)


def _check_in_process(program: Path, monkeypatch: pytest.MonkeyPatch) -> subprocess.CompletedProcess:
    """`qantara check` through the console script's own entry point, in this process; the
    program is still planned in its own child process, which inherits this environment."""
    from qantara.cli import main

    for name in _UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("QANTARA_PLAN_TIMEOUT", str(_TIMEOUT))
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys, "argv", ["qantara", *_arguments(program)])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        main()
    return subprocess.CompletedProcess(sys.argv, exited.value.code, out.getvalue(), err.getvalue())


def _check(program: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[subprocess.CompletedProcess, dict | None]:
    result = _check_subprocess(program) if _runs_as_subprocess(program) else _check_in_process(program, monkeypatch)
    report = json.loads(result.stdout) if result.stdout.strip() else None
    return result, report


def _named(finding: dict) -> str:
    return finding["resource"].rsplit("::", 1)[-1]


def test_the_suite_has_at_least_forty_attacks_and_five_compliant_programs():
    verdicts = [_expectation(p)["verdict"] for p in _programs()]
    assert verdicts.count("fail") >= 40, verdicts.count("fail")
    assert verdicts.count("pass") >= 5, verdicts.count("pass")


def test_the_console_script_checks_a_passing_and_a_failing_program():
    verdicts = {_expectation(p)["verdict"] for p in _programs() if _runs_as_subprocess(p)}
    assert verdicts == {"pass", "fail"}, verdicts


@pytest.mark.parametrize("program", _programs(), ids=lambda p: p.name)
def test_program_gets_the_verdict_its_behaviour_deserves(program, monkeypatch):
    expected = _expectation(program)
    result, report = _check(program, monkeypatch)
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
