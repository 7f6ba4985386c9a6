"""An online feature table left on DynamoDB's default encryption, an AWS-owned key."""

import pulumi_aws as aws
from redteam_encryption import opts

aws.dynamodb.Table("online-features", name="dubai-care-ml-prod-online-features", billing_mode="PAY_PER_REQUEST",
                   hash_key="patient_id", attributes=[{"name": "patient_id", "type": "S"}],
                   point_in_time_recovery={"enabled": True}, opts=opts)
