"""A second data key whose key policy lets a vendor's account decrypt: whoever holds the
vendor account can read everything encrypted with it."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, opts, policy_json

compliant_bucket("lab-results")
aws.kms.Key(
    "lab-results-export-key",
    enable_key_rotation=True,
    policy=policy_json([
        {"Sid": "AccountAdmin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "VendorDecrypt", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::552201338907:role/lab-vendor-sync"},
         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
    ]),
    opts=opts)
