"""The sovereignty catalog (`policies/data/`), loaded once for Python and Rego alike.

Every file in the catalog directory becomes one key of the catalog, named after the file's
stem: `aws_regions.json` is `catalog["aws_regions"]` in Python and
`data.catalog.aws_regions` in Rego. Nothing here interprets the rules: residency
decisions are made by the Rego library `qantara.lib.residency`, so Python and policies
can never disagree.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import yaml

from qantara.errors import CatalogError
from qantara.paths import catalog_dir

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def load_catalog(directory: Path | None = None) -> dict:
    """Read every `.json` and `.yaml` file of the catalog directory."""
    directory = directory or catalog_dir()
    if not directory.is_dir():
        raise CatalogError(f"{directory}: the catalog directory is missing; set QANTARA_HOME to a Qantara checkout")
    catalog: dict = {}
    for path in sorted(directory.iterdir()):
        if path.suffix not in (".json", ".yaml", ".yml"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
            # The catalog is our own, reviewed data: a safe load is enough (libyaml's when present).
            catalog[path.stem] = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_SAFE_LOADER)
        except (OSError, ValueError, yaml.YAMLError) as error:
            raise CatalogError(f"{path}: cannot read catalog file: {error}") from error
    for required in ("aws_regions", "jurisdictions"):
        if required not in catalog:
            raise CatalogError(f"{directory}: catalog file {required}.* is missing")
    return catalog


def regions(catalog: dict) -> dict:
    """AWS regions by code."""
    return catalog["aws_regions"]["regions"]



def jurisdiction_codes(catalog: dict) -> list[str]:
    """Every jurisdiction and zone code the catalog knows, e.g. AE, AE-DIFC, EU."""
    codes = []
    for code, jurisdiction in catalog["jurisdictions"]["jurisdictions"].items():
        codes.append(code)
        codes.extend((jurisdiction.get("zones") or {}).keys())
    return sorted(codes)


def sector_names(catalog: dict) -> list[str]:
    return sorted(catalog["jurisdictions"]["sectors"].keys())
