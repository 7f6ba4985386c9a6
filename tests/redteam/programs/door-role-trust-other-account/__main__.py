"""A support role that an outsourced operations company's account may assume: its trust
policy names an account the blueprint does not declare."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts, policy_json

compliant_bucket("discharge-summaries")
aws.iam.Role(
    "managed-ops-support",
    assume_role_policy=policy_json([{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::781945002216:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "dubai-care-ops-7731"}},
    }]),
    opts=opts)
