"""A training role allowed to write objects to every bucket through the ARN wildcard
arn:aws:s3:::* (the same as Resource "*"), not only to its own."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts, policy_json

compliant_bucket("training-output")
role = aws.iam.Role(
    "training-job",
    assume_role_policy=policy_json([{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                                     "Action": "sts:AssumeRole"}]),
    opts=opts)
aws.iam.RolePolicy(
    "training-job-output",
    role=role.name,
    policy=policy_json([{"Effect": "Allow", "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
                         "Resource": "arn:aws:s3:::*/*"}]),
    opts=opts)
