"""Subscribe the group's queue in Ireland to the lab-results topic."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, key, opts

compliant_bucket("patient-data")
topic = aws.sns.Topic("lab-results", kms_master_key_id=key.arn, opts=opts)
aws.sns.TopicSubscription("lab-results-to-dublin", topic=topic.arn, protocol="sqs",
                          endpoint=f"arn:aws:sqs:eu-west-1:{ACCOUNT}:lab-results", raw_message_delivery=True, opts=opts)
