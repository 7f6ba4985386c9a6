"""DeployAccess: the role CI assumes, through its OIDC identity, to run `pulumi up` on the platform."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.blueprint.models import repository_problem
from qantara.blueprint.platform_rules import OIDC_ISSUERS, oidc_provider_problem
from qantara.components.base import QantaraComponent
from qantara.components.iam_documents import check_role_name, policy_document, s3_prefix_statements, with_sid_prefix
from qantara.components.identity import StackIdentity
from qantara.errors import QantaraError
from qantara.naming import slug
from qantara.plan.offline_invokes import OFFLINE_ACCOUNT_ID

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:deploy_access:DeployAccess"
# The tag `tagging.platform_tags` puts on every platform resource; deployment is scoped to it.
BLUEPRINT_TAG = "qantara-blueprint"
MAX_SESSION_SECONDS = 3600
# IAM's limit on a role's inline policies together, whitespace not counted.
IAM_INLINE_POLICY_MAX = 10240

# Issuer and audience per CI: GitHub's documented audience for AWS is sts.amazonaws.com;
# GitLab's ID tokens carry the audience the job asks for, which the pipeline sets to the issuer.
OIDC = OIDC_ISSUERS

# What `pulumi up` does to the platform's resources, per service: create (the request
# carries the blueprint tag) and change (the resource already carries it). Regional
# services only; IAM and S3 are scoped separately below.
MANAGED_ACTIONS = {
    "sagemaker": (
        ["AddTags", "CreateDataQualityJobDefinition", "CreateEndpoint", "CreateEndpointConfig",
         "CreateMlflowTrackingServer", "CreateModel", "CreateModelPackageGroup", "CreateMonitoringSchedule"],
        ["AddTags", "DeleteDataQualityJobDefinition", "DeleteEndpoint", "DeleteEndpointConfig",
         "DeleteMlflowTrackingServer", "DeleteModel", "DeleteModelPackageGroup", "DeleteModelPackageGroupPolicy",
         "DeleteMonitoringSchedule", "DeleteTags", "PutModelPackageGroupPolicy", "StartMonitoringSchedule",
         "StopMonitoringSchedule", "UpdateEndpoint", "UpdateEndpointWeightsAndCapacities",
         "UpdateMlflowTrackingServer", "UpdateMonitoringSchedule"],
    ),
    "kms": (
        ["TagResource"],
        ["CreateAlias", "CreateGrant", "DeleteAlias", "EnableKeyRotation", "PutKeyPolicy", "ScheduleKeyDeletion",
         "TagResource", "UntagResource", "UpdateAlias", "UpdateKeyDescription"],
    ),
    "ec2": (
        ["CreateFlowLogs", "CreateRouteTable", "CreateSecurityGroup", "CreateSubnet", "CreateTags", "CreateVpc",
         "CreateVpcEndpoint"],
        ["AssociateRouteTable", "AuthorizeSecurityGroupEgress", "AuthorizeSecurityGroupIngress", "CreateTags",
         "DeleteFlowLogs", "DeleteRouteTable", "DeleteSecurityGroup", "DeleteSubnet", "DeleteTags",
         "DeleteVpc", "DeleteVpcEndpoints", "DisassociateRouteTable", "ModifySubnetAttribute",
         "ModifyVpcAttribute", "ModifyVpcEndpoint", "RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress"],
    ),
    "logs": (
        ["CreateLogGroup", "TagResource"],
        ["AssociateKmsKey", "DeleteLogGroup", "DeleteRetentionPolicy", "DisassociateKmsKey", "PutRetentionPolicy",
         "TagResource", "UntagResource"],
    ),
    "cloudtrail": (
        ["AddTags", "CreateTrail"],
        ["AddTags", "DeleteTrail", "PutEventSelectors", "RemoveTags", "StartLogging", "StopLogging", "UpdateTrail"],
    ),
    "sns": (
        ["CreateTopic", "TagResource"],
        ["DeleteTopic", "SetTopicAttributes", "TagResource", "UntagResource"],
    ),
    "events": (
        ["PutRule", "TagResource"],
        ["DeleteRule", "DisableRule", "EnableRule", "PutRule", "PutTargets", "RemoveTargets", "TagResource",
         "UntagResource"],
    ),
    "cloudwatch": (
        ["PutMetricAlarm", "TagResource"],
        ["DeleteAlarms", "PutMetricAlarm", "TagResource", "UntagResource"],
    ),
    "ecr": (
        ["CreateRepository", "TagResource"],
        ["DeleteLifecyclePolicy", "DeleteRepository", "PutImageScanningConfiguration", "PutImageTagMutability",
         "PutLifecyclePolicy", "TagResource", "UntagResource"],
    ),
    "glue": (
        ["CreateDatabase", "TagResource"],
        ["DeleteDatabase", "TagResource", "UntagResource", "UpdateDatabase"],
    ),
    "application-autoscaling": (
        ["RegisterScalableTarget", "TagResource"],
        ["DeleteScalingPolicy", "DeregisterScalableTarget", "PutScalingPolicy", "RegisterScalableTarget",
         "TagResource", "UntagResource"],
    ),
}

# Reads a refresh or preview makes. Describe/List calls that return many resources accept
# only "*"; none of these returns data (no object reads, no log events, no feature records).
INVENTORY_READS = [
    "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
    "cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors", "cloudtrail:GetTrailStatus", "cloudtrail:ListTags",
    "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource",
    "ec2:Describe*",
    "ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:ListTagsForResource",
    "events:DescribeRule", "events:ListTagsForResource", "events:ListTargetsByRule",
    "glue:GetDatabase", "glue:GetTags",
    "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
    "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListResourceTags",
    "logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
    "sagemaker:Describe*", "sagemaker:GetModelPackageGroupPolicy", "sagemaker:List*",
    "sns:GetTopicAttributes", "sns:ListTagsForResource",
]
BUCKET_READS = [
    "s3:GetAccelerateConfiguration", "s3:GetBucket*", "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:ListBucket",
]
BUCKET_WRITES = [
    "s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketLogging",
    "s3:PutBucketObjectLockConfiguration", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration",
]
ROLE_CREATE = ["iam:CreateRole", "iam:TagRole"]
ROLE_CHANGE = [
    "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
]
# The services the platform's roles are handed to (SageMaker jobs and endpoints, CloudTrail's
# log delivery, VPC flow logs, S3 replication).
PASS_ROLE_TO = ["cloudtrail.amazonaws.com", "s3.amazonaws.com", "sagemaker.amazonaws.com", "vpc-flow-logs.amazonaws.com"]
# Application Auto Scaling creates its SageMaker service-linked role on first use.
SERVICE_LINKED_ROLES = ["sagemaker.application-autoscaling.amazonaws.com"]


@dataclass
class DeployAccessArgs:
    identity: StackIdentity
    provider: str
    # GitHub `owner/name`, or GitLab `group/project` (subgroups allowed).
    repository: str
    # The Pulumi state bucket and the key of its encryption and of Pulumi's secrets; None
    # when the state lives elsewhere (Pulumi Cloud).
    state_bucket_arn: pulumi.Input[str] | None = None
    state_key_arn: pulumi.Input[str] | None = None
    # An account holds one OIDC provider per issuer: pass its ARN when it already exists.
    existing_provider_arn: str | None = None
    # Every region the platform deploys to (its placed region and its DR region).
    regions: list[str] = field(default_factory=list)
    # GitLab's subject names a branch, not an environment: the protected branch that deploys.
    gitlab_ref: str = "main"
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)


def deploy_role_name(identity: StackIdentity) -> str:
    return identity.role_name("deploy")


def state_prefix(identity: StackIdentity) -> str:
    """The state bucket prefix of this platform: log in with `pulumi login s3://<bucket>/<prefix>`."""
    return f"{slug(identity.blueprint)}/{slug(identity.environment)}"


def provider_host(provider: str) -> str:
    return OIDC[provider]["url"].removeprefix("https://")


def provider_arn(partition: str, account_id: str, provider: str) -> str:
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{provider_host(provider)}"


def subject(args: DeployAccessArgs) -> str:
    """The token subject that may deploy: GitHub's environment, GitLab's protected branch."""
    if args.provider == "github":
        return f"repo:{args.repository}:environment:{args.identity.environment}"
    return f"project_path:{args.repository}:ref_type:branch:ref:{args.gitlab_ref}"


def trust_policy(args: DeployAccessArgs, federated_arn: str) -> str:
    """Only web identities of this repository's deployment, with the CI's audience."""
    host = provider_host(args.provider)
    return policy_document(
        [
            {
                "Sid": "CiDeploymentOnly",
                "Effect": "Allow",
                "Principal": {"Federated": federated_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{host}:aud": OIDC[args.provider]["audience"], f"{host}:sub": subject(args)}
                },
            }
        ]
    )


def _state_statements(args: DeployAccessArgs, state_bucket_arn: str | None, state_key_arn: str | None) -> list[dict]:
    """The environment's Pulumi state (its prefix of the state bucket) and the key of state and secrets."""
    statements = []
    if state_bucket_arn is not None:
        bucket = state_bucket_arn.split(":::", 1)[-1]
        statements += with_sid_prefix(
            s3_prefix_statements(
                bucket, state_prefix(args.identity), args.identity.partition,
                ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            ),
            "State",
        )
    if state_key_arn is not None:
        statements.append(
            {
                "Sid": "StateAndSecretsKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": state_key_arn,
            }
        )
    return statements


def _resource_statements(args: DeployAccessArgs, own: dict, requested: dict) -> list[dict]:
    """Create and change the platform's own resources: tagged ones, its key aliases and buckets."""
    p, account = args.identity.partition, args.identity.account_id
    # Every service of MANAGED_ACTIONS, in this account and the platform's regions only; the
    # actions name the services, so one pattern per region keeps the policy within IAM's size.
    regional = [f"arn:{p}:*:{region}:{account}:*" for region in sorted(args.regions)]
    return [
        {"Sid": "ReadPlatformInventory", "Effect": "Allow", "Action": INVENTORY_READS, "Resource": "*"},
        {
            "Sid": "CreateTaggedPlatformResources",
            "Effect": "Allow",
            "Action": sorted(f"{s}:{a}" for s, (create, _) in MANAGED_ACTIONS.items() for a in create),
            "Resource": regional,
            "Condition": {"StringEquals": requested},
        },
        {
            "Sid": "ChangeTaggedPlatformResources",
            "Effect": "Allow",
            "Action": sorted(f"{s}:{a}" for s, (_, change) in MANAGED_ACTIONS.items() for a in change),
            "Resource": regional,
            "Condition": {"StringEquals": own},
        },
        {
            # CreateKey has no resource until the key exists, so "*" is the only resource it
            # accepts; the request must tag the key as this platform's.
            "Sid": "CreateTaggedKeys",
            "Effect": "Allow",
            "Action": "kms:CreateKey",
            "Resource": "*",
            "Condition": {"StringEquals": requested},
        },
        {
            # Aliases carry no tags: they are scoped by the platform's alias path.
            "Sid": "ManagePlatformKeyAliases",
            "Effect": "Allow",
            "Action": ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            "Resource": [
                f"arn:{p}:kms:{region}:{account}:alias/{slug(args.identity.blueprint)}/"
                f"{slug(args.identity.environment)}/*"
                for region in sorted(args.regions)
            ],
        },
        {
            # S3 bucket names are global and carry the blueprint and environment.
            "Sid": "ManagePlatformBuckets",
            "Effect": "Allow",
            "Action": sorted(BUCKET_WRITES + BUCKET_READS),
            "Resource": f"arn:{p}:s3:::{slug(args.identity.blueprint)}-{slug(args.identity.environment)}-*",
        },
    ]


def _role_statements(args: DeployAccessArgs, own: dict, requested: dict) -> list[dict]:
    """Create, change and pass the platform's tagged roles, and the scaling service-linked role."""
    roles = args.identity.arn("iam", "role/*", region="")
    return [
        {"Sid": "CreateTaggedRoles", "Effect": "Allow", "Action": ROLE_CREATE, "Resource": roles,
         "Condition": {"StringEquals": requested}},
        {"Sid": "ChangeTaggedRoles", "Effect": "Allow", "Action": ROLE_CHANGE, "Resource": roles,
         "Condition": {"StringEquals": own}},
        {
            "Sid": "PassTaggedRolesToPlatformServices",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": roles,
            "Condition": {"StringEquals": {**own, "iam:PassedToService": PASS_ROLE_TO}},
        },
        {
            "Sid": "CreateScalingServiceLinkedRole",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": args.identity.arn("iam", "role/aws-service-role/*", region=""),
            "Condition": {"StringEquals": {"iam:AWSServiceName": SERVICE_LINKED_ROLES}},
        },
    ]


def _guard_statements(args: DeployAccessArgs) -> list[dict]:
    """Denials no allow above can outweigh: role chaining, self-change, regions outside the platform's."""
    return [
        {
            # A role the deploy role creates could trust the deploy role; it may not assume it.
            "Sid": "NoRoleChaining",
            "Effect": "Deny",
            "Action": "sts:AssumeRole",
            "Resource": "*",
        },
        {
            "Sid": "NoChangesToTheDeployRoleItself",
            "Effect": "Deny",
            "Action": sorted(
                ROLE_CHANGE + ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary"]
            ),
            "Resource": args.identity.arn(
                "iam", f"role/{deploy_role_name(args.identity)}", region=""),
        },
        {
            # Residency: nothing regional outside the platform's regions, whatever else allows it.
            "Sid": "StayInPlatformRegions",
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": sorted(args.regions)}},
        },
    ]


def deploy_policy(args: DeployAccessArgs, state_bucket_arn: str | None, state_key_arn: str | None) -> str:
    """What `pulumi up` needs on this platform and nothing else; see the statements' Sids."""
    own = {f"aws:ResourceTag/{BLUEPRINT_TAG}": args.identity.blueprint}
    requested = {f"aws:RequestTag/{BLUEPRINT_TAG}": args.identity.blueprint}
    statements = [*_state_statements(args, state_bucket_arn, state_key_arn),
                  *_resource_statements(args, own, requested), *_role_statements(args, own, requested),
                  *_guard_statements(args)]
    document = policy_document(statements)
    size = len(re.sub(r"\s", "", document))
    if size > IAM_INLINE_POLICY_MAX:
        raise QantaraError(
            f"the deploy policy of {args.identity.blueprint} ({args.identity.environment}) is {size} characters, over IAM's "
            f"{IAM_INLINE_POLICY_MAX} for a role's inline policies; deploy to fewer regions from one role"
        )
    return document


class DeployAccess(QantaraComponent):
    """An OIDC identity provider for GitHub Actions or GitLab CI (unless one exists) and the
    role `<blueprint>-<env>-deploy` that only this repository's deployment can assume, for
    an hour at most, with what `pulumi up` needs on this platform.

    No thumbprints: IAM verifies GitHub's and GitLab's tokens against its own trusted CAs.
    """

    role_arn: pulumi.Output[str]
    provider_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DeployAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        _check(args)
        if args.existing_provider_arn is None:
            oidc = aws.iam.OpenIdConnectProvider(
                f"{name}-oidc",
                url=OIDC[args.provider]["url"],
                client_id_lists=[OIDC[args.provider]["audience"]],
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            # Built from known strings so the trust policy is readable at preview.
            federated = provider_arn(args.identity.partition, args.identity.account_id, args.provider)
            provider_output, after = oidc.arn, [oidc]
        else:
            federated = args.existing_provider_arn
            provider_output, after = pulumi.Output.from_input(federated), []
        self.role = aws.iam.Role(
            f"{name}-role",
            name=deploy_role_name(args.identity),
            description=f"pulumi up for {args.identity.blueprint} ({args.identity.environment}) from {args.repository}",
            assume_role_policy=trust_policy(args, federated),
            max_session_duration=MAX_SESSION_SECONDS,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=after),
        )
        aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=self.role.name,
            policy=pulumi.Output.all(args.state_bucket_arn, args.state_key_arn).apply(
                lambda v: deploy_policy(args, v[0], v[1])
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.role]),
        )
        self.role_arn = self.role.arn
        self.provider_arn = provider_output
        self.register_outputs({"roleArn": self.role_arn, "providerArn": self.provider_arn})


def _check(args: DeployAccessArgs) -> None:
    if args.provider not in OIDC:
        raise QantaraError(f"CI provider `{args.provider}` is not supported; use one of {', '.join(OIDC)}")
    problem = repository_problem(args.provider, args.repository)
    if problem:
        raise QantaraError(problem)
    if not args.regions:
        raise QantaraError("deploy access names no regions; list the platform's region and its DR region if any")
    if args.existing_provider_arn is not None:
        # An offline plan stands a placeholder in for the account: the issuer is checked
        # (as `qantara validate` does), the account only where it is known, at `pulumi up`.
        account = None if args.identity.account_id == OFFLINE_ACCOUNT_ID else args.identity.account_id
        problem = oidc_provider_problem(args.existing_provider_arn, args.provider, account)
        if problem:
            expected = provider_arn(args.identity.partition, args.identity.account_id, args.provider)
            raise QantaraError(f"{problem} (expected {expected})")
    check_role_name(deploy_role_name(args.identity), "the blueprint or environment name")


def build_deploy_access(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """The CI system's role for this environment, trusted through its OIDC issuer."""
    deploy = scope.platform.blueprint.spec.deploy_access
    key_class = scope.platform_class()
    config = pulumi.Config("qantara")
    access = DeployAccess(
        "deploy-access",
        DeployAccessArgs(
            identity=scope.identity,
            provider=deploy.provider,
            repository=deploy.repository,
            # Made by stacks/bootstrap; absent when the state lives elsewhere.
            state_bucket_arn=config.get("stateBucketArn"),
            state_key_arn=config.get("stateKeyArn"),
            existing_provider_arn=deploy.provider_arn,
            regions=[r for r in (scope.identity.region, scope.platform.dr_region) if r],
            data_classification=key_class,
            tags=scope.tags("deployAccess", key_class),
        ),
        opts=scope.opts,
    )
    return {"deployRoleArn": access.role_arn, "oidcProviderArn": access.provider_arn}
