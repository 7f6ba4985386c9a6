"""The data class each planned resource may hold.

A resource's own `data-classification` tag wins; else a Qantara component's declared
`dataClassification` (its registered input); else its parent's. Resources with none are
held, by the policies, to the blueprint's highest class.
"""

from __future__ import annotations

from qantara.tagging import DATA_CLASSIFICATION_TAG


def classify_resources(resources: list[dict], classes: list[str]) -> list[dict]:
    """Add `dataClassification` (a class or None) to every resource, in place."""
    by_urn = {r["urn"]: r for r in resources}
    derived: dict[str, str | None] = {}

    def class_of(resource: dict, seen: frozenset = frozenset()) -> str | None:
        urn = resource["urn"]
        if urn in derived:
            return derived[urn]
        inputs = resource.get("inputs") or {}
        tags = inputs.get("tags") if isinstance(inputs.get("tags"), dict) else {}
        own = tags.get(DATA_CLASSIFICATION_TAG) or inputs.get("dataClassification")
        if own in classes:
            result = own
        else:
            parent = by_urn.get(resource.get("parent") or "")
            result = class_of(parent, seen | {urn}) if parent and parent["urn"] not in seen else None
        derived[urn] = result
        return result

    for resource in resources:
        resource["dataClassification"] = class_of(resource)
    return resources
