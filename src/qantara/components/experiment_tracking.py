"""ExperimentTracking: a SageMaker managed MLflow tracking server and the role it runs as."""

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
from qantara.naming import tracking_role, tracking_server_name

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:experiment_tracking:ExperimentTracking"
TRACKING_SERVER_SIZES = ("Small", "Medium", "Large")


@dataclass
class ExperimentTrackingArgs:
    identity: StackIdentity
    tracking_server_name: str
    kms_key_arn: pulumi.Input[str]
    # Artifacts live under one prefix of a bucket another component owns (DataLake's artifacts).
    artifact_bucket: str
    artifact_prefix: str = "mlflow"
    tracking_server_size: str = "Small"
    # Register models logged to MLflow in the SageMaker Model Registry as they are created.
    automatic_model_registration: bool = False
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)


def tracking_policy(args: ExperimentTrackingArgs, prefix: str, key_arn: str) -> str:
    statements = [
        *s3_prefix_statements(args.artifact_bucket, prefix, args.identity.partition, ["s3:GetObject", "s3:PutObject"]),
        kms_use_statement(key_arn),
    ]
    if args.automatic_model_registration:
        arn = args.identity.arn
        statements.append(
            {
                "Sid": "RegisterModelsInThisAccount",
                "Effect": "Allow",
                "Action": [
                    "sagemaker:AddTags",
                    "sagemaker:CreateModelPackage",
                    "sagemaker:CreateModelPackageGroup",
                    "sagemaker:DescribeModelPackageGroup",
                    "sagemaker:UpdateModelPackage",
                ],
                "Resource": [arn("sagemaker", "model-package-group/*"), arn("sagemaker", "model-package/*")],
            }
        )
    return policy_document(statements)


class ExperimentTracking(QantaraComponent):
    """An MLflow tracking server whose role reaches only its artifact prefix and the platform key.

    The server is created after the role's policy so its first artifact write is allowed.
    """

    tracking_server_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ExperimentTrackingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        _check(args)
        prefix = args.artifact_prefix.strip("/")
        self.role = aws.iam.Role(
            f"{name}-role",
            name=tracking_role(args.tracking_server_name),
            assume_role_policy=sagemaker_trust_policy(args.identity.account_id),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=self.role.name,
            policy=pulumi.Output.from_input(args.kms_key_arn).apply(lambda key: tracking_policy(args, prefix, key)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.role]),
        )
        self.server = aws.sagemaker.MlflowTrackingServer(
            f"{name}-server",
            tracking_server_name=args.tracking_server_name,
            artifact_store_uri=f"s3://{args.artifact_bucket}/{prefix}",
            tracking_server_size=args.tracking_server_size,
            automatic_model_registration=args.automatic_model_registration,
            role_arn=self.role.arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.role, policy]),
        )
        self.tracking_server_arn = self.server.arn
        self.role_arn = self.role.arn
        self.register_outputs({"trackingServerArn": self.tracking_server_arn, "roleArn": self.role_arn})


def _check(args: ExperimentTrackingArgs) -> None:
    if args.tracking_server_size not in TRACKING_SERVER_SIZES:
        raise QantaraError(
            f"tracking server size `{args.tracking_server_size}` is not one SageMaker offers; "
            f"use one of {', '.join(TRACKING_SERVER_SIZES)}"
        )
    if not args.artifact_prefix.strip("/"):
        raise QantaraError("experiment tracking needs an artifact prefix; the server must not own the whole bucket")
    check_role_name(tracking_role(args.tracking_server_name), "the tracking server name")


def build_experiment_tracking(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    tracking = ExperimentTracking(
        "experiment-tracking",
        ExperimentTrackingArgs(
            identity=scope.identity,
            tracking_server_name=tracking_server_name(scope.identity.blueprint, scope.identity.environment),
            kms_key_arn=scope.key_arn,
            artifact_bucket=scope.identity.bucket_name("artifacts"),
            tracking_server_size=component.size["trackingServerSize"],
            data_classification=component.data_class,
            tags=scope.tags("experimentTracking", component.data_class),
        ),
        opts=scope.opts,
    )
    # SageMaker's MLflow plugin takes the tracking server's ARN as the tracking URI.
    return {"trackingUri": tracking.tracking_server_arn, "trackingServerUrl": tracking.server.tracking_server_url,
            "trackingRoleArn": tracking.role_arn}
