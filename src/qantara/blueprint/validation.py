"""`qantara validate` as a library function: a blueprint the platform will plan, or located problems.

Loading checks the schema and the rules between fields; placement checks the catalog, the
residency rules and what the platform program would refuse (`platform_rules`); this adds
what only the policy library knows: that each waiver names a policy that exists.
"""

from __future__ import annotations

import os

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.errors import BlueprintError, Problem


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


def validate_blueprint(path: str | os.PathLike[str]):
    """Load, place and check a blueprint; returns (LoadedBlueprint, Placement) or raises BlueprintError."""
    from qantara.policy.library import policy_index
    from qantara.sovereignty.placement import resolve_placement

    loaded = load_blueprint(path)
    problems = waiver_problems(loaded, set(policy_index()))
    try:
        placement = resolve_placement(loaded)
    except BlueprintError as error:
        if problems and error.problems:
            raise BlueprintError([*problems, *error.problems]) from None
        raise
    if problems:
        raise BlueprintError(problems)
    return loaded, placement
