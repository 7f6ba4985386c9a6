"""`qantara check`: plan a blueprint's platform offline (or import a real Pulumi plan),
evaluate the policies, enforce. `qantara plan` is its first step alone.

The library function behind the command: plain data in, plain data out.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.catalog import load_catalog
from qantara.errors import InputError
from qantara.plan.builder import plan_blueprint, start_planning
from qantara.plan.importers import load_plan_file
from qantara.plan.service_use import relevant_warnings
from qantara.policy.checkpoint import (
    BLUEPRINT_SUBJECTS,
    CheckResult,
    environment_of,
    onprem_site,
    run_checkpoint,
)
from qantara.policy.evaluate import evaluate, prepare
from qantara.policy.maturity import PREREQUISITES, assess_maturity
from qantara.sovereignty.placement import Placement, resolve_placement


@dataclass(frozen=True)
class OpaServer:
    """A central OPA server to evaluate on, instead of the embedded engine."""

    url: str
    upload: bool = True  # upload Qantara's policies and catalog first; else use what is there
    token: str | None = field(default=None, repr=False)  # never printed


def evaluate_findings(document: dict, subjects: tuple[str, ...], opa: OpaServer | None) -> list[dict]:
    """The same findings from the embedded engine or, when `opa` is given, from that server."""
    if opa is None:
        return evaluate(document, subjects)
    from qantara.policy.opa_server import evaluate_remote

    return evaluate_remote(document, subjects, opa.url, upload=opa.upload, token=opa.token)


def _prepared_placement(loaded: LoadedBlueprint, opa: OpaServer | None) -> Placement:
    """The blueprint's placement (its residency rule compiles alone, two library modules); then
    the policies start compiling in the background, while the plan's child process runs."""
    placement = resolve_placement(loaded)
    prepare(("blueprint", "resources") if opa is None else (), also=(PREREQUISITES,))
    return placement


def plan_environment(path: Path, environment: str, *, program_dir: Path | None = None,
                     config: dict[str, str] | None = None, stack_outputs: dict | None = None) -> dict:
    """The offline plan of one environment of the blueprint at `path` (`qantara plan`);
    `stack_outputs` answers the program's StackReferences."""
    loaded = load_blueprint(path)
    name = environment_of(loaded, environment).name
    # The child imports Pulumi while this process places the blueprint.
    with start_planning(loaded, program_dir) or nullcontext() as planner:
        return plan_blueprint(loaded, name, program_dir=program_dir, config=config, stack_outputs=stack_outputs,
                              planner=planner)


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
    loaded = load_blueprint(path)
    env = environment_of(loaded, environment)
    if plan_file is None:
        # The planning child imports Pulumi while this process places the blueprint; the
        # policies compile while it runs the program.
        with start_planning(loaded, program_dir) or nullcontext() as planner:
            placement = _prepared_placement(loaded, opa)
            plan = plan_blueprint(loaded, env.name, program_dir=program_dir, config=config,
                                  stack_outputs=stack_outputs, planner=planner)
    else:
        placement = _prepared_placement(loaded, opa)
        plan = load_plan_file(plan_file, stack_region=(config or {}).get("aws:region"), onprem=onprem_site(loaded))
    result = run_checkpoint(BLUEPRINT_SUBJECTS, loaded, env.name, plan=plan, today=today,
                            evaluator=lambda document, subjects: evaluate_findings(document, subjects, opa))
    return CheckResult(loaded.model.metadata.name, env.name, result.enforcement, result.verdict,
                       result.findings, placement, plan, _warnings(placement, plan),
                       maturity=assess_maturity(result.findings, loaded.model))


def _warnings(placement: Placement, plan: dict) -> list[str]:
    """Placement's warnings about the services this plan uses (a user's program may use none of
    the platform's), then what planning could not see."""
    warnings = list(placement.warnings) + [w for p in placement.components.values() for w in p.warnings]
    warnings = relevant_warnings(warnings, plan, load_catalog())
    return warnings + plan["source"].get("warnings", []) + plan["source"].get("programWarnings", [])
