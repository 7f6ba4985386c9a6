"""SovereignKeys: the platform's customer-managed KMS key, held in the placed region."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from qantara.components.iam_documents import policy_document

TYPE_TOKEN = "qantara:sovereign_keys:SovereignKeys"


@dataclass
class SovereignKeysArgs:
    """One knob per decision; the region is the provider's, passed in `opts`."""

    alias: str
    description: str
    account_id: pulumi.Input[str]
    partition: str = "aws"
    data_classification: str = "restricted"
    deletion_window_days: int = 30
    # AWS services allowed to use the key on the account's behalf (e.g. "logging.s3.amazonaws.com").
    service_principals: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


def key_policy(account_id: str, partition: str, service_principals: list[str]) -> str:
    """The account administers the key through IAM; named services may only use it."""
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
    return policy_document(statements)


class SovereignKeys(pulumi.ComponentResource):
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
        policy = pulumi.Output.from_input(args.account_id).apply(
            lambda account: key_policy(account, args.partition, args.service_principals)
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
