"""IAM policy documents the components share: service trust, bucket prefixes, key use.

Written as plain JSON strings from known values, so the policies can read them in a
preview, where ARNs of resources not yet created are unknown.
"""

from __future__ import annotations

import json

from qantara.errors import QantaraError
from qantara.naming import check_name, name_limit

IAM_ROLE_NAME_MAX = name_limit("iamRoleName")


def policy_document(statements: list[dict]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def service_trust_policy(service: str, condition: dict) -> str:
    """Only `service` may assume the role, under `condition` (the confused-deputy guard)."""
    return policy_document(
        [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole", "Condition": condition}]
    )


def sagemaker_trust_policy(account_id: str) -> str:
    """SageMaker may assume the role, and only on this account's behalf."""
    return service_trust_policy("sagemaker.amazonaws.com", {"StringEquals": {"aws:SourceAccount": account_id}})


def check_role_name(role_name: str, shorten: str) -> None:
    """IAM refuses role names over 64 characters; say which input to shorten."""
    check_name("iamRoleName", role_name, shorten)


def s3_prefix_statements(
    bucket: str, prefix: str, partition: str, object_actions: list[str], bucket_actions: tuple[str, ...] = ()
) -> list[dict]:
    """List the prefix and act on its objects; nothing else in the bucket."""
    arn = f"arn:{partition}:s3:::{bucket}"
    return [
        # Bucket-level reads carry no s3:prefix, so they cannot sit under the listing condition.
        {"Sid": "ReadBucket", "Effect": "Allow", "Action": sorted({"s3:GetBucketLocation", *bucket_actions}), "Resource": arn},
        {
            "Sid": "ListOwnPrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": arn,
            "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}},
        },
        {"Sid": "ObjectsUnderOwnPrefix", "Effect": "Allow", "Action": sorted(object_actions), "Resource": f"{arn}/{prefix}/*"},
    ]


def kms_use_statement(key_arn: str) -> dict:
    return {
        "Sid": "UsePlatformKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": key_arn,
    }


# The DNS suffix of AWS service endpoints per partition, for kms:ViaService and the like.
_DNS_SUFFIXES = {"aws": "amazonaws.com", "aws-us-gov": "amazonaws.com", "aws-cn": "amazonaws.com.cn"}


def service_endpoint(service: str, region: str, partition: str) -> str:
    """`<service>.<region>.<dns suffix>`, the value of kms:ViaService for `service` in `region`."""
    if partition not in _DNS_SUFFIXES:
        raise QantaraError(f"partition `{partition}` is unknown; use one of {', '.join(sorted(_DNS_SUFFIXES))}")
    return f"{service}.{region}.{_DNS_SUFFIXES[partition]}"


def with_sid_prefix(statements: list[dict], prefix: str) -> list[dict]:
    """Copies of `statements` whose Sids start with `prefix`: IAM refuses duplicate Sids in a
    policy, and `s3_prefix_statements` used twice would otherwise produce them."""
    return [{**s, "Sid": f"{prefix}{s['Sid']}"} if "Sid" in s else dict(s) for s in statements]


def vpc_network_interface_statements(region: str, account_id: str, partition: str) -> list[dict]:
    """What a SageMaker role needs to place ENIs in the platform's VPC (SageMaker developer
    guide, host-vpc). Describe calls accept only "*"; the writes stay in this account and region."""
    return [
        {
            "Sid": "DescribeVpcForNetworkInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeVpcs",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ManageNetworkInterfacesInThisAccountAndRegion",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            "Resource": f"arn:{partition}:ec2:{region}:{account_id}:*",
        },
    ]
