"""Cache training data in an S3 Express One Zone directory bucket in a UAE Availability Zone,
with no trail: the directory bucket is another resource type than the buckets the data-store
list held, so nothing asked for a trail."""

import pulumi_aws as aws
from redteam_base import opts

aws.s3.DirectoryBucket(
    "training-cache",
    bucket="dubai-care-ml-prod-training-cache--mec1-az1--x-s3",
    location={"name": "mec1-az1", "type": "AvailabilityZone"},
    opts=opts,
)
