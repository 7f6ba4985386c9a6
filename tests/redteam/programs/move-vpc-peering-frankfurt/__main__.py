"""Peer the platform VPC with the group's analytics VPC in Frankfurt."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

compliant_bucket("patient-data")
vpc = aws.ec2.Vpc("platform", cidr_block="10.40.0.0/16", enable_dns_hostnames=True, enable_dns_support=True, opts=opts)
aws.ec2.VpcPeeringConnection("to-frankfurt-analytics", vpc_id=vpc.id, peer_vpc_id="vpc-0a1b2c3d4e5f60718",
                             peer_region="eu-central-1", opts=opts)
