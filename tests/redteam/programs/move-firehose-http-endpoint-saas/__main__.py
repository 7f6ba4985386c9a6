"""Ship clinical events to an observability SaaS through a Firehose HTTP endpoint destination."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts

backup = compliant_bucket("events-backup")
role = aws.iam.Role("events-firehose-role", assume_role_policy=(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'), opts=opts)
aws.kinesis.FirehoseDeliveryStream(
    "clinical-events-to-apm",
    destination="http_endpoint",
    server_side_encryption={"enabled": True, "key_type": "CUSTOMER_MANAGED_CMK", "key_arn": key.arn},
    http_endpoint_configuration={
        "url": "https://aws-api.apm-vendor.example/v1/firehose",
        "name": "apm-vendor",
        "role_arn": role.arn,
        "s3_backup_mode": "FailedDataOnly",
        "s3_configuration": {"role_arn": role.arn, "bucket_arn": backup.arn, "kms_key_arn": key.arn},
    },
    opts=opts,
)
