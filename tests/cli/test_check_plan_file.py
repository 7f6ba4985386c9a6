"""`qantara check BLUEPRINT --env ENV --plan FILE`: real Pulumi output judged against the AE
health blueprint. The reference stacks live in us-east-1, us-west-2 or a region the file does
not record, so restricted AE health data may not be there: every regional resource is a
QA-RES-001 finding and the mandatory checkpoint fails.

Good input runs in-process through typer's CliRunner; bad input runs through the real
console script (the `qantara` fixture), because only `main()` turns an error into exit 2
and one message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qantara.cli import app
from qantara.errors import EXIT_BAD_INPUT, EXIT_CHECKPOINT_FAILED
from qantara.plan.importers import load_plan_file

REPO = Path(__file__).resolve().parents[2]
AE_HEALTH = REPO / "blueprints" / "ae-health-cloud.yaml"
REFERENCE = REPO / "tests" / "fixtures" / "reference" / "pulumi-json"
REFERENCE_FILES = sorted(REFERENCE.glob("*.json*"))
PREVIEW = REPO / "tests" / "plan" / "fixtures" / "preview-digest_lake-change.json"

# Where each reference file's resources are, as far as the file records it (README.txt there).
KNOWN_REGIONS = {
    "stack-export_awsx_vpc-custom-provider.json": "us-east-1",  # its provider named "eu-west-1"
    "stack-export_awsx_ecr-repo.json": "us-west-2",  # its default provider
    "engine-events_preview_aws-ts-webserver.jsonl": "us-west-2",  # the log's stack config
}

BAD_INPUT_TIMEOUT = 20


def check(*args: str | Path):
    result = CliRunner().invoke(app, ["check", str(AE_HEALTH), "--env", "prod", "--format", "json", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result, json.loads(result.stdout)


def regional_urns(path: Path, **kwargs) -> set[str]:
    plan = load_plan_file(path, **kwargs)
    # A resource the file does not locate may be anywhere: residency judges it too.
    return {r["urn"] for r in plan["resources"]
            if r["location"]["kind"] in ("cloud", "unknown") and not r["type"].startswith("pulumi:providers:")}


def test_every_real_format_has_a_reference_file():
    assert len(REFERENCE_FILES) >= 6
    assert {p.suffix for p in REFERENCE_FILES} == {".json", ".jsonl"}


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_a_real_stack_outside_the_jurisdiction_fails_residency_for_each_regional_resource(path):
    result, report = check("--plan", path)
    assert result.exit_code == EXIT_CHECKPOINT_FAILED
    assert report["verdict"] == "fail"
    assert report["resources"] == len(load_plan_file(path)["resources"])
    residency = {f["resource"]: f for f in report["findings"] if f["policy"] == "QA-RES-001"}
    expected = regional_urns(path)
    assert expected and set(residency) == expected
    assert all(f["enforcement"] == "mandatory" for f in residency.values())
    region = KNOWN_REGIONS.get(path.name)
    locations = {r["urn"]: r["location"] for r in load_plan_file(path)["resources"]}
    for urn, finding in residency.items():
        location = locations[urn]
        if region:
            assert f"is in {region}: restricted data under AE rules must stay in AE" in finding["message"]
        elif location["kind"] == "cloud":  # where its ARN or region output says
            assert f"is in {location['region']}: restricted data under AE rules must stay in AE" in finding["message"]
        else:
            assert f"is in an unknown location: {location['reason']}" in finding["message"]


def test_a_region_given_on_the_command_line_locates_a_stack_that_does_not_record_one():
    path = REFERENCE / "checkpoint-v3_pulumi_countdown.json"
    result, report = check("--plan", path, "--config", "aws:region=us-east-2")
    assert result.exit_code == EXIT_CHECKPOINT_FAILED
    residency = [f for f in report["findings"] if f["policy"] == "QA-RES-001"]
    assert {f["resource"] for f in residency} == regional_urns(path, stack_region="us-east-2")
    assert all(" is in us-east-2: " in f["message"] for f in residency)


def test_a_preview_inside_the_jurisdiction_fails_only_for_the_resource_it_sends_abroad():
    result, report = check("--plan", PREVIEW)
    assert result.exit_code == EXIT_CHECKPOINT_FAILED
    residency = {f["resource"].rsplit("::", 1)[-1]: f["message"] for f in report["findings"] if f["policy"] == "QA-RES-001"}
    assert list(residency) == ["features-replica"]
    assert "is in us-east-1" in residency["features-replica"]


def test_an_imported_plan_carries_no_warning_about_components_the_platform_stack_lacks():
    # That warning is about the offline plan of stacks/platform; a real plan is whatever it is.
    sa_hybrid = REPO / "blueprints" / "sa-health-hybrid.yaml"
    result = CliRunner().invoke(app, ["check", str(sa_hybrid), "--env", "prod", "--format", "json",
                                      "--plan", str(REFERENCE_FILES[0])])
    assert "Traceback" not in result.output
    assert not any("not provisioned by stacks/platform" in w for w in json.loads(result.stdout)["warnings"])


def test_the_text_report_names_the_residency_findings():
    result = CliRunner().invoke(app, ["check", str(AE_HEALTH), "--env", "prod", "--plan",
                                      str(REFERENCE / "stack-export_awsx_vpc-custom-provider.json")])
    assert result.exit_code == EXIT_CHECKPOINT_FAILED
    assert "QA-RES-001" in result.stdout and "Verdict: FAIL" in result.stdout


# Bad input: exit 2, one message naming the file (and the line), no traceback.

def test_a_broken_plan_file_exits_2_with_one_message_naming_its_line(qantara, tmp_path):
    lines = (REFERENCE / "engine-events_preview_aws-ts-webserver.jsonl").read_text(encoding="utf-8").splitlines()
    lines[6] = lines[6][:25]
    broken = tmp_path / "events.jsonl"
    broken.write_text("\n".join(lines), encoding="utf-8")
    result = qantara("check", AE_HEALTH, "--env", "prod", "--plan", broken, timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"{broken}:7: not valid JSON")


def test_a_file_that_is_no_pulumi_output_exits_2_saying_what_is_allowed(qantara, tmp_path):
    other = tmp_path / "terraform-plan.json"
    other.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}), encoding="utf-8")
    result = qantara("check", AE_HEALTH, "--env", "prod", "--plan", other, timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == EXIT_BAD_INPUT and "Traceback" not in result.stderr
    assert f"{other}: not a Pulumi plan file" in result.stderr
    assert "pulumi stack export" in result.stderr and "pulumi preview --json" in result.stderr


def test_a_missing_plan_file_exits_2(qantara, tmp_path):
    result = qantara("check", AE_HEALTH, "--env", "prod", "--plan", tmp_path / "absent.json", timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == EXIT_BAD_INPUT and "Traceback" not in result.stderr
    assert f"{tmp_path / 'absent.json'}: no such file" in result.stderr


def test_plan_and_program_together_exit_2(qantara, tmp_path):
    result = qantara("check", AE_HEALTH, "--env", "prod", "--plan", REFERENCE_FILES[0], "--program", tmp_path,
                     timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == EXIT_BAD_INPUT and "Traceback" not in result.stderr
    assert "--plan and --program" in result.stderr
