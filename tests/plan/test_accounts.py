"""The accounts a plan runs in: the offline placeholder, or the ARNs a real stack recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from qantara.plan.accounts import account_in_arn, accounts_in_outputs
from qantara.plan.importers import load_plan_file

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "pulumi-json"


@pytest.mark.parametrize(("arn", "account"), [
    ("arn:aws:iam::153052954103:role/x", "153052954103"),
    ("arn:aws:lambda:us-east-2:153052954103:function:f", "153052954103"),
    ("arn:aws-cn:kms:cn-north-1:123456789012:key/abc", "123456789012"),
    ("arn:aws:s3:::bucket", None),
    ("arn:aws:iam::aws:policy/AdministratorAccess", None),
    ("153052954103", None),
    (None, None),
])
def test_the_account_of_an_arn(arn, account):
    assert account_in_arn(arn) == account


def test_accounts_come_from_recorded_arn_outputs_only():
    records = [{"outputs": {"arn": "arn:aws:sns:me-central-1:111111111111:t"}},
               {"inputs": {"arn": "arn:aws:sns:me-central-1:999999999999:t"}},
               {"outputs": {"policy": "arn:aws:iam::888888888888:root"}}, "junk", None]
    assert accounts_in_outputs(records) == ["111111111111"]


def test_a_real_checkpoint_names_the_stacks_account():
    plan = load_plan_file(REFERENCE / "checkpoint-v3_pulumi_countdown.json")
    assert plan["source"]["accounts"] == ["153052954103"]


@pytest.mark.parametrize(("value", "accounts"), [
    ('["123456789012", "012345678901"]', ("123456789012", "012345678901")),
    ('["12345", "not-an-id"]', ()),
    ("not json", ()),
    (None, ()),
])
def test_the_pack_takes_the_stacks_accounts_from_allowed_account_ids(value, accounts):
    from qantara.policy.pulumi_pack import allowed_accounts

    assert allowed_accounts(value) == accounts
