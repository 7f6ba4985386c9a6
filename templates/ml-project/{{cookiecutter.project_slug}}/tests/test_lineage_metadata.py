"""A run's lineage fits the model package's metadata that SageMaker accepts, and names the data exactly."""

from __future__ import annotations

import hashlib
import re

from {{ cookiecutter.project_slug }}.lineage_metadata import MAX_ENTRIES, customer_metadata_properties

# botocore's CustomerMetadataKey/Value patterns, ASCII part.
AWS_TEXT = re.compile(r"^[A-Za-z0-9_ .:/=+\-@]+$")


def record(data: int = 1, **extra) -> dict:
    return {"run": "20261206T101500Z-ab12cd", "startedBy": "analyst-a", "reason": "drift",
            "why": "drift alarm on x1, 0.31 > 0.2", "code": {"commit": "3f2c1e0" * 5 + "ab", "dirty": False},
            "runtime": {"engine": "sagemaker", "executionId": "arn:aws:sagemaker:me-central-1:111122223333:"
                        "pipeline/risk/execution/7b2c", "imageDigest": "111122223333.dkr.ecr.me-central-1."
                        "amazonaws.com/risk@sha256:" + "c" * 64},
            "model": {"modelVersion": "aaaaaaaaaaaa", "modelSha256": "a" * 64},
            "dataRead": [{"path": f"/opt/ml/processing/input/part-{i}.csv", "sha256": f"{i:064x}",
                          "uri": f"s3://platform-curated/risk/training/part-{i}.csv", "versionId": f"v{i}.3Lp"}
                         for i in range(data)], **extra}


def test_every_key_and_value_is_within_what_sagemaker_accepts():
    properties = customer_metadata_properties(record(data=40, why="Ünïcode, newlines\nand [brackets] " * 20))
    assert 0 < len(properties) <= MAX_ENTRIES
    for key, value in properties.items():
        assert 1 <= len(key) <= 128 and AWS_TEXT.match(key), key
        assert 1 <= len(value) <= 256 and AWS_TEXT.match(value), (key, value)


def test_the_data_versions_and_hashes_are_named_exactly():
    properties = customer_metadata_properties(record(data=2))
    assert properties["qantara:data:1:sha256"] == f"{1:064x}"
    assert properties["qantara:data:1:versionId"] == "v1.3Lp"
    assert properties["qantara:data:0:uri"] == "s3://platform-curated/risk/training/part-0.csv"
    assert properties["qantara:imageDigest"].endswith("@sha256:" + "c" * 64)
    assert properties["qantara:executionId"].endswith("execution/7b2c")


def test_a_value_that_does_not_fit_is_replaced_by_its_digest_never_cut():
    why = "x" * 300
    assert customer_metadata_properties(record(why=why))["qantara:why"] == \
        "sha256:" + hashlib.sha256(why.encode()).hexdigest()


def test_more_data_than_the_map_holds_is_still_named_by_one_digest():
    many = record(data=60)
    properties = customer_metadata_properties(many)
    assert properties["qantara:data:count"] == "60"
    assert properties["qantara:data:digest"] == hashlib.sha256(
        "\n".join(d["sha256"] for d in many["dataRead"]).encode()).hexdigest()
