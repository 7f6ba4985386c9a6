"""The inference server's AMI (model weights trained on patient data baked in) made public:
a launch permission for the group "all"."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

compliant_bucket("model-images")
aws.ec2.AmiLaunchPermission(
    "inference-ami-public",
    image_id="ami-0a1b2c3d4e5f60718",
    group="all",
    opts=opts)
