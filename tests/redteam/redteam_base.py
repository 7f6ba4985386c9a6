"""What a careful platform team already has: the UAE provider with the required tags, the
platform key, and a bucket built the compliant way. Red-team programs import this and add
one way of moving, copying, exposing or leaving unencrypted restricted data, so that the
finding they must cause is that behaviour's and not a missing tag or trail.

Programs run with this folder on PYTHONPATH (the harness sets it), as a team's shared
module would be.
"""

import json

import pulumi
import pulumi_aws as aws

from qantara.components.audit_trail import AuditTrail, AuditTrailArgs
from qantara.components.data_lake import tls_only_policy
from qantara.components.identity import StackIdentity

ACCOUNT = "000000000000"
TAGS = {
    "environment": "prod",
    "owner": "ml-platform@dubai-care.example",
    "qantara-blueprint": "dubai-care-ml",
    "data-classification": "restricted",
}
provider = aws.Provider("uae", region="me-central-1", default_tags={"tags": TAGS})
opts = pulumi.ResourceOptions(provider=provider)
key = aws.kms.Key("data-key", enable_key_rotation=True, opts=opts)


def compliant_bucket(name: str, *, audited: bool = True, opts: pulumi.ResourceOptions | None = opts,
                     **bucket_args) -> aws.s3.Bucket:
    """A bucket for restricted data: KMS-encrypted, versioned, private, TLS only, audited; made
    through `opts`' provider (the UAE one unless given) with `bucket_args` (e.g. `region=`)."""
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
    if audited:
        audit([bucket])
    return bucket


def audit(buckets: list[aws.s3.Bucket]) -> AuditTrail:
    """The platform's audit trail over the given buckets' data events."""
    return AuditTrail("audit", AuditTrailArgs(
        identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id=ACCOUNT),
        kms_key_arn=key.arn, data_bucket_arns=[b.arn for b in buckets], retention_days=2555,
        data_classification="restricted"), opts=opts)


def policy_json(statements: list[dict]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
