"""A generated project's on-prem pipeline, from its platform's blueprint and stack outputs.

The project's `infra/onprem_pipeline.py` calls `project_pipeline`: what the platform decides
(namespace, registry, object store, tracking server, the model age limit) comes from the
platform's blueprint and its stack's outputs, never from the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from qantara.blueprint.loader import LoadedBlueprint
from qantara.blueprint.profiles import environment_profile
from qantara.components.onprem.naming import platform_labels
from qantara.components.onprem.pipeline import OnPremPipeline, OnPremPipelineArgs
from qantara.components.onprem.pipeline_drift import DriftTriggerArgs
from qantara.sovereignty.placement import resolve_placement

# What the project reads from the platform stack, by the names onprem_platform exports.
PLATFORM_OUTPUTS = {
    "namespace": "onPremNamespace",
    "object_storage_endpoint": "onPremObjectStorageEndpoint",
    "credentials_secret": "onPremPipelineCredentialsSecret",
    # The in-cluster URI: the public one goes through an Ingress outside the namespace's network.
    "tracking_uri": "onPremTrackingInternalUri",
}


@dataclass
class ProjectPipeline:
    project: str
    # The Python package whose `pipeline_steps` module runs one step.
    package: str
    environment: str
    image_tag: str
    data_classification: str
    owner: str
    webhook_token: pulumi.Input[str] | None = None
    kube_api_cidrs: tuple[str, ...] = ()


def project_pipeline(loaded: LoadedBlueprint, project: ProjectPipeline, outputs: Mapping[str, pulumi.Input[str]],
                     opts: pulumi.ResourceOptions | None = None) -> OnPremPipeline:
    """Declare the project's pipeline on the site; `outputs` maps PLATFORM_OUTPUTS' keys to values.
    The drift trigger is declared when the platform watches drift on site (monitoring placed
    on-prem) and the webhook token is given."""
    blueprint = loaded.model
    site = blueprint.spec.on_prem
    if site is None or site.registry is None:
        raise pulumi.RunError("the on-prem pipeline needs spec.onPrem.registry in the platform's blueprint: "
                              "its images come from the site registry only")
    if site.kind == "outposts":
        raise pulumi.RunError(f"site {site.site} is an AWS Outposts rack: the on-prem pipeline keeps its artifacts "
                              "in the site's MinIO, which an Outposts site does not have (docs/onprem.md)")
    profile_production = blueprint.environment(project.environment).is_production
    labels = platform_labels(blueprint=blueprint.metadata.name, environment=project.environment, owner=project.owner,
                             tags=blueprint.spec.tags)
    drift = None
    if "monitoring" not in resolve_placement(loaded).onprem_components():
        pulumi.log.warn("the platform does not watch drift on site (monitoring is not placed on-prem): "
                        "no on-prem drift trigger is declared")
    elif project.webhook_token is not None:
        drift = DriftTriggerArgs(model=project.project, webhook_token=project.webhook_token)
    return OnPremPipeline(project.project, OnPremPipelineArgs(
        project=project.project,
        namespace=outputs["namespace"],
        registry=site.registry,
        image_repository=project.project,
        image_tag=project.image_tag,
        step_command=["python", "-m", f"{project.package}.pipeline_steps"],
        tracking_uri=outputs["tracking_uri"],
        object_storage_endpoint=outputs["object_storage_endpoint"],
        credentials_secret=outputs["credentials_secret"],
        max_model_age_days=environment_profile(blueprint, project.environment).max_model_age_days,
        production=profile_production,
        kube_api_cidrs=list(project.kube_api_cidrs),
        drift=drift,
        data_classification=project.data_classification,
        labels=labels,
    ), opts)
