"""Compliant: a training security group that admits HTTPS from the private 10.0.0.0/8 range
(the VPC and the hospital network over Direct Connect) and nothing public."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

compliant_bucket("training-data")
group = aws.ec2.SecurityGroup("training", vpc_id="vpc-0c1d2e3f405162738",
                              description="Training instances", opts=opts)
aws.vpc.SecurityGroupIngressRule(
    "training-https-private",
    security_group_id=group.id,
    cidr_ipv4="10.0.0.0/8",
    ip_protocol="tcp",
    from_port=443,
    to_port=443,
    opts=opts)
