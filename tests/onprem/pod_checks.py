"""What every on-prem pod and object must satisfy, as lists of problems (empty when fine).

Written against the plan's inputs directly, independently of the Rego policies, so the
two can be compared rather than one trusted.
"""

from __future__ import annotations

import re

WORKLOAD_TYPES = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job",
                  "kubernetes:serving.kserve.io/v1beta1:InferenceService")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                   "app.kubernetes.io/part-of", "qantara.dev/environment", "qantara.dev/data-classification",
                   "qantara.dev/owner", "qantara.dev/blueprint")


def values(resources):
    return list(resources.values()) if isinstance(resources, dict) else list(resources)


def of_type(resources, type_token: str) -> list[dict]:
    return [r for r in values(resources) if r["type"] == type_token]


def workloads(resources) -> list[dict]:
    return [r for r in values(resources) if r["type"] in WORKLOAD_TYPES]


def pod_specs(resource: dict) -> list[dict]:
    """The pod specs a workload declares (a KServe predictor is one)."""
    spec = resource["inputs"].get("spec", {})
    if resource["type"].endswith(":InferenceService"):
        return [spec["predictor"]]
    return [spec["template"]["spec"]]


def containers(pod: dict) -> list[dict]:
    return [*pod.get("containers", []), *pod.get("initContainers", [])]


def hardening_problems(resources, registry: str) -> list[str]:
    problems = []
    for resource in workloads(resources):
        for pod in pod_specs(resource):
            where = f"{resource['type']} {resource['name']}"
            pod_context = pod.get("securityContext", {})
            for key in ("hostNetwork", "hostPID", "hostIPC"):
                if pod.get(key):
                    problems.append(f"{where}: {key}")
            if pod_context.get("runAsNonRoot") is not True or not pod_context.get("runAsUser"):
                problems.append(f"{where}: pod may run as root")
            if pod_context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
                problems.append(f"{where}: pod seccomp profile is not RuntimeDefault")
            if pod.get("automountServiceAccountToken") is not False:
                problems.append(f"{where}: service-account token mounted")
            for container in containers(pod):
                name = f"{where} container {container['name']}"
                context = container.get("securityContext", {})
                if context.get("privileged") is not False or context.get("allowPrivilegeEscalation") is not False:
                    problems.append(f"{name}: may be or become privileged")
                if context.get("capabilities", {}).get("drop") != ["ALL"]:
                    problems.append(f"{name}: keeps capabilities")
                if context.get("readOnlyRootFilesystem") is not True:
                    problems.append(f"{name}: writable root filesystem")
                if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
                    problems.append(f"{name}: seccomp profile is not RuntimeDefault")
                limits = container.get("resources", {}).get("limits", {})
                if not (limits.get("cpu") and limits.get("memory")):
                    problems.append(f"{name}: no cpu and memory limits")
                image = container.get("image", "")
                if not image.startswith(f"{registry}/") or image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1]:
                    problems.append(f"{name}: image {image} is not a pinned image of {registry}")
    return problems


def label_problems(resources) -> list[str]:
    """Every Kubernetes object of ours carries the required labels, each a valid label value."""
    problems = []
    for resource in values(resources):
        if not resource["type"].startswith("kubernetes:"):
            continue
        labels = resource["inputs"].get("metadata", {}).get("labels", {})
        where = f"{resource['type']} {resource['name']}"
        problems += [f"{where}: no label {key}" for key in REQUIRED_LABELS if key not in labels]
        problems += [f"{where}: label {key}={value!r} is not a valid label value"
                     for key, value in labels.items() if len(value) > 63 or not LABEL_VALUE.match(value)]
    return problems
