"""The MLflow metadata database (experiment parameters include patient cohort ids) made
publicly accessible "to connect from laptops"."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts

compliant_bucket("mlflow-artifacts")
aws.rds.Instance(
    "mlflow-metadata",
    engine="postgres",
    engine_version="16.3",
    instance_class="db.t4g.medium",
    allocated_storage=50,
    db_name="mlflow",
    username="mlflow",
    manage_master_user_password=True,
    storage_encrypted=True,
    kms_key_id=key.arn,
    publicly_accessible=True,
    opts=opts)
