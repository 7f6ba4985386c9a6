"""Plan a blueprint's platform (or any Pulumi Python program) offline: DESIGN §4.3."""

from __future__ import annotations

from pathlib import Path

import yaml

from qantara.blueprint.loader import LoadedBlueprint
from qantara.catalog import load_catalog
from qantara.errors import PlanError, PlannerFault
from qantara.paths import platform_program_dir, project_root
from qantara.plan.aws_environment import without_region_environment
from qantara.plan.child import Planner, plan_program
from qantara.plan.classification import classify_resources
from qantara.plan.document import plan_document
from qantara.plan.early import early_planner, installed, platform_modules
from qantara.plan.location import locate_resources
from qantara.plan.offline_invokes import OFFLINE_ACCOUNT_ID, placeholder_warnings
from qantara.plan.stack_settings import stack_config_for
from qantara.resolution import ResolvedPlatform, resolve_platform


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


def _require_planner() -> None:
    """A PlanError saying which extra brings Pulumi, when it is not installed: the program
    runs in a child process that needs it."""
    missing = [name for name in ("pulumi", "pulumi_aws") if not installed(name)]
    if missing:
        raise PlanError(f"planning needs Pulumi ({missing[0]} is not installed): install Qantara with its platform "
                        f"extra, `pip install -e '<qantara checkout>[platform]'`; `check --project`, `new` and "
                        f"`update` work without it")


def start_planning(loaded: LoadedBlueprint, program_dir: Path | None = None) -> Planner | None:
    """A planning child for the platform program (or `program_dir`), started now and told what
    to warm, so that it imports Pulumi while the caller places the blueprint; hand it to
    `plan_blueprint`. None without Pulumi (see `qantara.plan.early.early_planner`)."""
    planner = early_planner(program_dir)
    if planner is not None:
        planner.warm(platform_modules(loaded.model.spec.deployment, program_dir))
    return planner


def plan_blueprint(loaded: LoadedBlueprint, environment: str, *,
                   program_dir: Path | None = None, config: dict[str, str] | None = None,
                   stack_outputs: dict | None = None, planner: Planner | None = None) -> dict:
    """Run the platform program (or `program_dir`) for one environment and return its Plan;
    `stack_outputs` answers the program's StackReferences; `planner`, from `start_planning`
    with the same program, runs it. The plan reads the resolved platform (computed once per process)."""
    return plan_platform(loaded, resolve_platform(loaded, environment), program_dir=program_dir, config=config,
                         stack_outputs=stack_outputs, planner=planner)


def _stack_config(loaded: LoadedBlueprint, environment: str, project: str) -> dict[str, str]:
    stack_config = {
        "qantara:blueprint": str(loaded.path.resolve()),
        "qantara:environment": environment,
    }
    # A program of another project (stacks/bootstrap, a project's infra/) reads its own namespace.
    stack_config.update({f"{project}:blueprint": stack_config["qantara:blueprint"],
                         f"{project}:environment": environment})
    return stack_config


def _source(platform: ResolvedPlatform, program_dir: Path, project: str, stack_config: dict, run: dict) -> dict:
    try:
        program = program_dir.relative_to(project_root()).as_posix()
    except ValueError:
        program = str(program_dir)
    environment = platform.environment.name
    return {
        "kind": "offline",
        "program": program,
        "project": project,
        "stack": environment,
        "blueprint": platform.name,
        "environment": environment,
        "stackRegion": stack_config.get("aws:region"),
        # What the offline run could not see: unanswered lookups, placeholders, unapplied transforms.
        **run["outcome"],
        "warnings": placeholder_warnings(run["outcome"]["offlinePlaceholders"]),
        # The account the offline invokes place the stack in (aws.get_caller_identity).
        "accounts": [OFFLINE_ACCOUNT_ID],
        # What `pulumi up` would warn about, e.g. a fact marked uncertain in the catalog.
        "programWarnings": sorted(set(run["warnings"])),
        "placement": {
            name: {"kind": p.kind, "region": p.region, "site": p.site, "country": p.country,
                   "dataClassification": p.data_class, "reason": p.reason}
            for name, p in platform.placement.components.items()
        },
    }


def plan_platform(loaded: LoadedBlueprint, platform: ResolvedPlatform, *, program_dir: Path | None = None,
                  config: dict[str, str] | None = None, stack_outputs: dict | None = None,
                  planner: Planner | None = None) -> dict:
    """Run the platform program (or `program_dir`) for the resolved platform's environment; its Plan.
    `stack_outputs` answers the program's StackReferences (qantara.plan.stack_outputs); `planner`
    is a child already started for that program."""
    # Pulumi is the `platform` extra: `check --project`, `new` and `update` work without it.
    _require_planner()
    catalog = load_catalog()
    user_program = program_dir is not None
    program_dir = (program_dir or platform_program_dir()).resolve()
    environment = platform.environment.name
    project = _project_name(program_dir)
    stack_config = _stack_config(loaded, environment, project)
    # What `pulumi up` configures: the placed region for Qantara's own program, a user's program's own Pulumi.<stack>.yaml.
    settings = stack_config_for(program_dir, environment,
                                placed_region=None if user_program else platform.primary_region, overrides=config)
    stack_config.update(settings.program_config())
    if planner is not None and planner.program_dir != program_dir:
        raise PlannerFault(f"a planner started for {planner.program_dir} was handed the plan of {program_dir}")
    if planner is not None:
        run = planner.plan(project=project, stack=environment, config=stack_config, stack_outputs=stack_outputs)
    else:
        # The child process inherits the environment without the region variables.
        with without_region_environment():
            run = plan_program(program_dir, project=project, stack=environment, config=stack_config,
                               stack_outputs=stack_outputs)
    resources = run["resources"]
    site = platform.blueprint.spec.on_prem
    onprem = None if site is None else {"site": site.site, "country": site.country}
    locate_resources(resources, stack_config=settings, catalog=catalog, onprem=onprem)
    classify_resources(resources, catalog["jurisdictions"]["classifications"])
    return plan_document(resources, _source(platform, program_dir, project, stack_config, run))
