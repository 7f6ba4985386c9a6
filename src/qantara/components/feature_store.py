"""FeatureStore: the offline store's Glue database and the role SageMaker Feature Store uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.iam_documents import (
    check_role_name,
    kms_use_statement,
    policy_document,
    s3_prefix_statements,
    sagemaker_trust_policy,
)
from qantara.components.identity import StackIdentity
from qantara.errors import QantaraError
from qantara.naming import feature_store_database, feature_store_role

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:feature_store:FeatureStore"
GLUE_ACTIONS = (
    "glue:BatchCreatePartition",
    "glue:BatchGetPartition",
    "glue:CreatePartition",
    "glue:CreateTable",
    "glue:GetDatabase",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:GetTable",
    "glue:GetTables",
    "glue:UpdateTable",
)


@dataclass
class FeatureStoreArgs:
    identity: StackIdentity
    database_name: str
    kms_key_arn: pulumi.Input[str]
    # The offline store is a prefix of DataLake's curated bucket; this component owns no bucket.
    offline_store_bucket: str
    offline_store_prefix: str = "feature-store"
    # Whether projects may declare online feature groups; recorded, not acted on here.
    online: bool = False
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)


def feature_store_policy(args: FeatureStoreArgs, prefix: str, key_arn: str) -> str:
    glue = args.identity.arn("glue", "")
    statements = [
        *s3_prefix_statements(
            args.offline_store_bucket,
            prefix,
            args.identity.partition,
            ["s3:GetObject", "s3:PutObject", "s3:PutObjectAcl"],
            bucket_actions=("s3:GetBucketAcl",),
        ),
        {
            "Sid": "OfflineStoreTables",
            "Effect": "Allow",
            "Action": list(GLUE_ACTIONS),
            "Resource": [
                f"{glue}catalog",
                f"{glue}database/{args.database_name}",
                f"{glue}table/{args.database_name}/*",
            ],
        },
        kms_use_statement(key_arn),
    ]
    return policy_document(statements)


class FeatureStore(QantaraComponent):
    """The platform half of the feature store: catalog database and service role.

    Feature groups are per project and declared in the project's own infrastructure; they
    write their offline data under the prefix and into the database made here.
    """

    database_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    offline_store_uri: pulumi.Output[str]
    online: pulumi.Output[bool]

    def __init__(self, name: str, args: FeatureStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        _check(args)
        prefix = args.offline_store_prefix.strip("/")
        uri = f"s3://{args.offline_store_bucket}/{prefix}"
        self.database = aws.glue.CatalogDatabase(
            f"{name}-offline",
            name=args.database_name,
            description="SageMaker Feature Store offline store",
            location_uri=uri,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The catalog's metadata (table schemas, locations) is encrypted with the platform key.
        # The settings are one per account and region: environments sharing an account set
        # the same ones, so the last `pulumi up` wins with an identical configuration only
        # if they share the key (see docs/decisions.md).
        self.catalog_encryption = aws.glue.DataCatalogEncryptionSettings(
            f"{name}-catalog-encryption",
            data_catalog_encryption_settings={
                "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": args.kms_key_arn},
                "connection_password_encryption": {"return_connection_password_encrypted": True,
                                                   "aws_kms_key_id": args.kms_key_arn},
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.role = aws.iam.Role(
            f"{name}-role",
            name=feature_store_role(args.database_name),
            assume_role_policy=sagemaker_trust_policy(args.identity.account_id),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=self.role.name,
            policy=pulumi.Output.from_input(args.kms_key_arn).apply(lambda key: feature_store_policy(args, prefix, key)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.role, self.database]),
        )
        self.database_name = self.database.name
        self.role_arn = self.role.arn
        self.offline_store_uri = pulumi.Output.from_input(uri)
        self.online = pulumi.Output.from_input(args.online)
        self.register_outputs(
            {
                "databaseName": self.database_name,
                "roleArn": self.role_arn,
                "offlineStoreUri": self.offline_store_uri,
                "online": self.online,
            }
        )


def _check(args: FeatureStoreArgs) -> None:
    # Glue keeps database names in lower case; a mixed-case name would not match the policy's ARN.
    if args.database_name != args.database_name.lower():
        raise QantaraError(
            f"feature store database `{args.database_name}` is not lower-case; Glue lower-cases it, "
            f"so name it `{args.database_name.lower()}`"
        )
    if not args.offline_store_prefix.strip("/"):
        raise QantaraError("feature store needs an offline store prefix; it must not own the whole curated bucket")
    check_role_name(feature_store_role(args.database_name), "the database name")


def build_feature_store(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    features = FeatureStore(
        "feature-store",
        FeatureStoreArgs(
            identity=scope.identity,
            database_name=feature_store_database(scope.identity.blueprint, scope.identity.environment),
            kms_key_arn=scope.key_arn,
            offline_store_bucket=scope.identity.bucket_name("curated"),
            online=component.settings.online,
            data_classification=component.data_class,
            tags=scope.tags("featureStore", component.data_class),
        ),
        opts=scope.opts,
    )
    return {"featureStoreDatabase": features.database_name, "featureStoreRoleArn": features.role_arn,
            "featureStoreOfflineUri": features.offline_store_uri}
