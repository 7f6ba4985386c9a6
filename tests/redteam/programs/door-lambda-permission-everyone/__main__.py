"""A scoring function anyone may invoke: a Lambda permission with principal "*" and no
source account or ARN."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, opts

compliant_bucket("risk-scores")
aws.lambda_.Permission(
    "risk-score-invoke-any",
    action="lambda:InvokeFunction",
    function=f"arn:aws:lambda:me-central-1:{ACCOUNT}:function:risk-score",
    principal="*",
    opts=opts)
