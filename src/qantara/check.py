"""`qantara check`: plan a blueprint's platform offline, evaluate the policies, enforce.

The library function behind the command: plain data in, plain data out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.errors import BlueprintError
from qantara.plan.builder import plan_blueprint
from qantara.policy.enforcement import enforce, verdict
from qantara.policy.evaluate import evaluate, policy_input
from qantara.sovereignty.placement import Placement, resolve_placement


@dataclass
class CheckResult:
    blueprint: str
    environment: str
    enforcement: str
    verdict: str
    findings: list[dict]
    placement: Placement
    plan: dict
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "blueprint": self.blueprint,
            "environment": self.environment,
            "enforcement": self.enforcement,
            "verdict": self.verdict,
            "resources": len(self.plan["resources"]),
            "findings": self.findings,
            "warnings": self.warnings,
        }


def environment_of(loaded: LoadedBlueprint, name: str):
    """The named environment, or a located problem listing the ones the blueprint declares."""
    names = [e.name for e in loaded.model.spec.environments]
    if name not in names:
        raise BlueprintError([loaded.problem(("spec", "environments"), f"no environment named {name!r} (declared: {', '.join(names)})")])
    return loaded.model.environment(name)


def check_blueprint(path: Path, environment: str, *, program_dir: Path | None = None,
                    config: dict[str, str] | None = None, today: dt.date | None = None) -> CheckResult:
    today = today or dt.date.today()
    loaded = load_blueprint(path)
    env = environment_of(loaded, environment)
    placement = resolve_placement(loaded)
    plan = plan_blueprint(loaded, env.name, placement, program_dir=program_dir, config=config)
    blueprint_data = loaded.model.model_dump(mode="json", by_alias=True)
    document = policy_input(
        blueprint=blueprint_data,
        plan=plan,
        environment={"name": env.name, "enforcement": env.effective_enforcement},
        today=today,
    )
    findings = evaluate(document, ("blueprint", "resources"))
    waivers = blueprint_data["spec"]["governance"]["waivers"]
    enforced = enforce(findings, enforcement=env.effective_enforcement, waivers=waivers, today=today)
    warnings = list(placement.warnings) + [w for p in placement.components.values() for w in p.warnings]
    onprem = sorted(placement.onprem_components())
    if onprem and program_dir is None:
        # Say so rather than let a short plan pass for a complete one.
        warnings.append(f"placed on-prem but not provisioned by stacks/platform yet: {', '.join(onprem)}; their policies are not evaluated")
    return CheckResult(loaded.model.metadata.name, env.name, env.effective_enforcement, verdict(enforced),
                       enforced, placement, plan, warnings)
