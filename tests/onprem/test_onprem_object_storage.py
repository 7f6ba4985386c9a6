import pulumi
import pytest
from pod_checks import hardening_problems, label_problems

from qantara.components.onprem.naming import platform_labels
from qantara.components.onprem.object_storage import (
    SECRET_KEY_LENGTH,
    ObjectStorage,
    ObjectStorageArgs,
    derived_secret_key,
    setup_script,
)

REGISTRY = "registry.agency.gov.example/ml"
NAMESPACE = "gov-analytics-ml-prod"
LABELS = platform_labels(blueprint="gov-analytics-ml", environment="prod", owner="cio-office@agency.gov.example")
STATEFUL_SET = ("kubernetes:apps/v1:StatefulSet", "minio-statefulset")
JOB = ("kubernetes:batch/v1:Job", "minio-buckets")


def _storage(retain=True, production=True):
    def body():
        ObjectStorage("minio", ObjectStorageArgs(
            namespace=NAMESPACE, registry=REGISTRY,
            root_password=pulumi.Output.secret("root-password-from-config"),
            kms_key=pulumi.Output.secret("qantara-key:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="),
            bucket_users={"mlflow": ["artifacts"]}, storage_class="encrypted-local",
            production=production, retain_volume=retain, data_classification="secret", labels=LABELS))
    return body


@pytest.fixture
def storage(build):
    return build(_storage())


def server(resources) -> dict:
    (container,) = resources[STATEFUL_SET]["inputs"]["spec"]["template"]["spec"]["containers"]
    return container


def test_credentials_and_kms_key_never_appear_in_the_plan(storage):
    secrets = {name: r["inputs"] for (t, name), r in storage.items() if t == "kubernetes:core/v1:Secret"}
    assert set(secrets) == {"minio-root", "minio-kms", "minio-mlflow-credentials"}
    assert all(inputs["stringData"] == "[secret]" for inputs in secrets.values())
    text = str(storage)
    assert "root-password-from-config" not in text and "MDEyMzQ1" not in text


def test_minio_reads_its_credentials_and_key_from_secrets_and_encrypts_by_default(storage):
    variables = {v["name"]: v for v in server(storage)["env"]}
    for name, secret in (("MINIO_ROOT_USER", "minio-root"), ("MINIO_ROOT_PASSWORD", "minio-root"),
                         ("MINIO_KMS_SECRET_KEY", "minio-kms")):
        assert variables[name]["valueFrom"]["secretKeyRef"]["name"] == secret
        assert "value" not in variables[name]
    assert variables["MINIO_KMS_AUTO_ENCRYPTION"]["value"] == "on"
    assert variables["MINIO_BROWSER"]["value"] == "off"


def test_every_pod_is_hardened_pinned_to_the_registry_and_labelled(storage):
    assert hardening_problems(storage, REGISTRY) == []
    assert label_problems(storage) == []
    assert server(storage)["image"] == f"{REGISTRY}/minio/minio:RELEASE.2025-09-07T16-13-09Z"


def test_data_volume_uses_the_blueprint_storage_class_and_is_retained_in_production(storage, build):
    spec = storage[STATEFUL_SET]["inputs"]["spec"]
    (claim,) = spec["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "encrypted-local"
    assert claim["spec"]["resources"]["requests"]["storage"] == "500Gi"
    assert spec["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Retain"
    dev = build(_storage(retain=False, production=False))[STATEFUL_SET]["inputs"]["spec"]
    assert dev["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Delete"
    assert dev["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "50Gi"


def test_service_exposes_only_the_s3_api_inside_the_cluster(storage):
    spec = storage[("kubernetes:core/v1:Service", "minio-service")]["inputs"]["spec"]
    assert spec["type"] == "ClusterIP"
    assert [(p["name"], p["port"]) for p in spec["ports"]] == [("s3", 9000)]
    assert spec["selector"] == {"app.kubernetes.io/name": "minio", "app.kubernetes.io/instance": "minio"}


def test_setup_job_creates_versioned_encrypted_buckets_and_a_user_limited_to_artifacts(storage):
    (client,) = storage[JOB]["inputs"]["spec"]["template"]["spec"]["containers"]
    script = client["command"][-1]
    for bucket in ("raw", "curated", "artifacts"):
        assert f"mc mb --ignore-existing lake/{bucket}" in script
        assert f"mc version enable lake/{bucket}" in script
        assert f"mc encrypt set sse-s3 lake/{bucket}" in script
    assert '"arn:aws:s3:::artifacts/*"' in script and "arn:aws:s3:::raw" not in script.split("POLICY")[1]
    assert client["image"] == f"{REGISTRY}/minio/mc:RELEASE.2025-08-13T08-35-41Z"
    # Credentials come from Secrets: the script only names variables.
    assert all("valueFrom" in v for v in client["env"] if v["name"].endswith(("_KEY", "PASSWORD", "_USER")))


def test_setup_job_runs_after_the_server_it_configures(storage):
    urns = {r["urn"] for key, r in storage.items() if key in (STATEFUL_SET, ("kubernetes:core/v1:Service", "minio-service"))}
    assert urns <= set(storage[JOB]["dependencies"])


def test_service_user_keys_are_derived_stable_and_within_minio_limits():
    key = derived_secret_key("root-password", "mlflow")
    assert key == derived_secret_key("root-password", "mlflow")
    assert key != derived_secret_key("root-password", "serving") != derived_secret_key("other", "mlflow")
    assert len(key) == SECRET_KEY_LENGTH and "root-password" not in key


def test_setup_script_fails_on_errors_other_than_an_attached_policy():
    script = setup_script("http://minio:9000", ["features"], {"mlflow": ["artifacts"]})
    assert script.startswith("set -eu\n")
    assert "already in effect" in script and "exit 1" in script
    assert 'mc admin user add lake "$MLFLOW_ACCESS_KEY" "$MLFLOW_SECRET_KEY"' in script
