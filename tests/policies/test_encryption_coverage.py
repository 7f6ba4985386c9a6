"""Every pulumi-aws type with an encryption-shaped input is either a row of the encryption-at-rest
table (QA-RES-007) or deliberately out of scope with a reason, and the table's rows say what
they must: the generated list (scripts/generate_aws_encryption_properties.py) is the attacker's
list of places to hide an unencrypted store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pulumi_aws
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "policies" / "data"
TABLE = yaml.safe_load((DATA / "aws_encryption_at_rest.yaml").read_text(encoding="utf-8"))
GENERATED = json.loads((ROOT / "tests" / "policies" / "aws_encryption_properties.json").read_text(encoding="utf-8"))["types"]
DEFAULTS = {"unencrypted", "aws-owned-key", "aws-managed-key", "inherits"}
CLASSES = {"public", "internal", "confidential", "restricted", "secret"}


def _pulumi_aws_tokens() -> set[str]:
    """Every resource type token pulumi_aws registers (its own resource_modules table)."""
    source = Path(pulumi_aws.__file__).read_text(encoding="utf-8")
    table = json.loads(source.split('resource_modules="""', 1)[1].split('"""', 1)[0])
    return {token for module in table for token in module["classes"]}


def _out_of_scope() -> dict[str, str]:
    return {t: entry["reason"] for entry in TABLE["outOfScope"] for t in entry["types"]}


def _judgements(row: dict) -> list[tuple[str, dict]]:
    """(path prefix, judgement) for the row itself and each of its blocks."""
    own = [("", row)] if "encryptionProperty" in row or "keyProperty" in row else []
    blocks = [(f"{b.get('within') or b['each'] + '[]'}.", b) for b in row.get("blocks", [])]
    return own + blocks


def test_encryption_property_list_matches_the_installed_pulumi_aws():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_aws_encryption_properties.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_type_with_an_encryption_property_is_in_the_table_or_out_of_scope():
    covered = set(TABLE["types"]) | set(_out_of_scope())
    missing = sorted(set(GENERATED) - covered)
    assert not missing, f"add these to policies/data/aws_encryption_at_rest.yaml (types or outOfScope): {missing}"


def test_no_type_is_both_judged_and_out_of_scope():
    assert not set(TABLE["types"]) & set(_out_of_scope())


def test_every_out_of_scope_entry_has_a_reason_and_names_a_type_with_encryption_inputs():
    for entry in TABLE["outOfScope"]:
        assert isinstance(entry["reason"], str) and len(entry["reason"].split()) >= 8, entry
    stale = sorted(set(_out_of_scope()) - set(GENERATED))
    assert not stale, f"out-of-scope types without encryption inputs in this pulumi-aws: {stale}"


def test_every_table_type_is_a_pulumi_aws_type():
    unknown = sorted(set(TABLE["types"]) - _pulumi_aws_tokens())
    assert not unknown, unknown


@pytest.mark.parametrize("token", sorted(TABLE["types"]))
def test_table_row_says_how_encryption_is_turned_on_with_which_key_and_where_it_was_read(token):
    row = TABLE["types"][token]
    assert row.get("source"), f"{token}: no source"
    assert all(str(s).startswith("https://") for s in row["source"]), token
    assert row.get("default") in DEFAULTS or not row.get("encryptionProperty"), token
    if row.get("uncertain"):
        assert row.get("why"), f"{token}: uncertain without why"
    if row.get("judgedBy"):
        return
    assert _judgements(row), f"{token}: neither an encryptionProperty nor blocks"
    for _, judgement in _judgements(row):
        assert judgement["encryptionProperty"], token
        assert judgement["default"] in DEFAULTS, token
        if judgement["encryptionProperty"] != "always":
            values = judgement.get("enabledValues")
            assert values == "any" or (isinstance(values, list) and values), f"{token}: enabledValues"
        assert set(judgement.get("kmsValues", [])) <= set(judgement.get("enabledValues") or []), token


@pytest.mark.parametrize("token", sorted(t for t in TABLE["types"] if t in GENERATED))
def test_table_key_paths_are_inputs_of_the_type(token):
    """A typo in a key path would make every resource of the type 'name no key' or, worse,
    never be read: each path must be one pulumi-aws gives the type."""
    inputs = set(GENERATED[token])
    for prefix, judgement in _judgements(TABLE["types"][token]):
        paths = judgement.get("keyProperty") or []
        for path in [paths] if isinstance(paths, str) else paths:
            full = f"{prefix}{path}"
            # A key input not named like one (keyArn) sits in an encryption-shaped block.
            assert full in inputs or full.rsplit(".", 1)[0] in inputs, f"{token}: {full} is not among {sorted(inputs)}"


def test_a_row_without_a_key_input_says_why_or_is_refused_for_customer_managed_key_classes():
    """A row with no keyProperty is refused for classes that need a customer-managed key unless
    the row says where the key is judged or why the store is accepted without one; acceptance
    is kept for the one store the project must use (S3 on Outposts)."""
    accepted = sorted(t for t, row in TABLE["types"].items() if row.get("acceptedWithoutCustomerKey"))
    assert accepted == ["aws:s3control/bucket:Bucket"]


def test_class_requirements_cover_every_class_and_need_a_customer_key_above_internal():
    needs = TABLE["classRequirements"]
    assert set(needs) == CLASSES
    assert needs["public"] == "none" and needs["internal"] == "encrypted"
    assert all(needs[c] == "customer-managed-key" for c in ("confidential", "restricted", "secret"))


def _generator():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_aws_encryption_properties
    finally:
        sys.path.pop(0)
    return generate_aws_encryption_properties


@pytest.mark.parametrize("name", ["kms_key_id", "storage_encrypted", "encrypted", "at_rest_encryption_enabled",
                                  "encrypt_at_rest", "server_side_encryption", "sse_specification",
                                  "kms_master_key_id", "encryption_info", "customer_encryption_key_arn"])
def test_the_list_catches_every_way_a_store_names_its_encryption(name):
    assert _generator().shaped(name)


@pytest.mark.parametrize("name", ["transit_encryption_enabled", "node_to_node_encryption",
                                  "enable_inter_container_traffic_encryption", "additional_encryption_context",
                                  "tunnel1_phase1_encryption_algorithms", "kafka_cluster_encryption_in_transit"])
def test_the_list_leaves_out_encryption_in_transit(name):
    assert not _generator().shaped(name)
