"""Shared pieces for the `move-` red-team programs: places outside the UAE that data can be
sent to, each built as carefully as the UAE's own (encrypted, versioned, private, TLS only), so
that the finding a program causes is the movement it makes and not a missing control.

The foreign bucket is labelled `internal` (the attacker's move: label the copy low) so the
residency policy on the bucket itself has nothing to say; what moves into it is the source's
class, and that is what the movement policies judge.
"""

import pulumi
import pulumi_aws as aws
from redteam_base import ACCOUNT, TAGS, key, opts

from qantara.components.audit_trail import AuditTrail, AuditTrailArgs
from qantara.components.data_lake import tls_only_policy
from qantara.components.identity import StackIdentity

# The label the attacker gives what lives abroad; the plan reads a resource's own tag.
LOW = {"data-classification": "internal"}

REGION_PROVIDERS: dict[str, aws.Provider] = {}


def provider_in(region: str, classification: str = "internal") -> aws.Provider:
    """A provider in another region, tagged as the platform tags, with the given class."""
    if region not in REGION_PROVIDERS:
        tags = {**TAGS, "data-classification": classification}
        REGION_PROVIDERS[region] = aws.Provider(f"aws-{region}", region=region, default_tags={"tags": tags})
    return REGION_PROVIDERS[region]


def bucket_controls(name: str, bucket: aws.s3.Bucket, physical: str, kms_key_arn, options: pulumi.ResourceOptions) -> None:
    """Encryption with a customer key, versioning, no public access, TLS only."""
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption", bucket=bucket.bucket,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn}}],
        opts=options)
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.bucket,
                            versioning_configuration={"status": "Enabled"}, opts=options)
    aws.s3.BucketPublicAccessBlock(f"{name}-public-access", bucket=bucket.bucket, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True,
                                   restrict_public_buckets=True, opts=options)
    aws.s3.BucketPolicy(f"{name}-tls-only", bucket=bucket.bucket, policy=tls_only_policy(physical, "aws"), opts=options)


def foreign_key(name: str, region: str, parent: pulumi.Resource | None = None) -> aws.kms.Key:
    """A customer key labelled internal in another region."""
    return aws.kms.Key(name, enable_key_rotation=True, tags=LOW,
                       opts=pulumi.ResourceOptions(provider=provider_in(region), parent=parent))


class DisasterRecoverySite(pulumi.ComponentResource):
    """How teams group what they keep abroad: a component that declares its (low) class."""

    def __init__(self, name: str) -> None:
        super().__init__("dubai-care:dr:Site", name, {"dataClassification": "internal"})
        self.register_outputs({"dataClassification": "internal"})


def foreign_bucket(name: str, region: str) -> aws.s3.Bucket:
    """A well-kept bucket labelled internal in another region, with its own key and audit trail there."""
    site = DisasterRecoverySite(f"{name}-site")
    options = pulumi.ResourceOptions(provider=provider_in(region), parent=site)
    bucket_key = foreign_key(f"{name}-key", region, site)
    physical = f"dubai-care-ml-prod-{name}"
    bucket = aws.s3.Bucket(name, bucket=physical, tags=LOW, opts=options)
    bucket_controls(name, bucket, physical, bucket_key.arn, options)
    AuditTrail(f"{name}-audit", AuditTrailArgs(
        identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region=region, account_id=ACCOUNT),
        kms_key_arn=bucket_key.arn, data_bucket_arns=[bucket.arn], retention_days=2555,
        data_classification="internal"), opts=options)
    return bucket


def replication_role(name: str) -> aws.iam.Role:
    """The role S3 (or another service) assumes to copy data."""
    return aws.iam.Role(name, assume_role_policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }), opts=opts)


__all__ = ["LOW", "bucket_controls", "foreign_bucket", "foreign_key", "key", "opts", "provider_in", "replication_role"]
