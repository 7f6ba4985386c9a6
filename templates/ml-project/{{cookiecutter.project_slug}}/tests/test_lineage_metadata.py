"""A run's lineage fits the model package's metadata that SageMaker accepts, and names the data exactly."""

from __future__ import annotations

import hashlib
import re

from {{ cookiecutter.project_slug }}.lineage_metadata import (
    ABSENT,
    DATA_ENTRIES,
    MAX_ENTRIES,
    customer_metadata_properties,
    json_name,
    package_metadata_keys,
    package_property_file,
)

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


# The property file the SageMaker pipeline's RegisterModel step reads, one JsonGet per key: a key
# missing from it would fail the pipeline execution, so every run writes every key.
def within_limits(written: dict[str, str]) -> None:
    for key, value in written.items():
        assert 1 <= len(value) <= 256 and AWS_TEXT.match(value), (key, value)


def test_the_property_file_has_every_fixed_key_whatever_the_run_read():
    expected = {json_name(key) for key in package_metadata_keys()}
    assert len(package_metadata_keys()) <= MAX_ENTRIES
    for run in (record(data=0), record(data=1), record(data=DATA_ENTRIES + 30), {}, {"dataRead": "not a list"}):
        written = package_property_file(run)
        assert set(written) == expected
        within_limits(written)


def test_a_field_the_run_lacks_is_the_placeholder_and_a_real_placeholder_value_is_not():
    run = record(data=1, why=ABSENT)
    del run["runtime"]["imageDigest"]
    written = package_property_file(run)
    assert written["qantara_imageDigest"] == ABSENT
    assert written["qantara_data_1_uri"] == ABSENT  # one data entry read: the second is absent
    assert written["qantara_why"] == "sha256:" + hashlib.sha256(ABSENT.encode()).hexdigest()


def test_more_data_than_the_file_lists_is_still_named_by_count_and_digest():
    many = record(data=DATA_ENTRIES + 5)
    written = package_property_file(many)
    assert written["qantara_data_count"] == str(DATA_ENTRIES + 5)
    assert written["qantara_data_digest"] == hashlib.sha256(
        "\n".join(d["sha256"] for d in many["dataRead"]).encode()).hexdigest()
    assert written[f"qantara_data_{DATA_ENTRIES - 1}_versionId"] == f"v{DATA_ENTRIES - 1}.3Lp"


def test_a_value_that_does_not_fit_the_property_file_is_its_digest():
    written = package_property_file(record(why="Ünïcode\n" * 100))
    assert written["qantara_why"] == "sha256:" + hashlib.sha256(("Ünïcode\n" * 100).encode()).hexdigest()
