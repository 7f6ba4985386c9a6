"""What the platform program would refuse, computed from the blueprint and its placement.

`qantara validate` (through placement) asks `platform_problems` so that every refusal the
program can make is found first, at the blueprint's line; the components and
`qantara.aws_platform` call the same functions at plan time, so each rule is written once.
Pure: no Pulumi import. Each problem is `(field path, message)`, as placement reports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from qantara.blueprint.derived_names import name_problems
from qantara.blueprint.models import Blueprint
from qantara.blueprint.yaml_source import FieldPath

Problem = tuple[FieldPath, str]

# A cloud component that needs another in the same region: (needed, why), per component.
COLOCATION: dict[str, tuple[tuple[str, str], ...]] = {
    "serving": (("dataLake", "captures requests into the data lake"),
                ("modelRegistry", "pulls model images from the registry's repository")),
    "monitoring": (("dataLake", "writes its reports to the data lake"),),
}

# The CI systems whose OIDC tokens a deploy role may trust: issuer URL and audience.
OIDC_ISSUERS = {
    "github": {"url": "https://token.actions.githubusercontent.com", "audience": "sts.amazonaws.com"},
    "gitlab": {"url": "https://gitlab.com", "audience": "https://gitlab.com"},
}


@dataclass(frozen=True)
class PlacedPlatform:
    """What placement decided, as plain data: which components are where, in which regions."""

    cloud: frozenset[str]
    onprem: frozenset[str]
    region: str | None
    dr_region: str | None
    region_pinned: bool = True  # the blueprint names the region (else placement chose it)


def colocation_message(component: str, needed: str, why: str, region: str | None, needed_where: str) -> str:
    return (f"component {component} is placed in {region or 'the cloud'} and {why}, but {needed} is {needed_where}; "
            f"place both in the cloud or both on-prem (spec.components.*.placement)")


def cloud_endpoints(blueprint: Blueprint, placed: PlacedPlatform) -> bool:
    """Whether the cloud side serves models (and so has endpoints to monitor)."""
    return "serving" in placed.cloud and bool(blueprint.spec.components.serving.models)


def colocation_problems(blueprint: Blueprint, placed: PlacedPlatform) -> Iterator[Problem]:
    for component, needs in COLOCATION.items():
        if component not in placed.cloud or (component == "monitoring" and not cloud_endpoints(blueprint, placed)):
            continue
        for needed, why in needs:
            if needed in placed.cloud:
                continue
            where = "on-prem" if needed in placed.onprem else "disabled"
            yield (("spec", "components", component, "placement"),
                   colocation_message(component, needed, why, placed.region, where))


def monitor_image_problem(region: str, partition: str, images: dict) -> str | None:
    """Why Model Monitor's analyzer image cannot be named in `region`, or None."""
    if region not in (images.get("registries") or {}):
        return (f"SageMaker Model Monitor's analyzer image is not known for region `{region}` "
                "(policies/data/sagemaker_model_monitor_images.yaml); add the region's registry account from the "
                "SageMaker Python SDK's image_uri_config/model-monitor.json with its source, or place monitoring "
                "on-prem")
    if partition not in (images.get("dnsSuffixes") or {}):
        return f"no ECR DNS suffix for partition `{partition}` in policies/data/sagemaker_model_monitor_images.yaml"
    return None


def oidc_provider_problem(arn: str, provider: str, account_id: str | None) -> str | None:
    """Why `arn` is not `provider`'s OIDC issuer (in `account_id`, when known), or None."""
    host = OIDC_ISSUERS[provider]["url"].removeprefix("https://")
    if not arn.endswith(f":oidc-provider/{host}"):
        return f"OIDC provider `{arn}` is not {provider}'s issuer; its ARN ends with :oidc-provider/{host}"
    if account_id is not None and f":{account_id}:" not in arn:
        return f"OIDC provider `{arn}` is not in account {account_id}; pass the deploying account's provider"
    return None


def _region_path(blueprint: Blueprint) -> FieldPath:
    cloud = blueprint.spec.cloud
    return ("spec", "cloud", "region") if cloud is not None and cloud.region else ("spec", "deployment")


def service_problems(blueprint: Blueprint, placed: PlacedPlatform, catalog: dict) -> Iterator[Problem]:
    """Regional facts the program reads from the catalog: the monitor image, the DR region."""
    regions = catalog["aws_regions"]["regions"]
    if "monitoring" in placed.cloud and cloud_endpoints(blueprint, placed) and placed.region in regions:
        problem = monitor_image_problem(placed.region, regions[placed.region]["partition"],
                                        catalog.get("sagemaker_model_monitor_images") or {})
        if problem:
            yield _region_path(blueprint), problem
    if placed.dr_region is not None and placed.dr_region == placed.region:
        yield (("spec", "cloud", "drRegion"),
               f"'{placed.dr_region}' is the region placement chose as primary; a replica there survives no "
               "regional outage (set spec.cloud.region, or pick another drRegion)")
    deploy = blueprint.spec.deploy_access
    if deploy is not None and not placed.cloud:
        yield (("spec", "deployAccess"), "'deployAccess' is ignored: placement put no component in the cloud, so "
                                         "there is no AWS side to deploy (remove it, or place a component in the cloud)")
    if deploy is not None and deploy.provider_arn is not None and placed.cloud:
        problem = oidc_provider_problem(deploy.provider_arn, deploy.provider, None)
        if problem:
            yield ("spec", "deployAccess", "providerArn"), problem


def instance_type_problems(blueprint: Blueprint, placed: PlacedPlatform, catalog: dict) -> Iterator[Problem]:
    """A variant's instance type must be one SageMaker endpoints accept (the API's own list,
    policies/data/sagemaker_instance_types.json); an unknown one is a typo, refused at its line."""
    if "serving" not in placed.cloud:
        return
    known = set((catalog.get("sagemaker_instance_types") or {}).get("endpointInstanceTypes") or [])
    for i, model in enumerate(blueprint.spec.components.serving.models):
        for j, variant in enumerate(model.variants):
            if variant.instance_type not in known:
                family = variant.instance_type.rsplit(".", 1)[0] + "."
                close = sorted(t for t in known if t.startswith(family))[:6] or ["ml.m5.large", "ml.c5.xlarge"]
                yield (("spec", "components", "serving", "models", i, "variants", j, "instanceType"),
                       f"{variant.instance_type!r} is not an instance type SageMaker endpoints accept (per the "
                       f"SageMaker API model, policies/data/sagemaker_instance_types.json; e.g. {', '.join(close)})")


def scaling_problems(blueprint: Blueprint, placed: PlacedPlatform, catalog: dict) -> Iterator[Problem]:
    """Serving scales from the environment's instance count to its maximum; a maximum set below
    the default start (production starts with more instances) is refused by the program."""
    from qantara.blueprint.profiles import environment_profile

    if not blueprint.spec.components.serving.models or "serving" not in (placed.cloud | placed.onprem):
        return
    for index, environment in enumerate(blueprint.spec.environments):
        profile = environment_profile(blueprint, environment.name, catalog)
        if profile.max_instance_count < profile.instance_count:
            yield (("spec", "environments", index, "maxInstanceCount"),
                   f"{profile.max_instance_count} is below the {profile.instance_count} instances "
                   f"{'a production' if profile.production else 'this'} environment starts with; set "
                   f"instanceCount too, or a maximum of {profile.instance_count} or more")


def platform_problems(blueprint: Blueprint, placed: PlacedPlatform, catalog: dict) -> list[Problem]:
    """Everything the platform program would refuse for this placement, located."""
    problems = [*colocation_problems(blueprint, placed), *service_problems(blueprint, placed, catalog),
                *scaling_problems(blueprint, placed, catalog), *instance_type_problems(blueprint, placed, catalog)]
    problems += name_problems(blueprint, placed.cloud, placed.dr_region is not None)
    return problems
