"""DisasterRecovery: replicas of the data buckets in the DR region, under a DR key of their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.data_lake import data_bucket
from qantara.components.iam_documents import (
    check_role_name,
    policy_document,
    service_endpoint,
    service_trust_policy,
)
from qantara.components.identity import StackIdentity
from qantara.components.sovereign_keys import SovereignKeys, SovereignKeysArgs
from qantara.errors import QantaraError

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:disaster_recovery:DisasterRecovery"
LOG_PURPOSE = "access-logs"


@dataclass
class DisasterRecoveryArgs:
    """The provider in `opts` is the primary region's: the replication configurations belong
    to the source buckets and use it. Everything else of the component is in the DR region,
    through `dr_provider`. Whether the DR region may hold the data is placement's decision,
    made before this component is built. The identity's region is the primary region."""

    identity: StackIdentity
    dr_region: str
    # Purpose -> source bucket (anything with `.id`, the bucket name, and `.arn`), versioned
    # and encrypted with `source_kms_key_arn`, as DataLake's are.
    source_buckets: dict
    source_kms_key_arn: pulumi.Input[str]
    dr_provider: pulumi.ProviderResource
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)
    force_destroy: bool = False
    # What turns on the source buckets' versioning (e.g. the DataLake component):
    # S3 refuses a replication configuration on an unversioned bucket.
    source_dependencies: list[pulumi.Resource] = field(default_factory=list)


def replication_role_name(identity: StackIdentity) -> str:
    return identity.role_name("replication")


def replication_trust_policy(account_id: str) -> str:
    """Only S3, replicating for this account, may assume the role."""
    return service_trust_policy("s3.amazonaws.com", {"StringEquals": {"aws:SourceAccount": account_id}})


def replication_policy(
    args: DisasterRecoveryArgs, source_key_arn: str, dr_key_arn: str, source_arns: list[str], dr_arns: list[str]
) -> str:
    """Read the sources' replication settings and object versions, replicate into the DR
    buckets, decrypt with the source key and encrypt with the DR key, each only through S3
    in its own region and for these buckets (with S3 Bucket Keys the encryption context is
    the bucket's ARN, without them the object's)."""
    sources, replicas = sorted(source_arns), sorted(dr_arns)
    return policy_document(
        [
            {
                "Sid": "ReadSourceReplicationSettings",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": sources,
            },
            {
                "Sid": "ReadSourceObjectVersions",
                "Effect": "Allow",
                "Action": ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"],
                "Resource": [f"{arn}/*" for arn in sources],
            },
            {
                "Sid": "ReplicateIntoDrBuckets",
                "Effect": "Allow",
                "Action": ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"],
                "Resource": [f"{arn}/*" for arn in replicas],
            },
            {
                "Sid": "DecryptSourceObjectsThroughS3",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": source_key_arn,
                "Condition": {
                    "StringEquals": {"kms:ViaService": service_endpoint("s3", args.identity.region, args.identity.partition)},
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": [*sources, *(f"{a}/*" for a in sources)]},
                },
            },
            {
                "Sid": "EncryptReplicasThroughS3",
                "Effect": "Allow",
                "Action": "kms:Encrypt",
                "Resource": dr_key_arn,
                "Condition": {
                    "StringEquals": {"kms:ViaService": service_endpoint("s3", args.dr_region, args.identity.partition)},
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": [*replicas, *(f"{a}/*" for a in replicas)]},
                },
            },
        ]
    )


def replication_rule(purpose: str, dr_bucket_arn: pulumi.Input[str], dr_key_arn: pulumi.Input[str]) -> dict:
    """Every object, KMS-encrypted ones included, and delete markers, into the DR bucket,
    re-encrypted there with the DR key."""
    return {
        "id": f"{purpose}-to-dr",
        "status": "Enabled",
        "priority": 1,
        "filter": {},
        "delete_marker_replication": {"status": "Enabled"},
        "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
        "destination": {"bucket": dr_bucket_arn, "encryption_configuration": {"replica_kms_key_id": dr_key_arn}},
    }


class DisasterRecovery(QantaraComponent):
    """A DR key and one DR bucket per replicated data bucket in the DR region, and S3
    replication from each source bucket into its DR bucket.

    The DR key is single-Region and rotating, like the platform key; the DR buckets carry
    the DataLake controls (SSE-KMS with the DR key, versioning, public access blocked, ACLs
    off, TLS only, access logs). Replicas are decrypted from the source key and re-encrypted
    with the DR key, so losing the primary region's key does not lose the replicas.
    """

    dr_bucket_names: pulumi.Output[dict]
    dr_key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DisasterRecoveryArgs, opts: pulumi.ResourceOptions | None = None):
        primary = opts.provider if opts is not None else None
        if primary is None:
            raise QantaraError(
                f"disaster recovery `{name}` needs the primary region's provider in its options; "
                "the replication of the source buckets is configured there"
            )
        # Children default to the DR region; only the replication configurations are primary.
        super().__init__(
            TYPE_TOKEN,
            name,
            {"dataClassification": args.data_classification},
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=args.dr_provider)),
        )
        self._name = name
        self._args = args
        self._dr_identity = args.identity.in_region(args.dr_region)
        _check(args)
        self.keys = SovereignKeys(
            f"{name}-keys",
            SovereignKeysArgs(
                identity=self._dr_identity,
                alias=self._dr_identity.kms_alias("dr"),
                description=(f"Qantara DR key for {args.identity.blueprint} ({args.identity.environment}) "
                             f"in {args.dr_region}"),
                data_classification=args.data_classification,
                # The DR access-log bucket is encrypted with this key too, and so are the DR
                # region's audit trail and its log group.
                service_principals=["logging.s3.amazonaws.com"],
                logs_region=args.dr_region,
                cloudtrail=True,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.log_bucket, _ = self._dr_bucket(LOG_PURPOSE, log_target=None)
        self.buckets = {}
        versioned = []
        for purpose in args.source_buckets:
            bucket, versioning = self._dr_bucket(purpose, log_target=self.log_bucket)
            self.buckets[purpose] = bucket
            versioned.append(versioning)
        role, role_ready = self._replication_role()
        for purpose, source in args.source_buckets.items():
            aws.s3.BucketReplicationConfig(
                f"{name}-{purpose}-replication",
                bucket=source.id,
                role=role.arn,
                rules=[replication_rule(purpose, self.buckets[purpose].arn, self.keys.key_arn)],
                # S3 checks both buckets are versioned and the role exists when it accepts this.
                opts=pulumi.ResourceOptions(
                    parent=self, provider=primary, depends_on=[*versioned, *role_ready, *args.source_dependencies]
                ),
            )

        self.dr_bucket_names = pulumi.Output.from_input({p: b.bucket for p, b in self.buckets.items()})
        self.dr_key_arn = self.keys.key_arn
        self.register_outputs({"drBucketNames": self.dr_bucket_names, "drKeyArn": self.dr_key_arn})

    def _dr_bucket(self, purpose: str, log_target: aws.s3.Bucket | None) -> tuple[aws.s3.Bucket, aws.s3.BucketVersioning]:
        args = self._args
        bucket, controls = data_bucket(
            self, f"{self._name}-{purpose}", purpose, self._dr_identity.bucket_name(purpose),
            kms_key_arn=self.keys.key_arn, partition=args.identity.partition, force_destroy=args.force_destroy,
            tags=args.tags, log_target=log_target)
        return bucket, controls.versioning

    def _replication_role(self) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
        args = self._args
        # IAM is global; the role goes through the component's (DR) provider like the rest.
        role = aws.iam.Role(
            f"{self._name}-replication-role",
            name=replication_role_name(args.identity),
            assume_role_policy=replication_trust_policy(args.identity.account_id),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        purposes = list(args.source_buckets)
        dr_arns = [self._dr_identity.arn("s3", self._dr_identity.bucket_name(p), region="", account="")
                   for p in purposes]
        policy = aws.iam.RolePolicy(
            f"{self._name}-replication-role-policy",
            role=role.name,
            policy=pulumi.Output.all(
                args.source_kms_key_arn, self.keys.key_arn, *[args.source_buckets[p].arn for p in purposes]
            ).apply(lambda v: replication_policy(args, v[0], v[1], list(v[2:]), dr_arns)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )
        return role, [role, policy]


def _check(args: DisasterRecoveryArgs) -> None:
    if not args.source_buckets:
        raise QantaraError("disaster recovery has no source buckets; name the data buckets to replicate")
    if args.dr_region == args.identity.region:
        raise QantaraError(
            f"the DR region `{args.dr_region}` is the primary region; a replica there survives no regional outage"
        )
    if LOG_PURPOSE in args.source_buckets:
        raise QantaraError(f"`{LOG_PURPOSE}` names the DR region's own log bucket; give the source another purpose")
    check_role_name(replication_role_name(args.identity), "the blueprint or environment name")


def build_disaster_recovery(scope: PlatformScope, component: ResolvedComponent | None) -> Outputs:
    """Replicas of the data lake in the DR region placement allowed (the lake's builder runs first)."""
    dr_region, lake = scope.platform.dr_region, scope.built["dataLake"]
    data_class = scope.platform.components["dataLake"].data_class
    dr_provider = aws.Provider(f"aws-{dr_region}", region=dr_region, default_tags={"tags": scope.base_tags})
    recovery = DisasterRecovery(
        "disaster-recovery",
        DisasterRecoveryArgs(
            identity=scope.identity,
            dr_region=dr_region,
            source_buckets={purpose: lake.buckets[purpose] for purpose in ("raw", "curated", "artifacts")},
            source_kms_key_arn=scope.key_arn,
            dr_provider=dr_provider,
            data_classification=data_class,
            tags=scope.tags("dataLake", data_class),
            force_destroy=not scope.profile.deletion_protection,
            source_dependencies=[lake],
        ),
        opts=scope.opts,
    )
    scope.built.update(disasterRecovery=recovery, drProvider=dr_provider)
    return {"drRegion": dr_region, "drBuckets": recovery.dr_bucket_names, "drKeyArn": recovery.dr_key_arn}
