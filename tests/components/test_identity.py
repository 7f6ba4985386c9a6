"""StackIdentity: the one value every component's names and ARNs are built from."""

import dataclasses

import pytest

from qantara.components.identity import StackIdentity
from qantara.components.scope import platform_identity
from qantara.naming import bucket_name, kms_alias, role_name, sagemaker_name, scoped_name

ACCOUNT = "111122223333"
UAE = StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id=ACCOUNT)


def test_names_are_the_ones_validate_derives_from_the_blueprint():
    # `qantara validate` checks the names naming.py derives; a component must create the same.
    assert UAE.scoped_name("model-approval") == scoped_name("dubai-care-ml", "prod", "model-approval")
    assert UAE.role_name("serving") == role_name("dubai-care-ml", "prod", "serving")
    assert UAE.sagemaker_name("readmission-risk") == sagemaker_name("dubai-care-ml", "prod", "readmission-risk")
    assert UAE.sagemaker_name() == "dubai-care-ml-prod"
    assert UAE.bucket_name("raw") == bucket_name("dubai-care-ml", "prod", "raw", "me-central-1")
    assert UAE.kms_alias("platform") == kms_alias("dubai-care-ml", "prod", "platform")


def test_arns_name_the_stacks_partition_region_and_account():
    assert UAE.arn("sns", "dubai-care-ml-prod-model-alerts") == (
        f"arn:aws:sns:me-central-1:{ACCOUNT}:dubai-care-ml-prod-model-alerts")
    assert UAE.arn("iam", "role/*", region="") == f"arn:aws:iam::{ACCOUNT}:role/*"
    assert UAE.arn("s3", "bucket", region="", account="") == "arn:aws:s3:::bucket"
    china = dataclasses.replace(UAE, region="cn-north-1", partition="aws-cn")
    assert china.arn("logs", "log-group:x") == f"arn:aws-cn:logs:cn-north-1:{ACCOUNT}:log-group:x"


def test_a_replica_in_another_region_keeps_the_stack_and_names_its_own_region():
    replica = UAE.in_region("me-south-1")
    assert (replica.blueprint, replica.environment, replica.account_id) == ("dubai-care-ml", "prod", ACCOUNT)
    assert replica.bucket_name("raw").endswith("-me-south-1")
    assert replica.arn("kms", "key/1").startswith("arn:aws:kms:me-south-1:")
    assert UAE.region == "me-central-1"  # the stack's own identity is untouched


def test_an_identity_cannot_be_changed_once_components_share_it():
    with pytest.raises(dataclasses.FrozenInstanceError):
        UAE.region = "eu-west-1"  # type: ignore[misc]


def test_the_platforms_identity_comes_from_the_resolved_platform():
    from qantara.blueprint.loader import load_blueprint
    from qantara.paths import project_root
    from qantara.resolution import resolve_platform

    loaded = load_blueprint(project_root() / "blueprints" / "ae-health-cloud.yaml")
    platform = resolve_platform(loaded, "prod")
    cloud = platform_identity(platform, platform.primary_region, ACCOUNT)
    assert (cloud.blueprint, cloud.environment) == (platform.name, "prod")
    assert (cloud.region, cloud.account_id, cloud.partition) == (platform.primary_region, ACCOUNT, platform.partition)
    site = platform_identity(platform)
    assert (site.region, site.account_id) == (None, None)
