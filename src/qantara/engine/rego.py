"""The embedded Rego engine: regopy with Qantara's policy library and catalog loaded.

One interpreter per process holds every module and the catalog, compiled on first use.
regopy's error text cannot be read back reliably (DESIGN §5), so when a query fails the
engine compiles each module on its own to name the file at fault.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import regopy

from qantara.catalog import load_catalog
from qantara.errors import PolicyEngineError
from qantara.paths import policy_dir


def rego_modules(root: Path) -> dict[str, str]:
    """Every policy module under `root` (tests excluded), by path relative to it."""
    modules = {}
    for path in sorted(root.rglob("*.rego")):
        if path.name.endswith("_test.rego"):
            continue
        modules[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return modules


def regopy_input(value: Any) -> Any:
    """`value` as regopy 1.5's Input reads it back unchanged. Input reads a string's backslashes
    as escapes (`{"a": "x\\"y"}`, a JSON text holding an escaped quote, arrives without its
    backslash and no longer parses), so a string holding one is given with its backslashes
    doubled; every other value is passed as it is (no copy of the usual, backslash-free plan)."""
    if isinstance(value, str):
        return value.replace("\\", "\\\\") if "\\" in value else value
    if isinstance(value, dict):
        items = {key: regopy_input(item) for key, item in value.items()}
        return value if all(items[key] is value[key] for key in value) else items
    if isinstance(value, list):
        items = [regopy_input(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


class RegoEngine:
    """Evaluates queries against the policy library with the catalog as `data.catalog`."""

    def __init__(self, root: Path | None = None, catalog: dict | None = None):
        self.root = root or policy_dir()
        self.catalog = catalog if catalog is not None else load_catalog()
        self.modules = rego_modules(self.root)
        self._lock = threading.Lock()
        self._interpreter = self._new_interpreter(self.modules)
        # Compiled entrypoint sets, each with the interpreter that runs it: regopy 1.5 keeps
        # adding entrypoints to an interpreter that builds twice, and its second bundle
        # then answers nothing, so every bundle is built and run apart.
        self._bundles: dict[tuple[str, ...], tuple[regopy.Bundle, regopy.Interpreter]] = {}

    def _new_interpreter(self, modules: dict[str, str]) -> regopy.Interpreter:
        interpreter = regopy.Interpreter()
        # regopy prints compile errors to stderr itself; Qantara reports them as one message
        # instead. Per interpreter: setting the process default twice aborts the process.
        interpreter.log_level = regopy.LogLevel.NONE
        # JSON text is parsed natively; handing regopy Python objects walks them through ctypes.
        interpreter.add_data_json(json.dumps({"catalog": self.catalog}))
        for name, source in modules.items():
            try:
                interpreter.add_module(name, source)
            except regopy.RegoError as error:
                raise PolicyEngineError(f"policy module {self.root / name} does not parse: {_first_error(error)}") from None
        return interpreter

    def query(self, expression: str, input_document: Any) -> Any:
        """Value of `expression` (e.g. `data.qantara.lib.residency.region_options`), or None if undefined."""
        with self._lock:
            try:
                self._interpreter.set_input(regopy_input(input_document))
                output = self._interpreter.query(f"result := {expression}")
            except regopy.RegoError as error:
                raise PolicyEngineError(f"{self._diagnose(expression)}: {_first_error(error)}") from None
            except json.JSONDecodeError as error:
                # regopy built invalid JSON (see policies/lib/text.rego): a policy bug, not bad input.
                raise PolicyEngineError(f"the policy engine returned malformed output for {expression} "
                                        f"({error.msg} at {error.pos})") from None
            if not output.ok():
                raise PolicyEngineError(self._diagnose(expression))
            if not output.results:
                return None
            bindings = output.results[0].bindings
            return bindings.get("result")

    def rule_values(self, rules: tuple[str, ...], input_document: Any) -> list[Any]:
        """The value of each rule (e.g. `qantara.resources.residency.findings`), None if undefined.

        Each rule is an entrypoint of a bundle compiled once per engine and queried on its
        own. Measured on regopy 1.5.2 (benchmarks/check_throughput.py, 10,000 resources):
        one query for every package took 18.9 s, because a query's cost grows faster than
        the work in it; an entrypoint per package took 12.6 s, and pays no per-query compile
        (about 0.15 s a query).
        """
        with self._lock:
            try:
                bundle, runner = self._bundle_for(rules)
                runner.set_input(regopy_input(input_document))
                values = []
                for rule in rules:
                    output = runner.query_bundle_entrypoint(bundle, rule.replace(".", "/"))
                    if not output.ok():
                        raise PolicyEngineError(f"the policy engine failed to evaluate data.{rule}")
                    defined = output.results and output.results[0].expressions
                    values.append(output.results[0].expressions[0] if defined else None)
                return values
            except regopy.RegoError as error:
                raise PolicyEngineError(f"{self._diagnose(', '.join(rules))}: {_first_error(error)}") from None
            except json.JSONDecodeError as error:
                raise PolicyEngineError(f"the policy engine returned malformed output for {', '.join(rules)} "
                                        f"({error.msg} at {error.pos})") from None

    def prepare(self, rules: tuple[str, ...]) -> threading.Thread:
        """Compile one bundle for `rules` in the background (regopy releases the GIL while it
        compiles), so a later `rule_values` of any of them finds it ready: `check` prepares its
        policies while the child process plans. Compiling the library costs about a second
        and grows little with the entrypoints, so one bundle for several callers is cheaper."""
        def compile_bundle() -> None:
            with self._lock:
                try:
                    self._bundle_for(tuple(rules))
                except (regopy.RegoError, PolicyEngineError):
                    pass  # the caller's own rule_values compiles again and reports it

        thread = threading.Thread(target=compile_bundle, name="qantara-policy-compile")
        thread.start()
        return thread

    def _bundle_for(self, rules: tuple[str, ...]) -> tuple[regopy.Bundle, regopy.Interpreter]:
        """A compiled bundle holding every rule of `rules` as an entrypoint (the lock is held)."""
        for entrypoints, compiled in self._bundles.items():
            if set(rules) <= set(entrypoints):
                return compiled
        modules = modules_for(self.modules, rules)
        bundle = self._new_interpreter(modules).build(None, [rule.replace(".", "/") for rule in rules])
        if not bundle.ok():
            raise PolicyEngineError(self._diagnose(", ".join(rules)))
        runner = regopy.Interpreter()
        runner.log_level = regopy.LogLevel.NONE
        self._bundles[rules] = bundle, runner
        return self._bundles[rules]

    def _diagnose(self, expression: str) -> str:
        """Name the module that does not compile, or say the query itself failed."""
        lib = {name: source for name, source in self.modules.items() if name.startswith("lib/")}
        for name, source in self.modules.items():
            package = _package_of(source)
            try:
                trial = self._new_interpreter({**lib, name: source})
                compiles = trial.query(f"x := data.{package}").ok()
            except (regopy.RegoError, PolicyEngineError):
                compiles = False
            if package and not compiles:
                return f"policy module {self.root / name} does not compile (package {package})"
        return f"the policy engine failed to evaluate {expression} (every module compiles on its own)"


# A reference to a document under `data` (`data.qantara.lib.plan`, `import data.qantara.lib.text`).
_REFERENCE = re.compile(r"(?<![\w.])data((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
# `data` used whole or indexed by a value (`data[x]`, `d := data`): no telling what it reaches.
_WHOLE_DATA = re.compile(r"(?<![\w.])data\b(?!\s*\.[A-Za-z_])")
# String literals and comments, which may say "data" without referring to anything.
_LITERALS = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`|#[^\n]*')


def modules_for(modules: dict[str, str], rules: tuple[str, ...]) -> dict[str, str]:
    """The modules `rules` can reach: those of their packages and, transitively, of every
    package a reached module refers to under `data` (a package is reached by a reference to
    it, to anything inside it, or to a path above it). Every module when one uses `data` in a
    way a reading cannot follow, or declares no package. Compiling the residency rule alone
    takes its two library modules, not the whole library (about a third of a second less)."""
    packages = {name: _package_of(source) for name, source in modules.items()}
    if None in packages.values():
        return modules
    needed: set[str] = set()
    frontier = list(rules)
    while frontier:
        path = frontier.pop()
        for name, package in packages.items():
            if name in needed or not (path == package or path.startswith(package + ".")
                                      or package.startswith(path + ".")):
                continue
            code = _LITERALS.sub("", modules[name])
            if _WHOLE_DATA.search(code):
                return modules
            needed.add(name)
            frontier.extend(match.group(1)[1:] for match in _REFERENCE.finditer(code))
    return {name: source for name, source in modules.items() if name in needed}


def _first_error(error: Exception) -> str:
    """The error message inside regopy's error tree, e.g. 'Invalid collection'."""
    for line in str(error).splitlines():
        line = line.strip()
        if line.startswith("(errormsg"):
            return line.split(":", 1)[-1].rstrip(")")
    return str(error).splitlines()[0] if str(error) else type(error).__name__


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
