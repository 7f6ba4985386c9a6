"""Compliant: replicate the patient bucket to a second, equally protected bucket in
me-central-1 (another account boundary or a different key, same country)."""

import pulumi_aws as aws
from redteam_base import audit, compliant_bucket, opts
from redteam_movement import replication_role

patients = compliant_bucket("patient-data", audited=False)
copy = compliant_bucket("patient-data-copy", audited=False)
audit([patients, copy])
role = replication_role("patient-data-replication-role")
aws.s3.BucketReplicationConfig(
    "patient-data-replication",
    bucket=patients.id,
    role=role.arn,
    rules=[{"id": "copy", "status": "Enabled", "filter": {}, "delete_marker_replication": {"status": "Enabled"},
            "destination": {"bucket": copy.arn}}],
    opts=opts,
)
