"""A function URL for the risk-score function with authorization_type NONE: anyone with the
URL can call it."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, opts

compliant_bucket("risk-requests")
aws.lambda_.FunctionUrl(
    "risk-score-url",
    function_name=f"arn:aws:lambda:me-central-1:{ACCOUNT}:function:risk-score",
    authorization_type="NONE",
    opts=opts)
