"""A KMS grant on the platform key for a billing partner's role in another account: it may
decrypt everything the key protects."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts

compliant_bucket("claims")
aws.kms.Grant(
    "claims-billing-partner",
    key_id=key.key_id,
    grantee_principal="arn:aws:iam::903317620458:role/claims-ingest",
    operations=["Decrypt", "DescribeKey"],
    opts=opts)
