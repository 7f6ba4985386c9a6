"""The approval timer queues overdue packages for the group's review team through an AWS SDK
task: sqs:sendMessage to a queue in Frankfurt, with the package's description as the body."""

from redteam_base import ACCOUNT
from redteam_timer import PACKAGE, timer, timer_definition

queue_url = f"https://sqs.eu-central-1.amazonaws.com/{ACCOUNT}/group-model-reviews"
timer(
    "approval-timer",
    timer_definition({"Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
                      "Parameters": {"QueueUrl": queue_url, "MessageBody.$": "States.JsonToString($)",
                                     "MessageAttributes": {"package": {"DataType": "String",
                                                                       "StringValue.$": PACKAGE}}}}),
    [{"Effect": "Allow", "Action": "sqs:SendMessage",
      "Resource": f"arn:aws:sqs:eu-central-1:{ACCOUNT}:group-model-reviews"}],
)
