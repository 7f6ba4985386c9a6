"""The embedded Rego engine: regopy with Qantara's policy library and catalog loaded.

One interpreter per process holds every module and the catalog, compiled on first use.
regopy's error text cannot be read back reliably (DESIGN §5), so when a query fails the
engine compiles each module on its own to name the file at fault.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import regopy

from qantara.errors import PolicyEngineError
from qantara.paths import policy_dir
from qantara.sovereignty.catalog import load_catalog


def rego_modules(root: Path) -> dict[str, str]:
    """Every policy module under `root` (tests excluded), by path relative to it."""
    modules = {}
    for path in sorted(root.rglob("*.rego")):
        if path.name.endswith("_test.rego"):
            continue
        modules[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return modules


class RegoEngine:
    """Evaluates queries against the policy library with the catalog as `data.catalog`."""

    def __init__(self, root: Path | None = None, catalog: dict | None = None):
        self.root = root or policy_dir()
        self.catalog = catalog if catalog is not None else load_catalog()
        self.modules = rego_modules(self.root)
        self._lock = threading.Lock()
        self._interpreter = self._new_interpreter(self.modules)

    def _new_interpreter(self, modules: dict[str, str]) -> regopy.Interpreter:
        interpreter = regopy.Interpreter()
        interpreter.add_data({"catalog": self.catalog})
        for name, source in modules.items():
            interpreter.add_module(name, source)
        return interpreter

    def query(self, expression: str, input_document: Any) -> Any:
        """Value of `expression` (e.g. `data.qantara.lib.residency.region_options`), or None if undefined."""
        with self._lock:
            self._interpreter.set_input(input_document)
            output = self._interpreter.query(f"result := {expression}")
            if not output.ok():
                raise PolicyEngineError(self._diagnose(expression))
            if not output.results:
                return None
            bindings = output.results[0].bindings
            return bindings.get("result")

    def _diagnose(self, expression: str) -> str:
        """Name the module that does not compile, or say the query itself failed."""
        lib = {name: source for name, source in self.modules.items() if name.startswith("lib/")}
        for name, source in self.modules.items():
            trial = self._new_interpreter({**lib, name: source})
            package = _package_of(source)
            if package and not trial.query(f"x := data.{package}").ok():
                return f"policy module {self.root / name} does not compile (package {package})"
        return f"the policy engine failed to evaluate {expression} (every module compiles on its own)"


def _package_of(source: str) -> str | None:
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("package "):
            return line.split()[1]
    return None


@lru_cache(maxsize=1)
def default_engine() -> RegoEngine:
    """The process-wide engine over the installed policy library."""
    return RegoEngine()


def to_plain(value: Any) -> Any:
    """Round-trip through JSON so only plain data reaches the engine."""
    return json.loads(json.dumps(value, default=str))
