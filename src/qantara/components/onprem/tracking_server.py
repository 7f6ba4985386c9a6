"""TrackingServer: an MLflow tracking server (and model registry) on the platform's cluster."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from qantara.components.base import QantaraComponent
from qantara.components.onprem import hardening, sizing
from qantara.components.onprem.naming import component_labels, selector_labels
from qantara.components.onprem.objects import cluster_service, env, http_probe, metadata, opaque_secret, secret_env
from qantara.components.onprem.site import TRACKING_USER, secret_config, tracked

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:onprem_tracking_server:TrackingServer"
# The image must hold boto3 (artifacts in S3) and, with a database backend, its driver:
# mirror a build of this release that adds them under the same name in the registry.
IMAGE = ("mlflow/mlflow", "v2.22.0")
PORT = 5000
BACKEND_DIR = "/mlflow"
BACKEND_URI_KEY = "MLFLOW_BACKEND_STORE_URI"


@dataclass
class TrackingServerArgs:
    namespace: str
    registry: str
    # Artifacts go to this object store, through the server (clients need no keys): MinIO's
    # Service URL; None for S3 on Outposts, which the S3 client finds from the bucket and region.
    object_storage_endpoint: str | None
    # A Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the artifacts bucket.
    object_storage_credentials_secret: str
    # A bucket name, or the alias of an S3 on Outposts access point (MLflow's artifact URI is
    # s3://<bucket>/<path>, which cannot hold an ARN).
    artifacts_bucket: pulumi.Input[str] = "artifacts"
    # The region requests are signed for: the Outpost's parent region; None for MinIO.
    object_storage_region: str | None = None
    # A SQLAlchemy database URI (secret config); None keeps a SQLite file on a volume.
    backend_store_uri: pulumi.Input[str] | None = None
    size: str = "Small"
    production: bool = False
    storage_class: str | None = None
    retain_volume: bool = True
    # Exposed through an Ingress of this class when set; host and TLS Secret are optional.
    ingress_class: str | None = None
    ingress_host: str | None = None
    tls_secret: str | None = None
    data_classification: str = "restricted"
    labels: dict[str, str] = field(default_factory=dict)


class TrackingServer(QantaraComponent):
    """MLflow serving its UI, REST API and model registry, proxying artifacts to the site's
    object store (MinIO, or S3 on Outposts on an Outposts site).

    With `--serve-artifacts` clients upload and download artifacts through the server, so
    only the server holds object-store credentials, and those reach the artifacts bucket
    only. The backend store is a database named by a secret URI, or a SQLite file on a
    volume: then one replica, replaced rather than rolled (the volume is ReadWriteOnce).
    """

    tracking_uri: str
    internal_uri: str

    def __init__(self, name: str, args: TrackingServerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name, self._args = name, args
        self.labels = component_labels(args.labels, name="mlflow", instance=name, component="experiment-tracking",
                                       data_classification=args.data_classification)
        self.internal_uri = f"http://{name}.{args.namespace}.svc:{PORT}"
        self.backend = self._backend()
        self.service = self._service()
        self.deployment = self._deployment()
        self.ingress = self._ingress() if args.ingress_class else None
        self.tracking_uri = self._public_uri() or self.internal_uri
        self.register_outputs({"trackingUri": self.tracking_uri, "internalUri": self.internal_uri})

    def _meta(self, object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
        return metadata(object_name, self._args.namespace, self.labels)

    def _backend(self) -> k8s.core.v1.Secret | k8s.core.v1.PersistentVolumeClaim:
        args, child = self._args, pulumi.ResourceOptions(parent=self)
        backend = f"{self._name}-backend"
        if args.backend_store_uri is not None:
            return opaque_secret(backend, self._meta(backend), {BACKEND_URI_KEY: args.backend_store_uri}, child)
        return k8s.core.v1.PersistentVolumeClaim(
            backend,
            metadata=self._meta(backend),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadWriteOnce"],
                storage_class_name=args.storage_class,
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                    requests={"storage": sizing.TRACKING_VOLUME[args.production]}),
            ),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_volume),
        )

    @property
    def _sqlite(self) -> bool:
        return self._args.backend_store_uri is None

    def _service(self) -> k8s.core.v1.Service:
        return cluster_service(f"{self._name}-service", self._meta(self._name), selector_labels(self.labels),
                               "http", PORT, "http", pulumi.ResourceOptions(parent=self))

    def _server(self) -> k8s.core.v1.ContainerArgs:
        args = self._args
        destination = pulumi.Output.concat("s3://", args.artifacts_bucket, "/mlflow")
        command = ["mlflow", "server", "--host", "0.0.0.0", "--port", str(PORT),
                   "--serve-artifacts", "--artifacts-destination", destination]
        credentials = args.object_storage_credentials_secret
        store = {}
        if args.object_storage_endpoint is not None:
            store["MLFLOW_S3_ENDPOINT_URL"] = args.object_storage_endpoint
        if args.object_storage_region is not None:
            store["AWS_DEFAULT_REGION"] = args.object_storage_region
        store["HOME"] = "/tmp"
        variables = [
            secret_env("AWS_ACCESS_KEY_ID", credentials, "AWS_ACCESS_KEY_ID"),
            secret_env("AWS_SECRET_ACCESS_KEY", credentials, "AWS_SECRET_ACCESS_KEY"),
            *env(store),
        ]
        mounts = []
        if self._sqlite:
            command += ["--backend-store-uri", f"sqlite:///{BACKEND_DIR}/mlflow.db"]
            mounts.append(k8s.core.v1.VolumeMountArgs(name="backend", mount_path=BACKEND_DIR))
        else:
            # `mlflow server` reads --backend-store-uri from this variable: the URI stays in the Secret.
            variables.insert(0, secret_env(BACKEND_URI_KEY, f"{self._name}-backend", BACKEND_URI_KEY))
        health = http_probe("/health", "http")
        return hardening.container(
            "mlflow",
            hardening.image(args.registry, *IMAGE),
            sizing.TRACKING_SERVER[args.size],
            command=command,
            ports=[k8s.core.v1.ContainerPortArgs(name="http", container_port=PORT)],
            env=variables,
            volume_mounts=mounts,
            readiness_probe=health,
            liveness_probe=health,
        )

    def _deployment(self) -> k8s.apps.v1.Deployment:
        args = self._args
        volumes = []
        if self._sqlite:
            volumes.append(k8s.core.v1.VolumeArgs(
                name="backend",
                persistent_volume_claim=k8s.core.v1.PersistentVolumeClaimVolumeSourceArgs(claim_name=f"{self._name}-backend")))
        # SQLite allows one writer, and its ReadWriteOnce volume one pod: no rolling update.
        strategy = "Recreate" if self._sqlite else "RollingUpdate"
        replicas = 2 if args.production and not self._sqlite else 1
        return k8s.apps.v1.Deployment(
            f"{self._name}-deployment",
            metadata=self._meta(self._name),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=replicas,
                strategy=k8s.apps.v1.DeploymentStrategyArgs(type=strategy),
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector_labels(self.labels)),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=self.labels),
                    spec=hardening.pod_spec([self._server()], volumes=volumes),
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.backend, self.service]),
        )

    def _ingress(self) -> k8s.networking.v1.Ingress:
        args = self._args
        backend = k8s.networking.v1.IngressBackendArgs(service=k8s.networking.v1.IngressServiceBackendArgs(
            name=self._name, port=k8s.networking.v1.ServiceBackendPortArgs(name="http")))
        rule = k8s.networking.v1.IngressRuleArgs(
            host=args.ingress_host,
            http=k8s.networking.v1.HTTPIngressRuleValueArgs(paths=[
                k8s.networking.v1.HTTPIngressPathArgs(path="/", path_type="Prefix", backend=backend)]),
        )
        tls = None
        if args.tls_secret and args.ingress_host:
            tls = [k8s.networking.v1.IngressTLSArgs(hosts=[args.ingress_host], secret_name=args.tls_secret)]
        return k8s.networking.v1.Ingress(
            f"{self._name}-ingress",
            metadata=self._meta(self._name),
            spec=k8s.networking.v1.IngressSpecArgs(ingress_class_name=args.ingress_class, rules=[rule], tls=tls),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.service]),
        )

    def _public_uri(self) -> str | None:
        if self.ingress is None or not self._args.ingress_host:
            return None
        scheme = "https" if self._args.tls_secret else "http"
        return f"{scheme}://{self._args.ingress_host}"


def _outposts_credentials(scope: PlatformScope, data_class: str) -> tuple[str, k8s.core.v1.Secret]:
    """The Secret holding the key the tracking server reaches the Outpost's `artifacts` access
    point with, from secret config: the key of an IAM principal the platform team limits to
    that access point (docs/onprem.md). A static key, because pod identities on an EKS local
    cluster depend on its setup, which Qantara does not see."""
    secret_name = f"{TRACKING_USER}-outposts-credentials"
    secret_labels = component_labels(scope.labels, name=TRACKING_USER, instance=secret_name,
                                     component="experiment-tracking", data_classification=data_class)
    secret = opaque_secret(secret_name, metadata(secret_name, scope.built["namespace"].name, secret_labels), {
        "AWS_ACCESS_KEY_ID": secret_config(scope.config, "outpostsAccessKeyId",
                                           "the tracking server's key for S3 on Outposts"),
        "AWS_SECRET_ACCESS_KEY": secret_config(scope.config, "outpostsSecretAccessKey", "the secret of that key"),
    }, scope.built["afterNamespace"])
    return secret_name, secret


def _artifact_store(scope: PlatformScope, data_class: str) -> tuple[dict, list]:
    """Where the artifacts go: the Outpost's access point, else MinIO; and what that needs first."""
    lake = scope.built.get("outpostsDataLake")
    if lake is not None:
        secret_name, secret = _outposts_credentials(scope, data_class)
        return dict(object_storage_endpoint=None, object_storage_credentials_secret=secret_name,
                    artifacts_bucket=lake.access_point_aliases["artifacts"],
                    object_storage_region=scope.platform.blueprint.spec.on_prem.outpost_region), [lake, secret]
    storage = scope.built["objectStorage"]
    return dict(object_storage_endpoint=storage.endpoint,
                object_storage_credentials_secret=storage.user_secrets[TRACKING_USER]), [storage]


def build_tracking_server(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """MLflow on the site's cluster, for the tracking and registry components placed there."""
    platform, site, config = scope.platform, scope.platform.blueprint.spec.on_prem, scope.config
    data_class = platform.strictest_class(tracked(platform))
    store, store_resources = _artifact_store(scope, data_class)
    namespace = scope.built["namespace"]
    tracking = TrackingServer("mlflow", TrackingServerArgs(
        namespace=namespace.name,
        registry=site.registry,
        **store,
        backend_store_uri=config.get_secret("trackingBackendUri"),
        size=scope.profile.tracking_server_size,
        production=scope.profile.production,
        storage_class=site.storage_class,
        retain_volume=scope.profile.deletion_protection,
        ingress_class=site.ingress_class,
        ingress_host=config.get("trackingHost"),
        tls_secret=config.get("trackingTlsSecret"),
        data_classification=data_class,
        labels=scope.labels,
    ), opts=pulumi.ResourceOptions(provider=scope.provider, depends_on=[namespace, *store_resources]))
    # What pods in the namespace use: the public URI's Ingress is outside the namespace's network.
    return {"onPremTrackingUri": pulumi.Output.from_input(tracking.tracking_uri),
            "onPremTrackingInternalUri": pulumi.Output.from_input(tracking.internal_uri)}
