"""An Aurora global database: the UAE cluster is primary, a secondary cluster in Ireland
(labelled internal) receives every write."""

import pulumi
import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts
from redteam_movement import LOW, foreign_key, provider_in

compliant_bucket("patient-data")
global_db = aws.rds.GlobalCluster("claims-global", global_cluster_identifier="claims-global",
                                  engine="aurora-postgresql", engine_version="16.4", storage_encrypted=True, opts=opts)
aws.rds.Cluster("claims-primary", engine="aurora-postgresql", engine_version="16.4",
                global_cluster_identifier=global_db.id, storage_encrypted=True, kms_key_id=key.arn,
                master_username="claims", manage_master_user_password=True, skip_final_snapshot=True, opts=opts)
secondary_key = foreign_key("claims-dublin-key", "eu-west-1")
aws.rds.Cluster("claims-dublin", engine="aurora-postgresql", engine_version="16.4",
                global_cluster_identifier=global_db.id, storage_encrypted=True, kms_key_id=secondary_key.arn,
                skip_final_snapshot=True, tags=LOW,
                opts=pulumi.ResourceOptions(provider=provider_in("eu-west-1")))
