"""`qantara check --program DIR`: a user's own Pulumi program, planned offline and judged
against the AE health blueprint. Each bad program differs from the compliant one in one way,
and the finding must name that resource and the policy it breaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AE_HEALTH = REPO / "blueprints" / "ae-health-cloud.yaml"

TAGS = ('{"environment": "prod", "owner": "ml-platform@dubai-care.example", '
        '"qantara-blueprint": "dubai-care-ml", "data-classification": "restricted"}')
PROVIDER = (f'provider = aws.Provider("uae", region="me-central-1", default_tags={{"tags": {TAGS}}})\n'
            'opts = pulumi.ResourceOptions(provider=provider)\n')
BUCKET = 'bucket = aws.s3.Bucket("patient-data", bucket="dubai-care-ml-prod-patient-data", opts=opts)\n'
KEY = 'key = aws.kms.Key("data-key", enable_key_rotation=True, opts=opts)\n'
ENCRYPTION = """\
aws.s3.BucketServerSideEncryptionConfiguration(
    "patient-data-encryption",
    bucket=bucket.bucket,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}],
    opts=opts,
)
"""
VERSIONING = """\
aws.s3.BucketVersioning("patient-data-versioning", bucket=bucket.bucket,
                        versioning_configuration={"status": "Enabled"}, opts=opts)
"""
PUBLIC_ACCESS_BLOCK = """\
aws.s3.BucketPublicAccessBlock("patient-data-public-access", bucket=bucket.bucket, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
                               opts=opts)
"""
TLS_ONLY = """\
aws.s3.BucketPolicy("patient-data-tls-only", bucket=bucket.bucket,
                    policy=tls_only_policy("dubai-care-ml-prod-patient-data", "aws"), opts=opts)
"""
# Data needs an audit trail; Qantara's own component makes a compliant one.
AUDIT = """\
AuditTrail("audit", AuditTrailArgs(identity=StackIdentity(blueprint="dubai-care-ml", environment="prod",
                                                         region="me-central-1", account_id="000000000000"),
                                   kms_key_arn=key.arn, data_bucket_arns=[bucket.arn],
                                   retention_days=2555, data_classification="restricted"), opts=opts)
"""
IMPORTS = """\
import pulumi
import pulumi_aws as aws

from qantara.components.audit_trail import AuditTrail, AuditTrailArgs
from qantara.components.data_lake import tls_only_policy
from qantara.components.identity import StackIdentity

"""
COMPLIANT = IMPORTS + PROVIDER + KEY + BUCKET + ENCRYPTION + VERSIONING + PUBLIC_ACCESS_BLOCK + TLS_ONLY + AUDIT


def variant(old: str, new: str) -> str:
    assert COMPLIANT.count(old) == 1, old
    return COMPLIANT.replace(old, new)


def write_program(directory: Path, source: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "__main__.py").write_text(source, encoding="utf-8")
    return directory


def check(qantara, program: Path, *extra: str):
    result = qantara("check", AE_HEALTH, "--env", "prod", "--format", "json", "--program", program, *extra)
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout) if result.stdout else None
    return result, report


def findings_by(report: dict) -> set[tuple[str, str]]:
    """(policy, logical name) of every finding; the logical name is the URN's last part."""
    return {(f["policy"], f["resource"].rsplit("::", 1)[-1]) for f in report["findings"]}


def test_a_compliant_program_passes(qantara, tmp_path):
    result, report = check(qantara, write_program(tmp_path / "compliant", COMPLIANT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["verdict"] == "pass"
    assert report["findings"] == []
    assert report["resources"] >= 7


BAD_PROGRAMS = {
    "bucket-through-a-provider-in-us-east-1": (
        variant('aws.Provider("uae", region="me-central-1"', 'aws.Provider("uae", region="us-east-1"'),
        ("QA-RES-001", "patient-data")),
    "bucket-with-its-own-v7-region-input": (
        variant(BUCKET, 'bucket = aws.s3.Bucket("patient-data", region="eu-west-1", opts=opts)\n'),
        ("QA-RES-001", "patient-data")),
    "multi-region-kms-key": (
        variant("enable_key_rotation=True,", "enable_key_rotation=True, multi_region=True,"), ("QA-RES-002", "data-key")),
    "bucket-without-encryption": (variant(ENCRYPTION, ""), ("QA-RES-003", "patient-data")),
    "bucket-without-public-access-block": (variant(PUBLIC_ACCESS_BLOCK, ""), ("QA-RES-004", "patient-data")),
    "bucket-with-public-read-acl": (
        variant(BUCKET, 'bucket = aws.s3.Bucket("patient-data", acl="public-read", opts=opts)\n'),
        ("QA-RES-005", "patient-data")),
    "separate-public-read-acl-resource": (
        variant(BUCKET, BUCKET + 'aws.s3.BucketAcl("patient-data-acl", bucket=bucket.bucket, acl="public-read", opts=opts)\n'),
        ("QA-RES-005", "patient-data-acl")),
}


@pytest.mark.parametrize("name", list(BAD_PROGRAMS))
def test_a_program_breaking_one_rule_fails_with_a_finding_naming_the_resource_and_policy(qantara, tmp_path, name):
    source, expected = BAD_PROGRAMS[name]
    result, report = check(qantara, write_program(tmp_path / name, source))
    assert result.returncode == 1, result.stdout + result.stderr
    assert report["verdict"] == "fail"
    assert expected in findings_by(report), report["findings"]
    policy, logical = expected
    finding = next(f for f in report["findings"] if f["policy"] == policy and f["resource"].endswith("::" + logical))
    assert f"`{logical}`" in finding["message"]
    assert finding["enforcement"] == "mandatory"


def test_the_wrong_region_finding_names_the_law_in_text_output(qantara, tmp_path):
    program = write_program(tmp_path / "us", variant('aws.Provider("uae", region="me-central-1"',
                                                     'aws.Provider("uae", region="us-east-1"'))
    result = qantara("check", AE_HEALTH, "--env", "prod", "--program", program)
    assert result.returncode == 1
    assert "QA-RES-001" in result.stdout and "AE-HEALTH-DATA-IN-COUNTRY" in result.stdout
    assert "Verdict: FAIL" in result.stdout


DEFAULT_PROVIDER = variant(PROVIDER, "opts = None\n")


def test_a_default_provider_resource_is_unknown_when_the_programs_stack_sets_no_region(qantara, tmp_path):
    # `pulumi up` of this program takes the region from the deployer's environment or profile:
    # the blueprint's placed region is not the program's stack config, so nothing pins it.
    result, report = check(qantara, write_program(tmp_path / "default", DEFAULT_PROVIDER))
    assert result.returncode == 1, result.stdout + result.stderr
    finding = next(f for f in report["findings"] if f["policy"] == "QA-RES-001" and f["resource"].endswith("::patient-data"))
    assert "`patient-data` is in an unknown location" in finding["message"]
    assert "provider region comes from the environment" in finding["message"]
    assert "Pulumi.yaml" in finding["message"]  # where Qantara looked for aws:region


def test_a_default_provider_resource_takes_the_region_of_the_programs_own_stack_settings(qantara, tmp_path):
    program = write_program(tmp_path / "default", DEFAULT_PROVIDER)
    (program / "Pulumi.yaml").write_text("name: patient-platform\nruntime: python\n", encoding="utf-8")
    (program / "Pulumi.prod.yaml").write_text("config:\n  aws:region: me-central-1\n", encoding="utf-8")
    result, report = check(qantara, program)
    # Without the provider its default tags are gone too (QA-RES-028); residency holds.
    assert not any(f["policy"] == "QA-RES-001" for f in report["findings"]), report["findings"]

    plan = qantara("plan", AE_HEALTH, "--env", "prod", "--format", "json", "--program", program)
    assert plan.returncode == 0, plan.stderr
    bucket = next(r for r in json.loads(plan.stdout)["resources"] if r["name"] == "patient-data")
    assert bucket["location"] == {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}


def test_a_secret_region_in_the_stack_settings_leaves_default_provider_resources_unknown(qantara, tmp_path):
    program = write_program(tmp_path / "default", DEFAULT_PROVIDER)
    (program / "Pulumi.yaml").write_text("name: patient-platform\nruntime: python\n", encoding="utf-8")
    (program / "Pulumi.prod.yaml").write_text("config:\n  aws:region:\n    secure: v1:Zm9vYmFy\n", encoding="utf-8")
    result, report = check(qantara, program)
    assert result.returncode == 1
    finding = next(f for f in report["findings"] if f["policy"] == "QA-RES-001" and f["resource"].endswith("::patient-data"))
    assert "region is a secret" in finding["message"] and "v1:Zm9vYmFy" not in result.stdout


def test_a_malformed_stack_settings_file_is_refused_with_its_line(qantara, tmp_path):
    program = write_program(tmp_path / "default", DEFAULT_PROVIDER)
    (program / "Pulumi.yaml").write_text("name: patient-platform\nruntime: python\n", encoding="utf-8")
    (program / "Pulumi.prod.yaml").write_text("config:\n  aws:region: me-central-1\n  aws:region: us-east-1\n",
                                              encoding="utf-8")
    result, _ = check(qantara, program)
    assert result.returncode == 2
    assert "Pulumi.prod.yaml:3" in result.stderr and "duplicate key" in result.stderr


def test_a_stack_region_set_by_config_moves_default_provider_resources_and_fails(qantara, tmp_path):
    program = write_program(tmp_path / "default", DEFAULT_PROVIDER)
    result, report = check(qantara, program, "--config", "aws:region=us-east-1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("QA-RES-001", "patient-data") in findings_by(report)


def test_a_program_that_raises_is_reported_without_a_traceback(qantara, tmp_path):
    program = write_program(tmp_path / "broken", COMPLIANT + "raise RuntimeError('boom')\n")
    result = qantara("check", AE_HEALTH, "--env", "prod", "--program", program)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "boom" in result.stderr and "__main__.py" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_directory_without_a_program_is_refused(qantara, tmp_path):
    (tmp_path / "empty").mkdir()
    result = qantara("check", AE_HEALTH, "--env", "prod", "--program", tmp_path / "empty")
    assert result.returncode == 2
    assert "no __main__.py" in result.stderr
    assert "Traceback" not in result.stderr
