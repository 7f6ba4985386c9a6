"""The provider says me-central-1, but its S3 endpoint is Frankfurt's: the bucket is created
in eu-central-1."""

import pulumi
import pulumi_aws as aws
from redteam_base import TAGS
from redteam_location import restricted_bucket

uae = aws.Provider("uae-s3-frankfurt", region="me-central-1", default_tags={"tags": TAGS},
                   endpoints=[{"s3": "https://s3.eu-central-1.amazonaws.com"}])
restricted_bucket("patient-data", pulumi.ResourceOptions(provider=uae))
