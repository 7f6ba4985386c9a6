"""Peer the platform VPC (created by the network team, named by id) with the group's analytics
VPC in Frankfurt."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

compliant_bucket("patient-data")
aws.ec2.VpcPeeringConnection("to-frankfurt-analytics", vpc_id="vpc-0f1e2d3c4b5a69788", peer_vpc_id="vpc-0a1b2c3d4e5f60718",
                             peer_region="eu-central-1", opts=opts)
