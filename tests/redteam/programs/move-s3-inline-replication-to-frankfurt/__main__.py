"""The same DR copy written the old way: the bucket's inline replication_configuration
(pulumi-aws 7 still accepts it, deprecated) pointing at a bucket in Frankfurt by ARN."""

import pulumi_aws as aws
from redteam_base import audit, key, opts
from redteam_movement import bucket_controls, foreign_bucket, replication_role

dr = foreign_bucket("scans-dr", "eu-central-1")
role = replication_role("scans-replication-role")
physical = "dubai-care-ml-prod-scans"
scans = aws.s3.Bucket(
    "scans",
    bucket=physical,
    replication_configuration={
        "role": role.arn,
        "rules": [{"id": "dr", "status": "Enabled", "destination": {"bucket": dr.arn, "storage_class": "STANDARD_IA"}}],
    },
    opts=opts,
)
bucket_controls("scans", scans, physical, key.arn, opts)
audit([scans])
