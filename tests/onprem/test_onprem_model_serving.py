import pytest
from pod_checks import hardening_problems, label_problems, of_type

from qantara.blueprint.models import ServedModel
from qantara.components.onprem.model_serving import OnPremServing, OnPremServingArgs, replica_split, traffic_shares
from qantara.components.onprem.naming import platform_labels

REGISTRY = "registry.riyadh-health.example/ml"
NAMESPACE = "riyadh-health-ml-prod"
REPOSITORY = "riyadh-health-ml-prod-models"
LABELS = platform_labels(blueprint="riyadh-health-ml", environment="prod", owner="data-office@riyadh-health.example")
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"


def model(name, *variants):
    return ServedModel.model_validate({"name": name, "variants": [
        {"name": v, "weight": w, "image": f"{name}-{v}-1.0"} for v, w in variants]})


def _serving(models, engine="kserve", instances=2):
    def body():
        OnPremServing("serving", OnPremServingArgs(
            namespace=NAMESPACE, registry=REGISTRY, image_repository=REPOSITORY, models=models, engine=engine,
            instance_count=instances, max_instance_count=4, production=True, labels=LABELS))
    return body


def predictor(resources, name) -> dict:
    return resources[(ISVC, f"serving-{name}")]["inputs"]["spec"]["predictor"]


def test_kserve_champion_and_challenger_become_a_canary_of_the_smaller_weight(build):
    resources = build(_serving([model("readmission", ("champion", 90), ("challenger", 10))]))
    spec = predictor(resources, "readmission")
    assert spec["canaryTrafficPercent"] == 10
    (container,) = spec["containers"]
    assert container["image"] == f"{REGISTRY}/{REPOSITORY}:readmission-challenger-1.0"
    annotations = resources[(ISVC, "serving-readmission")]["inputs"]["metadata"]["annotations"]
    assert annotations["serving.kserve.io/deploymentMode"] == "Serverless"
    assert "readmission-champion-1.0" in annotations["qantara.dev/champion"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 4)


def test_kserve_challenger_listed_first_is_still_the_canary(build):
    resources = build(_serving([model("triage", ("challenger", 25), ("champion", 75))]))
    assert predictor(resources, "triage")["canaryTrafficPercent"] == 25
    assert predictor(resources, "triage")["containers"][0]["image"].endswith(":triage-challenger-1.0")


def test_kserve_single_variant_has_no_canary(build):
    resources = build(_serving([model("triage", ("champion", 100))]))
    assert "canaryTrafficPercent" not in predictor(resources, "triage")
    assert "annotations" not in resources[(ISVC, "serving-triage")]["inputs"]["metadata"]


def test_kserve_with_more_than_two_variants_falls_back_to_deployments(build):
    resources = build(_serving([model("triage", ("a", 50), ("b", 30), ("c", 20))]))
    assert not of_type(resources, ISVC)
    assert {r["inputs"]["metadata"]["name"] for r in of_type(resources, DEPLOYMENT)} == {"triage-a", "triage-b", "triage-c"}


def test_deployment_mode_splits_traffic_by_replica_ratio_through_the_model_service(build):
    resources = build(_serving([model("case-priority", ("champion", 80), ("challenger", 20))], engine="deployment"))
    replicas = {r["inputs"]["metadata"]["name"]: r["inputs"]["spec"]["replicas"] for r in of_type(resources, DEPLOYMENT)}
    assert replicas == {"case-priority-champion": 4, "case-priority-challenger": 1}
    service = resources[(SERVICE, "serving-case-priority-service")]["inputs"]
    assert service["spec"]["selector"]["qantara.dev/in-rotation"] == "true"
    assert service["metadata"]["annotations"]["qantara.dev/traffic-split"].startswith("champion=80%, challenger=20%")
    for variant in ("champion", "challenger"):
        own = resources[(SERVICE, f"serving-case-priority-{variant}-service")]["inputs"]["spec"]
        assert own["selector"]["app.kubernetes.io/instance"] == f"case-priority-{variant}"


def test_a_variant_of_weight_zero_runs_outside_the_rotation(build):
    resources = build(_serving([model("m", ("champion", 100), ("shadow", 0))], engine="deployment"))
    deployments = {r["inputs"]["metadata"]["name"]: r["inputs"] for r in of_type(resources, DEPLOYMENT)}
    shadow = deployments["m-shadow"]
    assert shadow["spec"]["replicas"] == 1
    assert shadow["spec"]["template"]["metadata"]["labels"]["qantara.dev/in-rotation"] == "false"
    assert deployments["m-champion"]["spec"]["template"]["metadata"]["labels"]["qantara.dev/in-rotation"] == "true"


@pytest.mark.parametrize("engine", ["kserve", "deployment"])
def test_every_model_pod_is_hardened_from_the_registry_and_labelled(build, engine):
    resources = build(_serving([model("readmission", ("champion", 90), ("challenger", 10)), model("triage", ("champion", 100))],
                               engine=engine))
    assert hardening_problems(resources, REGISTRY) == []
    assert label_problems(resources) == []


def test_each_model_has_a_metrics_service_the_monitoring_can_select(build):
    def body():
        served = OnPremServing("serving", OnPremServingArgs(
            namespace=NAMESPACE, registry=REGISTRY, image_repository=REPOSITORY,
            models=[model("readmission", ("champion", 90), ("challenger", 10))], engine="kserve", labels=LABELS))
        targets.extend(served.metrics_targets)

    targets = []
    resources = build(body)
    (target,) = targets
    service = resources[(SERVICE, "serving-readmission-metrics")]["inputs"]
    assert service["spec"]["selector"] == {"serving.kserve.io/inferenceservice": "readmission"}
    assert all(service["metadata"]["labels"][k] == v for k, v in target.match_labels.items())


@pytest.mark.parametrize(("weights", "per_variant", "expected"), [
    ({"a": 100}, 2, {"a": 2}),
    ({"a": 80, "b": 20}, 1, {"a": 3, "b": 1}),
    ({"a": 80, "b": 20}, 2, {"a": 4, "b": 1}),
    ({"a": 50, "b": 50}, 2, {"a": 2, "b": 2}),
    ({"a": 90, "b": 10}, 1, {"a": 3, "b": 1}),
    ({"a": 90, "b": 10}, 5, {"a": 9, "b": 1}),
    ({"a": 100, "b": 0}, 2, {"a": 2, "b": 1}),
])
def test_replica_split_approaches_the_weights_within_twice_the_instance_count(weights, per_variant, expected):
    replicas = replica_split(weights, per_variant)
    assert replicas == expected
    weighted = [n for n, w in weights.items() if w > 0]
    assert sum(replicas[n] for n in weighted) <= 2 * per_variant * len(weighted)


def test_traffic_shares_are_percentages_of_replicas():
    assert traffic_shares({"a": 3, "b": 1}) == {"a": 75.0, "b": 25.0}
