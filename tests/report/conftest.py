"""A real check with findings of every kind: a bucket in us-east-1 (resource findings), a
production environment without approvers (a blueprint finding) and a current waiver."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qantara.check import check_blueprint
from qantara.policy.checkpoint import CheckResult

REPO = Path(__file__).resolve().parents[2]
PROGRAM = """\
import pulumi
import pulumi_aws as aws

provider = aws.Provider("us", region="us-east-1")
aws.s3.Bucket("raw-data", opts=pulumi.ResourceOptions(provider=provider))
"""
WAIVER = """\
    waivers:
      - policy: QA-RES-003
        resources: "raw-*"
        reason: vendor encryption lands in Q3
        approvedBy: ciso
        expires: 2025-06-30
"""


@pytest.fixture(scope="session")
def blueprint_path(tmp_path_factory) -> Path:
    text = (REPO / "blueprints" / "ae-health-cloud.yaml").read_text(encoding="utf-8")
    approvers = "      approvers: [clinical-safety-board, ml-platform-leads]\n"
    retention = "    auditRetentionDays: 2555\n"
    # Target stage initial: a managed target would also report the missing approvers as a
    # stage prerequisite (QA-BP-006), a second finding for the same gap.
    stage = "    stage: managed\n"
    assert text.count(approvers) == 1 and text.count(retention) == 1 and text.count(stage) == 1
    path = tmp_path_factory.mktemp("blueprint") / "ae-health-cloud.yaml"
    path.write_text(text.replace(approvers, "").replace(retention, retention + WAIVER)
                    .replace(stage, "    stage: initial\n"), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def result(blueprint_path, tmp_path_factory) -> CheckResult:
    program = tmp_path_factory.mktemp("program")
    (program / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    return check_blueprint(blueprint_path, "prod", program_dir=program, today=dt.date(2025, 1, 1))


@pytest.fixture(scope="session")
def kinds(result) -> dict[str, str]:
    """Enforcement by policy id; the test blueprint and program give one finding per policy."""
    return {f["policy"]: f["enforcement"] for f in result.findings}
