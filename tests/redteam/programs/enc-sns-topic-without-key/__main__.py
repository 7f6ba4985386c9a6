"""A topic that fans out lab-result alerts (patient identifiers in the message) with no KMS
key: SNS stores the messages unencrypted."""

import pulumi_aws as aws
from redteam_encryption import opts

aws.sns.Topic("lab-result-alerts", name="dubai-care-ml-prod-lab-results", opts=opts)
