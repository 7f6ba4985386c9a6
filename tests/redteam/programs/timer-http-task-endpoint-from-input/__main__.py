"""The approval timer calls the vendor's review service with an HTTP task whose endpoint comes
from the execution's input: no literal in the definition says where the package's details go."""

import pulumi
import pulumi_aws as aws
from redteam_base import key, opts
from redteam_timer import timer, timer_definition

vendor = aws.cloudwatch.EventConnection(
    "review-vendor", name="dubai-care-ml-prod-review-vendor", authorization_type="API_KEY",
    auth_parameters={"api_key": {"key": "x-api-key", "value": pulumi.Output.secret("vendor-issued-api-key")}},
    kms_key_identifier=key.arn, opts=opts)
CONNECTION_ARN = "arn:aws:events:me-central-1:000000000000:connection/dubai-care-ml-prod-review-vendor/1"
timer(
    "approval-timer",
    timer_definition({"Resource": "arn:aws:states:::http:invoke",
                      "Parameters": {"ApiEndpoint.$": "$.reviewServiceUrl", "Method": "POST",
                                     "Authentication": {"ConnectionArn": CONNECTION_ARN},
                                     "RequestBody.$": "$"}}),
    [{"Effect": "Allow", "Action": "states:InvokeHTTPEndpoint", "Resource": "*",
      "Condition": {"StringEquals": {"states:HTTPMethod": "POST"}}}],
)
