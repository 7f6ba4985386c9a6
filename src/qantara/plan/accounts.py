"""The AWS accounts a plan runs in, so policies can tell the team's own accounts from others.

An offline plan runs in the placeholder account its invokes return
(`qantara.plan.offline.OFFLINE_ACCOUNT_ID`). Real Pulumi output says which account through
the ARNs the engine recorded for the stack's own resources (`outputs.arn`); a preview of a
new stack knows none, and then only the blueprint's `spec.cloud.accounts` are declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; S3 bucket ARNs have no account.
_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")


def account_in_arn(value: object) -> str | None:
    """The account id of an ARN, or None when the value is not an ARN that names one."""
    match = _ARN_ACCOUNT.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def accounts_in_outputs(records: Iterable[object]) -> list[str]:
    """The accounts in the `arn` output of each state record (stack export, preview step)."""
    found = set()
    for record in records:
        outputs = record.get("outputs") if isinstance(record, dict) else None
        account = account_in_arn(outputs.get("arn")) if isinstance(outputs, dict) else None
        if account:
            found.add(account)
    return sorted(found)
