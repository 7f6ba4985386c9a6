"""Which EKS cluster a Kubernetes provider talks to, as far as a plan can tell.

A provider built from an EKS cluster of the plan depends on it through its `kubeconfig`
(directly, or through a component such as `eks:index:Cluster` that holds it); a kubeconfig,
context or cluster name may also name an EKS cluster by its ARN or its API server's host.
Kubernetes objects are then where that cluster is (`qantara.plan.location`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qantara.plan.document import SECRET, UNKNOWN

EKS_CLUSTER = "aws:eks/cluster:Cluster"
# The ARN (contexts, `aws eks get-token --cluster-name`) or the API host of an EKS cluster.
_EKS_NAMED = re.compile(r"arn:aws[a-z-]*:eks:(?P<arn>[a-z0-9-]+):\d{12}:cluster/"
                        r"|\.(?P<host>[a-z]{2}(?:-[a-z]+)+-\d+)\.eks\.amazonaws\.com")
MAX_DEPTH = 8


def eks_region_named(inputs: dict) -> str | None:
    """The region of an EKS cluster a provider's kubeconfig, context or cluster names."""
    for key in ("kubeconfig", "context", "cluster"):
        value = inputs.get(key)
        match = _EKS_NAMED.search(value) if isinstance(value, str) and value not in (SECRET, UNKNOWN) else None
        if match:
            return match["arn"] or match["host"]
    return None


class EksClusters:
    """Finds the EKS cluster of the plan a Kubernetes provider's kubeconfig comes from."""

    def __init__(self, resources: Iterable[dict]):
        self.by_urn = {r["urn"]: r for r in resources}
        self.children: dict[str, list[dict]] | None = None

    def source_of(self, provider: dict) -> dict | None:
        sources = (provider.get("propertyDependencies") or {}).get("kubeconfig", []) + (provider.get("dependencies") or [])
        for urn in sources:
            found = self._under(self.by_urn.get(urn), 0)
            if found is not None:
                return found
        return None

    def _under(self, resource: dict | None, depth: int) -> dict | None:
        """The EKS cluster that is `resource` or a child of it (a component's)."""
        if resource is None or depth > MAX_DEPTH:
            return None
        if resource["type"] == EKS_CLUSTER:
            return resource
        if resource.get("custom", True):
            return None
        if self.children is None:
            self.children = {}
            for r in self.by_urn.values():
                self.children.setdefault(r.get("parent") or "", []).append(r)
        for child in self.children.get(resource["urn"], []):
            found = self._under(child, depth + 1)
            if found is not None:
                return found
        return None
