"""The Kubernetes policies against the plans the on-prem components produce."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from onprem_plans import SA_GOVERNMENT, SA_HEALTH, SA_OUTPOSTS, plan_of

from qantara.blueprint.loader import load_blueprint
from qantara.policy.evaluate import evaluate, policy_input
from qantara.policy.library import policy_packages

RUNS = [(path, env.name) for path in (SA_HEALTH, SA_GOVERNMENT, SA_OUTPOSTS)
        for env in load_blueprint(path).model.spec.environments]
# The packages that judge on-prem resources: the Kubernetes ones and residency.
PACKAGES = tuple(p for p in policy_packages() if p.package.startswith("qantara.resources.kubernetes_")
                 or p.package == "qantara.resources.residency")


def findings(path, plan) -> list[dict]:
    blueprint = load_blueprint(path).model.model_dump(mode="json", by_alias=True)
    document = policy_input(blueprint=blueprint, plan=plan, environment={"name": "prod", "enforcement": "mandatory"},
                            today=dt.date(2026, 11, 23))
    return evaluate(document, ("resources",), packages=PACKAGES)


def test_the_kubernetes_packages_are_in_the_library():
    assert {p.package.rsplit(".", 1)[1] for p in PACKAGES} == {
        "kubernetes_workloads", "kubernetes_images", "kubernetes_resources", "kubernetes_network",
        "kubernetes_encryption", "kubernetes_argo", "residency"}


@pytest.mark.parametrize(("path", "environment"), RUNS, ids=lambda v: getattr(v, "stem", v))
def test_on_prem_plans_pass_the_kubernetes_and_residency_policies(path, environment):
    plan = plan_of(path, environment)
    assert [r for r in plan["resources"] if r["type"].startswith("kubernetes:")]
    assert all(r["location"] == {"kind": "onprem", "site": load_blueprint(path).model.spec.on_prem.site, "country": "SA"}
               for r in plan["resources"] if r["type"].startswith("kubernetes:"))
    assert findings(path, plan) == []


@pytest.fixture(scope="module")
def government_plan():
    return plan_of(SA_GOVERNMENT, "prod")


def without(plan, predicate) -> dict:
    changed = copy.deepcopy(plan)
    changed["resources"] = [r for r in changed["resources"] if not predicate(r)]
    return changed


def edited(plan, name, edit) -> dict:
    changed = copy.deepcopy(plan)
    edit(next(r for r in changed["resources"] if r["name"] == name)["inputs"])
    return changed


def ids(found) -> set[str]:
    return {f["policy"] for f in found}


def test_the_same_plan_without_its_default_deny_fails_for_every_workload(government_plan):
    plan = without(government_plan, lambda r: r["name"] == "onprem-namespace-default-deny")
    found = findings(SA_GOVERNMENT, plan)
    assert ids(found) == {"QA-KUBE-006"}
    workloads = {r["urn"] for r in government_plan["resources"]
                 if r["type"] in ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job")}
    assert {f["resource"] for f in found} == workloads


def test_the_same_plan_with_minio_unencrypted_and_pulled_from_docker_hub_fails(government_plan):
    def tamper(inputs):
        (container,) = inputs["spec"]["template"]["spec"]["containers"]
        container["image"] = "minio/minio:latest"
        container["env"] = [v for v in container["env"] if v["name"] != "MINIO_KMS_AUTO_ENCRYPTION"]
        container["securityContext"]["allowPrivilegeEscalation"] = True
        del container["resources"]["limits"]
    found = findings(SA_GOVERNMENT, edited(government_plan, "minio-statefulset", tamper))
    assert ids(found) == {"QA-KUBE-001", "QA-KUBE-003", "QA-KUBE-004", "QA-KUBE-007"}


def test_the_same_plan_with_a_root_pod_on_the_host_network_fails(government_plan):
    def tamper(inputs):
        pod = inputs["spec"]["template"]["spec"]
        pod["hostNetwork"] = True
        pod["securityContext"] = {}
        del pod["containers"][0]["securityContext"]["runAsNonRoot"]
    found = findings(SA_GOVERNMENT, edited(government_plan, "mlflow-deployment", tamper))
    assert ids(found) == {"QA-KUBE-002", "QA-KUBE-005"}
