"""AuditTrail: a single-Region CloudTrail trail into an Object-Locked, KMS-encrypted bucket."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.bucket_controls import harden_bucket
from qantara.components.data_lake import tls_only_policy
from qantara.components.iam_documents import policy_document, service_trust_policy
from qantara.components.identity import StackIdentity
from qantara.naming import trail_name

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:audit_trail:AuditTrail"
LOG_PURPOSE = "audit-trail"


@dataclass
class AuditTrailArgs:
    """One knob per decision; the region is the provider's, passed in `opts`, and repeated
    in the identity only to build ARNs without an invoke."""

    identity: StackIdentity
    kms_key_arn: pulumi.Input[str]
    # Buckets whose object-level reads and writes are audited (S3 data events).
    data_bucket_arns: list[pulumi.Input[str]]
    # Object Lock COMPLIANCE retention: nobody, root included, can delete a log before this.
    retention_days: int = 365
    log_group_retention_days: int = 365
    # Global services (IAM, STS global endpoint) log to us-east-1; off unless the trail is there.
    include_global_service_events: bool = False
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)




def audit_bucket_policy(bucket: str, partition: str, account_id: str, source_trail_arn: str) -> str:
    """TLS only, and CloudTrail may write this account's logs for this trail alone."""
    policy = json.loads(tls_only_policy(bucket, partition))
    arn = f"arn:{partition}:s3:::{bucket}"
    # Confused-deputy guard: CloudTrail acts for this one trail only.
    from_trail = {"aws:SourceArn": source_trail_arn}
    policy["Statement"] += [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": {"StringEquals": from_trail},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/{account_id}/*",
            "Condition": {"StringEquals": {**from_trail, "s3:x-amz-acl": "bucket-owner-full-control"}},
        },
    ]
    return json.dumps(policy, sort_keys=True)


def cloudtrail_logs_trust_policy(source_trail_arn: str) -> str:
    return service_trust_policy("cloudtrail.amazonaws.com", {"StringEquals": {"aws:SourceArn": source_trail_arn}})


def cloudtrail_logs_write_policy(log_group_arn: str) -> str:
    """Write to the trail's own log group's streams, nothing else."""
    return policy_document(
        [
        {
            "Sid": "WriteTrailEventsToItsGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:log-stream:*",
        }
        ]
    )


class AuditTrail(QantaraComponent):
    """CloudTrail for the placed region: management events plus S3 data events on the data
    buckets, delivered to a log bucket and a log group.

    The log bucket is created with Object Lock in COMPLIANCE mode, so audit evidence cannot
    be deleted or overwritten within the retention, not even by the account root. The trail
    is single-Region so its events, and their copies, stay in the jurisdiction.
    """

    trail_arn: pulumi.Output[str]
    log_bucket_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: AuditTrailArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name = name
        self._args = args
        self._account = pulumi.Output.from_input(args.identity.account_id)
        self._trail_name = trail_name(args.identity.blueprint, args.identity.environment, name)
        self._trail_arn = self._account.apply(
            lambda a: args.identity.arn("cloudtrail", f"trail/{self._trail_name}", account=a)
        )
        self.log_bucket, bucket_ready = self._log_bucket()
        self.log_group, logs_role, logs_ready = self._log_group()
        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=self._trail_name,
            s3_bucket_name=self.log_bucket.bucket,
            kms_key_id=args.kms_key_arn,
            is_multi_region_trail=False,
            is_organization_trail=False,
            include_global_service_events=args.include_global_service_events,
            enable_log_file_validation=True,
            enable_logging=True,
            cloud_watch_logs_group_arn=self.log_group.arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=logs_role.arn,
            advanced_event_selectors=self._event_selectors(),
            tags=args.tags,
            # CloudTrail checks it can write when the trail is created: the policies come first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*bucket_ready, *logs_ready]),
        )

        self.trail_arn = self.trail.arn
        self.log_bucket_name = self.log_bucket.bucket
        self.log_group_name = self.log_group.name
        self.register_outputs(
            {"trailArn": self.trail_arn, "logBucketName": self.log_bucket_name, "logGroupName": self.log_group_name}
        )

    def _log_bucket(self) -> tuple[aws.s3.Bucket, list[pulumi.Resource]]:
        name, args = self._name, self._args
        logical = f"{name}-logs"
        physical = args.identity.bucket_name(LOG_PURPOSE)
        # Object Lock can only be turned on when the bucket is created.
        bucket = aws.s3.Bucket(
            logical, bucket=physical, object_lock_enabled=True, tags=args.tags, opts=pulumi.ResourceOptions(parent=self)
        )
        controls = harden_bucket(self, logical, bucket, args.kms_key_arn)
        ownership, block, encryption, versioning = (
            controls.ownership, controls.public_access_block, controls.encryption, controls.versioning)
        lock = aws.s3.BucketObjectLockConfiguration(
            f"{logical}-object-lock",
            bucket=bucket.bucket,
            object_lock_enabled="Enabled",
            rule={"default_retention": {"mode": "COMPLIANCE", "days": args.retention_days}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket, versioning]),
        )
        # The policy is written after the public-access block so S3 never sees it unguarded.
        policy = aws.s3.BucketPolicy(
            f"{logical}-policy",
            bucket=bucket.bucket,
            policy=pulumi.Output.all(self._account, self._trail_arn).apply(
                lambda v: audit_bucket_policy(physical, args.identity.partition, v[0], v[1])
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket, block]),
        )
        return bucket, [ownership, block, encryption, versioning, lock, policy]

    def _log_group(self) -> tuple[aws.cloudwatch.LogGroup, aws.iam.Role, list[pulumi.Resource]]:
        name, args = self._name, self._args
        group_name = args.identity.log_group_name(name, "cloudtrail")
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-events",
            name=group_name,
            retention_in_days=args.log_group_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Built from known strings, so the policy is readable (and checkable) before deployment.
        group_arn = self._account.apply(
            lambda a: args.identity.arn("logs", f"log-group:{group_name}", account=a)
        )
        role = aws.iam.Role(
            f"{name}-events-role",
            assume_role_policy=self._trail_arn.apply(cloudtrail_logs_trust_policy),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-events-write",
            role=role.id,
            policy=group_arn.apply(cloudtrail_logs_write_policy),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role, log_group]),
        )
        return log_group, role, [log_group, role, role_policy]

    def _event_selectors(self) -> list[dict]:
        """Advanced selectors replace the defaults, so management events are listed too."""
        selectors = [
            {
                "name": "Management events",
                "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
            }
        ]
        if self._args.data_bucket_arns:
            selectors.append(
                {
                    "name": "S3 data events on the data buckets",
                    "field_selectors": [
                        {"field": "eventCategory", "equals": ["Data"]},
                        {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                        {
                            "field": "resources.ARN",
                            "starts_withs": [pulumi.Output.concat(arn, "/") for arn in self._args.data_bucket_arns],
                        },
                    ],
                }
            )
        return selectors


def _trail(scope: PlatformScope, component: ResolvedComponent, name: str, region: str, key_arn, buckets,
           opts: pulumi.ResourceOptions) -> AuditTrail:
    return AuditTrail(
        name,
        AuditTrailArgs(
            identity=scope.identity.in_region(region),
            kms_key_arn=key_arn,
            data_bucket_arns=[b.arn for b in buckets],
            retention_days=scope.platform.blueprint.spec.governance.audit_retention_days,
            log_group_retention_days=scope.profile.log_retention_days,
            data_classification=component.data_class,
            tags=scope.tags("audit", component.data_class),
        ),
        opts=opts,
    )


def build_audit_trail(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    """The trail of the data lake's reads and writes, in the placed region."""
    lake = scope.built.get("dataLake")
    trail = _trail(scope, component, "audit", scope.identity.region, scope.key_arn,
                   lake.buckets.values() if lake else [], scope.opts)
    return {"auditTrailArn": trail.trail_arn, "auditLogBucket": trail.log_bucket_name}


def build_replica_audit_trail(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    """The replicas are data too: their reads and writes are audited where they live (the DR
    builder runs first)."""
    recovery = scope.built["disasterRecovery"]
    trail = _trail(scope, component, "audit-dr", scope.platform.dr_region, recovery.dr_key_arn,
                   recovery.buckets.values(), pulumi.ResourceOptions(provider=scope.built["drProvider"]))
    return {"drAuditTrailArn": trail.trail_arn}
