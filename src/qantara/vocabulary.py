"""Qantara's shared words, read from the catalog files the policies read (`policies/data/`).

Data classes, maturity stages, transfer mechanisms and enforcement levels are written once,
in the catalog, where Rego reads them as `data.catalog.<file>`; Python reads the same files
here instead of repeating the lists, so the schema, the policies and the messages cannot
drift apart. Only these small files are read (not the whole catalog): the blueprint models
import this module, and every process that loads a blueprint pays for it.
"""

from __future__ import annotations

from functools import cache, lru_cache

import yaml

from qantara.errors import CatalogError
from qantara.paths import catalog_dir

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _catalog_file(stem: str) -> dict:
    path = catalog_dir() / f"{stem}.yaml"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except (OSError, yaml.YAMLError) as error:
        raise CatalogError(f"{path}: cannot read catalog file: {error}") from error
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a mapping at the top")
    return data


def _words(stem: str, key: str, values: object) -> tuple[str, ...]:
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise CatalogError(f"{catalog_dir() / stem}.yaml: {key} must be a non-empty list of names")
    return tuple(values)


@lru_cache(maxsize=1)
def classifications() -> tuple[str, ...]:
    """Data classes, least sensitive first (jurisdictions.yaml `classifications`)."""
    return _words("jurisdictions", "classifications", _catalog_file("jurisdictions").get("classifications"))


@lru_cache(maxsize=1)
def transfer_mechanisms() -> tuple[str, ...]:
    """Bases a transfer out of a jurisdiction may name (jurisdictions.yaml `transferMechanisms`)."""
    return _words("jurisdictions", "transferMechanisms", _catalog_file("jurisdictions").get("transferMechanisms"))


@lru_cache(maxsize=1)
def maturity_stages() -> tuple[str, ...]:
    """Maturity stages, least mature first (maturity_stages.yaml `stages[].name`)."""
    stages = _catalog_file("maturity_stages").get("stages")
    names = [s.get("name") for s in stages] if isinstance(stages, list) and all(isinstance(s, dict) for s in stages) else None
    return _words("maturity_stages", "stages[].name", names)


@lru_cache(maxsize=1)
def enforcement_levels() -> tuple[str, ...]:
    """How an environment enforces findings, least strict first (enforcement_levels.yaml `levels`)."""
    return _words("enforcement_levels", "levels", _catalog_file("enforcement_levels").get("levels"))
