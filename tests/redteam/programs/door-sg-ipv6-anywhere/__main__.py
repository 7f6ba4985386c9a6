"""An API security group that admits HTTPS from anywhere over IPv6 (::/0) while its IPv4
ingress stays private."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

compliant_bucket("api-payloads")
aws.ec2.SecurityGroup(
    "triage-api",
    vpc_id="vpc-0c1d2e3f405162738",
    description="Triage model API",
    ingress=[
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.20.0.0/16"]},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "ipv6_cidr_blocks": ["::/0"]},
    ],
    opts=opts)
