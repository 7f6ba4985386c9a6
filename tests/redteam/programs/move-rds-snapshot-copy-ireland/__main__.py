"""Copy the nightly claims snapshot to Ireland for a restore drill."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, key, opts

compliant_bucket("patient-data")
aws.rds.SnapshotCopy(
    "claims-snapshot-dublin",
    source_db_snapshot_identifier=f"arn:aws:rds:me-central-1:{ACCOUNT}:snapshot:claims-nightly",
    target_db_snapshot_identifier="claims-nightly-dublin",
    destination_region="eu-west-1",
    kms_key_id=key.arn,
    copy_tags=True,
    opts=opts,
)
