import json
from types import SimpleNamespace

import pulumi
import pulumi_aws as aws
import pytest
from iam_checks import least_privilege_problems

from qantara.catalog import load_catalog
from qantara.components.disaster_recovery import (
    TYPE_TOKEN,
    DisasterRecovery,
    DisasterRecoveryArgs,
    replication_policy,
)
from qantara.components.identity import StackIdentity
from qantara.naming import bucket_name
from qantara.plan.location import locate_resources

PRIMARY, DR = "me-central-1", "me-south-1"
ACCOUNT = "111122223333"
SOURCE_KEY = f"arn:aws:kms:{PRIMARY}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DR_KEY = f"arn:aws:kms:{DR}:{ACCOUNT}:key/5678abcd-12ab-34cd-56ef-1234567890ab"
PURPOSES = ("raw", "curated")
DR_KEY_URN_NAME = ("aws:kms/key:Key", "dr-keys-key")
S3 = "aws:s3/"


def _source(purpose):
    name = bucket_name("dubai-care-ml", "prod", purpose, PRIMARY)
    return SimpleNamespace(id=name, arn=f"arn:aws:s3:::{name}")


def _args(dr_provider, sources=None, force_destroy=False, dr_region=DR, dependencies=()):
    return DisasterRecoveryArgs(
        identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region=PRIMARY, account_id=ACCOUNT, partition="aws"),
        dr_region=dr_region,
        source_buckets=sources if sources is not None else {p: _source(p) for p in PURPOSES},
        source_kms_key_arn=SOURCE_KEY,
        dr_provider=dr_provider,
        tags={"data-classification": "restricted"},
        force_destroy=force_destroy,
        source_dependencies=list(dependencies),
    )


def _dr(**kwargs):
    primary = aws.Provider("aws-me-central-1", region=PRIMARY)
    dr = aws.Provider("aws-me-south-1", region=DR)
    DisasterRecovery("dr", _args(dr, **kwargs), opts=pulumi.ResourceOptions(provider=primary))


def _dr_with_real_sources():
    primary = aws.Provider("aws-me-central-1", region=PRIMARY)
    dr = aws.Provider("aws-me-south-1", region=DR)
    in_primary = pulumi.ResourceOptions(provider=primary)
    raw = aws.s3.Bucket("raw", bucket=_source("raw").id, opts=in_primary)
    versioning = aws.s3.BucketVersioning(
        "raw-versioning", bucket=raw.bucket, versioning_configuration={"status": "Enabled"}, opts=in_primary
    )
    DisasterRecovery("dr", _args(dr, sources={"raw": raw}, dependencies=[versioning]), opts=in_primary)


@pytest.fixture
def dr(build):
    return build(_dr)


def _one(resources, type_suffix, name):
    (match,) = [r for (t, n), r in resources.items() if t.endswith(type_suffix) and n == name]
    return match


def test_dr_key_is_single_region_rotating_and_aliased(dr):
    key = dr[DR_KEY_URN_NAME]["inputs"]
    assert key["enableKeyRotation"] is True and key["multiRegion"] is False
    assert dr[("aws:kms/alias:Alias", "dr-keys-alias")]["inputs"]["name"] == "alias/dubai-care-ml/prod/dr"


@pytest.mark.parametrize("purpose", [*PURPOSES, "access-logs"])
def test_every_dr_bucket_carries_the_data_lake_controls_under_the_dr_key(dr, purpose):
    bucket = _one(dr, ":Bucket", f"dr-{purpose}")["inputs"]
    assert bucket["bucket"] == bucket_name("dubai-care-ml", "prod", purpose, DR)
    assert bucket["forceDestroy"] is False
    sse = _one(dr, ":BucketServerSideEncryptionConfiguration", f"dr-{purpose}-encryption")
    assert sse["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert dr[DR_KEY_URN_NAME]["urn"] in sse["propertyDependencies"]["rules"]
    versioning = _one(dr, ":BucketVersioning", f"dr-{purpose}-versioning")["inputs"]
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    block = _one(dr, ":BucketPublicAccessBlock", f"dr-{purpose}-public-access")["inputs"]
    settings = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[s] is True for s in settings)
    (deny,) = json.loads(_one(dr, ":BucketPolicy", f"dr-{purpose}-tls-only")["inputs"]["policy"])["Statement"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("purpose", PURPOSES)
def test_dr_buckets_log_access_to_the_dr_log_bucket(dr, purpose):
    logging = _one(dr, ":BucketLogging", f"dr-{purpose}-access-logging")["inputs"]
    assert logging["targetBucket"] == bucket_name("dubai-care-ml", "prod", "access-logs", DR)


def test_dr_resources_are_in_the_dr_region_and_replication_in_the_primary(dr):
    located = locate_resources(list(dr.values()), stack_region=None, catalog=load_catalog())
    regional = {
        r["name"]: r["location"]["region"]
        for r in located
        if r["location"]["kind"] == "cloud" and r["name"].startswith("dr-")
    }
    replication = {f"dr-{p}-replication" for p in PURPOSES}
    assert {regional.pop(n) for n in replication} == {PRIMARY}
    assert len(regional) >= 20 and set(regional.values()) == {DR}
    dr_provider = dr[("pulumi:providers:aws", "aws-me-south-1")]["urn"]
    assert all(dr[(t, n)]["provider"] == dr_provider for (t, n) in dr if n in regional)


@pytest.mark.parametrize("purpose", PURPOSES)
def test_each_source_replicates_kms_encrypted_objects_and_delete_markers_into_its_dr_bucket(dr, purpose):
    config = _one(dr, ":BucketReplicationConfig", f"dr-{purpose}-replication")
    assert config["inputs"]["bucket"] == _source(purpose).id
    (rule,) = config["inputs"]["rules"]
    assert rule["status"] == "Enabled"
    assert rule["filter"] == {}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
    deps = config["propertyDependencies"]["rules"]
    assert _one(dr, ":Bucket", f"dr-{purpose}")["urn"] in deps
    assert dr[DR_KEY_URN_NAME]["urn"] in deps
    assert dr[("aws:iam/role:Role", "dr-replication-role")]["urn"] in config["propertyDependencies"]["role"]


def test_replication_waits_for_versioned_buckets_and_the_role_policy(build):
    resources = build(_dr_with_real_sources)
    config = _one(resources, ":BucketReplicationConfig", "dr-raw-replication")
    assert resources[("aws:s3/bucketVersioning:BucketVersioning", "raw-versioning")]["urn"] in config["dependencies"]
    assert _one(resources, ":BucketVersioning", "dr-raw-versioning")["urn"] in config["dependencies"]
    assert _one(resources, ":RolePolicy", "dr-replication-role-policy")["urn"] in config["dependencies"]
    assert resources[("aws:s3/bucket:Bucket", "raw")]["urn"] in config["propertyDependencies"]["bucket"]


def test_only_s3_replicating_for_this_account_assumes_the_replication_role(dr):
    role = dr[("aws:iam/role:Role", "dr-replication-role")]["inputs"]
    assert role["name"] == "dubai-care-ml-prod-replication"
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_replication_role_is_least_privilege():
    args = _args(dr_provider=None)
    sources = [_source(p).arn for p in PURPOSES]
    replicas = [f"arn:aws:s3:::{bucket_name('dubai-care-ml', 'prod', p, DR)}" for p in PURPOSES]
    policy = replication_policy(args, SOURCE_KEY, DR_KEY, sources, replicas)
    assert least_privilege_problems(policy) == []
    statements = {s["Sid"]: s for s in json.loads(policy)["Statement"]}
    assert statements["ReplicateIntoDrBuckets"]["Resource"] == [f"{a}/*" for a in sorted(replicas)]
    assert statements["ReadSourceObjectVersions"]["Resource"] == [f"{a}/*" for a in sorted(sources)]
    decrypt, encrypt = statements["DecryptSourceObjectsThroughS3"], statements["EncryptReplicasThroughS3"]
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", SOURCE_KEY)
    assert decrypt["Condition"]["StringEquals"] == {"kms:ViaService": f"s3.{PRIMARY}.amazonaws.com"}
    assert (encrypt["Action"], encrypt["Resource"]) == ("kms:Encrypt", DR_KEY)
    assert encrypt["Condition"]["StringEquals"] == {"kms:ViaService": f"s3.{DR}.amazonaws.com"}


def test_dr_buckets_are_force_destroyed_only_when_asked(build):
    resources = build(lambda: _dr(force_destroy=True))
    assert _one(resources, ":Bucket", "dr-raw")["inputs"]["forceDestroy"] is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"sources": {}}, "no source buckets"), ({"dr_region": PRIMARY}, "is the primary region")],
)
def test_inconsistent_disaster_recovery_is_refused(build, kwargs, message):
    with pytest.raises(Exception, match=message):
        build(lambda: _dr(**kwargs))


def test_dr_without_the_primary_provider_is_refused(build):
    def body():
        dr = aws.Provider("aws-me-south-1", region=DR)
        DisasterRecovery("dr", _args(dr))

    with pytest.raises(Exception, match="needs the primary region's provider"):
        build(body)


def test_every_taggable_dr_resource_carries_the_data_classification(dr):
    tagged = [r for (t, n), r in dr.items() if t.startswith("aws:") and n.startswith("dr-") and "tags" in r["inputs"]]
    assert len(tagged) == 3 + 1 + 1  # three buckets, the DR key, the replication role
    assert all(r["inputs"]["tags"]["data-classification"] == "restricted" for r in tagged)
    assert dr[(TYPE_TOKEN, "dr")]["inputs"] == {"dataClassification": "restricted"}
    assert dr[("qantara:sovereign_keys:SovereignKeys", "dr-keys")]["inputs"] == {"dataClassification": "restricted"}
