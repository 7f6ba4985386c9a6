"""Every AWS name the platform derives from a blueprint, checked against its AWS limit.

The names come from `qantara.naming`, the functions the components name their
resources with; the limits from `policies/data/aws_name_limits.yaml`. A name over its
limit is refused at the blueprint field that makes it long: a served model's or variant's
name when they are in it, else `metadata.name`, or the environment's name when only that
environment pushes it over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from qantara import naming
from qantara.blueprint.models import Blueprint
from qantara.blueprint.yaml_source import FieldPath
from qantara.naming import AUTONAME_SUFFIX


@dataclass(frozen=True)
class DerivedName:
    kind: str  # a key of aws_name_limits.yaml
    value: str
    what: str  # what carries the name, for the message
    blame: FieldPath | None = None  # the field to shorten; None: metadata.name or the environment
    reserved: int = 0  # characters Pulumi appends when it auto-names


def _platform_names(blueprint: Blueprint, env: str, cloud: frozenset[str], dr: bool) -> Iterator[DerivedName]:
    name = blueprint.metadata.name
    if cloud:
        yield DerivedName("kmsAliasName", naming.kms_alias(name, env, "platform"), "the platform key's alias")
    if cloud & {"dataLake", "audit"}:
        # Every bucket starts with the blueprint's name; the region part only shortens by hash.
        yield DerivedName("s3BucketName", naming.bucket_name(name, env, "raw", "me-central-1"), "the data buckets")
    if cloud and blueprint.spec.deploy_access is not None:  # made with the cloud side only
        yield DerivedName("iamRoleName", naming.role_name(name, env, "deploy"), "the deploy role")
    if "serving" in cloud:
        yield DerivedName("iamRoleName", naming.role_name(name, env, "serving"), "the serving role")
    if "serving" in cloud and "monitoring" in cloud and blueprint.spec.components.serving.models:
        yield DerivedName("iamRoleName", naming.role_name(name, env, "monitoring"), "the monitoring role")
        yield DerivedName("snsTopicName", naming.scoped_name(name, env, "model-alerts"), "the model alert topic")
    if "featureStore" in cloud:
        database = naming.feature_store_database(name, env)
        yield DerivedName("glueDatabaseName", database, "the feature store's Glue database")
        yield DerivedName("iamRoleName", naming.feature_store_role(database), "the feature store role")
    if "experimentTracking" in cloud:
        server = naming.tracking_server_name(name, env)
        yield DerivedName("mlflowTrackingServerName", server, "the MLflow tracking server")
        yield DerivedName("iamRoleName", naming.tracking_role(server), "the tracking server role")
    if "modelRegistry" in cloud:
        approval = naming.scoped_name(name, env, naming.APPROVAL_PURPOSE)
        yield DerivedName("eventBridgeRuleName", approval, "the model approval rule")
        yield DerivedName("snsTopicName", approval, "the model approval topic")
        yield DerivedName("ecrRepositoryName", naming.scoped_name(name, env, "models"), "the model image repository")
    if "audit" in cloud:
        yield DerivedName("cloudTrailName", naming.trail_name(name, env, "audit-dr" if dr else "audit"), "the audit trail")
    if dr and "dataLake" in cloud:
        yield DerivedName("iamRoleName", naming.role_name(name, env, "replication"), "the DR replication role")


def _model_names(blueprint: Blueprint, cloud: frozenset[str]) -> Iterator[DerivedName]:
    """Auto-named SageMaker resources: their length depends on model and variant names only."""
    if "serving" not in cloud:
        return
    monitored = "monitoring" in cloud
    for i, model in enumerate(blueprint.spec.components.serving.models):
        where = ("spec", "components", "serving", "models", i, "name")
        component = naming.serving_component(model.name)
        yield DerivedName("sagemakerName", naming.endpoint_config_logical(component),
                          f"the endpoint configuration of model '{model.name}'", where, AUTONAME_SUFFIX)
        if monitored:
            yield DerivedName("sagemakerName",
                              naming.data_quality_logical(naming.DRIFT_MONITORING_COMPONENT, model.name),
                              f"the data-quality job definition of model '{model.name}'", where, AUTONAME_SUFFIX)
        for j, variant in enumerate(model.variants):
            yield DerivedName("sagemakerName", naming.variant_model_logical(component, variant.name),
                              f"the SageMaker model of variant '{variant.name}' of '{model.name}'",
                              where[:-1] + ("variants", j, "name"), AUTONAME_SUFFIX)


def name_problems(blueprint: Blueprint, cloud: frozenset[str], dr: bool) -> list[tuple[FieldPath, str]]:
    """Every derived name over its AWS limit, one problem per field to shorten (the worst first)."""
    found: dict[FieldPath, list[tuple[int, str, str]]] = {}  # path -> (excess, message, what)
    for derived in _model_names(blueprint, cloud):
        why = naming.over_limit(derived.kind, derived.value, derived.reserved)
        if why:
            found.setdefault(derived.blame, []).append(
                (_excess(derived), f"{why} ({derived.what}); shorten this name by {_excess(derived)} or more "
                                   "characters", derived.what))
    environments = blueprint.spec.environments
    shortest = min(len(e.name) for e in environments)
    for index, environment in enumerate(environments):
        for derived in _platform_names(blueprint, environment.name, cloud, dr):
            why = naming.over_limit(derived.kind, derived.value, derived.reserved)
            if why:
                path, message = _blame(derived, index, environment.name, shortest, why)
                found.setdefault(path, []).append((_excess(derived), message, derived.what))
    return [(path, _summary(items)) for path, items in found.items()]


def _excess(derived: DerivedName) -> int:
    return len(derived.value) + derived.reserved - naming.name_limit(derived.kind)


def _summary(items: list[tuple[int, str, str]]) -> str:
    items = sorted(items, key=lambda item: -item[0])
    others = sorted({what for _, _, what in items[1:]} - {items[0][2]})
    more = f" (also too long: {', '.join(others)})" if others else ""
    return items[0][1] + more


def _blame(derived: DerivedName, index: int, environment: str, shortest: int, why: str) -> tuple[FieldPath, str]:
    excess = _excess(derived)
    if excess <= 0:  # a reserved prefix, which only the blueprint's name begins
        return (("metadata", "name"), f"{why} ({derived.what}); rename metadata.name")
    # Would the same name fit with the blueprint's shortest environment name? Then this
    # environment's name is what makes it long.
    if len(environment) - shortest >= excess:
        return (("spec", "environments", index, "name"),
                f"{why} ({derived.what} of environment '{environment}'); shorten the environment name by "
                f"{excess} or more characters")
    return (("metadata", "name"),
            f"{why} ({derived.what} of environment '{environment}'); shorten metadata.name (or the environment "
            f"names) by {excess} or more characters")


def derived_names(blueprint: Blueprint, environment: str, cloud: frozenset[str], dr: bool) -> list[DerivedName]:
    """Every AWS name the platform derives for one environment (qantara.resolution reads them)."""
    return [*_platform_names(blueprint, environment, cloud, dr), *_model_names(blueprint, cloud)]
