"""An environment's effective sizes and protections: the blueprint's, else the defaults.

The defaults live in `policies/data/environment_profiles.yaml` (read by Rego as well), one
set for production environments and one for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from qantara.blueprint.models import Blueprint
from qantara.catalog import load_catalog


@dataclass(frozen=True)
class EnvironmentProfile:
    name: str
    production: bool
    instance_count: int
    max_instance_count: int
    tracking_server_size: str
    log_retention_days: int
    deletion_protection: bool
    # How long a model may serve after training (QA-PRJ-012, the retraining schedules) and wait
    # for approval before its owner is told: the blueprint's governance, else the profile's.
    max_model_age_days: int
    approval_timeout_days: int


def environment_profile(blueprint: Blueprint, name: str, catalog: dict | None = None) -> EnvironmentProfile:
    """What environment `name` runs with; `UnknownNameError` when the blueprint lacks it."""
    environment = blueprint.environment(name)
    defaults = (catalog or load_catalog())["environment_profiles"]
    default = defaults["production" if environment.is_production else "non-production"]
    instances = environment.instance_count or default["instanceCount"]
    return EnvironmentProfile(
        name=environment.name,
        production=environment.is_production,
        instance_count=instances,
        # Never below the starting count, whatever the default says.
        max_instance_count=environment.max_instance_count or max(default["maxInstanceCount"], instances),
        tracking_server_size=(environment.tracking_server_size
                              or blueprint.spec.components.experiment_tracking.size
                              or default["trackingServerSize"]),
        log_retention_days=environment.log_retention_days or default["logRetentionDays"],
        deletion_protection=(environment.deletion_protection if environment.deletion_protection is not None
                             else default["deletionProtection"]),
        max_model_age_days=_governed(blueprint.spec.governance.max_model_age_days, default["maxModelAgeDays"]),
        approval_timeout_days=_governed(blueprint.spec.governance.approval_timeout_days,
                                        default["approvalTimeoutDays"]),
    )


def _governed(blueprint_value: int | None, default: int) -> int:
    return blueprint_value if blueprint_value is not None else int(default)
