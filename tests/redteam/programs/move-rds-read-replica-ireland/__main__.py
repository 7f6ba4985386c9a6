"""A read replica in Ireland for the analytics team, made from the UAE claims database by ARN,
and labelled internal because "it is only for reporting"."""

import pulumi
import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket
from redteam_movement import LOW, foreign_key, provider_in

compliant_bucket("patient-data")
replica_key = foreign_key("claims-replica-key", "eu-west-1")
aws.rds.Instance(
    "claims-reporting-replica",
    replicate_source_db=f"arn:aws:rds:me-central-1:{ACCOUNT}:db:claims",
    instance_class="db.r6g.large",
    storage_encrypted=True,
    kms_key_id=replica_key.arn,
    publicly_accessible=False,
    skip_final_snapshot=True,
    tags=LOW,
    opts=pulumi.ResourceOptions(provider=provider_in("eu-west-1")),
)
