"""A second trail delivering to the group's central security-log bucket, which another team
owns: the plan does not hold it, so where the logs land cannot be shown."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts

compliant_bucket("patient-data")
aws.cloudtrail.Trail(
    "group-security-trail",
    s3_bucket_name="gulf-health-group-security-logs",
    s3_key_prefix="dubai-care",
    kms_key_id=key.arn,
    enable_log_file_validation=True,
    is_multi_region_trail=False,
    include_global_service_events=False,
    opts=opts,
)
