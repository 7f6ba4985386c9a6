"""A restricted bucket whose public access block was copied from the logs bucket's and still
names the logs bucket: it depends on the patient bucket, but blocks public access on the
other one, so the patient bucket has none."""

import pulumi_aws as aws
from redteam_base import audit, compliant_bucket, key, opts

from qantara.components.data_lake import tls_only_policy

logs = compliant_bucket("access-logs", audited=False)
physical = "dubai-care-ml-prod-patient-records"
records = aws.s3.Bucket("patient-records", bucket=physical, opts=opts)
aws.s3.BucketServerSideEncryptionConfiguration(
    "patient-records-encryption", bucket=records.bucket,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}],
    opts=opts)
aws.s3.BucketVersioning("patient-records-versioning", bucket=records.bucket,
                        versioning_configuration={"status": "Enabled"}, opts=opts)
aws.s3.BucketPolicy("patient-records-tls-only", bucket=records.bucket,
                    policy=tls_only_policy(physical, "aws"), opts=opts)
aws.s3.BucketPublicAccessBlock(
    "patient-records-public-access",
    # Copied from the logs bucket's block: the dependency is the patient bucket, the name is not.
    bucket=records.bucket.apply(lambda _: "dubai-care-ml-prod-access-logs"),
    block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
    opts=opts)
audit([logs, records])
