"""Forward every admission event to the group's event bus in Ireland."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, opts

compliant_bucket("patient-data")
role = aws.iam.Role("forwarder", assume_role_policy=(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'), opts=opts)
rule = aws.cloudwatch.EventRule("admissions", event_pattern='{"source": ["dubai-care.admissions"]}', opts=opts)
aws.cloudwatch.EventTarget("admissions-to-group", rule=rule.name, role_arn=role.arn,
                           arn=f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/group-events", opts=opts)
