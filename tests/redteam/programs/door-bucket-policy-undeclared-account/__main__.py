"""A bucket policy granting a research partner's AWS account read access to the curated
patient data: an account the blueprint does not declare."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts, policy_json

curated = compliant_bucket("curated-cohorts")
aws.s3.BucketPolicy(
    "curated-cohorts-partner-read",
    bucket=curated.bucket,
    policy=policy_json([{
        "Sid": "UniversityResearchRead",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::437829105613:root"},
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::dubai-care-ml-prod-curated-cohorts",
                     "arn:aws:s3:::dubai-care-ml-prod-curated-cohorts/*"],
    }]),
    opts=opts)
