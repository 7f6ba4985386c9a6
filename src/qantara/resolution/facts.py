"""The resolved facts the policies judge and must not re-derive: each environment's production
flag and enforcement, each enabled component's data class and where the blueprint puts it.

Each rule is written once, on the blueprint model (`Environment.is_production`,
`Environment.effective_enforcement`, `Blueprint.component_class`, `Blueprint.component_mode`),
because placement, below the resolved platform, needs them too. This module is the one
place that hands them on as plain data: `ResolvedPlatform.to_input()` (what `input.resolved`
holds at every checkpoint) is built from it, and so is the input of a check that cannot be
placed (an environment the platform does not declare). Rego reads them through
`qantara.lib.resolved`, which refuses an input without them.
"""

from __future__ import annotations

from qantara.blueprint.models import Blueprint, Environment
from qantara.catalog import load_catalog, regions
from qantara.naming import data_lake_bucket_names


def environment_facts(environment: Environment) -> dict:
    """{name, production, enforcement} of one declared environment."""
    return {"name": environment.name, "production": environment.is_production,
            "enforcement": environment.effective_enforcement}


def component_facts(blueprint: Blueprint, name: str) -> dict:
    """{dataClassification, placement} of one enabled component (placement: cloud, onprem or auto)."""
    return {"dataClassification": blueprint.component_class(name), "placement": blueprint.component_mode(name)}


def blueprint_facts(blueprint: Blueprint, environment: str | None) -> dict:
    """The facts of `input.resolved` that need no placement: the checked environment (None when
    the blueprint does not declare it), every declared environment, every enabled component."""
    declared = {e.name: environment_facts(e) for e in blueprint.spec.environments}
    return {
        "environment": declared.get(environment) if environment is not None else None,
        "environments": list(declared.values()),
        "components": {name: component_facts(blueprint, name) for name in blueprint.enabled_components()},
        "dataLakeBuckets": data_lake_buckets(blueprint, environment if environment in declared else None),
    }


def data_lake_buckets(blueprint: Blueprint, environment: str | None) -> dict[str, dict[str, str]]:
    """{bucket name: {"region", "zone"}} of the platform's data lake buckets in the checked (declared)
    environment, in every region the catalog knows: placement is not needed to name them, and a
    policy compares the region with where the resource naming the bucket is. None (empty) for an
    environment the blueprint does not declare."""
    if environment is None:
        return {}
    return data_lake_bucket_names(blueprint.metadata.name, environment, sorted(regions(load_catalog())))
