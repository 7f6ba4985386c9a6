"""Compliant: the reports bucket's policy (replacing the TLS-only one, whose statement it
keeps) lets the stack's own account's reporting role read, and S3 server access logging
deliver for this account only."""

import json

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, opts, policy_json

from qantara.components.data_lake import tls_only_policy

reports = compliant_bucket("reports")
aws.s3.BucketPolicy(
    "reports-reader",
    bucket=reports.bucket,
    policy=policy_json([
        json.loads(tls_only_policy("dubai-care-ml-prod-reports", "aws"))["Statement"][0],
        {"Sid": "ReportingRoleRead", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/reporting"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::dubai-care-ml-prod-reports/*"},
        {"Sid": "LogDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::dubai-care-ml-prod-reports/logs/*",
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
    ]),
    opts=opts)
