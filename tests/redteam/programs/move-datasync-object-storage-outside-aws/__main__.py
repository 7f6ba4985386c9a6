"""A DataSync location on the research partner's S3-compatible object store, and a task that
copies the patient bucket there every night."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, opts

patients = compliant_bucket("patient-data")
access = aws.iam.Role("datasync-access", assume_role_policy=(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "datasync.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'), opts=opts)
source = aws.datasync.S3Location("patients-source", s3_bucket_arn=patients.arn, subdirectory="/exports",
                                 s3_config={"bucket_access_role_arn": access.arn}, opts=opts)
partner = aws.datasync.LocationObjectStorage(
    "partner-object-store",
    server_hostname="objects.research-partner.example",
    bucket_name="intake",
    server_protocol="HTTPS",
    server_port=443,
    agent_arns=[f"arn:aws:datasync:me-central-1:{ACCOUNT}:agent/agent-0b1c2d3e4f5a6b7c8"],
    opts=opts,
)
aws.datasync.Task("nightly-export", source_location_arn=source.arn, destination_location_arn=partner.arn,
                  schedule={"schedule_expression": "cron(0 2 * * ? *)"}, opts=opts)
