"""Blueprint rules that need the policy library's ids but no placement: each waiver names a
policy that exists. `qantara validate` (qantara.validate) asks it with the library's ids.
"""

from __future__ import annotations

from qantara.blueprint.loader import LoadedBlueprint
from qantara.errors import Problem


def waiver_problems(loaded: LoadedBlueprint, policy_ids: set[str]) -> list[Problem]:
    """A waiver of a policy the library does not have waives nothing: it is a typo or a stale id."""
    problems = []
    for index, waiver in enumerate(loaded.model.spec.governance.waivers):
        if waiver.policy not in policy_ids:
            problems.append(loaded.problem(
                ("spec", "governance", "waivers", index, "policy"),
                f"{waiver.policy!r} is not a policy of the library (see `qantara docs`; ids like "
                f"{', '.join(sorted(policy_ids)[:3])}...): the waiver would waive nothing"))
    return problems

