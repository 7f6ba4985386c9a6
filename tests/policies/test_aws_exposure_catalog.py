"""aws_exposure.yaml names real pulumi-aws types and properties, and every row has a source.

A row whose type token or property pulumi-aws does not have would never match a plan: a
door left open without anyone noticing. The installed pulumi_aws package is the ground
truth: each type token appears in the module that defines the resource, and each property
(camelCase in the plan) is an argument (snake_case) of its class.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pulumi_aws
import pytest

from qantara.catalog import load_catalog

CATALOG = load_catalog()["aws_exposure"]
PACKAGE = Path(pulumi_aws.__file__).parent
ROW_TABLES = ("resourcePolicies", "grants", "publicFlags", "subnetRequired")


def _rows():
    for table in ROW_TABLES:
        for index, row in enumerate(CATALOG[table]):
            yield pytest.param(table, row, id=f"{table}[{index}]:{row['type']}:{row.get('property')}")


ROWS = list(_rows())


@cache
def module_source(type_token: str) -> str:
    """The source of the pulumi_aws module that registers `type_token`."""
    module = type_token.split(":")[1].split("/")[0]
    folder = PACKAGE / ("lambda_" if module == "lambda" else module)
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if f"'{type_token}'" in text or f'"{type_token}"' in text:
            return text
    raise AssertionError(f"pulumi_aws has no resource {type_token}")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize(("table", "row"), ROWS)
def test_every_row_names_a_real_type_and_property(table, row):
    source = module_source(row["type"])
    path = row.get("property")
    if row.get("always"):
        return
    first = path[0] if isinstance(path, list) else path
    assert re.search(rf"\b{snake(first)}: ", source), f"{row['type']} has no argument {snake(first)}"


@pytest.mark.parametrize(("table", "row"), ROWS)
def test_every_row_says_where_its_fact_comes_from(table, row):
    assert str(row.get("source", "")).startswith("https://"), row


def test_the_catalog_says_when_it_was_checked():
    assert CATALOG["checked"] == "2026-12-06"
