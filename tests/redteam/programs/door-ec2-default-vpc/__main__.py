"""A labelling workstation launched without a subnet: it lands in the default VPC, whose
subnets give it a public IP address."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts

compliant_bucket("labelling-queue")
aws.ec2.Instance(
    "labelling-workstation",
    ami="ami-0a1b2c3d4e5f60718",
    instance_type="g5.xlarge",
    root_block_device={"encrypted": True, "kms_key_id": key.arn, "volume_size": 200},
    metadata_options={"http_tokens": "required"},
    opts=opts)
