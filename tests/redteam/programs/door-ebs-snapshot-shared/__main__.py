"""A snapshot of the labelling workstation's data volume shared with a contractor's account,
which can then create a volume from it and read the patient images on it."""

import pulumi_aws as aws
from redteam_base import compliant_bucket, key, opts

compliant_bucket("labelling-exports")
volume = aws.ebs.Volume("labelling-data", availability_zone="me-central-1a", size=500,
                        encrypted=True, kms_key_id=key.arn, opts=opts)
snapshot = aws.ebs.Snapshot("labelling-data-backup", volume_id=volume.id, opts=opts)
aws.ec2.SnapshotCreateVolumePermission(
    "labelling-data-backup-contractor",
    snapshot_id=snapshot.id,
    account_id="274109385562",
    opts=opts)
