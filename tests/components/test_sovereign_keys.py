import json

import pulumi
import pulumi_aws as aws

from qantara.components.identity import StackIdentity
from qantara.components.sovereign_keys import SovereignKeys, SovereignKeysArgs

KEY = ("aws:kms/key:Key", "keys-key")
ALIAS = ("aws:kms/alias:Alias", "keys-alias")


def _keys(service_principals=()):
    provider = aws.Provider("aws-me-central-1", region="me-central-1")
    SovereignKeys(
        "keys",
        SovereignKeysArgs(
            alias="alias/lake/prod/platform",
            description="platform key",
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", account_id="111122223333"),
            data_classification="restricted",
            service_principals=list(service_principals),
            tags={"data-classification": "restricted"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


def test_platform_key_rotates_and_stays_single_region(build):
    resources = build(_keys)
    key = resources[KEY]["inputs"]
    assert key["enableKeyRotation"] is True
    assert key["multiRegion"] is False
    assert key["tags"]["data-classification"] == "restricted"


def test_platform_key_is_created_through_the_placed_regions_provider(build):
    resources = build(_keys)
    provider_urn = resources[("pulumi:providers:aws", "aws-me-central-1")]["urn"]
    assert resources[KEY]["provider"] == provider_urn
    assert resources[ALIAS]["provider"] == provider_urn


def test_key_policy_lets_the_account_administer_and_named_services_only_use_the_key(build):
    resources = build(lambda: _keys(["logging.s3.amazonaws.com"]))
    policy = json.loads(resources[KEY]["inputs"]["policy"])
    admin, services = policy["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert services["Principal"] == {"Service": ["logging.s3.amazonaws.com"]}
    assert "kms:*" not in services["Action"]
    assert services["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_alias_names_the_key(build):
    resources = build(_keys)
    alias = resources[ALIAS]
    assert alias["inputs"]["name"] == "alias/lake/prod/platform"
    assert resources[KEY]["urn"] in alias["propertyDependencies"]["targetKeyId"]


def test_key_component_declares_its_data_class(build):
    resources = build(_keys)
    component = resources[("qantara:sovereign_keys:SovereignKeys", "keys")]
    assert component["inputs"] == {"dataClassification": "restricted"}
    assert resources[KEY]["parent"] == component["urn"]


def test_cloudwatch_logs_and_cloudtrail_may_use_the_key_only_for_this_accounts_logs_and_trails():
    from qantara.components.sovereign_keys import key_policy

    policy = json.loads(key_policy("111122223333", "aws", [], logs_region="me-central-1", cloudtrail=True))
    logs, trail = policy["Statement"][1:]
    assert logs["Principal"] == {"Service": "logs.me-central-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"] == {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:me-central-1:111122223333:*"}
    assert trail["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert "kms:Decrypt" not in trail["Action"]  # CloudTrail writes; readers decrypt through IAM
    assert trail["Condition"]["StringLike"] == {
        "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}
