import json

import pulumi
import pulumi_aws as aws
import pytest

from qantara.components.identity import StackIdentity
from qantara.components.outposts_data_lake import (
    ABORT_INCOMPLETE_UPLOADS_DAYS,
    OutpostsDataLake,
    OutpostsDataLakeArgs,
    outposts_bucket_arn,
)
from qantara.naming import ACCESS_POINT_MAX, DATA_LAKE_ZONES, access_point_name, outposts_bucket_name
from qantara.plan.offline import run_under_mocks

OUTPOST = "op-0a1b2c3d4e5f60718"
ACCOUNT = "123456789012"
PARENT_REGION = "me-south-1"
VPC, SUBNET, GROUP = "vpc-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60718", "sg-0a1b2c3d4e5f60718"
PURPOSES = [*DATA_LAKE_ZONES, "features"]
TAGS = {"environment": "prod", "owner": "data-office", "qantara-blueprint": "riyadh-outpost-ml",
        "data-classification": "restricted"}
BUCKET = "aws:s3control/bucket:Bucket"
ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
ENDPOINT = "aws:s3outposts/endpoint:Endpoint"


def _lake(create_endpoint=True):
    def body():
        provider = aws.Provider(f"aws-{PARENT_REGION}", region=PARENT_REGION)
        OutpostsDataLake("lake", OutpostsDataLakeArgs(
            identity=StackIdentity(blueprint="riyadh-outpost-ml", environment="prod", region=PARENT_REGION,
                                   account_id=ACCOUNT),
            outpost_id=OUTPOST, vpc_id=VPC, subnet_id=SUBNET, security_group_id=GROUP, buckets=PURPOSES,
            create_endpoint=create_endpoint, data_classification="restricted", tags=TAGS,
        ), opts=pulumi.ResourceOptions(provider=provider))
    return body


@pytest.fixture(scope="module")
def lake():
    resources = run_under_mocks(_lake(), project="qantara", stack="test", config={})
    return {(r["type"], r["name"]): r for r in resources}


def child(resources, type_token, name) -> dict:
    return resources[(type_token, name)]


@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_bucket_is_an_s3_on_outposts_bucket_on_the_given_outpost(lake, purpose):
    bucket = child(lake, BUCKET, f"lake-{purpose}")["inputs"]
    assert bucket["outpostId"] == OUTPOST
    assert bucket["bucket"] == outposts_bucket_name("riyadh-outpost-ml", "prod", purpose)
    assert bucket["tags"] == TAGS


def test_the_endpoint_is_private_in_the_given_subnet_behind_the_given_security_group(lake):
    endpoint = child(lake, ENDPOINT, "lake-endpoint")["inputs"]
    assert (endpoint["outpostId"], endpoint["subnetId"], endpoint["securityGroupId"]) == (OUTPOST, SUBNET, GROUP)
    assert endpoint["accessType"] == "Private"


@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_bucket_is_reached_only_through_an_access_point_of_the_vpc(lake, purpose):
    access_point = child(lake, ACCESS_POINT, f"lake-{purpose}-access-point")
    assert access_point["inputs"]["vpcConfiguration"] == {"vpcId": VPC}
    assert access_point["inputs"]["name"] == access_point_name("riyadh-outpost-ml", "prod", purpose)
    assert access_point["inputs"]["tags"] == TAGS
    # A preview does not know the bucket's ARN yet: the dependency names the bucket.
    assert access_point["propertyDependencies"]["bucket"] == [child(lake, BUCKET, f"lake-{purpose}")["urn"]]


@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_bucket_policy_denies_plain_http_and_object_access_from_outside_the_vpc(lake, purpose):
    resource = child(lake, "aws:s3control/bucketPolicy:BucketPolicy", f"lake-{purpose}-policy")
    assert resource["propertyDependencies"]["bucket"] == [child(lake, BUCKET, f"lake-{purpose}")["urn"]]
    arn = outposts_bucket_arn("aws", PARENT_REGION, ACCOUNT, OUTPOST, outposts_bucket_name("riyadh-outpost-ml", "prod", purpose))
    transport, network = json.loads(resource["inputs"]["policy"])["Statement"]
    assert transport["Effect"] == network["Effect"] == "Deny"
    assert transport["Principal"] == network["Principal"] == "*"
    assert transport["Action"] == network["Action"] == "s3-outposts:*"
    assert transport["Resource"] == [arn, f"{arn}/object/*"]
    assert transport["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # Objects only: bucket management goes through the regional API, which no access point carries.
    assert network["Resource"] == f"{arn}/object/*"
    assert network["Condition"] == {"StringNotEquals": {"s3-outposts:AccessPointNetworkOrigin": "VPC"}}


@pytest.mark.parametrize("purpose", PURPOSES)
def test_incomplete_uploads_are_aborted_so_they_do_not_hold_outpost_capacity(lake, purpose):
    (rule,) = child(lake, "aws:s3control/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                    f"lake-{purpose}-lifecycle")["inputs"]["rules"]
    assert rule["status"] == "Enabled"
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": ABORT_INCOMPLETE_UPLOADS_DAYS}
    assert "expiration" not in rule  # how long data is kept is the organisation's decision, not a default


def test_every_aws_child_goes_through_the_parent_regions_provider(lake):
    provider = child(lake, "pulumi:providers:aws", f"aws-{PARENT_REGION}")
    assert provider["inputs"]["region"] == PARENT_REGION
    children = [r for r in lake.values() if r["type"].startswith("aws:")]
    assert len(children) == 1 + 4 * len(PURPOSES)
    assert all(r["provider"] == provider["urn"] for r in children)


def test_an_environment_sharing_the_vpc_uses_the_existing_endpoint(build):
    resources = build(_lake(create_endpoint=False), region=PARENT_REGION)
    assert not [key for key in resources if key[0] == ENDPOINT]
    assert len([key for key in resources if key[0] == BUCKET]) == len(PURPOSES)


def test_long_access_point_names_are_shortened_with_a_stable_hash():
    name = access_point_name("a" * 60, "production", "artifacts")
    assert len(name) <= ACCESS_POINT_MAX
    assert name == access_point_name("a" * 60, "production", "artifacts")
    assert name != access_point_name("a" * 60, "staging", "artifacts")
