"""{{ cookiecutter.project_name }}'s endpoint on the {{ cookiecutter._platform }} platform's site.

Used by __main__.py when the project serves in real time on-premises. The project owns its
model's endpoint, as on the cloud: Qantara's OnPremServing (the platform's own component) in
the platform's namespace, with the engine the blueprint names (spec.onPrem.serving), images
from the site registry (`<registry>/{{ cookiecutter.__dns_name }}:<tag>`), and a ServiceMonitor
per Service so that the platform's Prometheus scrapes it. The alerts are the platform's
(its PrometheusRule watches every model of the namespace, drift by model), and the pipeline's
drift sensor starts a run on this model's drift alert.

The model server measures that drift itself (serve.py, drift.py): it exports
`qantara_model_drift_score` at /metrics, labelled with the platform's identity, which this program
gives it as QANTARA_BLUEPRINT and QANTARA_ENVIRONMENT (the values the platform's rule selects on),
and it forgets requests older than one monitoring schedule (QANTARA_DRIFT_WINDOW_SECONDS): with no
traffic the score goes, and the platform's staleness alert says drift is not watched. The drift
threshold of qantara.yaml (spec.monitoring.drift.threshold, a population stability index on site)
reaches the server as QANTARA_DRIFT_THRESHOLD, which it exports as `qantara_model_drift_threshold`:
the platform's rule alerts on this model above it, and above the platform's own threshold when
qantara.yaml declares none (drift off, or no threshold).

What it serves: the promoted `variants` (each version's image is tagged
`{{ cookiecutter.__dns_name }}-<model version>`), or before the first promotion the project's image
(pipelineImageTag) as the champion at 100 percent: the image serves what it was built with.
"""

import pulumi

from qantara.blueprint.loader import LoadedBlueprint
from qantara.blueprint.models import ServedModel, Variant
from qantara.components.identity import StackIdentity
from qantara.components.onprem.model_serving import OnPremServing, OnPremServingArgs
from qantara.components.onprem.monitoring import ServingMonitoring, ServingMonitoringArgs
from qantara.components.onprem.naming import platform_labels

PROJECT = "{{ cookiecutter.__dns_name }}"
DATA_CLASSIFICATION = "{{ cookiecutter.data_classification }}"
OWNER = "{{ cookiecutter.owner }}"
# How long the model server keeps a request's inputs for drift: one of the platform's schedules.
DRIFT_WINDOW_SECONDS = {"hourly": 3600, "daily": 86400}


def served_model(variants: list | None, image_tag: str) -> ServedModel:
    """The project's model with its variants: promoted versions, or the project's image alone."""
    if variants is None:
        chosen = [Variant(name="champion", weight=100, image=image_tag)]
    else:
        chosen = [Variant(name=v["name"], weight=v["weight"], image=f"{PROJECT}-{v['modelVersion']}") for v in variants]
    try:
        return ServedModel(name=PROJECT, variants=chosen)
    except ValueError as error:  # pydantic's: a name over 32 characters, weights not adding up
        raise pulumi.RunError(f"model {PROJECT} cannot be served on site: {error}") from None


def drift_environment(blueprint_name: str, environment: str, schedule: str,
                      threshold: float | None = None) -> dict[str, str]:
    """What the model server labels its drift score with: the platform's identity, which the
    platform's PrometheusRule selects on (blueprint, environment), its window's age, and the
    threshold the project declares (none: the platform's applies)."""
    variables = {"QANTARA_BLUEPRINT": blueprint_name, "QANTARA_ENVIRONMENT": environment,
                 "QANTARA_DRIFT_WINDOW_SECONDS": str(DRIFT_WINDOW_SECONDS[schedule])}
    if threshold is not None:
        # repr: the shortest text that reads back as the same float (serve.drift_threshold reads it).
        variables["QANTARA_DRIFT_THRESHOLD"] = repr(float(threshold))
    return variables


def declare(loaded: LoadedBlueprint, namespace: pulumi.Input[str], environment: str, variants: list | None,
            image_tag: str, config: pulumi.Config, drift_threshold: float | None = None) -> OnPremServing:
    """Declare the endpoint and its ServiceMonitors, and export the model's Service; `drift_threshold`
    is qantara.yaml's, when its drift monitoring is enabled with one."""
    blueprint = loaded.model
    site = blueprint.spec.on_prem
    labels = platform_labels(blueprint=blueprint.metadata.name, environment=environment, owner=OWNER,
                             tags=blueprint.spec.tags)
    production = blueprint.environment(environment).is_production
    monitoring = blueprint.spec.components.monitoring
    serving = OnPremServing(f"{PROJECT}-serving", OnPremServingArgs(
        namespace=namespace,
        registry=site.registry,
        image_repository=PROJECT,
        models=[served_model(variants, image_tag)],
        engine=site.serving,
        instance_count=config.get_int("instanceCount") or 1,
        max_instance_count=config.get_int("maxInstanceCount") or 2,
        production=production,
        data_classification=DATA_CLASSIFICATION,
        labels=labels,
        environment=drift_environment(blueprint.metadata.name, environment, monitoring.schedule, drift_threshold),
    ))
    # The platform's rule already alerts on every model of the namespace: the project adds the
    # scrape of its own Services, not a second copy of the alerts.
    ServingMonitoring(f"{PROJECT}-monitoring", ServingMonitoringArgs(
        namespace=namespace,
        # A site's cluster: no AWS region, account or partition.
        identity=StackIdentity(blueprint=blueprint.metadata.name, environment=environment, region=None,
                               account_id=None, partition=None),
        targets=serving.metrics_targets,
        latency_threshold_ms=monitoring.latency_threshold_ms,
        error_threshold=monitoring.error_threshold,
        schedule=monitoring.schedule,
        prometheus_labels=config.get_object("prometheusLabels") or {},
        data_classification=DATA_CLASSIFICATION,
        labels=labels,
        alert_rules=False,
    ))
    pulumi.export("servedModel", PROJECT)
    return serving
