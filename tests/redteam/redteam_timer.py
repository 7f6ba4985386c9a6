"""Shared pieces for the `timer-` programs: a Step Functions state machine built the way the
platform builds its approval timer (encrypted with the platform key, run by a role that only
Step Functions of this account may assume, allowed exactly the calls its tasks make), so that
the finding a program causes is where its tasks send data and not a missing control.
"""

import json

import pulumi_aws as aws
from redteam_base import ACCOUNT, key, opts, policy_json

REGION = "me-central-1"
# The package a registration event names; the timer is handed its ARN only.
PACKAGE = "$.ModelPackageArn"


def approval_topic(name: str) -> aws.sns.Topic:
    """The UAE topic approvers subscribe to, encrypted with the platform key."""
    return aws.sns.Topic(name, name=f"dubai-care-ml-prod-{name}", kms_master_key_id=key.arn, opts=opts)


def timer_definition(tell_owner: dict) -> str:
    """Wait a week, read the package's status, and run `tell_owner` if it is still pending."""
    return json.dumps({
        "Comment": "Tell the owner when a model package waits for approval too long",
        "StartAt": "WaitForDecision",
        "States": {
            "WaitForDecision": {"Type": "Wait", "Seconds": 7 * 86400, "Next": "ReadStatus"},
            "ReadStatus": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeModelPackage",
                           "Parameters": {"ModelPackageName.$": PACKAGE},
                           "ResultSelector": {"status.$": "$.ModelApprovalStatus"},
                           "ResultPath": "$.package", "Next": "StillPending"},
            "StillPending": {"Type": "Choice", "Default": "Decided", "Choices": [
                {"Variable": "$.package.status", "StringEquals": "PendingManualApproval", "Next": "TellOwner"}]},
            "TellOwner": {"Type": "Task", "End": True, **tell_owner},
            "Decided": {"Type": "Succeed"},
        },
    })


def timer(name: str, definition: str, statements: list[dict]) -> aws.sfn.StateMachine:
    """The state machine and its role: DescribeModelPackage on the registry's packages, the
    given statements (what the owner-telling task needs) and the platform key."""
    role = aws.iam.Role(f"{name}-role", name=f"dubai-care-ml-prod-{name}", opts=opts,
                        assume_role_policy=policy_json([{
                            "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]))
    packages = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/readmission-risk/*"
    aws.iam.RolePolicy(f"{name}-policy", role=role.name, opts=opts, policy=key.arn.apply(lambda arn: policy_json([
        {"Effect": "Allow", "Action": "sagemaker:DescribeModelPackage", "Resource": packages},
        *statements,
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": arn},
    ])))
    return aws.sfn.StateMachine(
        name, name=f"dubai-care-ml-prod-{name}", type="STANDARD", role_arn=role.arn, definition=definition,
        encryption_configuration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": key.arn,
                                  "kms_data_key_reuse_period_seconds": 300},
        opts=opts)
