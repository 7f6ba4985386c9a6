"""Regenerate policies/data/aws_regions.json from the installed botocore's endpoints.json
and partitions.json and policies/data/aws_region_facts.yaml (`make catalog`).

    python scripts/generate_catalog.py           write the catalog
    python scripts/generate_catalog.py --check   exit 1 if the catalog on disk is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from qantara.errors import CatalogError
from qantara.sovereignty.region_catalog import (
    build_region_catalog,
    installed_botocore_endpoints,
    installed_botocore_partitions,
    render_catalog,
)

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "policies" / "data" / "aws_region_facts.yaml"
CATALOG = ROOT / "policies" / "data" / "aws_regions.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the catalog on disk is stale")
    args = parser.parse_args(argv)

    endpoints, version = installed_botocore_endpoints()
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    try:
        text = render_catalog(build_region_catalog(endpoints, facts, version, installed_botocore_partitions()))
    except CatalogError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1

    relative = CATALOG.relative_to(ROOT)
    if args.check:
        if not CATALOG.exists() or CATALOG.read_text(encoding="utf-8") != text:
            print(f"{relative} is stale for botocore {version}: run `make catalog`", file=sys.stderr)
            return 1
        print(f"{relative} is up to date (botocore {version})")
        return 0

    CATALOG.write_text(text, encoding="utf-8")
    print(f"wrote {relative} (botocore {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
