"""A queue of de-identification jobs (each message names a patient record) whose policy lets
any principal send and receive messages: Principal "*" without a condition."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts, policy_json

compliant_bucket("deid-input")
jobs = aws.sqs.Queue("deid-jobs", kms_master_key_id=key.arn, opts=opts)
aws.sqs.QueuePolicy(
    "deid-jobs-access",
    queue_url=jobs.url,
    policy=policy_json([{
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
        "Resource": "*",
    }]),
    opts=opts)
