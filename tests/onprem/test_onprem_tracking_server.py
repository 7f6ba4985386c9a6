import pulumi
import pytest
from pod_checks import hardening_problems, label_problems, of_type

from qantara.components.onprem.naming import platform_labels
from qantara.components.onprem.tracking_server import TrackingServer, TrackingServerArgs

REGISTRY = "registry.riyadh-health.example/ml"
NAMESPACE = "riyadh-health-ml-prod"
LABELS = platform_labels(blueprint="riyadh-health-ml", environment="prod", owner="data-office@riyadh-health.example")
DEPLOYMENT = ("kubernetes:apps/v1:Deployment", "mlflow-deployment")


def _tracking(backend_uri=None, **overrides):
    def body():
        if backend_uri is not None:
            overrides["backend_store_uri"] = pulumi.Output.secret(backend_uri)
        args = dict(namespace=NAMESPACE, registry=REGISTRY,
                    object_storage_endpoint=f"http://minio.{NAMESPACE}.svc:9000",
                    object_storage_credentials_secret="minio-mlflow-credentials",
                    size="Medium", production=True, storage_class="encrypted-rbd", labels=LABELS)
        TrackingServer("mlflow", TrackingServerArgs(**{**args, **overrides}))
    return body


@pytest.fixture
def sqlite(build):
    return build(_tracking())


def server(resources) -> dict:
    (container,) = resources[DEPLOYMENT]["inputs"]["spec"]["template"]["spec"]["containers"]
    return container


def test_artifacts_go_through_the_server_to_the_minio_artifacts_bucket(sqlite):
    command = server(sqlite)["command"]
    assert command[:2] == ["mlflow", "server"] and "--serve-artifacts" in command
    assert command[command.index("--artifacts-destination") + 1] == "s3://artifacts/mlflow"
    variables = {v["name"]: v for v in server(sqlite)["env"]}
    assert variables["MLFLOW_S3_ENDPOINT_URL"]["value"] == f"http://minio.{NAMESPACE}.svc:9000"
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert variables[key]["valueFrom"]["secretKeyRef"] == {"name": "minio-mlflow-credentials", "key": key}


def test_sqlite_backend_lives_on_a_volume_of_the_storage_class_with_one_replica_replaced_not_rolled(sqlite):
    claim = sqlite[("kubernetes:core/v1:PersistentVolumeClaim", "mlflow-backend")]["inputs"]["spec"]
    assert claim["storageClassName"] == "encrypted-rbd"
    spec = sqlite[DEPLOYMENT]["inputs"]["spec"]
    assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"
    command = server(sqlite)["command"]
    assert command[command.index("--backend-store-uri") + 1] == "sqlite:////mlflow/mlflow.db"


def test_database_backend_uri_stays_in_a_secret(build):
    resources = build(_tracking(backend_uri="postgresql://mlflow:pw@db:5432/mlflow"))
    assert resources[("kubernetes:core/v1:Secret", "mlflow-backend")]["inputs"]["stringData"] == "[secret]"
    assert not of_type(resources, "kubernetes:core/v1:PersistentVolumeClaim")
    assert "--backend-store-uri" not in server(resources)["command"]
    variables = {v["name"]: v for v in server(resources)["env"]}
    assert variables["MLFLOW_BACKEND_STORE_URI"]["valueFrom"]["secretKeyRef"]["name"] == "mlflow-backend"
    assert resources[DEPLOYMENT]["inputs"]["spec"]["replicas"] == 2
    assert "pw@db" not in str(resources)


def test_pods_are_hardened_and_objects_labelled(sqlite):
    assert hardening_problems(sqlite, REGISTRY) == []
    assert label_problems(sqlite) == []
    assert server(sqlite)["resources"]["limits"] == {"cpu": "2", "memory": "2Gi"}


def test_no_ingress_without_an_ingress_class(sqlite):
    assert not of_type(sqlite, "kubernetes:networking.k8s.io/v1:Ingress")


def test_ingress_of_the_blueprint_class_with_host_and_tls_when_configured(build):
    resources = build(_tracking(ingress_class="nginx", ingress_host="mlflow.riyadh-health.example", tls_secret="mlflow-tls"))
    spec = resources[("kubernetes:networking.k8s.io/v1:Ingress", "mlflow-ingress")]["inputs"]["spec"]
    assert spec["ingressClassName"] == "nginx"
    assert spec["rules"][0]["host"] == "mlflow.riyadh-health.example"
    assert spec["tls"] == [{"hosts": ["mlflow.riyadh-health.example"], "secretName": "mlflow-tls"}]
    assert spec["rules"][0]["http"]["paths"][0]["backend"]["service"] == {"name": "mlflow", "port": {"name": "http"}}
