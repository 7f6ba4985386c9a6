"""`qantara validate` means the platform will plan (issue 13 §4), as a property.

Blueprints generated from the JSON Schema (`blueprint_generator`) go through `validate`
in-process. Each refusal must be located (file, line, field). Each acceptance must pass
the checks the platform program's components make, fed as composition feeds them; a
dozen accepted ones are planned for every environment (one test each), and must plan.

The seed is fixed so a failure reproduces; set QANTARA_PROPERTY_SEED to explore others
(and QANTARA_PROPERTY_COUNT for more blueprints). A failure prints the blueprint.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from blueprint_generator import generate

from qantara.blueprint.models import CLASSIFICATION_ORDER
from qantara.errors import BlueprintError
from qantara.sovereignty import placement as placement_module
from qantara.validate import validate_blueprint

SEED = int(os.environ.get("QANTARA_PROPERTY_SEED", "20261206"))
COUNT = int(os.environ.get("QANTARA_PROPERTY_COUNT", "300"))
PLANNED = 12
OFFLINE_ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def memo_residency():
    """The residency query is pure in its input: memoise it so hundreds of blueprints stay fast.
    It is asked for every class at once (placement reads only the classes it needs)."""
    original, cache = placement_module.region_options, {}

    def memoised(context, classes, onprem, engine):
        key = json.dumps([context, onprem], sort_keys=True)
        if key not in cache:
            cache[key] = original(context, list(CLASSIFICATION_ORDER), onprem, engine)
        return cache[key]

    placement_module.region_options = memoised
    yield
    placement_module.region_options = original


def _validate(path: Path):
    try:
        return validate_blueprint(path), None
    except BlueprintError as error:
        return None, error


def _write(directory: Path, index: int, doc: dict) -> Path:
    path = directory / f"generated-{index:04d}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _components_check(loaded, placement) -> None:
    """Run the components' own checks with what `qantara.aws_platform` would give them."""
    from qantara import naming
    from qantara.blueprint.profiles import environment_profile
    from qantara.catalog import load_catalog
    from qantara.components import (
        deploy_access,
        disaster_recovery,
        drift_monitoring,
        experiment_tracking,
        feature_store,
        model_registry,
        model_serving,
    )
    from qantara.components.model_registry import model_groups
    from qantara.components.scope import platform_identity, require_colocated
    from qantara.resolution import resolve_platform

    blueprint, catalog = loaded.model, load_catalog()
    cloud, region = placement.cloud_components(), placement.primary_region
    if not cloud:
        return
    partition = catalog["aws_regions"]["regions"][region]["partition"]
    dr = placement.disaster_recovery.region if placement.disaster_recovery else None
    name, spec = blueprint.metadata.name, blueprint.spec
    for environment in spec.environments:
        env = environment.name
        profile = environment_profile(blueprint, env, catalog)
        platform = resolve_platform(loaded, env)
        identity = platform_identity(platform, region, OFFLINE_ACCOUNT)
        if "featureStore" in cloud:
            feature_store._check(SimpleNamespace(database_name=naming.feature_store_database(name, env),
                                                 offline_store_prefix="feature-store"))
        if "experimentTracking" in cloud:
            experiment_tracking._check(SimpleNamespace(tracking_server_size=profile.tracking_server_size,
                                                       artifact_prefix="mlflow",
                                                       tracking_server_name=naming.tracking_server_name(name, env)))
        if "modelRegistry" in cloud:
            groups = [naming.sagemaker_name(name, env, g) for g in model_groups(blueprint)]
            model_registry._check_publishers(SimpleNamespace(identity=identity, model_package_groups=groups,
                                                             model_publisher_arns=[]))
        endpoints = []
        if "serving" in cloud:
            require_colocated(platform, "serving")
            model_serving.check_role_name(model_serving.serving_role_name(name, env), "the blueprint or environment name")
            for model in spec.components.serving.models:
                variants = [SimpleNamespace(name=v.name, weight=v.weight, initial_instance_count=profile.instance_count,
                                            max_instance_count=profile.max_instance_count) for v in model.variants]
                model_serving._check(naming.serving_component(model.name), SimpleNamespace(
                    model_name=model.name, variants=variants, data_capture_percent=model.data_capture_percent))
                endpoints.append(SimpleNamespace(model_name=model.name, variant_names=[v.name for v in model.variants],
                                                 drift_features=list(model.drift_features)))
        if "monitoring" in cloud and endpoints:
            require_colocated(platform, "monitoring")
            monitoring = spec.components.monitoring
            drift_monitoring._check(naming.DRIFT_MONITORING_COMPONENT, SimpleNamespace(
                schedule=monitoring.schedule, endpoints=endpoints, latency_threshold_ms=monitoring.latency_threshold_ms,
                error_threshold=monitoring.error_threshold, drift_threshold=0.1, identity=identity,
                project_model=None))
            drift_monitoring.monitor_image_uri(region, partition, catalog["sagemaker_model_monitor_images"])
        if spec.deploy_access is not None:
            access = spec.deploy_access
            deploy_access._check(SimpleNamespace(
                provider=access.provider, repository=access.repository, regions=[r for r in (region, dr) if r],
                existing_provider_arn=access.provider_arn, identity=identity))
        if dr and "dataLake" in cloud:
            disaster_recovery._check(SimpleNamespace(source_buckets={"raw": 1, "curated": 1, "artifacts": 1},
                                                     dr_region=dr, identity=identity))


def _generated(tmp_path_factory, count: int, seed: int):
    directory = tmp_path_factory.mktemp("generated")
    rng = random.Random(seed)
    for index in range(count):
        doc = generate(rng)
        yield index, doc, _write(directory, index, doc)


def test_every_refusal_is_located_and_every_acceptance_passes_the_programs_checks(tmp_path_factory, memo_residency):
    accepted = refused = 0
    for index, doc, path in _generated(tmp_path_factory, COUNT, SEED):
        result, error = _validate(path)
        context = f"seed {SEED}, blueprint {index}:\n{yaml.safe_dump(doc, sort_keys=False)}"
        if error is not None:
            refused += 1
            assert error.problems, f"a refusal without a located problem: {error}\n{context}"
            for problem in error.problems:
                assert problem.file == str(path) and problem.line and problem.field, f"{problem}\n{context}"
            continue
        accepted += 1
        try:
            _components_check(*result)
        except Exception as failure:  # noqa: BLE001 - any refusal here is a counterexample
            pytest.fail(f"validate accepted what the program refuses: {failure}\n{context}")
    # Both sides of the property must be exercised, or it proves nothing.
    assert accepted >= COUNT // 5, f"only {accepted} of {COUNT} generated blueprints were valid"
    assert refused >= COUNT // 10, f"only {refused} of {COUNT} generated blueprints were refused"


@pytest.fixture(scope="module")
def accepted_blueprints(tmp_path_factory, memo_residency) -> list[tuple]:
    """The first PLANNED blueprints `validate` accepts (seed SEED + 1): (index, doc, loaded, placement)."""
    accepted = []
    for index, doc, path in _generated(tmp_path_factory, COUNT, SEED + 1):
        result, error = _validate(path)
        if error is None:
            accepted.append((index, doc, *result))
            if len(accepted) == PLANNED:
                break
    return accepted


# One blueprint per test (each plans in a child process per environment), so that the
# dozen are shared among the xdist workers instead of one worker planning them all.
@pytest.mark.parametrize("nth", range(PLANNED))
def test_a_dozen_accepted_blueprints_plan_in_every_environment(nth, accepted_blueprints):
    from qantara.plan.builder import plan_blueprint

    assert len(accepted_blueprints) == PLANNED, f"only {len(accepted_blueprints)} accepted blueprints among {COUNT} generated"
    index, doc, loaded, placement = accepted_blueprints[nth]
    for environment in loaded.model.spec.environments:
        try:
            plan_blueprint(loaded, environment.name)
        except Exception as failure:  # noqa: BLE001 - any failure here is a counterexample
            pytest.fail(f"validate accepted, plan --env {environment.name} failed: {failure}\n"
                        f"seed {SEED + 1}, blueprint {index}:\n{yaml.safe_dump(doc, sort_keys=False)}")
