"""Run the real `qantara` console script in a subprocess, as a user or CI would."""

from __future__ import annotations

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
