"""Compliant: an RDS instance, an SQS queue and a DynamoDB table of restricted data, all
encrypted with the platform's customer-managed key, private and audited."""

import pulumi_aws as aws
from redteam_encryption import DATA_SECURITY_GROUP, DB_SUBNET_GROUP, key, opts

aws.rds.Instance("patients-db", engine="postgres", engine_version="16.4", instance_class="db.m7g.large",
                 allocated_storage=100, db_name="patients", username="clinical_admin",
                 manage_master_user_password=True, db_subnet_group_name=DB_SUBNET_GROUP,
                 vpc_security_group_ids=[DATA_SECURITY_GROUP], publicly_accessible=False,
                 storage_encrypted=True, kms_key_id=key.arn,
                 backup_retention_period=14, deletion_protection=True, opts=opts)
aws.sqs.Queue("scoring-requests", name="dubai-care-ml-prod-scoring", kms_master_key_id=key.arn,
              kms_data_key_reuse_period_seconds=300, message_retention_seconds=345600, opts=opts)
aws.dynamodb.Table("online-features", name="dubai-care-ml-prod-online-features", billing_mode="PAY_PER_REQUEST",
                   hash_key="patient_id", attributes=[{"name": "patient_id", "type": "S"}],
                   server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
                   point_in_time_recovery={"enabled": True}, opts=opts)
