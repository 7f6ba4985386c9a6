"""Shared notebook storage on EFS, created through the API without encrypted=True."""

import pulumi_aws as aws
from redteam_encryption import opts

aws.efs.FileSystem("shared-notebooks", creation_token="dubai-care-ml-prod-notebooks",
                   performance_mode="generalPurpose", throughput_mode="elastic", opts=opts)
