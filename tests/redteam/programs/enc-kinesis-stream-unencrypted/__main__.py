"""A stream of bedside vitals with no server-side encryption (encryption_type NONE)."""

import pulumi_aws as aws
from redteam_encryption import opts

aws.kinesis.Stream("bedside-vitals", name="dubai-care-ml-prod-vitals", retention_period=48,
                   stream_mode_details={"stream_mode": "ON_DEMAND"}, opts=opts)
