"""The planning child, started before this process imports anything heavy.

`qantara check` and `qantara plan` start their child first thing, so that it imports Pulumi
while this process imports the blueprint models and the policy engine (about 0.2 s) and
loads and places the blueprint. Which modules it should warm is known once the blueprint is
loaded: `Planner.warm(platform_modules(...))`. This module imports nothing heavy (no
pydantic, no Rego): keep it so, or the head start shrinks.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from qantara.errors import PlanError
from qantara.paths import platform_program_dir
from qantara.plan.aws_environment import without_region_environment
from qantara.plan.child import Planner

# What the platform program of a blueprint with a cloud side imports on its way: Qantara's AWS
# composition and the pulumi_aws service modules its components use (pulumi_aws loads a
# service's whole module on first use of one of its classes). A planner started early imports
# them while its parent places the blueprint; a name missing here costs time, never a verdict.
CLOUD_PLATFORM_MODULES = ("qantara.aws_platform", "pulumi_aws.appautoscaling", "pulumi_aws.cloudtrail",
                          "pulumi_aws.cloudwatch", "pulumi_aws.ec2", "pulumi_aws.ecr", "pulumi_aws.glue",
                          "pulumi_aws.iam", "pulumi_aws.kms", "pulumi_aws.s3", "pulumi_aws.sagemaker",
                          "pulumi_aws.sfn", "pulumi_aws.sns")


def installed(name: str) -> bool:
    """Whether `name` can be imported, without importing it. An import hook that refuses the
    name (raising ModuleNotFoundError, as `import` would) means it is not installed too."""
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def early_planner(program_dir: Path | None = None) -> Planner | None:
    """A planning child for the platform program (or `program_dir`), started now; tell it what
    to warm once the blueprint is loaded. None without Pulumi, or when `program_dir` is no
    program: planning then says so itself, after the blueprint has said what it refuses."""
    if not all(installed(name) for name in ("pulumi", "pulumi_aws")):
        return None
    try:
        # The child inherits the environment without the region variables.
        with without_region_environment():
            return Planner(program_dir or platform_program_dir())
    except PlanError:
        return None


def platform_modules(deployment: str, program_dir: Path | None = None) -> tuple[str, ...]:
    """What a planner for `program_dir` (None: the platform program) of a blueprint deployed
    as `deployment` should warm: the platform modules for the platform program of a cloud."""
    return CLOUD_PLATFORM_MODULES if program_dir is None and deployment == "cloud" else ()
