"""A multi-Region key so the Bahrain DR site can decrypt backups: its replica in me-south-1
decrypts everything the UAE key protects."""

import pulumi
import pulumi_aws as aws
from redteam_base import compliant_bucket, opts
from redteam_movement import LOW, provider_in

compliant_bucket("patient-data")
primary = aws.kms.Key("dr-key", enable_key_rotation=True, multi_region=True, opts=opts)
aws.kms.ReplicaKey("dr-key-bahrain", primary_key_arn=primary.arn, tags=LOW,
                   opts=pulumi.ResourceOptions(provider=provider_in("me-south-1")))
