"""The on-prem pipeline of a sample project, built under Pulumi's mocks, and readers of it."""

from __future__ import annotations

import pulumi

from qantara.components.onprem.pipeline import OnPremPipeline, OnPremPipelineArgs
from qantara.components.onprem.pipeline_drift import DriftTriggerArgs
from qantara.plan.offline import run_under_mocks

NAMESPACE = "sa-health-prod"
REGISTRY = "registry.riyadh-health.example/ml"
ARGO = "kubernetes:argoproj.io/v1alpha1"
WEBHOOK_TOKEN = "drift-token-from-config"


def pipeline_args(**changes) -> OnPremPipelineArgs:
    values = dict(
        project="triage", namespace=NAMESPACE, registry=REGISTRY, image_repository="triage", image_tag="0.1.0",
        step_command=["python", "-m", "triage.pipeline_steps"],
        tracking_uri=f"http://mlflow.{NAMESPACE}.svc:5000",
        object_storage_endpoint=f"http://minio.{NAMESPACE}.svc:9000",
        credentials_secret="minio-pipeline-credentials", max_model_age_days=180, production=True,
        kube_api_cidrs=["10.0.0.10/32"],
        drift=DriftTriggerArgs(model="triage", webhook_token=pulumi.Output.secret(WEBHOOK_TOKEN)),
        labels={"qantara.dev/blueprint": "sa-health", "qantara.dev/environment": "prod"},
    )
    values.update(changes)
    return OnPremPipelineArgs(**values)


def build(**changes) -> list[dict]:
    return run_under_mocks(lambda: OnPremPipeline("triage", pipeline_args(**changes)),
                           project="triage-infra", stack="prod", config={})


def one(resources: list[dict], kind: str) -> dict:
    (found,) = [r for r in resources if r["type"] == f"{ARGO}:{kind}"]
    return found


def manifest(resource: dict) -> dict:
    """The object as the API server receives it."""
    inputs = resource["inputs"]
    return {key: inputs[key] for key in ("apiVersion", "kind", "metadata", "spec")}
