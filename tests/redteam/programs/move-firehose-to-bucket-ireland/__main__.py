"""Firehose lands clinical events in the analytics lake, which lives in Ireland."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts
from redteam_movement import foreign_bucket

compliant_bucket("patient-data")
lake = foreign_bucket("analytics-lake", "eu-west-1")
role = aws.iam.Role("lake-firehose-role", assume_role_policy=(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'), opts=opts)
aws.kinesis.FirehoseDeliveryStream(
    "clinical-events-to-lake",
    destination="extended_s3",
    server_side_encryption={"enabled": True, "key_type": "CUSTOMER_MANAGED_CMK", "key_arn": key.arn},
    extended_s3_configuration={"role_arn": role.arn, "bucket_arn": lake.arn, "prefix": "clinical/", "kms_key_arn": key.arn},
    opts=opts,
)
