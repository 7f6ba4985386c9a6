"""What the location programs (`loc-*`) share: the compliant restricted bucket of
`redteam_base`, built through whichever provider (or with whichever region) the program
chooses, and stand-ins for the classes of provider packages this checkout does not install.

A stand-in registers exactly what the package's generated class registers (its type token and
properties), which is all a plan sees of it: `pulumi_aws_native.s3.Bucket` is a
`pulumi.CustomResource` of type `aws-native:s3:Bucket`, `pulumi_gcp.storage.Bucket` one of
type `gcp:storage/bucket:Bucket`.
"""

import pulumi
import pulumi_aws as aws

from qantara.components.data_lake import tls_only_policy
from redteam_base import audit, key


def restricted_bucket(name: str, opts: pulumi.ResourceOptions | None, **bucket_args) -> aws.s3.Bucket:
    """A restricted bucket made as `compliant_bucket` makes it (KMS, versioning, private, TLS
    only, audited), through `opts`' provider and with `bucket_args` (e.g. `region=`)."""
    physical = f"dubai-care-ml-prod-{name}"
    bucket = aws.s3.Bucket(name, bucket=physical, opts=opts, **bucket_args)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption", bucket=bucket.bucket,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}],
        opts=opts)
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.bucket,
                            versioning_configuration={"status": "Enabled"}, opts=opts)
    aws.s3.BucketPublicAccessBlock(f"{name}-public-access", bucket=bucket.bucket, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True,
                                   restrict_public_buckets=True, opts=opts)
    aws.s3.BucketPolicy(f"{name}-tls-only", bucket=bucket.bucket, policy=tls_only_policy(physical, "aws"), opts=opts)
    audit([bucket])
    return bucket


class NativeS3Bucket(pulumi.CustomResource):
    """Stand-in for `pulumi_aws_native.s3.Bucket`."""

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aws-native:s3:Bucket", name, props, opts)


class GcsBucket(pulumi.CustomResource):
    """Stand-in for `pulumi_gcp.storage.Bucket`."""

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        super().__init__("gcp:storage/bucket:Bucket", name, props, opts)
