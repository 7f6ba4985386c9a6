"""The commands on good input, through the real console script: the example blueprints
validate, place, plan and pass their own checks in every environment they declare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "blueprints").glob("*.yaml"))
AE_HEALTH = REPO / "blueprints" / "ae-health-cloud.yaml"


def environments(path: Path) -> list[str]:
    return [e["name"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))["spec"]["environments"]]


def components_of(path: Path, qantara) -> dict:
    result = qantara("place", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["components"]


EXAMPLE_RUNS = [(path, env) for path in EXAMPLES for env in environments(path)]


def test_there_are_example_blueprints_to_check():
    assert len(EXAMPLES) >= 3
    assert {"ae-health-cloud.yaml", "sa-health-hybrid.yaml", "bh-fintech-cloud.yaml"} <= {p.name for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_validate_accepts_every_example_blueprint(qantara, path):
    result = qantara("validate", path)
    assert result.returncode == 0, result.stderr
    assert f"{path.name}: valid" in result.stdout
    assert result.stderr == ""


def test_validate_accepts_all_examples_at_once(qantara):
    result = qantara("validate", *EXAMPLES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": valid") == len(EXAMPLES)


def test_schema_prints_a_json_schema_with_the_spec(qantara):
    result = qantara("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert "spec" in schema["properties"]


def test_regions_table_allows_me_central_1_and_refuses_us_east_1_with_a_reason(qantara):
    result = qantara("regions", "--jurisdiction", "AE", "--classification", "restricted", "--sector", "health")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if line.split()[:1] in (["allowed"], ["refused"])}
    assert rows["me-central-1"].startswith("allowed")
    assert rows["us-east-1"].startswith("refused")
    assert "must stay in AE" in rows["us-east-1"]
    assert "AE-HEALTH-DATA-IN-COUNTRY" in result.stdout


def test_regions_json_parses_and_gives_each_region_a_verdict_and_reason(qantara):
    result = qantara("regions", "--jurisdiction", "AE", "--classification", "restricted", "--sector", "health",
                     "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "AE-HEALTH-DATA-IN-COUNTRY" in report["requirement"]["rules"]
    by_code = {r["region"]: r for r in report["regions"]}
    assert by_code["me-central-1"]["allowed"] is True
    assert by_code["us-east-1"]["allowed"] is False
    assert by_code["us-east-1"]["reason"]
    assert [r["region"] for r in report["regions"] if r["allowed"]] == ["me-central-1"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_place_shows_every_component_with_where_and_why(qantara, path):
    components = components_of(path, qantara)
    assert components
    result = qantara("place", path)
    assert result.returncode == 0, result.stderr
    for name, placed in components.items():
        assert name in result.stdout
        assert f"  {name}: " in result.stdout  # its line under "Why:"
        assert placed["reason"]
        assert (placed["region"] if placed["kind"] == "cloud" else placed["site"]) in result.stdout


def test_plan_json_out_writes_a_plan_document(qantara, tmp_path):
    out = tmp_path / "plans" / "prod.json"
    result = qantara("plan", AE_HEALTH, "--env", "prod", "--format", "json", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["apiVersion"] == "qantara.dev/v1"
    assert document["kind"] == "Plan"
    assert document["resources"]
    for resource in document["resources"]:
        assert {"urn", "type", "name", "parent", "provider", "inputs", "location"} <= set(resource), resource
    buckets = [r for r in document["resources"] if r["type"] == "aws:s3/bucket:Bucket"]
    assert buckets
    assert {r["location"]["region"] for r in buckets} == {"me-central-1"}
    assert list(out.parent.iterdir()) == [out], "a temporary file was left beside the plan"


def test_plan_out_replaces_an_earlier_plan_whole(qantara, tmp_path):
    out = tmp_path / "plan.json"
    out.write_text("stale\n" * 100_000, encoding="utf-8")
    result = qantara("plan", AE_HEALTH, "--env", "dev", "--format", "json", "--out", out)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["kind"] == "Plan"
    assert list(tmp_path.iterdir()) == [out]


# The first run goes through the console script; the others through its entry point in
# this process (each still plans in a child process), which saves an interpreter start each.
@pytest.mark.parametrize(("path", "env"), EXAMPLE_RUNS, ids=[f"{p.stem}-{e}" for p, e in EXAMPLE_RUNS])
def test_check_passes_every_example_in_every_environment_it_declares(qantara, qantara_main, path, env):
    run = qantara if (path, env) == EXAMPLE_RUNS[0] else qantara_main
    result = run("check", path, "--env", env, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "pass", report["findings"]
    assert report["environment"] == env


def test_check_text_ends_with_the_verdict(qantara):
    result = qantara("check", AE_HEALTH, "--env", "prod")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("Verdict: PASS")


def test_check_json_has_a_verdict_and_findings_with_their_fields(qantara, tmp_path):
    # A program with an unencrypted bucket in the right region: one finding to look at.
    program = tmp_path / "program"
    program.mkdir()
    (program / "__main__.py").write_text(
        "import pulumi, pulumi_aws as aws\n"
        "p = aws.Provider('uae', region='me-central-1')\n"
        "b = aws.s3.Bucket('plain', opts=pulumi.ResourceOptions(provider=p))\n"
        "aws.s3.BucketPublicAccessBlock('plain-block', bucket=b.bucket, block_public_acls=True, block_public_policy=True,\n"
        "    ignore_public_acls=True, restrict_public_buckets=True, opts=pulumi.ResourceOptions(provider=p))\n",
        encoding="utf-8",
    )
    result = qantara("check", AE_HEALTH, "--env", "prod", "--format", "json", "--program", program)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "fail"
    assert report["findings"]
    for finding in report["findings"]:
        assert {"policy", "severity", "resource", "message", "remediation", "enforcement"} <= set(finding), finding


def test_check_json_out_writes_the_report_and_prints_nothing(qantara, tmp_path):
    out = tmp_path / "check.json"
    result = qantara("check", AE_HEALTH, "--env", "prod", "--format", "json", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["verdict"] == "pass"
