"""A notebook security group opened to the whole internet without writing 0.0.0.0/0: two
rules, 0.0.0.0/1 and 128.0.0.0/1."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

compliant_bucket("notebook-scratch")
group = aws.ec2.SecurityGroup("notebooks", vpc_id="vpc-0c1d2e3f405162738",
                              description="Jupyter for the data science team", opts=opts)
for half, cidr in (("lower", "0.0.0.0/1"), ("upper", "128.0.0.0/1")):
    aws.vpc.SecurityGroupIngressRule(
        f"notebooks-jupyter-{half}",
        security_group_id=group.id,
        cidr_ipv4=cidr,
        ip_protocol="tcp",
        from_port=8888,
        to_port=8888,
        opts=opts)
