"""Least-privilege checks for IAM policy documents the components write."""

from __future__ import annotations

import json

READ_ONLY_VERBS = ("Get", "Describe", "List")


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def least_privilege_problems(policy: str | dict) -> list[str]:
    """Allow statements with a wildcard action, or a wildcard resource on a write action."""
    document = json.loads(policy) if isinstance(policy, str) else policy
    problems = []
    for statement in _as_list(document["Statement"]):
        if statement["Effect"] != "Allow":
            continue
        actions = _as_list(statement.get("Action", []))
        problems += [f"wildcard action {a}" for a in actions if a == "*" or a.endswith(":*")]
        if "*" in _as_list(statement.get("Resource", [])):
            writes = [a for a in actions if not a.split(":", 1)[-1].startswith(READ_ONLY_VERBS)]
            problems += [f"write action {a} on resource *" for a in writes]
    return problems

