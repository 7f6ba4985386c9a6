"""A bucket policy built inside an apply over the bucket's ARN (unknown until the bucket
exists) that grants another account read access: at preview nobody can read who it lets
in, and for restricted data not checked is not a pass."""

import json

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

imaging = compliant_bucket("imaging")
aws.s3.BucketPolicy(
    "imaging-partner-read",
    bucket=imaging.bucket,
    policy=imaging.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::437829105613:root"},
                       "Action": "s3:GetObject", "Resource": f"{arn}/*"}],
    })),
    opts=opts)
