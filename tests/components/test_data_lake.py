import json

import pulumi
import pulumi_aws as aws
import pytest

from qantara.components.data_lake import DataLake, DataLakeArgs
from qantara.components.identity import StackIdentity
from qantara.naming import DATA_LAKE_ZONES, S3_BUCKET_MAX, bucket_name

BUCKETS = [*DATA_LAKE_ZONES, "access-logs"]


def _lake(force_destroy=False):
    provider = aws.Provider("aws-me-central-1", region="me-central-1")
    key = aws.kms.Key("key", enable_key_rotation=True, opts=pulumi.ResourceOptions(provider=provider))
    DataLake(
        "lake",
        DataLakeArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1"),
            kms_key_arn=key.arn,
            data_classification="restricted",
            force_destroy=force_destroy,
            tags={"data-classification": "restricted"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


@pytest.fixture
def lake(build):
    return build(_lake)


def _child(resources, type_suffix, name):
    matches = [r for (t, n), r in resources.items() if t.endswith(type_suffix) and n == name]
    assert len(matches) == 1, f"expected one {type_suffix} named {name}"
    return matches[0]


@pytest.mark.parametrize("purpose", BUCKETS)
def test_every_bucket_is_encrypted_with_the_platform_key(lake, purpose):
    key_urn = lake[("aws:kms/key:Key", "key")]["urn"]
    sse = _child(lake, ":BucketServerSideEncryptionConfiguration", f"lake-{purpose}-encryption")
    rule = sse["inputs"]["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["bucketKeyEnabled"] is True
    # In a preview the key's ARN is unknown: the dependency is what ties the two together.
    assert key_urn in sse["propertyDependencies"]["rules"]


@pytest.mark.parametrize("purpose", BUCKETS)
def test_every_bucket_blocks_all_public_access(lake, purpose):
    block = _child(lake, ":BucketPublicAccessBlock", f"lake-{purpose}-public-access")["inputs"]
    assert all(block[s] is True for s in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))


@pytest.mark.parametrize("purpose", BUCKETS)
def test_every_bucket_is_versioned_and_tls_only(lake, purpose):
    versioning = _child(lake, ":BucketVersioning", f"lake-{purpose}-versioning")["inputs"]
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    policy = json.loads(_child(lake, ":BucketPolicy", f"lake-{purpose}-tls-only")["inputs"]["policy"])
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("zone", DATA_LAKE_ZONES)
def test_data_buckets_log_access_to_the_log_bucket(lake, zone):
    logging = _child(lake, ":BucketLogging", f"lake-{zone}-access-logging")["inputs"]
    assert logging["targetBucket"] == bucket_name("dubai-care-ml", "prod", "access-logs", "me-central-1")


def test_bucket_names_are_physical_lowercase_and_per_environment(lake):
    names = {_child(lake, ":Bucket", f"lake-{p}")["inputs"]["bucket"] for p in BUCKETS}
    assert names == {bucket_name("dubai-care-ml", "prod", p, "me-central-1") for p in BUCKETS}
    assert all(n == n.lower() and len(n) <= S3_BUCKET_MAX for n in names)


def test_long_bucket_names_are_shortened_with_a_stable_hash():
    long = bucket_name("a" * 60, "production", "artifacts", "me-central-1")
    assert len(long) <= S3_BUCKET_MAX
    assert long == bucket_name("a" * 60, "production", "artifacts", "me-central-1")
    assert long != bucket_name("a" * 60, "staging", "artifacts", "me-central-1")


def test_buckets_are_not_force_destroyed_unless_asked(build):
    kept = build(_lake)
    assert _child(kept, ":Bucket", "lake-raw")["inputs"]["forceDestroy"] is False
    disposable = build(lambda: _lake(force_destroy=True))
    assert _child(disposable, ":Bucket", "lake-raw")["inputs"]["forceDestroy"] is True


def test_every_child_uses_the_placed_regions_provider(lake):
    provider_urn = lake[("pulumi:providers:aws", "aws-me-central-1")]["urn"]
    children = [r for r in lake.values() if r["type"].startswith("aws:") and r["name"].startswith("lake-")]
    assert children and all(r["provider"] == provider_urn for r in children)
