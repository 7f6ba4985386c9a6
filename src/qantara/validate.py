"""`qantara validate` as a library function: a blueprint the platform will plan, or located problems.

Loading checks the schema and the rules between fields; placement checks the catalog, the
residency rules and what the platform program would refuse (`platform_rules`); the policy
library adds that each waiver names a policy that exists. It sits above blueprint,
sovereignty and policy because it asks all three.
"""

from __future__ import annotations

import os

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.blueprint.validation import waiver_problems
from qantara.errors import BlueprintError
from qantara.policy.library import policy_index
from qantara.sovereignty.placement import Placement, resolve_placement


def validate_blueprint(path: str | os.PathLike[str]) -> tuple[LoadedBlueprint, Placement]:
    """Load, place and check a blueprint; returns (LoadedBlueprint, Placement) or raises BlueprintError."""
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
