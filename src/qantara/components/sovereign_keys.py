"""SovereignKeys: the platform's customer-managed KMS key, held in the placed region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.iam_documents import policy_document
from qantara.components.identity import StackIdentity

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:sovereign_keys:SovereignKeys"


@dataclass
class SovereignKeysArgs:
    """One knob per decision; the key's region is the provider's, passed in `opts` (the
    identity's account and partition go in the key policy)."""

    identity: StackIdentity
    alias: str
    description: str
    data_classification: str = "restricted"
    deletion_window_days: int = 30
    # AWS services allowed to use the key on the account's behalf (e.g. "logging.s3.amazonaws.com").
    service_principals: list[str] = field(default_factory=list)
    # CloudWatch Logs in this region may encrypt the account's log groups with the key.
    logs_region: str | None = None
    # CloudTrail may encrypt this account's trails' log files with the key.
    cloudtrail: bool = False
    tags: dict[str, str] = field(default_factory=dict)


def key_policy(account_id: str, partition: str, service_principals: list[str], *,
               logs_region: str | None = None, cloudtrail: bool = False) -> str:
    """The account administers the key through IAM; named services may only use it.

    CloudWatch Logs and CloudTrail need their own statements: they encrypt (not only
    decrypt) and bind each use to the log group's or trail's ARN in the encryption context,
    which is what their key-policy documentation conditions on.
    """
    statements = [
        {
            "Sid": "AccountAdministersKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if service_principals:
        statements.append(
            {
                "Sid": "ServicesUseKeyForThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": sorted(service_principals)},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                # Confused-deputy guard: a service may use the key only for this account.
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    if logs_region:
        statements.append(
            {
                "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{logs_region}.amazonaws.com"},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {"ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{logs_region}:{account_id}:*"}},
            }
        )
    if cloudtrail:
        statements.append(
            {
                "Sid": "CloudTrailEncryptsThisAccountsTrails",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"},
                },
            }
        )
    return policy_document(statements)


class SovereignKeys(QantaraComponent):
    """A single-Region, rotating customer-managed key with an alias and a key policy.

    Single-Region on purpose: a multi-Region key's replicas can decrypt the platform's
    data outside the jurisdiction, which residency rules forbid.
    """

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(self, name: str, args: SovereignKeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        child = pulumi.ResourceOptions(parent=self)
        policy = pulumi.Output.from_input(args.identity.account_id).apply(
            lambda account: key_policy(account, args.identity.partition, args.service_principals,
                                       logs_region=args.logs_region, cloudtrail=args.cloudtrail)
        )
        self.key = aws.kms.Key(
            f"{name}-key",
            description=args.description,
            enable_key_rotation=True,
            multi_region=False,
            deletion_window_in_days=args.deletion_window_days,
            policy=policy,
            tags=args.tags,
            opts=child,
        )
        self.alias = aws.kms.Alias(f"{name}-alias", name=args.alias, target_key_id=self.key.key_id, opts=child)
        self.key_arn = self.key.arn
        self.key_id = self.key.key_id
        self.alias_name = self.alias.name
        self.register_outputs({"keyArn": self.key_arn, "keyId": self.key_id, "aliasName": self.alias_name})


# Services that use the platform key for the account (S3 server access logging, SNS
# publishers: EventBridge rules and CloudWatch alarms).
KEY_SERVICE_PRINCIPALS = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "logging.s3.amazonaws.com"]


def build_platform_key(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """The platform's key, at the class of the strictest component in the cloud."""
    key_class, identity = scope.platform_class(), scope.identity
    keys = SovereignKeys(
        "platform-keys",
        SovereignKeysArgs(
            identity=identity,
            alias=identity.kms_alias("platform"),
            description=f"Qantara platform key for {identity.blueprint} ({identity.environment})",
            data_classification=key_class,
            service_principals=KEY_SERVICE_PRINCIPALS,
            logs_region=identity.region,
            cloudtrail="audit" in scope.platform.cloud(),
            tags=scope.tags("keys", key_class),
        ),
        opts=scope.opts,
    )
    scope.built["platformKey"] = keys
    return {"platformKeyArn": keys.key_arn}
