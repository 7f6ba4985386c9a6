"""What each platform component becomes on an on-prem site, and what it lacks.

Plain data, no Pulumi import: placement reads it and attaches a warning to each on-prem
component that lacks something, before anything is planned (`qantara place`, `qantara check`).
A site of kind `outposts` runs the same Kubernetes components on the EKS local cluster of the
Outpost; only what is stored changes (S3 on Outposts instead of MinIO): `OUTPOSTS_COVERAGE`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Components whose data the site keeps in its object store (MinIO, or S3 on Outposts): the
# data lake and feature store their data, tracking and the registry their MLflow artifacts.
STORED_COMPONENTS = ("dataLake", "featureStore", "experimentTracking", "modelRegistry")


@dataclass(frozen=True)
class OnPremCoverage:
    provides: str
    # What the cloud form of the component has that the on-prem form does not; None when nothing.
    not_provisioned: str | None = None

    def warning(self, component: str) -> str | None:
        if self.not_provisioned is None:
            return None
        return f"on-prem {component} is {self.provides}; not provisioned: {self.not_provisioned}"


COVERAGE: dict[str, OnPremCoverage] = {
    "dataLake": OnPremCoverage(
        "MinIO buckets raw, curated and artifacts, versioned and encrypted by MinIO's KMS key"),
    "featureStore": OnPremCoverage(
        "a MinIO bucket `features` that serves as the offline store",
        "no feature registry, online store or materialisation jobs (run Feast or a similar engine "
        "against the bucket)"),
    "experimentTracking": OnPremCoverage("an MLflow tracking server with its artifacts in MinIO"),
    "modelRegistry": OnPremCoverage(
        "MLflow's model registry, served by the on-prem MLflow tracking server",
        "no image repository (model images come from spec.onPrem.registry, which the organisation runs) "
        "and no approval notification topic (use MLflow model version aliases and the registry's "
        "access control)"),
    "serving": OnPremCoverage("KServe InferenceServices, or Deployments and Services, per served model"),
    "monitoring": OnPremCoverage(
        "ServiceMonitors and a PrometheusRule with latency, error and drift alerts",
        "drift measurement for the models the blueprint serves itself (their images must export the gauge "
        "qantara_model_drift_score; a generated project's model server does) and Prometheus "
        "(the Prometheus Operator must already run in the cluster)"),
    "audit": OnPremCoverage(
        "nothing: Kubernetes API audit logging is configured on the cluster's API servers, "
        "not by a workload",
        "an audit trail (configure the API server's audit policy and ship its log to in-country "
        "storage kept for spec.governance.auditRetentionDays)"),
}


# Object storage is S3 on Outposts (policies/data/outposts.yaml has the facts and sources).
OUTPOSTS_COVERAGE: dict[str, OnPremCoverage] = {
    **COVERAGE,
    "dataLake": OnPremCoverage(
        "S3 on Outposts buckets raw, curated and artifacts on the Outpost, each reached only through "
        "a VPC-only access point and encrypted with SSE-S3 (S3 on Outposts lists SSE-S3 and SSE-C, not "
        "SSE-KMS: the objects are not under a key the organisation holds)",
        "versioning (pulumi-aws has no resource for it on Outposts buckets: enable it on each bucket "
        "with `aws s3control put-bucket-versioning`)"),
    "featureStore": OnPremCoverage(
        "an S3 on Outposts bucket `features` that serves as the offline store",
        COVERAGE["featureStore"].not_provisioned),
    "experimentTracking": OnPremCoverage(
        "an MLflow tracking server on the Outpost's cluster with its artifacts in the Outpost's "
        "`artifacts` bucket"),
}


def coverage_warnings(components: list[str], kind: str = "kubernetes") -> dict[str, str]:
    """The warning for each named on-prem component that lacks something, keyed by component;
    `kind` is the site's (`spec.onPrem.kind`)."""
    coverage = OUTPOSTS_COVERAGE if kind == "outposts" else COVERAGE
    warnings = {}
    for component in components:
        warning = coverage[component].warning(component)
        if warning is not None:
            warnings[component] = warning
    return warnings
