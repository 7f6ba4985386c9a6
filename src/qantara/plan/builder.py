"""Plan a blueprint's platform (or any Pulumi Python program) offline: DESIGN §4.3."""

from __future__ import annotations

from pathlib import Path

import yaml

from qantara.blueprint.loader import LoadedBlueprint
from qantara.errors import PlanError
from qantara.plan.classification import classify_resources
from qantara.plan.document import plan_document
from qantara.plan.location import locate_resources
from qantara.paths import platform_program_dir, project_root
from qantara.sovereignty.catalog import load_catalog
from qantara.sovereignty.placement import Placement


def _project_name(program_dir: Path) -> str:
    """The Pulumi project's name: from the nearest Pulumi.yaml at or above the program."""
    for directory in (program_dir, *program_dir.parents):
        project_file = directory / "Pulumi.yaml"
        if project_file.is_file():
            try:
                name = (yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}).get("name")
            except yaml.YAMLError:
                name = None
            if isinstance(name, str) and name:
                return name
            break
    return program_dir.name


def _planner():
    """The offline Pulumi planner, or a PlanError saying which extra brings it."""
    try:
        from qantara.plan.offline import OFFLINE_INVOKE_RESULTS, run_program
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("pulumi"):
            raise
        raise PlanError(f"planning needs Pulumi ({error.name} is not installed): install Qantara with its platform "
                        f"extra, `pip install -e '<qantara checkout>[platform]'`; `check --project`, `new` and "
                        f"`update` work without it") from None
    return OFFLINE_INVOKE_RESULTS, run_program


def plan_blueprint(loaded: LoadedBlueprint, environment: str, placement: Placement, *,
                   program_dir: Path | None = None, config: dict[str, str] | None = None) -> dict:
    """Run the platform program (or `program_dir`) for one environment and return its Plan."""
    # Pulumi is the `platform` extra: `check --project`, `new` and `update` import this module
    # (through qantara.check) without it, so the engine is imported only to plan.
    OFFLINE_INVOKE_RESULTS, run_program = _planner()
    catalog = load_catalog()
    program_dir = (program_dir or platform_program_dir()).resolve()
    stack_config = {
        "qantara:blueprint": str(loaded.path.resolve()),
        "qantara:environment": environment,
    }
    project = _project_name(program_dir)
    # A program of another project (stacks/bootstrap, a project's infra/) reads its own namespace.
    stack_config.update({f"{project}:blueprint": stack_config["qantara:blueprint"],
                         f"{project}:environment": environment})
    if placement.primary_region:
        stack_config["aws:region"] = placement.primary_region
    stack_config.update(config or {})
    program_warnings: list[str] = []
    resources = run_program(program_dir, project=project, stack=environment, config=stack_config,
                            warnings=program_warnings)
    onprem = None
    if loaded.model.spec.on_prem is not None:
        onprem = {"site": loaded.model.spec.on_prem.site, "country": loaded.model.spec.on_prem.country}
    locate_resources(resources, stack_region=stack_config.get("aws:region"), catalog=catalog, onprem=onprem)
    classify_resources(resources, catalog["jurisdictions"]["classifications"])
    try:
        program = program_dir.relative_to(project_root()).as_posix()
    except ValueError:
        program = str(program_dir)
    source = {
        "kind": "offline",
        "program": program,
        "project": project,
        "stack": environment,
        "blueprint": loaded.model.metadata.name,
        "environment": environment,
        "stackRegion": stack_config.get("aws:region"),
        "offlineInvokes": sorted(OFFLINE_INVOKE_RESULTS),
        # What `pulumi up` would warn about, e.g. a fact marked uncertain in the catalog.
        "programWarnings": sorted(set(program_warnings)),
        "placement": {
            name: {"kind": p.kind, "region": p.region, "site": p.site, "country": p.country,
                   "dataClassification": p.data_class, "reason": p.reason}
            for name, p in placement.components.items()
        },
    }
    return plan_document(resources, source)
