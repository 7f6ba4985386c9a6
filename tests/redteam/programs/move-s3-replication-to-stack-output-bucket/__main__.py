"""Replicate patient files into whatever bucket another stack exports: the destination is a
StackReference output, unknown before deployment, and the replication rule depends on no bucket
of this plan that could say where it is."""

import pulumi
import pulumi_aws as aws
from redteam_base import compliant_bucket, opts
from redteam_movement import replication_role

patients = compliant_bucket("patient-data")
role = replication_role("exports-replication-role")
exports = pulumi.StackReference("dubai-care/research-exports/prod")
aws.s3.BucketReplicationConfig(
    "exports-replication",
    bucket=patients.id,
    role=role.arn,
    rules=[{"id": "to-exports", "status": "Enabled", "filter": {"prefix": "exports/"},
            "delete_marker_replication": {"status": "Disabled"},
            "destination": {"bucket": exports.get_output("bucketArn")}}],
    opts=opts,
)
