"""Disaster recovery "just like the runbook": replicate the patient bucket to a bucket in
Frankfurt, labelled internal, with the separate BucketReplicationConfig resource."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts
from redteam_movement import foreign_bucket, replication_role

patients = compliant_bucket("patient-data")
dr = foreign_bucket("patient-data-dr", "eu-central-1")
role = replication_role("patient-data-replication-role")

aws.s3.BucketReplicationConfig(
    "patient-data-replication",
    bucket=patients.id,
    role=role.arn,
    rules=[{
        "id": "dr-copy",
        "status": "Enabled",
        "filter": {},
        "delete_marker_replication": {"status": "Enabled"},
        "destination": {"bucket": dr.arn, "storage_class": "STANDARD_IA"},
    }],
    opts=opts,
)
