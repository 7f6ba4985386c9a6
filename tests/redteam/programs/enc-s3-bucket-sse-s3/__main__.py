"""A cohort-extract bucket, private, versioned and TLS-only like the others, but encrypted with
SSE-S3 (AES256) instead of the platform key."""

import pulumi_aws as aws
from redteam_base import audit, opts

from qantara.components.data_lake import tls_only_policy

physical = "dubai-care-ml-prod-cohort-extracts"
bucket = aws.s3.Bucket("cohort-extracts", bucket=physical, opts=opts)
aws.s3.BucketServerSideEncryptionConfiguration(
    "cohort-extracts-encryption", bucket=bucket.bucket,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], opts=opts)
aws.s3.BucketVersioning("cohort-extracts-versioning", bucket=bucket.bucket,
                        versioning_configuration={"status": "Enabled"}, opts=opts)
aws.s3.BucketPublicAccessBlock("cohort-extracts-public-access", bucket=bucket.bucket, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
                               opts=opts)
aws.s3.BucketPolicy("cohort-extracts-tls-only", bucket=bucket.bucket, policy=tls_only_policy(physical, "aws"), opts=opts)
audit([bucket])
