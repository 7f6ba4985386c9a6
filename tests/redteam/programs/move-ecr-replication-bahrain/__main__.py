"""Registry replication to Bahrain: every model image (weights trained on patient data inside)
is copied to me-south-1."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, opts

compliant_bucket("patient-data")
aws.ecr.ReplicationConfiguration(
    "model-images-replication",
    replication_configuration={"rules": [{"destinations": [{"region": "me-south-1", "registry_id": ACCOUNT}]}]},
    opts=opts,
)
