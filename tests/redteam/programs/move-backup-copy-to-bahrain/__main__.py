"""Nightly AWS Backup plan whose copy action sends each recovery point to a vault in Bahrain."""

import pulumi_aws as aws
from redteam_base import ACCOUNT, compliant_bucket, key, opts

compliant_bucket("patient-data")
vault = aws.backup.Vault("clinical-vault", kms_key_arn=key.arn, opts=opts)
aws.backup.Plan(
    "clinical-nightly",
    rules=[{
        "rule_name": "nightly",
        "target_vault_name": vault.name,
        "schedule": "cron(0 1 * * ? *)",
        "lifecycle": {"delete_after": 35},
        "copy_actions": [{
            "destination_vault_arn": f"arn:aws:backup:me-south-1:{ACCOUNT}:backup-vault:clinical-dr",
            "lifecycle": {"delete_after": 35},
        }],
    }],
    opts=opts,
)
