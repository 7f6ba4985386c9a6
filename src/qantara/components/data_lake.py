"""DataLake: raw, curated and artifact buckets with every storage control on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.components.base import QantaraComponent
from qantara.components.bucket_controls import BucketControls, harden_bucket
from qantara.components.iam_documents import policy_document
from qantara.components.identity import StackIdentity
from qantara.naming import DATA_LAKE_ZONES

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:data_lake:DataLake"


def data_bucket(parent: pulumi.Resource, logical: str, purpose: str, physical: str, *,
                kms_key_arn: pulumi.Input[str], partition: str, force_destroy: bool, tags: dict[str, str],
                log_target: aws.s3.Bucket | None) -> tuple[aws.s3.Bucket, BucketControls]:
    """A data bucket as `parent`'s child: hardened (bucket_controls), TLS only, and with its
    server access logs in `log_target` under `<purpose>/` (none for a log bucket itself)."""
    bucket = aws.s3.Bucket(logical, bucket=physical, force_destroy=force_destroy, tags=tags,
                           opts=pulumi.ResourceOptions(parent=parent))
    controls = harden_bucket(parent, logical, bucket, kms_key_arn)
    # The policy is written after the public-access block so S3 never sees it unguarded.
    aws.s3.BucketPolicy(
        f"{logical}-tls-only",
        bucket=bucket.bucket,
        policy=tls_only_policy(physical, partition),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[bucket, controls.public_access_block]),
    )
    if log_target is not None:
        aws.s3.BucketLogging(
            f"{logical}-access-logging",
            bucket=bucket.bucket,
            target_bucket=log_target.bucket,
            target_prefix=f"{purpose}/",
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[bucket, log_target]),
        )
    return bucket, controls


@dataclass
class DataLakeArgs:
    identity: StackIdentity
    kms_key_arn: pulumi.Input[str]
    data_classification: str = "restricted"
    # Deleting a bucket with objects in it is allowed only where data is disposable (dev).
    force_destroy: bool = False
    tags: dict[str, str] = field(default_factory=dict)


def tls_only_policy(bucket: str, partition: str) -> str:
    """Deny every request that does not use TLS, for the bucket and its objects."""
    arn = f"arn:{partition}:s3:::{bucket}"
    return policy_document(
        [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        ]
    )


class DataLake(QantaraComponent):
    """Buckets for raw, curated and artifact data, plus the bucket their access logs go to.

    Every bucket: SSE-KMS with the platform key (bucket keys on, to cut KMS calls),
    versioning, all four public-access blocks, ACLs disabled, a TLS-only policy, and
    server access logging (the log bucket itself is encrypted with the same key, which
    the key policy lets the S3 logging service use).
    """

    bucket_names: pulumi.Output[dict]

    def __init__(self, name: str, args: DataLakeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._args = args
        self.log_bucket = self._bucket(f"{name}-access-logs", "access-logs", log_target=None)
        self.buckets = {
            zone: self._bucket(f"{name}-{zone}", zone, log_target=self.log_bucket) for zone in DATA_LAKE_ZONES
        }
        self.bucket_names = pulumi.Output.from_input({zone: b.bucket for zone, b in self.buckets.items()})
        self.register_outputs(
            {"bucketNames": self.bucket_names, "accessLogBucket": self.log_bucket.bucket}
        )

    def _bucket(self, logical: str, purpose: str, log_target: aws.s3.Bucket | None) -> aws.s3.Bucket:
        args = self._args
        bucket, _ = data_bucket(self, logical, purpose, args.identity.bucket_name(purpose),
                                kms_key_arn=args.kms_key_arn, partition=args.identity.partition,
                                force_destroy=args.force_destroy, tags=args.tags, log_target=log_target)
        return bucket


def build_data_lake(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    lake = DataLake(
        "data-lake",
        DataLakeArgs(
            identity=scope.identity,
            kms_key_arn=scope.key_arn,
            data_classification=component.data_class,
            force_destroy=not scope.profile.deletion_protection,
            tags=scope.tags("dataLake", component.data_class),
        ),
        opts=scope.opts,
    )
    scope.built["dataLake"] = lake
    return {"dataLakeBuckets": lake.bucket_names}
