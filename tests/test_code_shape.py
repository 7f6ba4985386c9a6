"""The shape the style guide asks of the code (STYLE.md: small functions, under 60 lines).

A long function is several steps waiting to be named; this lists every function in
`src/qantara` over the limit, with where it is, so the offender is found by its name.
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "qantara"
MAX_FUNCTION_LINES = 60


def long_functions(source: str, filename: str, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """`file:line name (n lines)` for each function or method of `source` longer than `limit`
    lines, from its `def` to its last line (decorators not counted, nested functions counted
    both in themselves and in the function holding them)."""
    offenders = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                offenders.append(f"{filename}:{node.lineno} {node.name} ({length} lines)")
    return offenders


def test_no_function_in_the_package_is_longer_than_sixty_lines():
    offenders = [offender
                 for path in sorted(SOURCE.rglob("*.py"))
                 for offender in long_functions(path.read_text(encoding="utf-8"), str(path.relative_to(SOURCE.parent)))]
    assert offenders == [], f"functions over {MAX_FUNCTION_LINES} lines: split them into named steps:\n" + "\n".join(offenders)


def test_a_sixty_one_line_function_is_found_and_a_sixty_line_one_is_not():
    def function(name: str, lines: int) -> str:
        return f"def {name}():\n" + "    x = 1\n" * (lines - 1)

    method = "class C:\n    async " + function("method", 70).replace("\n    ", "\n        ")
    source = function("fits", 60) + function("too_long", 61) + method
    assert long_functions(source, "m.py") == ["m.py:61 too_long (61 lines)", "m.py:123 method (70 lines)"]
