"""The scoring service logs through the Splunk log driver to the vendor's cloud: the URL sits
inside the container definitions JSON."""

import json

import pulumi_aws as aws
from redteam_base import compliant_bucket, opts

compliant_bucket("patient-data")
aws.ecs.TaskDefinition(
    "risk-scorer",
    family="risk-scorer",
    requires_compatibilities=["FARGATE"],
    network_mode="awsvpc",
    cpu="1024",
    memory="2048",
    container_definitions=json.dumps([{
        "name": "scorer",
        "image": "000000000000.dkr.ecr.me-central-1.amazonaws.com/risk-scorer:1.4.0",
        "essential": True,
        "portMappings": [{"containerPort": 8080}],
        "logConfiguration": {
            "logDriver": "splunk",
            "options": {"splunk-url": "https://http-inputs-dubaicare.splunkcloud.example:443",
                        "splunk-format": "json", "splunk-verify-connection": "false"},
        },
    }]),
    opts=opts,
)
