"""{{ cookiecutter.project_name }} on the {{ cookiecutter._platform }} platform: the workloads this project owns.

Everything the platform owns (region, key, network, roles, buckets) is read from the platform
stack's outputs through a StackReference, never copied here, so the project cannot drift from
where the platform's rules put it. Config (Pulumi.yaml declares it): platformStack, environment,
pipelineImageTag, pipelineInstanceType
{%- if cookiecutter.serving == "realtime" %}, imageUri, modelDataUrl, instanceType, instanceCount, maxInstanceCount,
variants, driftFeatures{% endif %}.
{%- if cookiecutter.serving == "realtime" %}

The project owns its model's endpoint, and so its monitoring: a data-quality schedule on the
captured traffic, latency and 5xx alarms (the blueprint's thresholds) and one drift alarm per
feature of the config `driftFeatures` (the threshold and schedule of qantara.yaml's
spec.monitoring.drift), built with the platform's DriftMonitoring, whose drift alarms are the
ones the pipeline's drift rule retrains on. A model the blueprint serves itself
(spec.components.serving.models) is the platform's endpoint, never this project's.

What the endpoint serves is the config `variants` that `qantara promote` (make promote) writes
in Pulumi.<environment>.yaml: a champion and, during a canary, a challenger, each a registered
model version with its share of the traffic. A version is served from the image of the
project tagged `<project>-<model version>` in the platform's model image repository (build
and push it with that tag before promoting). Before the first promotion the endpoint serves
`imageUri` (and `modelDataUrl`) as the champion, at 100 percent: `imageUri` is required until
the first promotion, and not read after it.
{%- endif %}

On a cloud platform the project's seven-step pipeline is a SageMaker pipeline (Qantara's
MlPipeline): in the platform's region, image repository, network, key and buckets, started by
a person, by the platform's drift alarms of this model, and on a schedule before the model
reaches the blueprint's maximum age. It only registers models PendingManualApproval{% if cookiecutter._sagemaker_tracking == "yes" %},
and logs each run to the platform's MLflow (the platform's trackingUri) from its track step{% endif %}. On an
on-prem platform it is an Argo workflow (onprem_pipeline.py; config pipelineImageTag,
driftWebhookToken and kubeApiCidrs){% if cookiecutter.serving == "realtime" %}, and the endpoint is served on site
(onprem_serving.py){% endif %}.
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from qantara.blueprint.loader import load_blueprint
from qantara.blueprint.profiles import environment_profile
from qantara.components.identity import StackIdentity
from qantara.components.ml_pipeline import MlPipeline, MlPipelineArgs
from qantara.naming import sagemaker_name
from qantara.project.promotion import code_image_tag
{%- if cookiecutter.serving == "realtime" %}
from qantara.components.drift_monitoring import DriftMonitoring, DriftMonitoringArgs, MonitoredEndpoint
from qantara.components.model_serving import ModelServing, ModelServingArgs, VariantArgs
from qantara.errors import QantaraError
from qantara.project.lineage import MODEL_VERSION
from qantara.project.manifest import load_manifest
from qantara.project.promotion import CHALLENGER, CHAMPION, CONFIG_KEY, model_image_tag
{%- endif %}

PROJECT = "{{ cookiecutter.__dns_name }}"
PACKAGE = "{{ cookiecutter.project_slug }}"
# The project's copy of the platform's blueprint (qantara.yaml: spec.blueprint), checked by hash.
BLUEPRINT = Path(__file__).resolve().parent.parent / "platform" / "blueprint.yaml"
PLATFORM = "{{ cookiecutter._platform }}"
ENVIRONMENTS = {{ cookiecutter.environments.split(',') }}
DATA_CLASSIFICATION = "{{ cookiecutter.data_classification }}"
# The platform's model package group for this project: models are registered there and
# approved through the platform's checkpoint before any deployment.
MODEL_PACKAGE_GROUP = "{{ cookiecutter._registry_group }}"
PROJECT_DIR = Path(__file__).resolve().parent.parent
{%- if cookiecutter.serving == "realtime" %}
# The name of the endpoint's monitoring component (its job definitions are named after it).
MONITORING = "drift"
# The model's numeric inputs (features.py NUMERIC), watched for drift unless config driftFeatures
# (Pulumi.yaml gives the same default) names others.
DRIFT_FEATURES = [{{ '"lag_1", "lag_7", "lag_14", "rolling_mean_7"' if cookiecutter.problem_type == "forecasting" else '"x1", "x2", "x3"' }}]
{%- endif %}
# Where placement put serving when the project was generated; the platform stack must agree.
PLACED_IN = "{{ cookiecutter._region }}"
# The platform stack outputs this program reads.
OUTPUTS = {
    "region": "region",
    "kms_key_arn": "platformKeyArn",
    "private_subnet_ids": "privateSubnetIds",
    "workload_security_group_id": "workloadSecurityGroupId",
    "data_lake_buckets": "dataLakeBuckets",
    "image_repository_url": "modelImageRepositoryUrl",
    "model_package_groups": "modelPackageGroups",
{%- if cookiecutter._sagemaker_tracking == "yes" %}
    "tracking_uri": "trackingUri",
    "mlflow_endpoint": "mlflowVpcEndpointId",
{%- endif %}
{%- if cookiecutter.serving == "realtime" %}
    "execution_role_arn": "servingRoleArn",
    "subnet_ids": "privateSubnetIds",
    "security_group_ids": "servingSecurityGroupIds",
    "data_capture_bucket": "dataCaptureBucket",
{%- endif %}
}

config = pulumi.Config()
environment = config.require("environment")
if environment not in ENVIRONMENTS:
    raise pulumi.RunError(f"environment {environment!r} is not one of this project's ({', '.join(ENVIRONMENTS)}); "
                          f"see spec.environments in qantara.yaml")

platform = pulumi.StackReference(config.require("platformStack"))


def _in_placed_region(region: str) -> str:
    if region != PLACED_IN:
        raise pulumi.RunError(f"the platform stack runs in {region}, but this project was generated for "
                              f"{PLACED_IN}; regenerate it or check the platformStack config")
    return region


def _platform_group(groups: list) -> str:
    """The platform's model package group of this project, which the platform must have made."""
    group = sagemaker_name(PLATFORM, environment, MODEL_PACKAGE_GROUP)
    if group not in (groups or []):
        raise pulumi.RunError(f"the platform has no model package group {group} (it has: {', '.join(groups or []) or 'none'}); "
                              f"add {MODEL_PACKAGE_GROUP} to the blueprint's modelRegistry groups")
    return group


def _bucket(buckets: dict, purpose: str) -> str:
    if not (buckets or {}).get(purpose):
        raise pulumi.RunError(f"the platform's data lake has no {purpose} bucket (dataLakeBuckets: {sorted(buckets or {})})")
    return buckets[purpose]


{% if cookiecutter._sagemaker_tracking == "yes" -%}
def tracking_server():
    """The platform's tracking server ARN, once the platform's network reaches MLflow: a platform
    deployed before its MLflow endpoint existed stops the deployment here (update the platform
    stack first) instead of leaving every run's track step to fail."""
    endpoint = platform.require_output(OUTPUTS["mlflow_endpoint"])
    return pulumi.Output.all(platform.require_output(OUTPUTS["tracking_uri"]), endpoint).apply(lambda values: values[0])


{% endif -%}
{% if cookiecutter.serving == "realtime" -%}
def promoted_variants(value) -> list[dict]:
    """The config `variants` as `qantara promote` writes it; anything else stops the deployment."""
    where = f"config {CONFIG_KEY} of Pulumi.{environment}.yaml"
    ok = isinstance(value, list) and bool(value) and all(
        isinstance(v, dict) and v.get("name") in (CHAMPION, CHALLENGER) and isinstance(v.get("modelVersion"), str)
        and MODEL_VERSION.match(v["modelVersion"]) and type(v.get("weight")) is int for v in value)
    if not ok or len({v["name"] for v in value}) != len(value) or CHAMPION not in {v["name"] for v in value}:
        raise pulumi.RunError(f"{where} is not what `qantara promote` writes (allowed: a champion and at most one "
                              f"challenger, each with a modelVersion and an integer weight); restore it from version "
                              f"control and promote with `make promote`")
    if sum(v["weight"] for v in value) != 100:
        raise pulumi.RunError(f"{where}: the weights add up to {sum(v['weight'] for v in value)}; they must add up "
                              f"to 100 (percent)")
    return value


def first_image() -> str:
    """`imageUri`, which only an endpoint that was never promoted serves."""
    image = config.get("imageUri")
    if not image:
        raise pulumi.RunError(f"config imageUri of Pulumi.{environment}.yaml is not set, and this environment has no "
                              f"promoted model ({CONFIG_KEY}): set imageUri to the serving image (make image) for "
                              f"the first deployment (`pulumi config set imageUri <repository>:<tag>`; offline, "
                              f"`make check-infra IMAGE_URI=<repository>:<tag>`), or promote a registered model "
                              f"with `make promote`")
    return image


def serving_variants(repository) -> list:
    """The endpoint's variants: the promoted ones, or before any promotion `imageUri` as the champion."""
    sizing = {"instance_type": config.get("instanceType") or "ml.m5.large",
              "initial_instance_count": config.get_int("instanceCount") or 1,
              "max_instance_count": config.get_int("maxInstanceCount") or 2}
    promoted = config.get_object(CONFIG_KEY)
    if promoted is None:
        return [VariantArgs(name=CHAMPION, weight=100, image_uri=first_image(),
                            model_data_url=config.get("modelDataUrl") or None, **sizing)]
    # Each version's image holds its model: no model data URL, and the tag names the version.
    return [VariantArgs(name=v["name"], weight=v["weight"],
                        image_uri=pulumi.Output.concat(repository, ":", model_image_tag(PROJECT_DIR, v["modelVersion"])),
                        **sizing)
            for v in promoted_variants(promoted)]


def own_endpoint(blueprint) -> None:
    """Stop if the platform serves this model itself: an endpoint has one owner (QA-PRJ-014)."""
    served = [m.name for m in blueprint.spec.components.serving.models]
    if MODEL_PACKAGE_GROUP in served:
        raise pulumi.RunError(f"model {MODEL_PACKAGE_GROUP} is served by platform {PLATFORM} itself "
                              f"(spec.components.serving.models): its endpoint and monitoring are the platform stack's, "
                              f"so this project may not declare them; rename the project, or have the platform team "
                              f"move {MODEL_PACKAGE_GROUP} to modelRegistry.groups")


def declared_drift():
    """qantara.yaml's spec.monitoring.drift, or None when it is not enabled."""
    try:
        manifest, _, _ = load_manifest(PROJECT_DIR)
    except QantaraError as error:
        raise pulumi.RunError(str(getattr(error, "message", error))) from None
    drift = manifest.spec.monitoring.drift if manifest.spec.monitoring else None
    return drift if drift is not None and drift.enabled else None


def drift_settings() -> dict:
    """What the project decides about its monitoring: the drift features (config driftFeatures), and
    the schedule and threshold of qantara.yaml's spec.monitoring.drift; no feature when it is off."""
    drift = declared_drift()
    if drift is None:
        pulumi.log.warn("qantara.yaml's spec.monitoring.drift is not enabled: the endpoint has no drift alarm, so its "
                        "drift never starts the pipeline")
        return {}
    features = config.get_object("driftFeatures")
    features = DRIFT_FEATURES if features is None else features
    if not features:
        raise pulumi.RunError(f"config driftFeatures of Pulumi.{environment}.yaml lists no feature, but qantara.yaml "
                              f"enables drift monitoring: name the model's input features to watch")
    settings = {"drift_features": features, "schedule": drift.schedule}
    if drift.threshold is not None:
        settings["drift_threshold"] = drift.threshold
    return settings


def declare_monitoring(serving: ModelServing, platform_monitoring, identity: StackIdentity, buckets, tags: dict,
                       provider: aws.Provider) -> DriftMonitoring:
    """The endpoint's monitoring schedule and alarms, which the project owns with its endpoint."""
    drift = drift_settings()
    return DriftMonitoring(
        MONITORING,
        DriftMonitoringArgs(
            # Monitoring writes its region into names and policies before anything exists: the
            # placed region, which the provider's region is checked to be (_in_placed_region).
            identity=identity.in_region(PLACED_IN),
            endpoints=[MonitoredEndpoint(
                model_name=MODEL_PACKAGE_GROUP, endpoint_name=serving.endpoint_name, variant_names=serving.variant_names,
                data_capture_uri=serving.data_capture_uri, drift_features=drift.pop("drift_features", []))],
            kms_key_arn=platform.require_output(OUTPUTS["kms_key_arn"]),
            monitoring_bucket=buckets.apply(lambda b: _bucket(b, "artifacts")),
            subnet_ids=platform.require_output(OUTPUTS["private_subnet_ids"]),
            security_group_ids=[platform.require_output(OUTPUTS["workload_security_group_id"])],
            # The platform's alarm thresholds (the blueprint's spec.components.monitoring).
            latency_threshold_ms=platform_monitoring.latency_threshold_ms,
            error_threshold=platform_monitoring.error_threshold,
            data_classification=DATA_CLASSIFICATION,
            tags=tags,
            project_model=MODEL_PACKAGE_GROUP,
            **drift,
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


{% endif -%}
def declare_cloud() -> None:
    """The project's AWS workloads: its pipeline and triggers{% if cookiecutter.serving == "realtime" %}, and its endpoint{% endif %}."""
    region = platform.require_output(OUTPUTS["region"]).apply(_in_placed_region)
    tags = {
        "project": PROJECT,
        "platform": PLATFORM,
        "qantara-blueprint": PLATFORM,
        "environment": environment,
        "data-classification": DATA_CLASSIFICATION,
        "owner": "{{ cookiecutter.owner }}",
    }
    # Every resource goes through this provider: the region comes from the platform, not from
    # this stack's aws:region, which could be wrong. Its default tags reach resources that take no
    # tags of their own argument (auto-scaling targets).
    provider = aws.Provider("platform-region", region=region, default_tags={"tags": tags})
    # The platform's stack, seen from this project: the names and ARNs of both are built from it.
    identity = StackIdentity(blueprint=PLATFORM, environment=environment, region=region,
                             account_id=aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=provider)).account_id)

    # --- the seven-step pipeline and its retraining triggers --------------------------------
    buckets = platform.require_output(OUTPUTS["data_lake_buckets"])
    groups = platform.require_output(OUTPUTS["model_package_groups"])
    blueprint = load_blueprint(BLUEPRINT).model
    pipeline = MlPipeline(
        PROJECT,
        MlPipelineArgs(
            project=PROJECT,
            package=PACKAGE,
            identity=identity,
            image_uri=pulumi.Output.concat(platform.require_output(OUTPUTS["image_repository_url"]), ":",
                                           config.get("pipelineImageTag") or code_image_tag(PROJECT_DIR)),
            kms_key_arn=platform.require_output(OUTPUTS["kms_key_arn"]),
            subnet_ids=platform.require_output(OUTPUTS["private_subnet_ids"]),
            security_group_ids=[platform.require_output(OUTPUTS["workload_security_group_id"])],
            data_bucket=buckets.apply(lambda b: _bucket(b, "curated")),
            artifacts_bucket=buckets.apply(lambda b: _bucket(b, "artifacts")),
            model_name=MODEL_PACKAGE_GROUP,
            model_package_group=groups.apply(_platform_group),
            data_classification=DATA_CLASSIFICATION,
            max_model_age_days=environment_profile(blueprint, environment).max_model_age_days,
            # The bucket the model's DriftMonitoring reads its baseline from: the pipeline writes it.
            monitoring_bucket=buckets.apply(lambda b: _bucket(b, "artifacts")),
            instance_type=config.get("pipelineInstanceType") or "ml.m5.large",
{%- if cookiecutter._sagemaker_tracking == "yes" %}
            # `qantara new` found the platform's experiment tracking to be SageMaker MLflow in PLACED_IN:
            # each run's track step logs there (MlPipeline stops if the exported server is elsewhere).
            tracking_server_arn=tracking_server(),
{%- endif %}
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    pulumi.export("pipelineName", pipeline.pipeline_name)
    pulumi.export("pipelineArn", pipeline.pipeline_arn)
{%- if cookiecutter.serving == "realtime" %}

    own_endpoint(blueprint)
    serving = ModelServing(
        PROJECT,
        ModelServingArgs(
            identity=identity,
            model_name=MODEL_PACKAGE_GROUP,
            variants=serving_variants(platform.require_output(OUTPUTS["image_repository_url"])),
            execution_role_arn=platform.require_output(OUTPUTS["execution_role_arn"]),
            kms_key_arn=platform.require_output(OUTPUTS["kms_key_arn"]),
            subnet_ids=platform.require_output(OUTPUTS["subnet_ids"]),
            security_group_ids=platform.require_output(OUTPUTS["security_group_ids"]),
            data_capture_bucket=platform.require_output(OUTPUTS["data_capture_bucket"]),
            data_classification=DATA_CLASSIFICATION,
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    pulumi.export("endpointName", serving.endpoint_name)
    pulumi.export("dataCaptureUri", serving.data_capture_uri)
    monitoring = declare_monitoring(serving, blueprint.spec.components.monitoring, identity, buckets, tags, provider)
    pulumi.export("monitoringSchedules", monitoring.schedule_names)
    pulumi.export("alertTopicArn", monitoring.alert_topic_arn)

{%- else %}
    # Serving '{{ cookiecutter.serving }}' declares no endpoint: batch jobs and model registration run from CI
    # against the platform's model package group.
{%- endif %}

    pulumi.export("region", region)
    pulumi.export("modelPackageGroup", MODEL_PACKAGE_GROUP)


# --- where the platform runs --------------------------------------------------------------
# On an on-prem platform the pipeline is an Argo workflow, declared by its own module of this
# directory (imported in the branch below); on a cloud platform, by declare_cloud().
if PLACED_IN.startswith("onprem:"):
    # Imported only here: it needs pulumi-kubernetes, which a cloud project never loads.
    import onprem_pipeline

    # The code image's tag, as `make push-image` pushes it to the site registry, unless the config names another.
    image_tag = config.get("pipelineImageTag") or code_image_tag(PROJECT_DIR)
    onprem_pipeline.declare(platform, environment, config, image_tag)
{%- if cookiecutter.serving == "realtime" %}
    import onprem_serving

    promoted = config.get_object(CONFIG_KEY)
    own_endpoint(load_blueprint(BLUEPRINT).model)
    # The platform's rule watches this model with or without it: no threshold is its own threshold.
    drift = declared_drift()
    onprem_serving.declare(load_blueprint(BLUEPRINT), platform.require_output("onPremNamespace"), environment,
                           None if promoted is None else promoted_variants(promoted), image_tag, config,
                           drift_threshold=None if drift is None else drift.threshold)
{%- endif %}
    # `make platform-pipeline` submits the workflow in this namespace.
    pulumi.export("namespace", platform.require_output("onPremNamespace"))
    pulumi.export("modelPackageGroup", MODEL_PACKAGE_GROUP)
else:
    declare_cloud()
