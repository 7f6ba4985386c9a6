import json

import pulumi
import pulumi_aws as aws
import pytest
from iam_checks import least_privilege_problems

from qantara.components.identity import StackIdentity
from qantara.components.model_registry import TYPE_TOKEN, ModelRegistry, ModelRegistryArgs

KEY_ARN = "arn:aws:kms:me-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PUBLISHER = "arn:aws:iam::111122223333:role/ml-publisher"
GROUPS = ["readmission-risk", "triage"]
REPOSITORY = ("aws:ecr/repository:Repository", "registry-images")
TOPIC = ("aws:sns/topic:Topic", "registry-approval")
RULE = ("aws:cloudwatch/eventRule:EventRule", "registry-approval-rule")
TARGET = ("aws:cloudwatch/eventTarget:EventTarget", "registry-approval-target")
TOPIC_POLICY = ("aws:sns/topicPolicy:TopicPolicy", "registry-approval-policy")


def _registry(publishers=(PUBLISHER,), groups=tuple(GROUPS)):
    provider = aws.Provider("aws-me-central-1", region="me-central-1")
    ModelRegistry(
        "registry",
        ModelRegistryArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id="111122223333"),
            kms_key_arn=KEY_ARN,
            model_package_groups=list(groups),
            model_publisher_arns=list(publishers),
            tags={"data-classification": "restricted"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


@pytest.fixture
def registry(build):
    return build(_registry)


def test_model_images_are_scanned_on_push_immutable_and_encrypted_with_the_platform_key(registry):
    repository = registry[REPOSITORY]["inputs"]
    assert repository["imageScanningConfiguration"]["scanOnPush"] is True
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": KEY_ARN}]


def test_untagged_model_images_expire_and_tagged_ones_are_kept(registry):
    lifecycle = registry[("aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-images-lifecycle")]
    (rule,) = json.loads(lifecycle["inputs"]["policy"])["rules"]
    assert rule["selection"]["tagStatus"] == "untagged"
    assert rule["action"] == {"type": "expire"}
    assert registry[REPOSITORY]["urn"] in lifecycle["propertyDependencies"]["repository"]


def test_one_model_package_group_per_name_with_a_policy_for_named_publishers_only(registry):
    for group in GROUPS:
        assert registry[("aws:sagemaker/modelPackageGroup:ModelPackageGroup", f"registry-{group}")]["inputs"][
            "modelPackageGroupName"
        ] == group
        policy = registry[("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy", f"registry-{group}-policy")]
        (statement,) = json.loads(policy["inputs"]["resourcePolicy"])["Statement"]
        assert statement["Principal"] == {"AWS": [PUBLISHER]}
        assert set(statement["Action"]) == {
            "sagemaker:CreateModelPackage",
            "sagemaker:DescribeModelPackage",
            "sagemaker:DescribeModelPackageGroup",
        }
        assert statement["Resource"] == [
            f"arn:aws:sagemaker:me-central-1:111122223333:model-package-group/{group}",
            f"arn:aws:sagemaker:me-central-1:111122223333:model-package/{group}/*",
        ]
        assert least_privilege_problems(policy["inputs"]["resourcePolicy"]) == []


def test_publishers_outside_the_account_are_refused(build):
    with pytest.raises(Exception, match="not in account 111122223333"):
        build(lambda: _registry(["arn:aws:iam::999999999999:role/outsider"]))


def test_a_registry_without_groups_is_refused(build):
    with pytest.raises(Exception, match="no model package groups"):
        build(lambda: _registry(groups=[]))


def test_approval_rule_matches_approval_status_changes_of_the_given_groups_only(registry):
    pattern = json.loads(registry[RULE]["inputs"]["eventPattern"])
    assert pattern["source"] == ["aws.sagemaker"]
    assert pattern["detail-type"] == ["SageMaker Model Package State Change"]
    assert pattern["detail"]["ModelPackageGroupName"] == GROUPS
    assert set(pattern["detail"]["ModelApprovalStatus"]) == {"PendingManualApproval", "Approved", "Rejected"}


def test_approval_rule_targets_the_topic_encrypted_with_the_platform_key(registry):
    assert registry[TOPIC]["inputs"]["kmsMasterKeyId"] == KEY_ARN
    target = registry[TARGET]
    assert registry[TOPIC]["urn"] in target["propertyDependencies"]["arn"]
    assert registry[RULE]["urn"] in target["propertyDependencies"]["rule"]
    # Wired only once the topic lets EventBridge publish.
    assert registry[TOPIC_POLICY]["urn"] in target["dependencies"]


def test_only_eventbridge_publishes_to_the_approval_topic_and_only_for_the_rule(registry):
    (statement,) = json.loads(registry[TOPIC_POLICY]["inputs"]["policy"])["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    assert statement["Resource"] == "arn:aws:sns:me-central-1:111122223333:dubai-care-ml-prod-model-approval"
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": "arn:aws:events:me-central-1:111122223333:rule/dubai-care-ml-prod-model-approval"}
    }
    assert registry[RULE]["inputs"]["name"] == "dubai-care-ml-prod-model-approval"
    assert registry[TOPIC]["inputs"]["name"] == "dubai-care-ml-prod-model-approval"


def test_every_child_uses_the_placed_regions_provider(registry):
    provider_urn = registry[("pulumi:providers:aws", "aws-me-central-1")]["urn"]
    children = [r for r in registry.values() if r["type"].startswith("aws:")]
    # Two groups and their policies, repository and lifecycle, topic, its policy, rule and target.
    assert len(children) == 10
    assert all(r["provider"] == provider_urn for r in children)
    assert all(r["parent"] == registry[(TYPE_TOKEN, "registry")]["urn"] for r in children)


def test_registry_declares_its_data_class(registry):
    component = registry[(TYPE_TOKEN, "registry")]
    assert component["inputs"]["dataClassification"] == "restricted"
