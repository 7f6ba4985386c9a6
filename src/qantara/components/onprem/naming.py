"""Kubernetes names and labels that respect the API server's limits.

Names are DNS labels (63 characters, lowercase alphanumerics and '-', starting with a
letter so that Services accept them too). Label values are at most 63 characters of
alphanumerics, '-', '_' and '.', starting and ending alphanumeric; anything else (an
owner's e-mail address, say) is rewritten, and the full text goes in an annotation.
"""

from __future__ import annotations

import hashlib
import re

from qantara.tagging import DATA_CLASSIFICATION_TAG

NAME_MAX = 63
LABEL_VALUE_MAX = 63
LABEL_PREFIX = "qantara.dev/"
PART_OF = "qantara"
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                         r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def _shortened(text: str, limit: int, separator: str) -> str:
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{text[: limit - len(digest) - 1].rstrip('-_.')}{separator}{digest}"


def k8s_name(*parts: str) -> str:
    """Parts joined by '-' as a DNS label, shortened with a stable hash when over 63."""
    slug = re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")
    if not slug[:1].isalpha():
        slug = f"q-{slug}"
    return _shortened(slug, NAME_MAX, "-")


def namespace_name(blueprint: str, environment: str) -> str:
    """`<blueprint>-<environment>`: one namespace per platform and environment."""
    return k8s_name(blueprint, environment)


def label_value(text: str) -> str:
    """`text` as a valid label value: other characters become '_', shortened with a hash."""
    value = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("-_.")
    value = _shortened(value, LABEL_VALUE_MAX, "-").strip("-_.")
    assert _LABEL_VALUE.match(value), value
    return value


def is_label_name(key: str) -> bool:
    return bool(_LABEL_NAME.match(key)) and len(key) <= 253 + 1 + 63


def platform_labels(*, blueprint: str, environment: str, owner: str,
                    tags: dict[str, str] | None = None) -> dict[str, str]:
    """The labels every on-prem object carries: the blueprint's tags whose keys are label
    names, then Qantara's own (which win, as in `tagging.platform_tags`)."""
    labels = {key: label_value(value) for key, value in (tags or {}).items() if is_label_name(key)}
    labels.update({
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
        f"{LABEL_PREFIX}blueprint": label_value(blueprint),
        f"{LABEL_PREFIX}environment": label_value(environment),
        f"{LABEL_PREFIX}owner": label_value(owner),
    })
    return labels


def component_labels(base: dict[str, str], *, name: str, instance: str, component: str,
                     data_classification: str) -> dict[str, str]:
    """`base` plus the app.kubernetes.io names of one workload and its data class."""
    return {
        **base,
        "app.kubernetes.io/name": label_value(name),
        "app.kubernetes.io/instance": label_value(instance),
        "app.kubernetes.io/component": label_value(component),
        f"{LABEL_PREFIX}{DATA_CLASSIFICATION_TAG}": data_classification,
    }


def selector_labels(labels: dict[str, str]) -> dict[str, str]:
    """The immutable subset a workload selects its pods by: name and instance only."""
    return {key: labels[key] for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance")}
