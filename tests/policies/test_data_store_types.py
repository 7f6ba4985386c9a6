"""QA-RES-019 wants a trail in every plan that holds a data store (aws_data_services.yaml
dataStoreTypes). A store missing from that list is silently judged to need none, so every row
must be a real pulumi_aws resource with a source saying it holds data, and the stores an attacker
would reach for first must be on it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pulumi_aws
import pytest

from qantara.catalog import load_catalog

CATALOG = load_catalog()
SERVICES = CATALOG["aws_data_services"]
STORES = SERVICES["dataStoreTypes"]
AT_REST = CATALOG["aws_encryption_at_rest"]["types"]
PACKAGE = Path(pulumi_aws.__file__).parent


@cache
def registered(type_token: str) -> bool:
    module = type_token.split(":")[1].split("/")[0]
    folder = PACKAGE / ("lambda_" if module == "lambda" else module)
    return any(f'"{type_token}"' in p.read_text(encoding="utf-8") or f"'{type_token}'" in p.read_text(encoding="utf-8")
               for p in folder.glob("*.py"))


@pytest.mark.parametrize("type_token", STORES)
def test_every_store_is_a_resource_pulumi_aws_registers(type_token):
    assert registered(type_token), type_token


@pytest.mark.parametrize("type_token", STORES)
def test_every_store_has_a_source_saying_it_holds_data(type_token):
    covered = {row["type"] for row in SERVICES["platformTrailCoveredTypes"]}
    assert type_token in AT_REST or type_token in SERVICES.get("dataStoreSources", {}) or type_token in covered, type_token


def test_no_store_is_listed_twice():
    assert len(STORES) == len(set(STORES))


@pytest.mark.parametrize("type_token", [
    "aws:docdb/cluster:Cluster", "aws:neptune/cluster:Cluster", "aws:opensearch/domain:Domain",
    "aws:elasticache/replicationGroup:ReplicationGroup", "aws:kinesis/stream:Stream", "aws:ebs/volume:Volume",
    "aws:s3/directoryBucket:DirectoryBucket", "aws:s3tables/tableBucket:TableBucket", "aws:backup/vault:Vault",
    "aws:fsx/lustreFileSystem:LustreFileSystem", "aws:redshiftserverless/namespace:Namespace",
    "aws:sagemaker/notebookInstance:NotebookInstance",
])
def test_the_stores_an_attacker_would_reach_for_need_a_trail(type_token):
    assert type_token in STORES


def test_every_database_file_system_and_bucket_kind_at_rest_is_a_store():
    # The families whose every resource holding data at rest is a store; a new row of the
    # encryption table in one of them (a new engine) must be added here too. Snapshots, copies,
    # exports and global wrappers are judged on the stores they copy or group.
    families = ("docdb", "neptune", "neptunegraph", "dsql", "redshiftserverless", "dax", "keyspaces", "qldb",
                "timestreamwrite", "memorydb", "elasticache", "opensearch", "elasticsearch", "fsx", "efs", "s3tables", "msk")
    derived = ("snapshot", "Snapshot", "global", "Global", "Copy", "Export", "Replication", "Integration", "ActivityStream")
    missing = [t for t in AT_REST
               if t.split(":")[1].split("/")[0] in families and not any(d in t.split(":")[2] or d in t.split("/")[1] for d in derived)
               and t not in STORES]
    assert not missing, missing
