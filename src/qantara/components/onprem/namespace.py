"""PlatformNamespace: the namespace a platform environment's on-prem workloads live in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from qantara.components.base import QantaraComponent
from qantara.components.identity import StackIdentity
from qantara.components.onprem import sizing
from qantara.components.onprem.naming import component_labels, namespace_name
from qantara.components.onprem.site import serves, stored, tracked
from qantara.resolution import ResolvedPlatform

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:onprem_namespace:PlatformNamespace"
POD_SECURITY_LEVEL = "restricted"
KUBE_SYSTEM = "kube-system"
# Set by the API server on every namespace since Kubernetes 1.22: selects a namespace by name.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass
class PlatformNamespaceArgs:
    # The namespace is `<blueprint>-<env>`; a site's identity has no region or account.
    identity: StackIdentity
    # Production namespaces get the larger quota and container ceiling (sizing.py).
    production: bool
    labels: dict[str, str] = field(default_factory=dict)
    data_classification: str = "restricted"
    # Namespaces whose pods may open connections to this one: Prometheus, the ingress
    # controller, KServe's gateway. Everything else from outside is refused.
    ingress_from_namespaces: list[str] = field(default_factory=list)
    # Address ranges outside the cluster the namespace's pods may reach over HTTPS: on an
    # Outposts site, the subnet of the S3 on Outposts endpoint the data lake is reached through.
    https_egress_cidrs: list[str] = field(default_factory=list)


def pod_security_labels(level: str = POD_SECURITY_LEVEL) -> dict[str, str]:
    """Pod Security admission: refuse (enforce), log (audit) and warn about pods below `level`."""
    labels = {}
    for mode in ("enforce", "audit", "warn"):
        labels[f"pod-security.kubernetes.io/{mode}"] = level
        labels[f"pod-security.kubernetes.io/{mode}-version"] = "latest"
    return labels


class PlatformNamespace(QantaraComponent):
    """`<blueprint>-<env>` with Pod Security `restricted` enforced, a default-deny network,
    and a quota and container limits sized for production or not.

    The network denies all ingress and egress, then allows DNS to kube-system, traffic
    between the namespace's own pods, ingress from the namespaces named in the args and HTTPS
    to the address ranges named there (an Outpost's object store). Nothing in the namespace
    can reach the internet or another namespace's workloads.
    """

    name: str
    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: PlatformNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name, self._args = name, args
        self.name = namespace_name(args.identity.blueprint, args.identity.environment)
        self.labels = component_labels(args.labels, name="platform-namespace", instance=name, component="namespace",
                                       data_classification=args.data_classification)
        self.resource = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=self.name, labels={**self.labels, **pod_security_labels()}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.namespace = self.resource.metadata.name
        self.network_policies = self._network_policies()
        self.quota = self._quota()
        self.limit_range = self._limit_range()
        self.register_outputs({"namespace": self.namespace})

    def _metadata(self, object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=self.name, labels=self.labels)

    def _in_namespace(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, depends_on=[self.resource])

    def _policy(self, suffix: str, spec: k8s.networking.v1.NetworkPolicySpecArgs) -> k8s.networking.v1.NetworkPolicy:
        return k8s.networking.v1.NetworkPolicy(
            f"{self._name}-{suffix}", metadata=self._metadata(suffix), spec=spec, opts=self._in_namespace())

    def _network_policies(self) -> list[k8s.networking.v1.NetworkPolicy]:
        every_pod = k8s.meta.v1.LabelSelectorArgs()
        same_namespace = k8s.networking.v1.NetworkPolicyPeerArgs(pod_selector=every_pod)
        policies = [
            # Both policy types and no rules: nothing in, nothing out, until a policy below allows it.
            self._policy("default-deny", k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=every_pod, policy_types=["Ingress", "Egress"])),
            self._policy("allow-dns", k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=every_pod,
                policy_types=["Egress"],
                egress=[k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[k8s.networking.v1.NetworkPolicyPeerArgs(namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                        match_labels={NAMESPACE_NAME_LABEL: KUBE_SYSTEM}))],
                    ports=[k8s.networking.v1.NetworkPolicyPortArgs(protocol=p, port=53) for p in ("UDP", "TCP")],
                )],
            )),
            self._policy("allow-same-namespace", k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=every_pod,
                policy_types=["Ingress", "Egress"],
                ingress=[k8s.networking.v1.NetworkPolicyIngressRuleArgs(from_=[same_namespace])],
                egress=[k8s.networking.v1.NetworkPolicyEgressRuleArgs(to=[same_namespace])],
            )),
        ]
        if self._args.ingress_from_namespaces:
            policies.append(self._policy("allow-ingress-from-platform-services", k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=every_pod,
                policy_types=["Ingress"],
                ingress=[k8s.networking.v1.NetworkPolicyIngressRuleArgs(from_=[
                    k8s.networking.v1.NetworkPolicyPeerArgs(namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                        match_labels={NAMESPACE_NAME_LABEL: namespace}))
                    for namespace in sorted(set(self._args.ingress_from_namespaces))
                ])],
            )))
        if self._args.https_egress_cidrs:
            policies.append(self._policy("allow-https-to-object-store", k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=every_pod,
                policy_types=["Egress"],
                egress=[k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[k8s.networking.v1.NetworkPolicyPeerArgs(ip_block=k8s.networking.v1.IPBlockArgs(cidr=cidr))
                        for cidr in sorted(set(self._args.https_egress_cidrs))],
                    ports=[k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=443)],
                )],
            )))
        return policies

    def _quota(self) -> k8s.core.v1.ResourceQuota:
        return k8s.core.v1.ResourceQuota(
            f"{self._name}-quota",
            metadata=self._metadata("platform-quota"),
            spec=k8s.core.v1.ResourceQuotaSpecArgs(hard=sizing.QUOTA[self._args.production]),
            opts=self._in_namespace(),
        )

    def _limit_range(self) -> k8s.core.v1.LimitRange:
        # A container without requests or limits (a sidecar an operator injects) gets the
        # defaults, so the quota can account for it; none may exceed the ceiling.
        default = sizing.CONTAINER_DEFAULT
        return k8s.core.v1.LimitRange(
            f"{self._name}-limits",
            metadata=self._metadata("container-limits"),
            spec=k8s.core.v1.LimitRangeSpecArgs(limits=[k8s.core.v1.LimitRangeItemArgs(
                type="Container",
                default={"cpu": default.cpu_limit, "memory": default.memory_limit},
                default_request={"cpu": default.cpu_request, "memory": default.memory_request},
                max=sizing.CONTAINER_MAX[self._args.production],
            )]),
            opts=self._in_namespace(),
        )


MONITORING_NAMESPACE = "monitoring"
INGRESS_NAMESPACE = "ingress-nginx"
KSERVE_NAMESPACES = ("knative-serving", "istio-system")


def ingress_namespaces(platform: ResolvedPlatform) -> list[str]:
    """The namespaces whose pods must reach the platform's: Prometheus, the ingress
    controller in front of the tracking server, KServe's activator and gateway."""
    site = platform.blueprint.spec.on_prem
    namespaces = []
    if "monitoring" in platform.on_site():
        namespaces.append(MONITORING_NAMESPACE)
    if tracked(platform) and site.ingress_class:
        namespaces.append(INGRESS_NAMESPACE)
    if serves(platform) and site.serving == "kserve":
        namespaces.extend(KSERVE_NAMESPACES)
    return namespaces


def build_namespace(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """The platform's namespace on the site's cluster, at the class of the strictest component there."""
    platform, site = scope.platform, scope.platform.blueprint.spec.on_prem
    outposts_store = site.kind == "outposts" and bool(stored(platform))
    namespace = PlatformNamespace("onprem-namespace", PlatformNamespaceArgs(
        identity=scope.identity,
        production=scope.profile.production,
        labels=scope.labels,
        data_classification=platform.strictest_class(platform.on_site()),
        ingress_from_namespaces=scope.config.get_object("ingressFromNamespaces") or ingress_namespaces(platform),
        https_egress_cidrs=[site.outpost_network.subnet_cidr] if outposts_store else [],
    ), opts=scope.opts)
    scope.built.update(namespace=namespace, afterNamespace=pulumi.ResourceOptions(
        provider=scope.provider, depends_on=[namespace]))
    return {"onPremNamespace": namespace.namespace}
