"""The Glue catalog of patient tables shared through AWS RAM with an analytics firm's
account."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, opts

compliant_bucket("analytics-extracts")
share = aws.ram.ResourceShare("patient-catalog-share", allow_external_principals=True, opts=opts)
aws.ram.ResourceAssociation(
    "patient-catalog-share-database",
    resource_share_arn=share.arn,
    resource_arn=f"arn:aws:glue:me-central-1:{ACCOUNT}:database/patients",
    opts=opts)
aws.ram.PrincipalAssociation(
    "patient-catalog-share-analytics-firm",
    resource_share_arn=share.arn,
    principal="612004498337",
    opts=opts)
