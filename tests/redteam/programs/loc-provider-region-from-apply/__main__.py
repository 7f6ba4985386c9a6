"""The replica provider takes "the same region as the key" from the key's ARN: an apply of
an output not known before deployment."""

import pulumi
import pulumi_aws as aws
from redteam_base import TAGS, key
from redteam_location import restricted_bucket

same_region = aws.Provider("same-region-as-key", default_tags={"tags": TAGS},
                           region=key.arn.apply(lambda arn: arn.split(":")[3]))
restricted_bucket("patient-data", pulumi.ResourceOptions(provider=same_region))
