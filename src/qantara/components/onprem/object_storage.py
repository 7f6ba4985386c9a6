"""ObjectStorage: MinIO on the platform's own cluster, the on-prem data lake."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from qantara.components.base import QantaraComponent
from qantara.components.onprem import hardening, sizing
from qantara.components.onprem.naming import component_labels, selector_labels
from qantara.components.onprem.objects import cluster_service, env, http_probe, metadata, opaque_secret, secret_env
from qantara.components.onprem.site import (
    DATA_BUCKETS,
    PIPELINE_USER,
    TRACKING_USER,
    secret_config,
    site_buckets,
    stored,
    tracked,
)

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:onprem_object_storage:ObjectStorage"
# Pinned releases, pulled through the organisation's registry (which mirrors them).
SERVER_IMAGE = ("minio/minio", "RELEASE.2025-09-07T16-13-09Z")
CLIENT_IMAGE = ("minio/mc", "RELEASE.2025-08-13T08-35-41Z")
API_PORT = 9000
DATA_DIR = "/data"
# MinIO refuses secret keys longer than 40 characters.
SECRET_KEY_LENGTH = 40


@dataclass
class ObjectStorageArgs:
    namespace: str
    registry: str
    # Secret config, never plaintext: the root account's password and the KMS key, written
    # `<key-name>:<base64 of 32 random bytes>` (MinIO's MINIO_KMS_SECRET_KEY format).
    root_password: pulumi.Input[str]
    kms_key: pulumi.Input[str]
    root_user: str = "qantara-admin"
    buckets: list[str] = field(default_factory=lambda: list(DATA_BUCKETS))
    # Service users and the buckets each may read and write; each gets its own credentials.
    bucket_users: dict[str, list[str]] = field(default_factory=dict)
    storage_class: str | None = None
    production: bool = False
    # Keep the volume when the store is deleted (production); dev data is disposable.
    retain_volume: bool = True
    data_classification: str = "restricted"
    labels: dict[str, str] = field(default_factory=dict)


def derived_secret_key(root_password: str, user: str) -> str:
    """A service user's secret key: an HMAC of its name under the root password. Stable
    across runs without another secret to configure, and it does not reveal the root one."""
    return hmac.new(root_password.encode(), user.encode(), hashlib.sha256).hexdigest()[:SECRET_KEY_LENGTH]


def bucket_policy(buckets: list[str]) -> str:
    """Read, write and list the named buckets, nothing else."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
             "Resource": [f"arn:aws:s3:::{b}" for b in buckets]},
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
             "Resource": [f"arn:aws:s3:::{b}/*" for b in buckets]},
        ],
    }, sort_keys=True)


def _env_name(user: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", user.upper())


def setup_script(endpoint: str, buckets: list[str], bucket_users: dict[str, list[str]]) -> str:
    """The bucket-setup Job's shell script: every bucket versioned and SSE-encrypted, every
    service user limited to its buckets. Credentials come from the environment only."""
    lines = [
        'mc alias set lake "$ENDPOINT" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"',
        "until mc ready lake; do sleep 5; done",
    ]
    for bucket in buckets:
        lines += [
            f"mc mb --ignore-existing lake/{bucket}",
            # Versioning keeps every overwritten or deleted object recoverable.
            f"mc version enable lake/{bucket}",
            # The bucket default, on top of MINIO_KMS_AUTO_ENCRYPTION, which MinIO deprecates.
            f"mc encrypt set sse-s3 lake/{bucket}",
        ]
    for user, allowed in sorted(bucket_users.items()):
        variable = _env_name(user)
        lines += [
            f"cat > /tmp/{user}-policy.json <<'POLICY'",
            bucket_policy(allowed),
            "POLICY",
            f"mc admin policy create lake {user}-buckets /tmp/{user}-policy.json",
            f'mc admin user add lake "${variable}_ACCESS_KEY" "${variable}_SECRET_KEY"',
            # Attaching an attached policy is an error only in name: accept that one.
            f'if ! out=$(mc admin policy attach lake {user}-buckets --user "${variable}_ACCESS_KEY" 2>&1); then',
            '  echo "$out"; case "$out" in *"already in effect"*) ;; *) exit 1 ;; esac',
            "fi",
        ]
    return "\n".join(["set -eu", f"ENDPOINT={endpoint}", *lines]) + "\n"


class ObjectStorage(QantaraComponent):
    """A single-node MinIO StatefulSet with its volume, a Service, and a Job creating the buckets.

    Objects are encrypted by MinIO with the KMS key from a Secret (auto-encryption on, and
    SSE-S3 as every bucket's default); buckets are versioned. The root account is used only
    by the setup Job; each service user gets a key of its own limited to its buckets.
    Single-node: erasure coding and failover across nodes are the MinIO Operator's job.
    """

    endpoint: str
    bucket_names: list[str]
    user_secrets: dict[str, str]

    def __init__(self, name: str, args: ObjectStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name, self._args = name, args
        self.labels = component_labels(args.labels, name="minio", instance=name, component="object-storage",
                                       data_classification=args.data_classification)
        self.endpoint = f"http://{name}.{args.namespace}.svc:{API_PORT}"
        self.bucket_names = list(args.buckets)

        child = pulumi.ResourceOptions(parent=self)
        self.root_secret_name, self.kms_secret_name = f"{name}-root", f"{name}-kms"
        self.root_secret = opaque_secret(self.root_secret_name, self._meta(self.root_secret_name), {
            "MINIO_ROOT_USER": args.root_user, "MINIO_ROOT_PASSWORD": args.root_password}, child)
        self.kms_secret = opaque_secret(self.kms_secret_name, self._meta(self.kms_secret_name), {
            "MINIO_KMS_SECRET_KEY": args.kms_key}, child)
        self.user_secrets, user_secret_resources = self._user_secrets()
        self.service = self._service()
        self.stateful_set = self._stateful_set()
        self.setup_job = self._setup_job(user_secret_resources)

        self.register_outputs({"endpoint": self.endpoint, "buckets": self.bucket_names,
                               "userSecrets": self.user_secrets})

    def _meta(self, object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
        return metadata(object_name, self._args.namespace, self.labels)

    def _user_secrets(self) -> tuple[dict[str, str], list[k8s.core.v1.Secret]]:
        names, resources = {}, []
        password = pulumi.Output.secret(self._args.root_password)
        for user in sorted(self._args.bucket_users):
            secret_name = f"{self._name}-{user}-credentials"
            # The keys S3 clients (boto3, MLflow) read from their environment.
            resources.append(opaque_secret(secret_name, self._meta(secret_name), {
                "AWS_ACCESS_KEY_ID": user,
                "AWS_SECRET_ACCESS_KEY": password.apply(lambda p, u=user: derived_secret_key(p, u)),
            }, pulumi.ResourceOptions(parent=self)))
            names[user] = secret_name
        return names, resources

    def _service(self) -> k8s.core.v1.Service:
        return cluster_service(f"{self._name}-service", self._meta(self._name), selector_labels(self.labels),
                               "s3", API_PORT, "s3", pulumi.ResourceOptions(parent=self))

    def _server(self) -> k8s.core.v1.ContainerArgs:
        args = self._args
        return hardening.container(
            "minio",
            hardening.image(args.registry, *SERVER_IMAGE),
            sizing.OBJECT_STORE[args.production],
            # The certificates directory defaults to $HOME, which is read-only here.
            args=["server", DATA_DIR, "--address", f":{API_PORT}", "--certs-dir", "/tmp/certs"],
            ports=[k8s.core.v1.ContainerPortArgs(name="s3", container_port=API_PORT)],
            env=[
                secret_env("MINIO_ROOT_USER", self.root_secret_name, "MINIO_ROOT_USER"),
                secret_env("MINIO_ROOT_PASSWORD", self.root_secret_name, "MINIO_ROOT_PASSWORD"),
                secret_env("MINIO_KMS_SECRET_KEY", self.kms_secret_name, "MINIO_KMS_SECRET_KEY"),
                *env({
                    # Every object written without encryption headers is encrypted with the KMS key.
                    "MINIO_KMS_AUTO_ENCRYPTION": "on",
                    # No web console: administration goes through `mc` and this program.
                    "MINIO_BROWSER": "off",
                }),
            ],
            volume_mounts=[k8s.core.v1.VolumeMountArgs(name="data", mount_path=DATA_DIR)],
            liveness_probe=http_probe("/minio/health/live", "s3"),
            readiness_probe=http_probe("/minio/health/ready", "s3"),
        )

    def _stateful_set(self) -> k8s.apps.v1.StatefulSet:
        args = self._args
        volume = k8s.core.v1.PersistentVolumeClaimArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(name="data", labels=self.labels),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadWriteOnce"],
                storage_class_name=args.storage_class,
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                    requests={"storage": sizing.OBJECT_STORE_VOLUME[args.production]}),
            ),
        )
        policy = "Retain" if args.retain_volume else "Delete"
        return k8s.apps.v1.StatefulSet(
            f"{self._name}-statefulset",
            metadata=self._meta(self._name),
            spec=k8s.apps.v1.StatefulSetSpecArgs(
                replicas=1,
                service_name=self._name,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector_labels(self.labels)),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=self.labels),
                    spec=hardening.pod_spec([self._server()]),
                ),
                volume_claim_templates=[volume],
                persistent_volume_claim_retention_policy=k8s.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicyArgs(
                    when_deleted=policy, when_scaled="Retain"),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.root_secret, self.kms_secret, self.service]),
        )

    def _setup_job(self, user_secrets: list[k8s.core.v1.Secret]) -> k8s.batch.v1.Job:
        args = self._args
        root = self.root_secret_name
        variables = [secret_env("MINIO_ROOT_USER", root, "MINIO_ROOT_USER"),
                     secret_env("MINIO_ROOT_PASSWORD", root, "MINIO_ROOT_PASSWORD")]
        for user in sorted(args.bucket_users):
            variable = _env_name(user)
            variables += [secret_env(f"{variable}_ACCESS_KEY", self.user_secrets[user], "AWS_ACCESS_KEY_ID"),
                          secret_env(f"{variable}_SECRET_KEY", self.user_secrets[user], "AWS_SECRET_ACCESS_KEY")]
        labels = component_labels(args.labels, name="minio-setup", instance=f"{self._name}-buckets",
                                  component="object-storage", data_classification=args.data_classification)
        script = setup_script(f"http://{self._name}:{API_PORT}", args.buckets, args.bucket_users)
        client = hardening.container(
            "mc",
            hardening.image(args.registry, *CLIENT_IMAGE),
            sizing.BUCKET_SETUP,
            command=["/bin/sh", "-c", script],
            # mc keeps its aliases in its config directory, which must be writable.
            env=[*variables, *env({"MC_CONFIG_DIR": "/tmp/.mc"})],
        )
        return k8s.batch.v1.Job(
            f"{self._name}-buckets",
            metadata=metadata(f"{self._name}-buckets", args.namespace, labels),
            spec=k8s.batch.v1.JobSpecArgs(
                backoff_limit=6,
                active_deadline_seconds=900,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=hardening.pod_spec([client], restart_policy="OnFailure"),
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.stateful_set, self.service, *user_secrets]),
        )


def build_object_storage(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """MinIO on the site's cluster, for the data the site's components store."""
    platform, site = scope.platform, scope.platform.blueprint.spec.on_prem
    storage = ObjectStorage("minio", ObjectStorageArgs(
        namespace=scope.built["namespace"].name,
        registry=site.registry,
        root_password=secret_config(scope.config, "minioRootPassword", "the object store's root password"),
        kms_key=secret_config(scope.config, "minioKmsKey", "the object store's KMS key, <name>:<base64 of 32 bytes>"),
        buckets=site_buckets(platform),
        bucket_users={**({TRACKING_USER: ["artifacts"]} if tracked(platform) else {}),
                      PIPELINE_USER: list(site_buckets(platform))},
        storage_class=site.storage_class,
        production=scope.profile.production,
        retain_volume=scope.profile.deletion_protection,
        data_classification=platform.strictest_class(stored(platform)),
        labels=scope.labels,
    ), opts=scope.built["afterNamespace"])
    scope.built["objectStorage"] = storage
    return {"onPremObjectStorageEndpoint": pulumi.Output.from_input(storage.endpoint),
            "onPremPipelineCredentialsSecret": pulumi.Output.from_input(storage.user_secrets[PIPELINE_USER])}
