"""A global table for low-latency reads in Europe: the patient index gets a replica in Ireland."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts

compliant_bucket("patient-data")
aws.dynamodb.Table(
    "patient-index",
    billing_mode="PAY_PER_REQUEST",
    hash_key="patient_id",
    attributes=[{"name": "patient_id", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
    point_in_time_recovery={"enabled": True},
    stream_enabled=True,
    stream_view_type="NEW_AND_OLD_IMAGES",
    replicas=[{"region_name": "eu-west-1"}],
    opts=opts,
)
