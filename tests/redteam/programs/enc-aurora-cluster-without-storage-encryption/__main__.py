"""An Aurora PostgreSQL cluster for claims with storage_encrypted=False: the cluster volume,
its backups and snapshots are unencrypted."""

import pulumi_aws as aws
from redteam_encryption import DATA_SECURITY_GROUP, DB_SUBNET_GROUP, opts

aws.rds.Cluster("claims-aurora", engine="aurora-postgresql", engine_version="16.4",
                database_name="claims", master_username="claims_admin", manage_master_user_password=True,
                db_subnet_group_name=DB_SUBNET_GROUP, vpc_security_group_ids=[DATA_SECURITY_GROUP],
                storage_encrypted=False, backup_retention_period=14, deletion_protection=True, opts=opts)
