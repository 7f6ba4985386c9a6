"""The on-prem side of a platform: what placement put on the site, on its Kubernetes cluster.

`provision_onprem` is called by the platform program (stacks/platform) inside a Pulumi run,
with the resolved platform. It is a loop over the site's target table: on a site of kind
`kubernetes` (`ONPREM_BUILDERS`) the object store is MinIO on the cluster; on a site of kind
`outposts` (`OUTPOSTS_BUILDERS`) the cluster is the EKS local cluster on the Outpost and the
object store is S3 on Outposts, provisioned through an AWS provider in the Outpost's parent
region. The builders live in their components' modules. They read the stack's `qantara:`
config (all optional; the secret ones are needed at `pulumi up` when the object store is
provisioned, and a preview uses placeholders):

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

from collections.abc import Callable

import pulumi
import pulumi_kubernetes as k8s

from qantara.blueprint.models import Blueprint
from qantara.components.onprem.model_serving import build_onprem_serving
from qantara.components.onprem.monitoring import build_serving_monitoring
from qantara.components.onprem.namespace import build_namespace
from qantara.components.onprem.naming import platform_labels
from qantara.components.onprem.object_storage import build_object_storage
from qantara.components.onprem.site import CONFIG_NAMESPACE, serves, stored, tracked
from qantara.components.onprem.tracking_server import build_tracking_server
from qantara.components.outposts_data_lake import build_outposts_data_lake
from qantara.components.scope import Builder, Outputs, PlatformScope, base_tags, platform_identity
from qantara.resolution import ResolvedPlatform

# Kind -> builder per kind of site, in dependency order (a builder reads what rows above built).
ONPREM_BUILDERS: dict[str, Builder] = {
    "namespace": build_namespace,
    "objectStorage": build_object_storage,
    "trackingServer": build_tracking_server,
    "serving": build_onprem_serving,
    "monitoring": build_serving_monitoring,
}
OUTPOSTS_BUILDERS: dict[str, Builder] = {**ONPREM_BUILDERS, "objectStorage": build_outposts_data_lake}
SITE_TARGETS = {"kubernetes": ONPREM_BUILDERS, "outposts": OUTPOSTS_BUILDERS}

# When each row is built: the site's parts by what is placed there.
SITE_PARTS: dict[str, Callable[[ResolvedPlatform], bool]] = {
    "namespace": lambda platform: True,
    "objectStorage": lambda platform: bool(stored(platform)),
    "trackingServer": lambda platform: bool(tracked(platform)),
    "serving": serves,
    "monitoring": lambda platform: "monitoring" in platform.on_site(),
}


def kubernetes_provider(blueprint: Blueprint, config: pulumi.Config) -> k8s.Provider:
    """The provider for the site's cluster: the secret kubeconfig when set, else the ambient one."""
    site = blueprint.spec.on_prem
    return k8s.Provider(
        f"k8s-{site.site}",
        kubeconfig=config.get_secret("kubeconfig"),
        context=site.kube_context,
    )


def _refuse_unplaceable(platform: ResolvedPlatform) -> None:
    site = platform.blueprint.spec.on_prem
    outposts = site is not None and site.kind == "outposts"
    if site is None or site.registry is None or (outposts and stored(platform) and site.outpost_network is None):
        # Placement refuses these blueprints; reaching here means it was bypassed.
        raise pulumi.RunError("on-prem components need spec.onPrem with a registry (and, on an Outpost that "
                              "stores data, outpostNetwork)")


def onprem_scope(platform: ResolvedPlatform, labels: dict[str, str] | None = None,
                 aws_tags: dict[str, str] | None = None) -> PlatformScope:
    """The scope of the site: its cluster's provider, the platform's labels and AWS tags."""
    blueprint, config = platform.blueprint, pulumi.Config(CONFIG_NAMESPACE)
    if labels is None:
        labels = platform_labels(blueprint=platform.name, environment=platform.environment.name,
                                 owner=platform.owner, tags=blueprint.spec.tags)
    provider = kubernetes_provider(blueprint, config)
    return PlatformScope(platform=platform, identity=platform_identity(platform), provider=provider,
                         opts=pulumi.ResourceOptions(provider=provider),
                         base_tags=aws_tags if aws_tags is not None else base_tags(platform),
                         labels=labels, config=config)


def provision_onprem(platform: ResolvedPlatform, labels: dict[str, str] | None = None,
                     aws_tags: dict[str, str] | None = None) -> Outputs:
    """Provision the components placement put on-prem; return the stack outputs to export.
    `labels` go on every object (default: the blueprint's, naming.platform_labels); `aws_tags`
    on every AWS resource on an Outpost (default: the blueprint's, as the platform program passes)."""
    if not platform.on_site():
        return {}
    _refuse_unplaceable(platform)
    scope = onprem_scope(platform, labels, aws_tags)
    outputs: Outputs = {}
    for kind, build in SITE_TARGETS[platform.blueprint.spec.on_prem.kind].items():
        if SITE_PARTS[kind](platform):
            outputs.update(build(scope, platform.components.get(kind)))
    return outputs
