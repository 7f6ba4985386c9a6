"""The approval timer tells the group's central review topic in Frankfurt instead of the UAE
one: the overdue notice (the package, its model) leaves the country through sns:publish."""

from redteam_base import ACCOUNT
from redteam_timer import PACKAGE, timer, timer_definition

group_topic = f"arn:aws:sns:eu-central-1:{ACCOUNT}:group-model-approvals"
timer(
    "approval-timer",
    timer_definition({"Resource": "arn:aws:states:::sns:publish",
                      "Parameters": {"TopicArn": group_topic, "Subject": "Model approval overdue",
                                     "Message.$": f"States.Format('Model package {{}} awaits a decision', {PACKAGE})"}}),
    [{"Effect": "Allow", "Action": "sns:Publish", "Resource": group_topic}],
)
