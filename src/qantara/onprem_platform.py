"""The on-prem side of a platform: what placement put on the site, on its Kubernetes cluster.

`provision_onprem` is called by the platform program (stacks/platform) inside a Pulumi
run. On a site of kind `kubernetes` the object store is MinIO on the cluster; on a site of
kind `outposts` the cluster is the EKS local cluster on the Outpost and the object store is
S3 on Outposts, provisioned through an AWS provider in the Outpost's parent region. It reads
the stack's `qantara:` config (all optional; the secret ones are needed at `pulumi up` when
the object store is provisioned, and a preview uses placeholders):

  kubeconfig             secret; else the ambient kubeconfig ($KUBECONFIG, ~/.kube/config)
  minioRootPassword      secret; the object store's root password (kind kubernetes)
  minioKmsKey            secret; `<key-name>:<base64 of 32 random bytes>` (kind kubernetes)
  outpostsAccessKeyId    secret; the key the tracking server reaches S3 on Outposts with (kind outposts)
  outpostsSecretAccessKey  secret; its secret (kind outposts)
  outpostsEndpoint       `create` (default) or `existing`: a VPC on an Outpost has one S3 on
                         Outposts endpoint, so the second environment in a VPC uses the first's
  trackingBackendUri     secret; a database URI for MLflow, else SQLite on a volume
  trackingHost           host name of the tracking server's Ingress
  trackingTlsSecret      TLS Secret (in the platform namespace) for that host
  ingressFromNamespaces  list of namespaces allowed to reach the platform's pods; default:
                         monitoring (Prometheus), ingress-nginx (with an ingress class),
                         knative-serving and istio-system (with KServe)
  prometheusLabels       labels the cluster's Prometheus selects ServiceMonitors and rules by
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from qantara.blueprint.models import CLASSIFICATION_ORDER, Blueprint
from qantara.blueprint.profiles import EnvironmentProfile
from qantara.components.model_registry import physical_name
from qantara.components.onprem.model_serving import OnPremServing, OnPremServingArgs
from qantara.components.onprem.monitoring import ServingMonitoring, ServingMonitoringArgs
from qantara.components.onprem.namespace import PlatformNamespace, PlatformNamespaceArgs
from qantara.components.onprem.naming import component_labels, platform_labels
from qantara.components.onprem.object_storage import DATA_BUCKETS, ObjectStorage, ObjectStorageArgs
from qantara.components.onprem.objects import metadata, opaque_secret
from qantara.components.onprem.tracking_server import TrackingServer, TrackingServerArgs
from qantara.components.outposts_data_lake import OutpostsDataLake, OutpostsDataLakeArgs
from qantara.sovereignty.onprem_coverage import STORED_COMPONENTS
from qantara.sovereignty.placement import Placement
from qantara.tagging import component_tags, platform_tags

CONFIG_NAMESPACE = "qantara"
TRACKING_USER = "mlflow"
FEATURES_BUCKET = "features"
MONITORING_NAMESPACE = "monitoring"
INGRESS_NAMESPACE = "ingress-nginx"
KSERVE_NAMESPACES = ("knative-serving", "istio-system")
# What a preview stands in for an unset secret: never deployed, since `pulumi up` refuses.
PREVIEW_PLACEHOLDER = "unset-in-preview"
OUTPOSTS_ENDPOINT_MODES = ("create", "existing")


@dataclass
class OnPremPlatformArgs:
    blueprint: Blueprint
    environment: EnvironmentProfile
    placement: Placement
    # Labels on every object; by default the blueprint's (see naming.platform_labels).
    labels: dict[str, str] | None = None
    # Tags on every AWS resource on an Outpost; by default the blueprint's (tagging.platform_tags),
    # as the platform program passes them.
    aws_tags: dict[str, str] | None = None


def _strictest(classes: list[str]) -> str:
    return max(classes, key=CLASSIFICATION_ORDER.index)


def _secret(config: pulumi.Config, key: str, purpose: str) -> pulumi.Output[str]:
    value = config.get_secret(key)
    if value is not None:
        return value
    command = f"pulumi config set --secret {CONFIG_NAMESPACE}:{key} <value>"
    if not pulumi.runtime.is_dry_run():
        raise pulumi.RunError(f"{CONFIG_NAMESPACE}:{key} ({purpose}) is not set: {command}")
    pulumi.log.warn(f"{CONFIG_NAMESPACE}:{key} ({purpose}) is not set: this preview uses a placeholder "
                    f"and `pulumi up` will refuse to run until it is ({command})")
    return pulumi.Output.secret(PREVIEW_PLACEHOLDER)


def kubernetes_provider(blueprint: Blueprint, config: pulumi.Config) -> k8s.Provider:
    """The provider for the site's cluster: the secret kubeconfig when set, else the ambient one."""
    site = blueprint.spec.on_prem
    return k8s.Provider(
        f"k8s-{site.site}",
        kubeconfig=config.get_secret("kubeconfig"),
        context=site.kube_context,
    )


def provision_onprem(args: OnPremPlatformArgs) -> dict[str, pulumi.Output]:
    """Provision the components placement put on-prem; return the stack outputs to export."""
    blueprint, profile, placement = args.blueprint, args.environment, args.placement
    onprem = placement.onprem_components()
    if not onprem:
        return {}
    site = blueprint.spec.on_prem
    outposts = site is not None and site.kind == "outposts"
    stored = [c for c in STORED_COMPONENTS if c in onprem]
    if site is None or site.registry is None or (outposts and stored and site.outpost_network is None):
        # Placement refuses these blueprints; reaching here means it was bypassed.
        raise pulumi.RunError("on-prem components need spec.onPrem with a registry (and, on an Outpost that "
                              "stores data, outpostNetwork)")
    config = pulumi.Config(CONFIG_NAMESPACE)
    name, env_name = blueprint.metadata.name, profile.name
    labels = args.labels if args.labels is not None else platform_labels(
        blueprint=name, environment=env_name, owner=blueprint.metadata.owner, tags=blueprint.spec.tags)
    on_site = pulumi.ResourceOptions(provider=kubernetes_provider(blueprint, config))
    components = blueprint.spec.components
    tracked = [c for c in ("experimentTracking", "modelRegistry") if c in onprem]
    serving = "serving" in onprem and bool(components.serving.models)
    monitoring = "monitoring" in onprem

    namespace = PlatformNamespace("onprem-namespace", PlatformNamespaceArgs(
        blueprint=name,
        environment=env_name,
        production=profile.production,
        labels=labels,
        data_classification=_strictest([p.data_class for p in onprem.values()]),
        ingress_from_namespaces=config.get_object("ingressFromNamespaces") or _ingress_namespaces(
            blueprint, serving=serving, monitoring=monitoring, tracked=bool(tracked)),
        https_egress_cidrs=[site.outpost_network.subnet_cidr] if outposts and stored else [],
    ), opts=on_site)
    after_namespace = pulumi.ResourceOptions(provider=on_site.provider, depends_on=[namespace])
    outputs: dict[str, pulumi.Output] = {"onPremNamespace": namespace.namespace}

    buckets = [*(DATA_BUCKETS if "dataLake" in onprem else ()),
               *([FEATURES_BUCKET] if "featureStore" in onprem else ())]
    if tracked and "artifacts" not in buckets:
        buckets.append("artifacts")
    stored_class = _strictest([onprem[c].data_class for c in stored]) if stored else None
    storage = lake = None
    if stored and outposts:
        lake = _outposts_data_lake(args, config, buckets, stored_class)
        # A project reads objects through an access point: its ARN for IAM policies, its alias as a bucket name.
        outputs.update(onPremDataLakeBuckets=lake.bucket_arns, onPremDataLakeAccessPoints={
            purpose: {"arn": lake.access_point_arns[purpose], "alias": lake.access_point_aliases[purpose]}
            for purpose in buckets})
    elif stored:
        storage = ObjectStorage("minio", ObjectStorageArgs(
            namespace=namespace.name,
            registry=site.registry,
            root_password=_secret(config, "minioRootPassword", "the object store's root password"),
            kms_key=_secret(config, "minioKmsKey", "the object store's KMS key, <name>:<base64 of 32 bytes>"),
            buckets=buckets,
            bucket_users={TRACKING_USER: ["artifacts"]} if tracked else {},
            storage_class=site.storage_class,
            production=profile.production,
            retain_volume=profile.deletion_protection,
            data_classification=stored_class,
            labels=labels,
        ), opts=after_namespace)
        outputs["onPremObjectStorageEndpoint"] = pulumi.Output.from_input(storage.endpoint)

    if tracked:
        tracked_class = _strictest([onprem[c].data_class for c in tracked])
        if lake is not None:
            secret_name, secret = _outposts_credentials(config, namespace.name, labels, tracked_class, after_namespace)
            store = dict(
                object_storage_endpoint=None,
                object_storage_credentials_secret=secret_name,
                artifacts_bucket=lake.access_point_aliases["artifacts"],
                object_storage_region=site.outpost_region,
            )
            store_resources = [lake, secret]
        else:
            store = dict(object_storage_endpoint=storage.endpoint,
                         object_storage_credentials_secret=storage.user_secrets[TRACKING_USER])
            store_resources = [storage]
        tracking = TrackingServer("mlflow", TrackingServerArgs(
            namespace=namespace.name,
            registry=site.registry,
            **store,
            backend_store_uri=config.get_secret("trackingBackendUri"),
            size=profile.tracking_server_size,
            production=profile.production,
            storage_class=site.storage_class,
            retain_volume=profile.deletion_protection,
            ingress_class=site.ingress_class,
            ingress_host=config.get("trackingHost"),
            tls_secret=config.get("trackingTlsSecret"),
            data_classification=tracked_class,
            labels=labels,
        ), opts=pulumi.ResourceOptions(provider=on_site.provider, depends_on=[namespace, *store_resources]))
        outputs["onPremTrackingUri"] = pulumi.Output.from_input(tracking.tracking_uri)

    targets = []
    if serving:
        served = OnPremServing("serving", OnPremServingArgs(
            namespace=namespace.name,
            registry=site.registry,
            image_repository=physical_name(name, env_name, "models"),
            models=components.serving.models,
            engine=site.serving,
            instance_count=profile.instance_count,
            max_instance_count=profile.max_instance_count,
            production=profile.production,
            data_classification=onprem["serving"].data_class,
            labels=labels,
        ), opts=after_namespace)
        targets = served.metrics_targets

    if monitoring:
        spec = components.monitoring
        ServingMonitoring("monitoring", ServingMonitoringArgs(
            namespace=namespace.name,
            blueprint=name,
            environment=env_name,
            targets=targets,
            latency_threshold_ms=spec.latency_threshold_ms,
            error_threshold=spec.error_threshold,
            schedule=spec.schedule,
            prometheus_labels=config.get_object("prometheusLabels") or {},
            data_classification=onprem["monitoring"].data_class,
            labels=labels,
        ), opts=after_namespace)
    return outputs


def _outposts_data_lake(args: OnPremPlatformArgs, config: pulumi.Config, buckets: list[str],
                        data_class: str) -> OutpostsDataLake:
    """The site's object store on an Outpost: S3 on Outposts, through a provider in the parent
    region (where the Outpost's control plane is) with the platform's tags."""
    blueprint, site = args.blueprint, args.blueprint.spec.on_prem
    mode = config.get("outpostsEndpoint") or "create"
    if mode not in OUTPOSTS_ENDPOINT_MODES:
        raise pulumi.RunError(f"{CONFIG_NAMESPACE}:outpostsEndpoint is {mode!r} (allowed: "
                              f"{', '.join(OUTPOSTS_ENDPOINT_MODES)})")
    tags = args.aws_tags if args.aws_tags is not None else platform_tags(
        blueprint.spec.tags, blueprint=blueprint.metadata.name, environment=args.environment.name,
        owner=blueprint.metadata.owner)
    provider = aws.Provider(f"aws-outpost-{site.site}", region=site.outpost_region, default_tags={"tags": tags})
    account_id = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=provider)).account_id
    network = site.outpost_network
    return OutpostsDataLake("outposts-data-lake", OutpostsDataLakeArgs(
        blueprint=blueprint.metadata.name,
        environment=args.environment.name,
        outpost_id=site.outpost_id,
        parent_region=site.outpost_region,
        account_id=account_id,
        vpc_id=network.vpc_id,
        subnet_id=network.subnet_id,
        security_group_id=network.security_group_id,
        buckets=buckets,
        create_endpoint=mode == "create",
        partition=site.outpost_partition,
        data_classification=data_class,
        tags=component_tags(tags, component="dataLake", data_classification=data_class),
    ), opts=pulumi.ResourceOptions(provider=provider))


def _outposts_credentials(config: pulumi.Config, namespace: str, labels: dict[str, str], data_class: str,
                          opts: pulumi.ResourceOptions) -> tuple[str, k8s.core.v1.Secret]:
    """The Secret holding the key the tracking server reaches the Outpost's `artifacts` access
    point with, from secret config: the key of an IAM principal the platform team limits to
    that access point (docs/onprem.md). A static key, because pod identities on an EKS local
    cluster depend on its setup, which Qantara does not see."""
    secret_name = f"{TRACKING_USER}-outposts-credentials"
    secret_labels = component_labels(labels, name=TRACKING_USER, instance=secret_name,
                                     component="experiment-tracking", data_classification=data_class)
    secret = opaque_secret(secret_name, metadata(secret_name, namespace, secret_labels), {
        "AWS_ACCESS_KEY_ID": _secret(config, "outpostsAccessKeyId", "the tracking server's key for S3 on Outposts"),
        "AWS_SECRET_ACCESS_KEY": _secret(config, "outpostsSecretAccessKey", "the secret of that key"),
    }, opts)
    return secret_name, secret


def _ingress_namespaces(blueprint: Blueprint, *, serving: bool, monitoring: bool, tracked: bool) -> list[str]:
    """The namespaces whose pods must reach the platform's: Prometheus, the ingress
    controller in front of the tracking server, KServe's activator and gateway."""
    site = blueprint.spec.on_prem
    namespaces = []
    if monitoring:
        namespaces.append(MONITORING_NAMESPACE)
    if tracked and site.ingress_class:
        namespaces.append(INGRESS_NAMESPACE)
    if serving and site.serving == "kserve":
        namespaces.extend(KSERVE_NAMESPACES)
    return namespaces
