"""A provider named "default" looks like the stack's default provider, but it is an explicit
one without a region: the deployer's environment decides."""

import pulumi
import pulumi_aws as aws
from redteam_base import TAGS
from redteam_location import restricted_bucket

default = aws.Provider("default", default_tags={"tags": TAGS})
restricted_bucket("patient-data", pulumi.ResourceOptions(provider=default))
