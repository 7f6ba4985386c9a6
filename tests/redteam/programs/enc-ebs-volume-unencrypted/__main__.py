"""A 500 GiB scratch volume for feature extraction, created without encrypted=True: unless the
account turned on EBS encryption by default (a plan cannot show it) it is unencrypted."""

import pulumi_aws as aws
from redteam_encryption import opts

aws.ebs.Volume("feature-scratch", availability_zone="me-central-1a", size=500, type="gp3", opts=opts)
