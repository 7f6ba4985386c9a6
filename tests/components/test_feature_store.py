import json

import pulumi
import pulumi_aws as aws
import pytest
from iam_checks import least_privilege_problems

from qantara.components.feature_store import TYPE_TOKEN, FeatureStore, FeatureStoreArgs
from qantara.components.identity import StackIdentity

KEY_ARN = "arn:aws:kms:me-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CURATED = "dubai-care-ml-prod-curated-me-central-1"
DATABASE = ("aws:glue/catalogDatabase:CatalogDatabase", "features-offline")
ROLE = ("aws:iam/role:Role", "features-role")
POLICY = ("aws:iam/rolePolicy:RolePolicy", "features-role-policy")


def _features(database="dubai_care_ml_prod_features", online=False):
    provider = aws.Provider("aws-me-central-1", region="me-central-1")
    FeatureStore(
        "features",
        FeatureStoreArgs(
            database_name=database,
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id="111122223333"),
            kms_key_arn=KEY_ARN,
            offline_store_bucket=CURATED,
            offline_store_prefix="feature-store",
            online=online,
            tags={"data-classification": "restricted"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


@pytest.fixture
def features(build):
    return build(_features)


def _statements(resources):
    return {s["Sid"]: s for s in json.loads(resources[POLICY]["inputs"]["policy"])["Statement"]}


def test_offline_store_database_is_named_from_args_and_points_at_the_curated_prefix(features):
    database = features[DATABASE]["inputs"]
    assert database["name"] == "dubai_care_ml_prod_features"
    assert database["locationUri"] == f"s3://{CURATED}/feature-store"


def test_feature_store_creates_no_bucket_of_its_own(features):
    assert not [key for key in features if key[0].startswith("aws:s3")]


def test_only_sagemaker_assumes_the_feature_store_role_for_this_account(features):
    (statement,) = json.loads(features[ROLE]["inputs"]["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_feature_store_role_reaches_only_its_prefix_database_and_the_platform_key(features):
    statements = _statements(features)
    assert statements["ObjectsUnderOwnPrefix"]["Resource"] == f"arn:aws:s3:::{CURATED}/feature-store/*"
    glue = "arn:aws:glue:me-central-1:111122223333"
    assert statements["OfflineStoreTables"]["Resource"] == [
        f"{glue}:catalog",
        f"{glue}:database/dubai_care_ml_prod_features",
        f"{glue}:table/dubai_care_ml_prod_features/*",
    ]
    assert statements["UsePlatformKey"]["Resource"] == KEY_ARN


def test_feature_store_role_policy_has_no_wildcard_actions_or_wildcard_write_resources(features):
    assert least_privilege_problems(features[POLICY]["inputs"]["policy"]) == []


def test_mixed_case_database_names_are_refused(build):
    with pytest.raises(Exception, match="name it `features`"):
        build(lambda: _features(database="Features"))


def test_every_child_uses_the_placed_regions_provider(features):
    provider_urn = features[("pulumi:providers:aws", "aws-me-central-1")]["urn"]
    children = [r for r in features.values() if r["type"].startswith("aws:")]
    assert len(children) == 4  # database, catalog encryption settings, role, role policy
    assert all(r["provider"] == provider_urn for r in children)
    assert all(r["parent"] == features[(TYPE_TOKEN, "features")]["urn"] for r in children)


def test_feature_store_declares_its_data_class(features):
    assert features[(TYPE_TOKEN, "features")]["inputs"]["dataClassification"] == "restricted"


def test_the_catalog_holding_the_offline_store_is_encrypted_with_the_platform_key(build):
    resources = build(_features)
    settings = resources[("aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
                          "features-catalog-encryption")]["inputs"]["dataCatalogEncryptionSettings"]
    assert settings["encryptionAtRest"] == {"catalogEncryptionMode": "SSE-KMS", "sseAwsKmsKeyId": KEY_ARN}
    assert settings["connectionPasswordEncryption"] == {"returnConnectionPasswordEncrypted": True, "awsKmsKeyId": KEY_ARN}
