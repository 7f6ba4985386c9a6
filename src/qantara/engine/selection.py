"""Which embedded Rego engine evaluates the policies: regopy (the default) or regorus.

Chosen by `--engine` on the command line or `QANTARA_ENGINE` in the environment (the policy
pack, run by `pulumi preview/up`, reads the same variable). Every place that evaluates
policies asks `default_engine()`, so one choice holds for placement, `check`,
`check --project` and the pack alike.
"""

from __future__ import annotations

import os
from functools import cache

from qantara.errors import InputError

ENGINE_VARIABLE = "QANTARA_ENGINE"
ENGINES = ("regopy", "regorus")
DEFAULT_ENGINE = "regopy"


def selected_engine() -> str:
    """The engine the environment names, or the default; an unknown name is bad input."""
    name = os.environ.get(ENGINE_VARIABLE, "").strip() or DEFAULT_ENGINE
    if name not in ENGINES:
        raise InputError(f"{ENGINE_VARIABLE}={name!r} is not an engine (allowed: {', '.join(ENGINES)})")
    return name


def select_engine(name: str) -> None:
    """Make `name` the engine of this process (and of the processes it starts)."""
    if name not in ENGINES:
        raise InputError(f"--engine {name!r} is not an engine (allowed: {', '.join(ENGINES)})")
    if name == "regorus":
        from qantara.engine.regorus_engine import INSTALL_HINT, regorus_available

        if not regorus_available():
            raise InputError(f"--engine regorus: the regorus engine is not installed; install it with {INSTALL_HINT}")
    os.environ[ENGINE_VARIABLE] = name


def default_engine():
    """The process-wide engine of the selected kind over the installed policy library."""
    return engine_named(selected_engine())


@cache
def engine_named(name: str):
    if name == "regorus":
        from qantara.engine.regorus_engine import INSTALL_HINT, RegorusEngine, regorus_available

        if not regorus_available():
            raise InputError(f"{ENGINE_VARIABLE}=regorus: the regorus engine is not installed; install it with {INSTALL_HINT}")
        return RegorusEngine()
    from qantara.engine.rego import RegoEngine

    return RegoEngine()
