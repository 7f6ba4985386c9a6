"""The AWS region catalog: generated from botocore, never stale, honest about what it
does not know."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from qantara.errors import CatalogError
from qantara.sovereignty.region_catalog import (
    build_region_catalog,
    installed_botocore_endpoints,
    installed_botocore_partitions,
    render_catalog,
)

DATA = Path(__file__).resolve().parents[2] / "policies" / "data"


@pytest.fixture(scope="module")
def facts() -> dict:
    return yaml.safe_load((DATA / "aws_region_facts.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def botocore_data() -> tuple[dict, str]:
    return installed_botocore_endpoints()


@pytest.fixture(scope="module")
def partitions() -> dict:
    return installed_botocore_partitions()


@pytest.fixture(scope="module")
def catalog() -> dict:
    return json.loads((DATA / "aws_regions.json").read_text(encoding="utf-8"))


def test_catalog_on_disk_matches_what_the_generator_builds(facts, botocore_data, partitions):
    endpoints, version = botocore_data
    expected = render_catalog(build_region_catalog(endpoints, facts, version, partitions))
    on_disk = (DATA / "aws_regions.json").read_text(encoding="utf-8")
    assert on_disk == expected, (
        f"policies/data/aws_regions.json is stale for botocore {version}: run `make catalog`"
    )


def test_catalog_covers_every_botocore_region_of_every_partition(catalog, botocore_data, partitions):
    endpoints, _ = botocore_data
    botocore_regions = {
        code: partition["partition"]
        for partition in endpoints["partitions"]
        for code in partition["regions"]
    }
    # partitions.json names regions endpoints.json does not list yet (pseudo-regions such as
    # aws-global do not match their partition's region pattern).
    for partition in partitions["partitions"]:
        for code in partition["regions"]:
            if code not in botocore_regions and re.match(partition["regionRegex"], code):
                botocore_regions[code] = partition["id"]
    assert {code: r["partition"] for code, r in catalog["regions"].items()} == botocore_regions


def test_region_missing_from_the_overlay_fails_the_build_naming_it(facts, botocore_data, partitions):
    endpoints, version = botocore_data
    facts = copy.deepcopy(facts)
    del facts["regions"]["me-central-1"]
    with pytest.raises(CatalogError) as raised:
        build_region_catalog(endpoints, facts, version, partitions)
    assert "me-central-1" in raised.value.message
    assert "policies/data/aws_region_facts.yaml" in raised.value.message


def test_overlay_region_unknown_to_botocore_fails_the_build(facts, botocore_data, partitions):
    endpoints, version = botocore_data
    facts = copy.deepcopy(facts)
    facts["regions"]["me-west-9"] = {"city": None, "country": "SA", "optIn": True}
    with pytest.raises(CatalogError, match="me-west-9"):
        build_region_catalog(endpoints, facts, version, partitions)


def test_a_partition_region_missing_from_the_overlay_fails_the_build_naming_it(facts, botocore_data, partitions):
    endpoints, version = botocore_data
    facts = copy.deepcopy(facts)
    del facts["regions"]["me-west-1"]
    with pytest.raises(CatalogError, match="me-west-1 \\(aws: Middle East \\(Saudi Arabia\\)\\)"):
        build_region_catalog(endpoints, facts, version, partitions)


def test_uncertain_extra_services_are_uncertain_in_every_region(catalog):
    for service in ("sagemaker-mlflow", "s3-object-lock"):
        assert catalog["services"][service]["certainty"] == "uncertain"
        states = {region["services"][service] for region in catalog["regions"].values()}
        assert states == {"uncertain"}, service


def test_uae_region_has_sagemaker_but_no_feature_store_runtime(catalog):
    services = catalog["regions"]["me-central-1"]["services"]
    assert services["sagemaker"] == "available"
    assert services["featurestore-runtime"] == "unavailable"


def test_bahrain_region_has_feature_store_runtime(catalog):
    assert catalog["regions"]["me-south-1"]["services"]["featurestore-runtime"] == "available"


def test_feature_store_runtime_is_uncertain_where_its_source_is_silent(catalog):
    # prowler's list covers aws, aws-cn and aws-us-gov only.
    assert catalog["regions"]["eusc-de-east-1"]["services"]["featurestore-runtime"] == "uncertain"


def test_the_saudi_region_comes_from_botocores_partition_data_with_every_service_uncertain(catalog):
    # botocore 1.44.5: partitions.json names me-west-1 "Middle East (Saudi Arabia)";
    # endpoints.json lists no service there yet.
    assert [code for code, r in catalog["regions"].items() if r["country"] == "SA"] == ["me-west-1"]
    saudi = catalog["regions"]["me-west-1"]
    assert saudi["name"] == "Middle East (Saudi Arabia)"
    assert saudi["endpointData"] is False
    assert "partitions.json" in saudi["source"]
    assert set(saudi["services"].values()) == {"uncertain"}


def test_regions_listed_in_the_endpoint_data_say_so(catalog):
    assert catalog["regions"]["me-central-1"]["endpointData"] is True
    assert "endpoints.json" in catalog["regions"]["me-central-1"]["source"]


def test_fips_and_global_pseudo_regions_are_not_regions(catalog):
    assert not [code for code in catalog["regions"] if "fips" in code or code == "aws-global"]


def test_every_region_fact_is_confirmed_or_marked_uncertain(catalog):
    for code, region in catalog["regions"].items():
        assert region["certainty"] in {"confirmed", "uncertain"}, code
        assert region["country"] is None or len(region["country"]) == 2, code
        if region["country"] is None:
            assert region["certainty"] == "uncertain", f"{code} has no country but claims certainty"


def test_opt_in_regions_of_the_middle_east_are_marked_opt_in(catalog):
    for code in ("me-central-1", "me-south-1", "il-central-1", "af-south-1"):
        assert catalog["regions"][code]["optIn"] is True, code
    assert catalog["regions"]["eu-central-1"]["optIn"] is False


def test_catalog_says_it_is_generated(catalog):
    assert "do not edit" in catalog["_generated"]
