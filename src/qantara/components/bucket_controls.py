"""The storage controls every Qantara bucket carries, in one place.

ACLs disabled, all four public-access blocks, SSE-KMS with the platform key (bucket keys
on, to cut KMS calls) and versioning. Components create the bucket (its name and creation
options are theirs) and then call `harden_bucket`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class BucketControls:
    ownership: aws.s3.BucketOwnershipControls
    public_access_block: aws.s3.BucketPublicAccessBlock
    encryption: aws.s3.BucketServerSideEncryptionConfiguration
    versioning: aws.s3.BucketVersioning


def harden_bucket(parent: pulumi.Resource, logical: str, bucket: aws.s3.Bucket,
                  kms_key_arn: pulumi.Input[str]) -> BucketControls:
    """Create the controls for `bucket` as children of `parent`, named after `logical`."""
    after_bucket = pulumi.ResourceOptions(parent=parent, depends_on=[bucket])
    ownership = aws.s3.BucketOwnershipControls(
        f"{logical}-ownership",
        bucket=bucket.bucket,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=after_bucket,
    )
    block = aws.s3.BucketPublicAccessBlock(
        f"{logical}-public-access",
        bucket=bucket.bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=after_bucket,
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{logical}-encryption",
        bucket=bucket.bucket,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn},
                "bucket_key_enabled": True,
            }
        ],
        opts=after_bucket,
    )
    versioning = aws.s3.BucketVersioning(
        f"{logical}-versioning",
        bucket=bucket.bucket,
        versioning_configuration={"status": "Enabled"},
        opts=after_bucket,
    )
    return BucketControls(ownership, block, encryption, versioning)
