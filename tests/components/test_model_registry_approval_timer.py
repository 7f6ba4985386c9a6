"""The approval timer: a model package still waiting for a decision after the blueprint's limit
is reported to its owner through the approval topic; a decided one is not."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest
from iam_checks import least_privilege_problems

from qantara.blueprint.loader import load_blueprint
from qantara.blueprint.profiles import environment_profile
from qantara.components.identity import StackIdentity
from qantara.components.model_registry import (
    ModelRegistry,
    ModelRegistryArgs,
    approval_timer_definition,
)
from qantara.errors import QantaraError
from qantara.plan.builder import plan_blueprint

KEY_ARN = "arn:aws:kms:me-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MACHINE = ("aws:sfn/stateMachine:StateMachine", "registry-approval-timer")
RULE = ("aws:cloudwatch/eventRule:EventRule", "registry-approval-timer-rule")
TARGET = ("aws:cloudwatch/eventTarget:EventTarget", "registry-approval-timer-target")
TOPIC_ARN = "arn:aws:sns:me-central-1:111122223333:dubai-care-ml-prod-model-approval"


def _registry(days=5):
    def body():
        ModelRegistry("registry", ModelRegistryArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id="111122223333"),
            kms_key_arn=KEY_ARN, model_package_groups=["readmission-risk"], approval_timeout_days=days,
            tags={"data-classification": "restricted"}),
            opts=pulumi.ResourceOptions(provider=aws.Provider("aws-me-central-1", region="me-central-1")))
    return body


@pytest.fixture
def registry(build):
    return build(_registry())


def test_a_registration_starts_the_timer_and_only_for_the_platforms_groups(registry):
    pattern = json.loads(registry[RULE]["inputs"]["eventPattern"])
    assert pattern["detail"] == {"ModelPackageGroupName": ["readmission-risk"],
                                 "ModelApprovalStatus": ["PendingManualApproval"]}
    assert registry[TARGET]["inputs"]["roleArn"]


def test_the_owner_is_told_only_when_the_package_is_still_pending_after_the_limit(registry):
    definition = json.loads(registry[MACHINE]["inputs"]["definition"])
    assert definition["States"]["WaitForDecision"]["Seconds"] == 5 * 86400
    (choice,) = definition["States"]["StillPending"]["Choices"]
    assert choice == {"Variable": "$.package.status", "StringEquals": "PendingManualApproval", "Next": "TellOwner"}
    assert definition["States"]["StillPending"]["Default"] == "Decided"
    assert definition["States"]["TellOwner"]["Parameters"]["TopicArn"] == TOPIC_ARN


def test_the_timer_is_encrypted_with_the_platform_key(registry):
    encryption = registry[MACHINE]["inputs"]["encryptionConfiguration"]
    assert encryption["type"] == "CUSTOMER_MANAGED_KMS_KEY" and encryption["kmsKeyId"] == KEY_ARN


def test_the_timer_role_reads_packages_and_publishes_to_the_approval_topic_only(registry):
    policy = json.loads(registry[("aws:iam/rolePolicy:RolePolicy", "registry-approval-timer-policy")]["inputs"]
                        ["policy"])
    actions = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["Statement"]}
    assert actions["PublishOverdue"] == ("sns:Publish", TOPIC_ARN)
    assert actions["ReadPackageStatus"][1] == [
        "arn:aws:sagemaker:me-central-1:111122223333:model-package/readmission-risk/*"]
    assert least_privilege_problems(policy) == []
    start = json.loads(registry[("aws:iam/rolePolicy:RolePolicy", "registry-approval-timer-start-policy")]
                       ["inputs"]["policy"])
    assert start["Statement"][0]["Resource"].endswith(":stateMachine:dubai-care-ml-prod-approval-timer")


def test_without_a_limit_there_is_no_timer(build):
    assert MACHINE not in build(_registry(days=None))


@pytest.mark.parametrize("days", [0, 366])
def test_a_limit_step_functions_cannot_wait_is_refused(days):
    with pytest.raises(QantaraError, match="allowed 1 to 365"):
        approval_timer_definition(days, TOPIC_ARN)


def test_the_limit_is_the_blueprints_else_the_production_profiles(tmp_path):
    blueprint = load_blueprint("blueprints/ae-health-cloud.yaml").model
    assert environment_profile(blueprint, "prod").approval_timeout_days == 7
    assert environment_profile(blueprint, "dev").approval_timeout_days == 14
    stricter = blueprint.model_copy(update={"spec": blueprint.spec.model_copy(update={
        "governance": blueprint.spec.governance.model_copy(update={"approval_timeout_days": 3})})})
    assert environment_profile(stricter, "dev").approval_timeout_days == 3


def test_an_execution_is_given_the_package_arn_and_nothing_else_of_the_event(registry):
    transformer = registry[TARGET]["inputs"]["inputTransformer"]
    assert transformer["inputPaths"] == {"package": "$.detail.ModelPackageArn"}
    given = json.loads(transformer["inputTemplate"].replace("<package>", '"arn:aws:sagemaker:x"'))
    assert given == {"ModelPackageArn": "arn:aws:sagemaker:x"}


def test_the_timer_reads_the_status_of_the_package_it_was_given(registry):
    definition = json.loads(registry[MACHINE]["inputs"]["definition"])
    assert definition["States"]["ReadStatus"]["Parameters"] == {"ModelPackageName.$": "$.ModelPackageArn"}
    assert "$.ModelPackageArn" in definition["States"]["TellOwner"]["Parameters"]["Message.$"]


def test_the_starter_starts_only_the_timer_and_uses_the_key_only_through_step_functions(registry):
    start = json.loads(registry[("aws:iam/rolePolicy:RolePolicy", "registry-approval-timer-start-policy")]
                       ["inputs"]["policy"])
    statements = {s["Sid"]: s for s in start["Statement"]}
    assert set(statements) == {"StartApprovalTimer", "EncryptTimerInput"}
    assert statements["StartApprovalTimer"]["Action"] == "states:StartExecution"
    assert statements["EncryptTimerInput"]["Resource"] == KEY_ARN
    assert statements["EncryptTimerInput"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "states.me-central-1.amazonaws.com"}}
    assert least_privilege_problems(start) == []


def test_only_eventbridge_of_this_account_starts_the_timer_and_only_step_functions_runs_it(registry):
    def trust(name):
        return json.loads(registry[("aws:iam/role:Role", name)]["inputs"]["assumeRolePolicy"])["Statement"][0]
    starter, runner = trust("registry-approval-timer-start-role"), trust("registry-approval-timer-role")
    assert starter["Principal"] == {"Service": "events.amazonaws.com"}
    assert runner["Principal"] == {"Service": "states.amazonaws.com"}
    for statement in (starter, runner):
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


@pytest.mark.parametrize(("environment", "days"), [("prod", 7), ("dev", 14)])
def test_the_platform_runs_the_timer_with_the_environments_limit(environment, days):
    plan = plan_blueprint(load_blueprint("blueprints/ae-health-cloud.yaml"), environment)
    (machine,) = [r for r in plan["resources"] if r["type"] == MACHINE[0]
                  and r["urn"].endswith("approval-timer")]
    definition = json.loads(machine["inputs"]["definition"])
    assert definition["States"]["WaitForDecision"]["Seconds"] == days * 86400
    assert definition["States"]["TellOwner"]["Parameters"]["TopicArn"].startswith("arn:aws:sns:me-central-1:")
