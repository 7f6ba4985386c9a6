"""The provider is in me-central-1, but its S3 calls go to an S3-compatible store run by a
vendor (endpoints override): the objects land wherever that host is."""

import pulumi
import pulumi_aws as aws
from redteam_base import TAGS
from redteam_location import restricted_bucket

vendor_storage = aws.Provider("uae-vendor-storage", region="me-central-1", default_tags={"tags": TAGS},
                              endpoints=[{"s3": "https://storage.example.net"}], s3_use_path_style=True,
                              skip_credentials_validation=True)
restricted_bucket("patient-data", pulumi.ResourceOptions(provider=vendor_storage))
