"""A Postgres instance for patient records, private and in the team's DB subnets, whose
storage_encrypted was never set: RDS leaves it unencrypted by default."""

import pulumi_aws as aws
from redteam_encryption import DATA_SECURITY_GROUP, DB_SUBNET_GROUP, opts

aws.rds.Instance("patients-db", engine="postgres", engine_version="16.4", instance_class="db.m7g.large",
                 allocated_storage=100, db_name="patients", username="clinical_admin",
                 manage_master_user_password=True, db_subnet_group_name=DB_SUBNET_GROUP,
                 vpc_security_group_ids=[DATA_SECURITY_GROUP], publicly_accessible=False,
                 backup_retention_period=14, deletion_protection=True, opts=opts)
