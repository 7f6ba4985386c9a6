"""provision_onprem on the Saudi examples, in every environment they declare."""

from __future__ import annotations

from collections import Counter

import pulumi
import pytest
from onprem_plans import REGISTRY_GOVERNMENT, REGISTRY_HEALTH, SA_GOVERNMENT, SA_HEALTH, SA_OUTPOSTS, provision
from pod_checks import hardening_problems, label_problems, of_type

from qantara.blueprint.loader import load_blueprint

BLUEPRINTS = {SA_HEALTH: REGISTRY_HEALTH, SA_GOVERNMENT: REGISTRY_GOVERNMENT, SA_OUTPOSTS: REGISTRY_HEALTH}
RUNS = [(path, env.name) for path in BLUEPRINTS for env in load_blueprint(path).model.spec.environments]
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"


def types(resources) -> Counter:
    return Counter(r["type"] for r in resources)


@pytest.mark.parametrize(("path", "environment"), RUNS, ids=lambda v: getattr(v, "stem", v))
def test_every_on_prem_pod_is_hardened_from_the_site_registry_and_every_object_labelled(path, environment):
    resources, _ = provision(path, environment)
    assert hardening_problems(resources, BLUEPRINTS[path]) == []
    assert label_problems(resources) == []
    namespaces = {r["inputs"]["metadata"].get("namespace") for r in resources
                  if r["type"].startswith("kubernetes:") and not r["type"].endswith(":Namespace")}
    assert namespaces == {f"{load_blueprint(path).model.metadata.name}-{environment}"}


@pytest.mark.parametrize(("path", "environment"), RUNS, ids=lambda v: getattr(v, "stem", v))
def test_no_secret_value_reaches_the_plan(path, environment):
    resources, _ = provision(path, environment, config={"qantara:minioRootPassword": "root-password-from-config",
                                                        "qantara:outpostsSecretAccessKey": "outposts-secret-from-config"})
    for secret in of_type(resources, "kubernetes:core/v1:Secret"):
        assert secret["inputs"]["stringData"] == "[secret]"
    assert "root-password-from-config" not in str(resources)
    assert "outposts-secret-from-config" not in str(resources)


def test_sa_health_hybrid_provisions_its_patient_data_components_and_kserve_on_site():
    resources, outputs = provision(SA_HEALTH, "prod")
    counts = types(resources)
    assert counts["kubernetes:apps/v1:StatefulSet"] == 1          # MinIO: data lake and feature store
    assert counts[ISVC] == 2                                       # readmission (canary) and triage
    assert counts["kubernetes:monitoring.coreos.com/v1:ServiceMonitor"] == 2
    assert counts["kubernetes:monitoring.coreos.com/v1:PrometheusRule"] == 1
    # The model registry is restricted, so an on-site MLflow holds it while experiments are tracked in AWS.
    (mlflow,) = [r for r in of_type(resources, "kubernetes:apps/v1:Deployment") if r["name"] == "mlflow-deployment"]
    assert mlflow["inputs"]["spec"]["template"]["metadata"]["labels"]["qantara.dev/data-classification"] == "restricted"
    (job,) = of_type(resources, "kubernetes:batch/v1:Job")
    script = job["inputs"]["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert all(f"lake/{b}" in script for b in ("raw", "curated", "artifacts", "features"))
    assert set(outputs) == {"onPremNamespace", "onPremObjectStorageEndpoint", "onPremTrackingUri",
                            "onPremTrackingInternalUri", "onPremPipelineCredentialsSecret"}


def test_sa_health_provider_uses_the_blueprint_context_and_the_secret_kubeconfig():
    resources, _ = provision(SA_HEALTH, "dev", config={"qantara:kubeconfig": "apiVersion: v1\nkind: Config\n"})
    (provider,) = of_type(resources, "pulumi:providers:kubernetes")
    assert provider["inputs"]["context"] == "riyadh-dc1-ml"
    assert provider["inputs"]["kubeconfig"] == "[secret]"
    assert all(r["provider"] == provider["urn"] for r in resources if r["type"].startswith("kubernetes:"))


def test_sa_health_namespace_lets_in_prometheus_the_ingress_controller_and_kserve():
    resources, _ = provision(SA_HEALTH, "prod")
    (policy,) = [r for r in resources if r["name"] == "onprem-namespace-allow-ingress-from-platform-services"]
    peers = policy["inputs"]["spec"]["ingress"][0]["from"]
    assert [p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in peers] == [
        "ingress-nginx", "istio-system", "knative-serving", "monitoring"]


def test_sa_government_serves_with_deployments_whose_replicas_follow_the_weights():
    dev, _ = provision(SA_GOVERNMENT, "dev")
    prod, outputs = provision(SA_GOVERNMENT, "prod")
    assert not of_type(prod, ISVC)
    replicas = {env: {r["inputs"]["metadata"]["name"]: r["inputs"]["spec"]["replicas"]
                      for r in of_type(resources, "kubernetes:apps/v1:Deployment") if r["name"].startswith("serving-")}
                for env, resources in (("dev", dev), ("prod", prod))}
    assert replicas["prod"] == {"case-priority-champion": 4, "case-priority-challenger": 1}
    assert replicas["dev"] == {"case-priority-champion": 3, "case-priority-challenger": 1}
    # Everything is secret: the namespace carries the class, and the quota grows in production.
    (namespace,) = of_type(prod, "kubernetes:core/v1:Namespace")
    assert namespace["inputs"]["metadata"]["labels"]["qantara.dev/data-classification"] == "secret"
    quotas = [of_type(r, "kubernetes:core/v1:ResourceQuota")[0]["inputs"]["spec"]["hard"]["limits.cpu"] for r in (dev, prod)]
    assert quotas == ["16", "64"]
    assert outputs["onPremTrackingUri"] is not None


def test_sa_government_has_no_ingress_without_an_ingress_class():
    resources, _ = provision(SA_GOVERNMENT, "prod")
    assert not of_type(resources, "kubernetes:networking.k8s.io/v1:Ingress")


def test_a_cloud_only_blueprint_provisions_nothing_on_prem():
    resources, outputs = provision(SA_HEALTH.parent / "ae-health-cloud.yaml", "prod")
    assert outputs == {}
    assert not [r for r in resources if r["type"].startswith(("kubernetes:", "pulumi:providers:kubernetes"))]


def test_pulumi_up_refuses_to_run_without_the_object_store_secrets(monkeypatch):
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: False)
    with pytest.raises(pulumi.RunError, match="qantara:minioRootPassword .* is not set: pulumi config set --secret"):
        provision(SA_GOVERNMENT, "prod")
