"""Run the real `qantara` console script in a subprocess, as a user or CI would (`qantara`),
or its entry point `qantara.cli.main` in this process (`qantara_main`) where a test runs the
same command many times over and its interpreter start would cost more than the command."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BLUEPRINTS = REPO / "blueprints"

_SCRIPT = Path(sys.executable).with_name("qantara")
COMMAND = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-c", "from qantara.cli import main; main()"]

# Planning a program offline (the platform stack, or a test program) takes a few seconds;
# tests of bad input pass a much shorter timeout.
PLAN_TIMEOUT = 90


@pytest.fixture
def qantara() -> Callable[..., subprocess.CompletedProcess]:
    """Run `qantara ARGS...` and return the finished process (text stdout and stderr)."""

    def _run(*args: str | os.PathLike[str], timeout: float = PLAN_TIMEOUT, cwd: Path = REPO) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "QANTARA_DEBUG"}
        return subprocess.run(
            [*COMMAND, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=env,
            check=False,
        )

    return _run


@pytest.fixture
def qantara_main(monkeypatch) -> Callable[..., subprocess.CompletedProcess]:
    """Like `qantara`, through `qantara.cli.main` in this process: the same parsing, command,
    report and exit code; a program is still planned in its own child process."""
    from qantara.cli import main

    def _run(*args: str | os.PathLike[str], cwd: Path = REPO) -> subprocess.CompletedProcess:
        with monkeypatch.context() as patch:
            patch.delenv("QANTARA_DEBUG", raising=False)
            patch.setenv("QANTARA_PLAN_TIMEOUT", str(PLAN_TIMEOUT))
            patch.chdir(cwd)
            patch.setattr(sys, "argv", ["qantara", *map(str, args)])
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
                main()
        return subprocess.CompletedProcess(sys.argv, exited.value.code, out.getvalue(), err.getvalue())

    return _run
