"""Keep patient records in a DocumentDB cluster, encrypted with the platform key, in the UAE,
and leave CloudTrail out: nobody records who created, changed or deleted it. The cluster was not
on the list of data stores that require a trail, so the plan passed."""

import pulumi_aws as aws
from redteam_base import key, opts

aws.docdb.Cluster(
    "patient-records",
    cluster_identifier="dubai-care-ml-prod-patient-records",
    engine="docdb",
    master_username="records",
    manage_master_user_password=True,
    storage_encrypted=True,
    kms_key_id=key.arn,
    skip_final_snapshot=False,
    final_snapshot_identifier="dubai-care-ml-prod-patient-records-final",
    opts=opts,
)
