"""The bucket's region is a secret stack setting ("so nobody sees where the data is"):
nothing before deployment can read where the bucket goes."""

import pulumi
from redteam_base import opts
from redteam_location import restricted_bucket

bucket_region = pulumi.Config().require_secret("bucketRegion")
restricted_bucket("patient-data", opts, region=bucket_region)
