"""A DMS target endpoint on the vendor's hosted SQL Server: migration tasks copy the claims
tables there."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts

compliant_bucket("patient-data")
aws.dms.Endpoint(
    "his-vendor-target",
    endpoint_id="his-vendor-target",
    endpoint_type="target",
    engine_name="sqlserver",
    server_name="his-db.vendor-hosting.example",
    port=1433,
    database_name="emr",
    username="dms",
    secrets_manager_arn="arn:aws:secretsmanager:me-central-1:000000000000:secret:his-vendor-AbCdEf",
    ssl_mode="require",
    kms_key_arn=key.arn,
    opts=opts,
)
