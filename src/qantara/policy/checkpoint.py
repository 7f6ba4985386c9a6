"""The checkpoint every gate runs: environment → input → evaluate → enforce.

`qantara check` (a blueprint's plan), `qantara check --project` (an ML project) and the
Pulumi policy pack (a stack at `pulumi preview/up`) differ only in what they load; from the
loaded blueprint on they are this one function, so their verdicts cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from qantara.blueprint.loader import LoadedBlueprint
from qantara.blueprint.models import Environment
from qantara.errors import BlueprintError
from qantara.policy.enforcement import enforce, verdict
from qantara.policy.evaluate import evaluate, policy_input
from qantara.sovereignty.placement import Placement

# The policy subjects of each kind of check (the folders of policies/).
BLUEPRINT_SUBJECTS = ("blueprint", "resources")
PROJECT_SUBJECTS = ("project",)

# Findings of an input document for some subjects: the embedded engine, or an OPA server.
Evaluator = Callable[[dict, tuple[str, ...]], list[dict]]


@dataclass(frozen=True)
class Verdict:
    """What a checkpoint decided: `pass` or `fail`, and every finding with its enforcement."""

    verdict: str
    findings: list[dict]


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


def run_checkpoint(subjects: tuple[str, ...], blueprint: dict, environment: str, enforcement: str, *,
                   plan: dict | None = None, project: dict | None = None, today: dt.date | None = None,
                   evaluator: Evaluator | None = None) -> Verdict:
    """Evaluate the policies of `subjects` on one environment's input and enforce them at
    `enforcement`, with the blueprint's waivers."""
    today = today or dt.date.today()
    document = policy_input(blueprint=blueprint, plan=plan, project=project,
                            environment={"name": environment, "enforcement": enforcement}, today=today)
    findings = (evaluator or evaluate)(document, subjects)
    enforced = enforce(findings, enforcement=enforcement, waivers=blueprint["spec"]["governance"]["waivers"], today=today)
    return Verdict(verdict(enforced), enforced)
