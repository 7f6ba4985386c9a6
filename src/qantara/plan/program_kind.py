"""Which program a plan is of: the platform's own, or a program deployed beside it.

The platform program (`stacks/platform`) deploys the blueprint's components, its audit trail
among them; a project's `infra/` (or any other program checked against the blueprint) is
deployed beside the platform, whose trail records its API calls. QA-RES-019 lets the
platform's trail stand for a plan's own only in the second case: a platform plan without its
trail is recorded by no trail at all.

The answer (`input.program`) comes from what Qantara itself knows, never from what the plan
says about itself (its project or stack name, its `source`): a plan Qantara produced by
running its own platform program is the platform's; so is any plan that holds a component
only the platform program builds (`policies/data/platform_program.yaml`), however it was
produced (offline, `--plan`, the policy pack). Only a plan that is neither is a project's. A
program that hid the platform's components would have to build its own key, network and
lake without them; it is then another program beside the platform, and the exemption's one
assumption (the blueprint's platform is deployed, with its trail) is the one QA-RES-019
already states.
"""

from __future__ import annotations

from pathlib import Path

from qantara.catalog import load_catalog
from qantara.errors import CatalogError
from qantara.paths import project_root

PLATFORM = "platform"
PROJECT = "project"


def qantara_program(program_dir: Path | None) -> bool:
    """The program Qantara plans is one of its own (`stacks/`): the platform program when no
    directory is given, or a directory inside the checkout's `stacks/`."""
    if program_dir is None:
        return True
    return program_dir.resolve().is_relative_to((project_root() / "stacks").resolve())


def platform_components(plan: dict, catalog: dict | None = None) -> list[str]:
    """The URNs of the plan's resources of a type only the platform program builds."""
    types = (catalog or load_catalog()).get("platform_program", {}).get("platformComponentTypes")
    if not isinstance(types, list) or not types:
        # Without the table every plan would be a project's: refuse instead (fail closed).
        raise CatalogError("policies/data/platform_program.yaml: platformComponentTypes is missing or empty; "
                           "which plans are the platform's cannot be told without it")
    return [str(r.get("urn", "")) for r in plan.get("resources") or [] if r.get("type") in set(types)]


def program_kind(plan: dict, *, planned_platform_program: bool, catalog: dict | None = None) -> dict:
    """`input.program`: {"kind": "platform" | "project", "reason": why}. `planned_platform_program`
    is true when Qantara produced `plan` by running one of its own programs (`qantara_program`);
    false for a user's program, a plan file and the policy pack's stack."""
    if planned_platform_program:
        return {"kind": PLATFORM, "reason": "Qantara planned its own platform program (stacks/)"}
    found = platform_components(plan, catalog)
    if found:
        return {"kind": PLATFORM, "reason": f"the plan holds {len(found)} component(s) only the platform program builds, "
                                            f"e.g. {found[0]}"}
    return {"kind": PROJECT, "reason": "the plan is not of Qantara's platform program and holds none of the "
                                       "platform's own components"}
