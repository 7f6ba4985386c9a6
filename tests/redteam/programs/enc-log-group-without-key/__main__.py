"""Inference request logs (payloads included) kept for seven years, but without a KMS key."""

import pulumi_aws as aws
from redteam_encryption import opts

aws.cloudwatch.LogGroup("inference-payload-logs", name="/dubai-care-ml/prod/inference-payloads",
                        retention_in_days=2557, opts=opts)
