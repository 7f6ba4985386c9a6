"""The tags every platform resource carries: vocabulary shared by composition (which sets
them) and the plan (which reads the data class back), so it sits in the core."""

from __future__ import annotations

from collections.abc import Mapping

DATA_CLASSIFICATION_TAG = "data-classification"


def platform_tags(blueprint_tags: Mapping[str, str], *, blueprint: str, environment: str, owner: str) -> dict[str, str]:
    """Blueprint tags plus the four Qantara sets; Qantara's win so they cannot be spoofed."""
    return {
        **dict(blueprint_tags),
        "environment": environment,
        "owner": owner,
        "qantara-blueprint": blueprint,
    }


def component_tags(base: Mapping[str, str], *, component: str, data_classification: str) -> dict[str, str]:
    return {**dict(base), "qantara-component": component, DATA_CLASSIFICATION_TAG: data_classification}
