import json

import pulumi
import pulumi_aws as aws
import pytest
from iam_checks import least_privilege_problems

from qantara.components.experiment_tracking import TYPE_TOKEN, ExperimentTracking, ExperimentTrackingArgs
from qantara.components.identity import StackIdentity

KEY_ARN = "arn:aws:kms:me-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SERVER = ("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer", "tracking-server")
ROLE = ("aws:iam/role:Role", "tracking-role")
POLICY = ("aws:iam/rolePolicy:RolePolicy", "tracking-role-policy")


def _tracking(size="Medium", automatic_model_registration=False, prefix="mlflow"):
    provider = aws.Provider("aws-me-central-1", region="me-central-1")
    ExperimentTracking(
        "tracking",
        ExperimentTrackingArgs(
            tracking_server_name="dubai-care-ml-prod",
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id="111122223333"),
            kms_key_arn=KEY_ARN,
            artifact_bucket="dubai-care-ml-prod-artifacts-me-central-1",
            artifact_prefix=prefix,
            tracking_server_size=size,
            automatic_model_registration=automatic_model_registration,
            tags={"data-classification": "restricted"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


@pytest.fixture
def tracking(build):
    return build(_tracking)


def _statements(resources):
    return {s["Sid"]: s for s in json.loads(resources[POLICY]["inputs"]["policy"])["Statement"]}


def test_tracking_server_uses_the_given_size_artifact_uri_and_its_own_role(tracking):
    server = tracking[SERVER]
    assert server["inputs"]["trackingServerSize"] == "Medium"
    assert server["inputs"]["artifactStoreUri"] == "s3://dubai-care-ml-prod-artifacts-me-central-1/mlflow"
    assert server["inputs"]["trackingServerName"] == "dubai-care-ml-prod"
    assert tracking[ROLE]["urn"] in server["propertyDependencies"]["roleArn"]
    # Created after the policy, so the server's first artifact write is allowed.
    assert tracking[POLICY]["urn"] in server["dependencies"]


def test_model_registration_is_off_unless_asked(build):
    off = build(_tracking)
    assert off[SERVER]["inputs"]["automaticModelRegistration"] is False
    assert "RegisterModelsInThisAccount" not in _statements(off)
    on = build(lambda: _tracking(automatic_model_registration=True))
    assert on[SERVER]["inputs"]["automaticModelRegistration"] is True
    register = _statements(on)["RegisterModelsInThisAccount"]
    assert all(r.startswith("arn:aws:sagemaker:me-central-1:111122223333:") for r in register["Resource"])


def test_only_sagemaker_assumes_the_tracking_role_for_this_account(tracking):
    (statement,) = json.loads(tracking[ROLE]["inputs"]["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_tracking_role_reaches_only_its_artifact_prefix_and_the_platform_key(tracking):
    statements = _statements(tracking)
    bucket = "arn:aws:s3:::dubai-care-ml-prod-artifacts-me-central-1"
    assert statements["ObjectsUnderOwnPrefix"]["Resource"] == f"{bucket}/mlflow/*"
    assert statements["ListOwnPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["mlflow", "mlflow/*"]}}
    assert statements["UsePlatformKey"] == {
        "Sid": "UsePlatformKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": KEY_ARN,
    }


@pytest.mark.parametrize("registration", [False, True])
def test_tracking_role_policy_has_no_wildcard_actions_or_wildcard_write_resources(build, registration):
    resources = build(lambda: _tracking(automatic_model_registration=registration))
    assert least_privilege_problems(resources[POLICY]["inputs"]["policy"]) == []


def test_unknown_tracking_server_sizes_are_refused(build):
    with pytest.raises(Exception, match="use one of Small, Medium, Large"):
        build(lambda: _tracking(size="XLarge"))


def test_an_empty_artifact_prefix_is_refused(build):
    with pytest.raises(Exception, match="needs an artifact prefix"):
        build(lambda: _tracking(prefix="/"))


def test_every_child_uses_the_placed_regions_provider(tracking):
    provider_urn = tracking[("pulumi:providers:aws", "aws-me-central-1")]["urn"]
    children = [r for r in tracking.values() if r["type"].startswith("aws:")]
    assert len(children) == 3
    assert all(r["provider"] == provider_urn for r in children)
    assert all(r["parent"] == tracking[(TYPE_TOKEN, "tracking")]["urn"] for r in children)


def test_the_least_privilege_check_flags_wildcard_actions_and_wildcard_write_resources():
    bad = {
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"},
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"},
        ]
    }
    assert least_privilege_problems(bad) == ["wildcard action s3:*", "write action s3:PutObject on resource *"]
