"""`qantara check`: plan a blueprint's platform offline (or import a real Pulumi plan),
evaluate the policies, enforce. `qantara plan` is its first step alone.

The library function behind the command: plain data in, plain data out. The planning child
is started first thing, before this process imports the blueprint models, the planner and
the policy engine (about 0.2 s, during which the child imports Pulumi): so those imports are
inside the functions, and this module imports at its top only what starts the child.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qantara.errors import InputError
from qantara.plan.early import early_planner, platform_modules

if TYPE_CHECKING:
    from qantara.blueprint.loader import LoadedBlueprint
    from qantara.plan.child import Planner
    from qantara.policy.checkpoint import CheckResult
    from qantara.sovereignty.placement import Placement


@dataclass(frozen=True)
class OpaServer:
    """A central OPA server to evaluate on, instead of the embedded engine."""

    url: str
    upload: bool = True  # upload Qantara's policies and catalog first; else use what is there
    token: str | None = field(default=None, repr=False)  # never printed


def evaluate_findings(document: dict, subjects: tuple[str, ...], opa: OpaServer | None) -> list[dict]:
    """The same findings from the embedded engine or, when `opa` is given, from that server."""
    if opa is None:
        from qantara.policy.evaluate import evaluate

        return evaluate(document, subjects)
    from qantara.policy.opa_server import evaluate_remote

    return evaluate_remote(document, subjects, opa.url, upload=opa.upload, token=opa.token)


def _prepared_placement(loaded: LoadedBlueprint, opa: OpaServer | None) -> Placement:
    """The blueprint's placement (its residency rule compiles alone, two library modules); then
    the policies start compiling in the background, while the plan's child process runs."""
    from qantara.policy.evaluate import prepare
    from qantara.policy.maturity import PREREQUISITES
    from qantara.sovereignty.placement import resolve_placement

    placement = resolve_placement(loaded)
    prepare(("blueprint", "resources") if opa is None else (), also=(PREREQUISITES,))
    return placement


def plan_environment(path: Path, environment: str, *, program_dir: Path | None = None,
                     config: dict[str, str] | None = None, stack_outputs: dict | None = None) -> dict:
    """The offline plan of one environment of the blueprint at `path` (`qantara plan`);
    `stack_outputs` answers the program's StackReferences."""
    # The child imports Pulumi while this process loads and places the blueprint.
    with early_planner(program_dir) or nullcontext() as planner:
        from qantara.plan.builder import plan_blueprint

        loaded = _loaded(path, environment, planner, program_dir)
        return plan_blueprint(loaded, environment, program_dir=program_dir, config=config,
                              stack_outputs=stack_outputs, planner=planner)


def _loaded(path: Path, environment: str, planner: Planner | None, program_dir: Path | None) -> LoadedBlueprint:
    """The blueprint at `path`, which must declare `environment`; then `planner` is told what
    its program will import."""
    from qantara.blueprint.loader import load_blueprint
    from qantara.policy.checkpoint import environment_of

    loaded = load_blueprint(path)
    environment_of(loaded, environment)
    if planner is not None:
        planner.warm(platform_modules(loaded.model.spec.deployment, program_dir))
    return loaded


def check_blueprint(path: Path, environment: str, *, program_dir: Path | None = None,
                    plan_file: Path | None = None, config: dict[str, str] | None = None,
                    today: dt.date | None = None, opa: OpaServer | None = None,
                    stack_outputs: dict | None = None) -> CheckResult:
    """Check one environment of a blueprint against its offline plan, or against `plan_file`
    (real Pulumi output, see `qantara.plan.importers`) when given; on the OPA server `opa`
    instead of the embedded engine when given. `stack_outputs` answers the program's
    StackReferences (a project's infra/ reading its platform's outputs)."""
    today = today or dt.date.today()
    if plan_file is not None and program_dir is not None:
        raise InputError("--plan and --program both say what to check: give one of them")
    # The planning child imports Pulumi while this process loads and places the blueprint;
    # the policies compile while it runs the program.
    with (early_planner(program_dir) if plan_file is None else None) or nullcontext() as planner:
        from qantara.plan.builder import plan_blueprint
        from qantara.plan.importers import load_plan_file
        from qantara.policy.checkpoint import onprem_site

        loaded = _loaded(path, environment, planner, program_dir)
        placement = _prepared_placement(loaded, opa)
        if plan_file is None:
            plan = plan_blueprint(loaded, environment, program_dir=program_dir, config=config,
                                  stack_outputs=stack_outputs, planner=planner)
        else:
            plan = load_plan_file(plan_file, stack_region=(config or {}).get("aws:region"), onprem=onprem_site(loaded))
    from qantara.plan.program_kind import qantara_program

    # A plan file says itself which program it is of: only what Qantara ran is known.
    planned_platform_program = plan_file is None and qantara_program(program_dir)
    return _checked(loaded, environment, placement, plan, today, opa, planned_platform_program)


def _checked(loaded: LoadedBlueprint, environment: str, placement: Placement, plan: dict, today: dt.date,
             opa: OpaServer | None, planned_platform_program: bool) -> CheckResult:
    """The checkpoint on `plan`, with placement's warnings and the maturity assessment."""
    from qantara.policy.checkpoint import BLUEPRINT_SUBJECTS, CheckResult, run_checkpoint
    from qantara.policy.maturity import assess_maturity

    result = run_checkpoint(BLUEPRINT_SUBJECTS, loaded, environment, plan=plan, today=today,
                            evaluator=lambda document, subjects: evaluate_findings(document, subjects, opa),
                            planned_platform_program=planned_platform_program)
    return CheckResult(loaded.model.metadata.name, environment, result.enforcement, result.verdict,
                       result.findings, placement, plan, _warnings(placement, plan),
                       maturity=assess_maturity(result.findings, loaded.model))


def _warnings(placement: Placement, plan: dict) -> list[str]:
    """Placement's warnings about the services this plan uses (a user's program may use none of
    the platform's), then what planning could not see."""
    from qantara.catalog import load_catalog
    from qantara.plan.service_use import relevant_warnings

    warnings = list(placement.warnings) + [w for p in placement.components.values() for w in p.warnings]
    warnings = relevant_warnings(warnings, plan, load_catalog())
    return warnings + plan["source"].get("warnings", []) + plan["source"].get("programWarnings", [])
