"""The approval timer as the platform builds it: its SDK task reads the package's status and
its SNS task publishes to the UAE approval topic; Step Functions makes both calls in the
state machine's own region (me-central-1)."""

from redteam_base import ACCOUNT
from redteam_timer import PACKAGE, REGION, approval_topic, timer, timer_definition

topic = approval_topic("model-approval")
topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:dubai-care-ml-prod-model-approval"
timer(
    "approval-timer",
    timer_definition({"Resource": "arn:aws:states:::sns:publish",
                      "Parameters": {"TopicArn": topic_arn, "Subject": "Model approval overdue",
                                     "Message.$": f"States.Format('Model package {{}} awaits a decision', {PACKAGE})"}}),
    [{"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn}],
)
