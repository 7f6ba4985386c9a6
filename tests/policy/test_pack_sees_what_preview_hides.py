"""What the offline check cannot see, and where it is closed (docs/threat-model.md).

A program may behave differently when it is not previewing: `pulumi.runtime.is_dry_run()` is
true in a preview and under Qantara's offline plan, false in `pulumi up`. This program keeps
the patient data in the UAE when it is previewed and puts it in us-east-1 when it is applied.
The offline check cannot tell (it only ever previews); the policy pack, which the engine runs
on the resources `pulumi up` registers, refuses it.
"""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path

from pulumi_policy import StackValidationArgs
from stack_wire import received_resources

from qantara.check import check_blueprint
from qantara.paths import project_root
from qantara.plan.offline import run_under_mocks, working_directory
from qantara.policy.pulumi_pack import validate_stack

TODAY = dt.date(2026, 12, 6)
BLUEPRINT = project_root() / "blueprints" / "ae-health-cloud.yaml"
PROD = {"qantara:blueprint": str(BLUEPRINT), "qantara:environment": "prod"}

# Compliant in every way (tests/cli/test_check_program.py's COMPLIANT program) except that
# its region depends on whether the engine is previewing.
PROGRAM = '''\
import pulumi
import pulumi_aws as aws

from qantara.components.audit_trail import AuditTrail, AuditTrailArgs
from qantara.components.data_lake import tls_only_policy
from qantara.components.identity import StackIdentity

# Reviewers and CI only ever see a preview.
region = "me-central-1" if pulumi.runtime.is_dry_run() else "us-east-1"
TAGS = {"environment": "prod", "owner": "ml-platform@dubai-care.example",
        "qantara-blueprint": "dubai-care-ml", "data-classification": "restricted"}
provider = aws.Provider("uae", region=region, default_tags={"tags": TAGS})
opts = pulumi.ResourceOptions(provider=provider)
key = aws.kms.Key("data-key", enable_key_rotation=True, opts=opts)
bucket = aws.s3.Bucket("patient-data", bucket="dubai-care-ml-prod-patient-data", opts=opts)
aws.s3.BucketServerSideEncryptionConfiguration("patient-data-encryption", bucket=bucket.bucket, rules=[
    {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}], opts=opts)
aws.s3.BucketVersioning("patient-data-versioning", bucket=bucket.bucket,
                        versioning_configuration={"status": "Enabled"}, opts=opts)
aws.s3.BucketPublicAccessBlock("patient-data-public-access", bucket=bucket.bucket, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
                               opts=opts)
aws.s3.BucketPolicy("patient-data-tls-only", bucket=bucket.bucket,
                    policy=tls_only_policy("dubai-care-ml-prod-patient-data", "aws"), opts=opts)
AuditTrail("audit", AuditTrailArgs(identity=StackIdentity(blueprint="dubai-care-ml", environment="prod",
                                                         region=region, account_id="000000000000"),
                                   kms_key_arn=key.arn, data_bucket_arns=[bucket.arn],
                                   retention_days=2555, data_classification="restricted"), opts=opts)
'''


def _program(tmp_path: Path) -> Path:
    program = tmp_path / "two-faced"
    program.mkdir()
    (program / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    return program


# What AWS returns at `pulumi up` that the program reads (the mocks echo inputs only).
CREATED = {
    "aws:kms/key:Key": {"arn": "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
    "aws:s3/bucket:Bucket": lambda inputs: {"arn": f"arn:aws:s3:::{inputs.get('bucket', 'generated')}"},
}


def _resources_at_up(program: Path) -> list[dict]:
    """The resources `pulumi up` registers: the program run with is_dry_run() false."""
    with working_directory(program):
        return run_under_mocks(lambda: runpy.run_path(str(program), run_name="__main__"), project="qantara",
                               stack="prod", config={"aws:region": "me-central-1"}, preview=False,
                               known_outputs=CREATED)


def test_the_offline_check_passes_a_program_that_moves_data_only_when_not_previewing(tmp_path):
    result = check_blueprint(BLUEPRINT, "prod", program_dir=_program(tmp_path), today=TODAY)
    assert result.verdict == "pass", result.findings
    bucket = next(r for r in result.plan["resources"] if r["name"] == "patient-data")
    assert bucket["location"]["region"] == "me-central-1"


def test_the_policy_pack_refuses_the_same_program_on_the_resources_up_registers(tmp_path):
    entries = _resources_at_up(_program(tmp_path))
    reported = []
    validate_stack(StackValidationArgs(received_resources(entries)),
                   lambda message, urn=None: reported.append((urn, message)), config=PROD, today=TODAY)
    on_bucket = [message for urn, message in reported if urn and urn.endswith("::patient-data")]
    assert any("us-east-1" in message for message in on_bucket), reported
