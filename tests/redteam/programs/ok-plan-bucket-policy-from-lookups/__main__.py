"""Compliant, written with lookups: the bucket's TLS-only policy is built with
aws.iam.get_policy_document, its name and the grant use the account and region the
provider reports (aws.get_caller_identity, aws.get_region, aws.get_partition). Every lookup
is one the offline plan answers, so the plan is complete and must pass with no finding."""

import pulumi
import pulumi_aws as aws
from redteam_base import audit, key, opts

account = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=opts.provider)).account_id
region = aws.get_region(opts=pulumi.InvokeOptions(provider=opts.provider)).region
partition = aws.get_partition(opts=pulumi.InvokeOptions(provider=opts.provider)).partition

physical = f"dubai-care-ml-prod-imaging-{region}"
bucket = aws.s3.Bucket("imaging", bucket=physical, opts=opts)
aws.s3.BucketServerSideEncryptionConfiguration(
    "imaging-encryption", bucket=bucket.bucket,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}],
    opts=opts)
aws.s3.BucketVersioning("imaging-versioning", bucket=bucket.bucket,
                        versioning_configuration={"status": "Enabled"}, opts=opts)
aws.s3.BucketPublicAccessBlock("imaging-public-access", bucket=bucket.bucket, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
                               opts=opts)
arn = f"arn:{partition}:s3:::{physical}"
tls_only = aws.iam.get_policy_document(statements=[{
    "sid": "DenyInsecureTransport",
    "effect": "Deny",
    "principals": [{"type": "*", "identifiers": ["*"]}],
    "actions": ["s3:*"],
    "resources": [arn, f"{arn}/*"],
    "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
}])
aws.s3.BucketPolicy("imaging-tls-only", bucket=bucket.bucket, policy=tls_only.json, opts=opts)
audit([bucket])
pulumi.export("account", account)
