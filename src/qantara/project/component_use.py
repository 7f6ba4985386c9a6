"""Which platform components a project uses, and the highest class it may declare there.

The rule is the table `policies/data/project_components.yaml`, which the project policies
apply too (QA-PRJ-010 and QA-PRJ-002): this module reads the same rows, so the class
`qantara new` offers and the class `qantara check --project` accepts cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from qantara.catalog import load_catalog
from qantara.vocabulary import classifications


def used_rows(serving: str, has_datasets: bool, catalog: Mapping | None = None) -> list[dict]:
    """The table's rows that apply to a project serving `serving`, with or without datasets."""
    catalog = catalog if catalog is not None else load_catalog()
    rows = []
    for row in catalog["project_components"]["uses"]:
        if isinstance(row.get("serving"), list) and serving not in row["serving"]:
            continue
        if row.get("datasets") is True and not has_datasets:
            continue
        rows.append(row)
    return rows


def classification_limit(platform, serving: str, *, has_datasets: bool = True,
                         catalog: Mapping | None = None) -> tuple[str, str]:
    """The highest class a project may declare, and what sets it: the lowest class among the
    platform's and those of the enabled components the project's data reaches. A dataset row
    (`holds: datasets`) counts for a project whose datasets are of its own class, as the
    template writes them; a disabled component is QA-PRJ-010's finding, not a class."""
    order = classifications()
    enabled = platform.enabled_components()
    limit, decided_by = platform.spec.data_classification, "the platform"
    for row in used_rows(serving, has_datasets, catalog):
        name = row["component"]
        if name in enabled and order.index(platform.component_class(name)) < order.index(limit):
            limit, decided_by = platform.component_class(name), f"component {name}"
    return limit, decided_by
