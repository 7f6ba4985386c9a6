"""A bucket policy that lets anyone on the internet read the patient scans: {"AWS": "*"}
with s3:GetObject and no condition, added "for the viewer" next to the TLS-only policy."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts, policy_json

scans = compliant_bucket("patient-scans")
aws.s3.BucketPolicy(
    "patient-scans-viewer-read",
    bucket=scans.bucket,
    policy=policy_json([{
        "Sid": "ViewerRead",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::dubai-care-ml-prod-patient-scans/*",
    }]),
    opts=opts)
