"""`qantara check`: plan a blueprint's platform offline (or import a real Pulumi plan),
evaluate the policies, enforce.

The library function behind the command: plain data in, plain data out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.errors import BlueprintError, InputError
from qantara.plan.builder import plan_blueprint
from qantara.plan.importers import load_plan_file
from qantara.plan.service_use import relevant_warnings
from qantara.policy.enforcement import enforce, verdict
from qantara.policy.maturity import assess_maturity
from qantara.policy.evaluate import evaluate, policy_input
from qantara.catalog import load_catalog
from qantara.sovereignty.placement import Placement, resolve_placement


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


def environment_of(loaded: LoadedBlueprint, name: str):
    """The named environment, or a located problem listing the ones the blueprint declares."""
    names = [e.name for e in loaded.model.spec.environments]
    if name not in names:
        raise BlueprintError([loaded.problem(("spec", "environments"), f"no environment named {name!r} (declared: {', '.join(names)})")])
    return loaded.model.environment(name)


def _onprem_site(loaded: LoadedBlueprint) -> dict | None:
    on_prem = loaded.model.spec.on_prem
    return None if on_prem is None else {"site": on_prem.site, "country": on_prem.country}


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


def check_blueprint(path: Path, environment: str, *, program_dir: Path | None = None,
                    plan_file: Path | None = None, config: dict[str, str] | None = None,
                    today: dt.date | None = None, opa: OpaServer | None = None) -> CheckResult:
    """Check one environment of a blueprint against its offline plan, or against `plan_file`
    (real Pulumi output, see `qantara.plan.importers`) when given; on the OPA server `opa`
    instead of the embedded engine when given."""
    today = today or dt.date.today()
    if plan_file is not None and program_dir is not None:
        raise InputError("--plan and --program both say what to check: give one of them")
    loaded = load_blueprint(path)
    env = environment_of(loaded, environment)
    placement = resolve_placement(loaded)
    if plan_file is None:
        plan = plan_blueprint(loaded, env.name, placement, program_dir=program_dir, config=config)
    else:
        plan = load_plan_file(plan_file, stack_region=(config or {}).get("aws:region"), onprem=_onprem_site(loaded))
    blueprint_data = loaded.model.model_dump(mode="json", by_alias=True)
    document = policy_input(
        blueprint=blueprint_data,
        plan=plan,
        environment={"name": env.name, "enforcement": env.effective_enforcement},
        today=today,
    )
    findings = evaluate_findings(document, ("blueprint", "resources"), opa)
    waivers = blueprint_data["spec"]["governance"]["waivers"]
    enforced = enforce(findings, enforcement=env.effective_enforcement, waivers=waivers, today=today)
    warnings = list(placement.warnings) + [w for p in placement.components.values() for w in p.warnings]
    # Only the services this plan uses: a user's program may use none of the platform's.
    warnings = relevant_warnings(warnings, plan, load_catalog())
    warnings += plan["source"].get("warnings", [])
    warnings += plan["source"].get("programWarnings", [])
    return CheckResult(loaded.model.metadata.name, env.name, env.effective_enforcement, verdict(enforced),
                       enforced, placement, plan, warnings, maturity=assess_maturity(enforced, blueprint_data))
