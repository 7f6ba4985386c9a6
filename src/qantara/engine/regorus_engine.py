"""The opt-in embedded engine: regorus (Rust), through the `gordon-to-regorus` wheel.

Same policy library, same catalog, same findings as the default regopy engine
(`qantara.engine.rego`), an order of magnitude faster on large plans. It is opt-in because
of its distribution: Microsoft publishes no regorus wheel, and the one on the package index
is built by one person's CI (docs/engines.md says how to verify it).

Evaluated the way that is fast on regorus: every package's `findings` in ONE query (an
array of references by full path). Queried one by one, each package that imports
`qantara.lib.plan` makes regorus evaluate that whole library again (about 0.2 s a package
at 10,000 resources); in one query it is evaluated once.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from qantara.catalog import load_catalog
from qantara.engine.rego import rego_modules
from qantara.errors import PolicyEngineError
from qantara.paths import policy_dir

# Every regorus error carries a Rust backtrace when the environment asks for them (a CI that
# sets RUST_BACKTRACE=1 for its own tools); capturing one roughly doubles the cost of a
# query whose rules meet undefined values. Qantara never shows them, so they are switched
# off before regorus is first loaded.
os.environ["RUST_BACKTRACE"] = "0"
os.environ["RUST_LIB_BACKTRACE"] = "0"

INSTALL_HINT = "pip install 'qantara[regorus]'"


def _import_regorus():
    try:
        import regorus
    except ImportError:
        return None
    return regorus


def regorus_available() -> bool:
    return _import_regorus() is not None


class RegorusEngine:
    """Evaluates queries against the policy library with the catalog as `data.catalog`."""

    name = "regorus"

    def __init__(self, root: Path | None = None, catalog: dict | None = None):
        regorus = _import_regorus()
        if regorus is None:
            raise PolicyEngineError(f"the regorus engine is not installed; install it with {INSTALL_HINT}")
        self.root = root or policy_dir()
        self.catalog = catalog if catalog is not None else load_catalog()
        self.modules = rego_modules(self.root)
        self._lock = threading.Lock()
        self._engine = regorus.Engine()
        self._engine.add_data_json(json.dumps({"catalog": self.catalog}))
        for name, source in self.modules.items():
            try:
                self._engine.add_policy(name, source)
            except RuntimeError as error:
                raise PolicyEngineError(f"policy module {self.root / name} does not parse: {_first_line(error)}") from None

    def query(self, expression: str, input_document: Any) -> Any:
        """Value of `expression` (e.g. `data.qantara.lib.residency.region_options`), or None if undefined."""
        with self._lock:
            self._engine.set_input_json(json.dumps(input_document, default=str))
            result = self._evaluate(expression, expression)
        return result[0] if result else None

    def prepare(self, rules: tuple[str, ...]) -> None:
        """Nothing to compile ahead: regorus evaluates the loaded policies as they are."""

    def rule_values(self, rules: tuple[str, ...], input_document: Any) -> list[Any]:
        """The value of each rule (e.g. `qantara.resources.residency.findings`), None if undefined.

        One query for all rules; a rule that is undefined makes the whole array undefined,
        and only then are the rules asked one by one to say which.
        """
        if not rules:
            return []
        # One reference per line: regorus limits a query line's width.
        whole = "[\n" + ",\n".join(f"data.{rule}" for rule in rules) + "\n]"
        with self._lock:
            self._engine.set_input_json(json.dumps(input_document, default=str))
            values = self._evaluate(whole, ", ".join(rules))
            if values:
                return list(values[0])
            singles = [self._evaluate(f"data.{rule}", rule) for rule in rules]
        return [single[0] if single else None for single in singles]

    def _evaluate(self, query: str, shown: str) -> list[Any]:
        """[value] of a query's first expression, or [] when it is undefined."""
        try:
            output = json.loads(self._engine.eval_query_as_json(query))
        except RuntimeError as error:
            raise PolicyEngineError(f"the regorus engine failed to evaluate {shown}: {_first_line(error)}") from None
        results = output.get("result") or []
        if not results or not results[0].get("expressions"):
            return []
        return [results[0]["expressions"][0]["value"]]


def _first_line(error: Exception) -> str:
    """regorus's error without its source excerpt and backtrace: the `error:` line if any."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error:"):
            where = next((other for other in lines if other.startswith("-->")), "")
            return f"{line.removeprefix('error:').strip()} {where}".strip()
    return lines[0] if lines else type(error).__name__
