"""The checkpoint every gate runs: environment → input → evaluate → enforce.

`qantara check` (a blueprint's plan), `qantara check --project` (an ML project) and the
Pulumi policy pack (a stack at `pulumi preview/up`) differ only in what they load; from the
loaded blueprint on they are this one function, so their verdicts cannot drift apart. It
computes the resolved platform (`input.resolved`) itself from the blueprint it checks: the
policies judge those facts, so no caller may hand it its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from qantara.blueprint.loader import LoadedBlueprint
from qantara.blueprint.models import Environment
from qantara.errors import BlueprintError
from qantara.plan.program_kind import program_kind
from qantara.policy.enforcement import enforce, verdict
from qantara.policy.evaluate import evaluate, policy_input
from qantara.resolution import blueprint_facts, resolve_platform
from qantara.sovereignty.placement import Placement

# The policy subjects of each kind of check (the folders of policies/).
BLUEPRINT_SUBJECTS = ("blueprint", "resources")
PROJECT_SUBJECTS = ("project",)

# An environment the platform does not declare has no level of its own: fail closed.
UNDECLARED_ENFORCEMENT = "mandatory"

# Findings of an input document for some subjects: the embedded engine, or an OPA server.
Evaluator = Callable[[dict, tuple[str, ...]], list[dict]]


@dataclass(frozen=True)
class Verdict:
    """What a checkpoint decided: `pass` or `fail`, and every finding with its enforcement."""

    verdict: str
    findings: list[dict]
    enforcement: str  # the level the findings were enforced at


@dataclass
class CheckResult:
    blueprint: str
    environment: str
    enforcement: str
    verdict: str
    findings: list[dict]
    placement: Placement | None
    plan: dict
    warnings: list[str] = field(default_factory=list)
    # The maturity assessment (qantara.policy.maturity) of a blueprint check.
    maturity: dict | None = None
    # The ML project checked (its manifest's name), for `check --project`.
    project: str | None = None

    def to_dict(self) -> dict:
        result = {
            "blueprint": self.blueprint,
            "environment": self.environment,
            "enforcement": self.enforcement,
            "verdict": self.verdict,
            "resources": len(self.plan["resources"]),
            "findings": self.findings,
            "warnings": self.warnings,
        }
        if self.maturity is not None:
            result["maturity"] = self.maturity
        if self.project is not None:
            result["project"] = self.project
        return result


def environment_of(loaded: LoadedBlueprint, name: str) -> Environment:
    """The named environment, or a located problem listing the ones the blueprint declares."""
    names = [e.name for e in loaded.model.spec.environments]
    if name not in names:
        raise BlueprintError([loaded.problem(("spec", "environments"), f"no environment named {name!r} (declared: {', '.join(names)})")])
    return loaded.model.environment(name)


def onprem_site(loaded: LoadedBlueprint) -> dict | None:
    """The blueprint's on-prem site as the plan locator reads it, or None without one."""
    on_prem = loaded.model.spec.on_prem
    return None if on_prem is None else {"site": on_prem.site, "country": on_prem.country}


def blueprint_data(loaded: LoadedBlueprint) -> dict:
    """The blueprint as the policies read it (`input.blueprint`)."""
    return loaded.model.model_dump(mode="json", by_alias=True)


def resolved_input(loaded: LoadedBlueprint, environment: str) -> dict:
    """`input.resolved`: the resolved platform of `loaded` in `environment`, computed here from the
    checked blueprint, never taken from a caller. An environment the blueprint does not declare
    (a project's, QA-PRJ-007) is resolved without one: every environment and component, no
    `environment` (its policies then have nothing to judge but that)."""
    if environment not in {e.name for e in loaded.model.spec.environments}:
        return blueprint_facts(loaded.model, None)
    return resolve_platform(loaded, environment).to_input()


def run_checkpoint(subjects: tuple[str, ...], loaded: LoadedBlueprint, environment: str, *,
                   plan: dict | None = None, project: dict | None = None, today: dt.date | None = None,
                   evaluator: Evaluator | None = None, planned_platform_program: bool = False) -> Verdict:
    """Evaluate the policies of `subjects` on one environment's input and enforce them at the
    environment's resolved enforcement (mandatory for one the blueprint does not declare), with
    the blueprint's waivers. The blueprint and its resolved platform both come from `loaded`;
    which program the plan is of (`input.program`) from the plan's own resources and
    `planned_platform_program`, true only when Qantara produced the plan by running its own
    platform program (`qantara.plan.program_kind`)."""
    today = today or dt.date.today()
    blueprint = blueprint_data(loaded)
    resolved = resolved_input(loaded, environment)
    enforcement = resolved["environment"]["enforcement"] if resolved["environment"] else UNDECLARED_ENFORCEMENT
    program = None if plan is None else program_kind(plan, planned_platform_program=planned_platform_program)
    document = policy_input(blueprint=blueprint, plan=plan, project=project, resolved=resolved, program=program,
                            environment={"name": environment, "enforcement": enforcement}, today=today)
    findings = (evaluator or evaluate)(document, subjects)
    enforced = enforce(findings, enforcement=enforcement, waivers=blueprint["spec"]["governance"]["waivers"], today=today)
    return Verdict(verdict(enforced), enforced, enforcement)
