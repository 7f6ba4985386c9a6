"""`qantara scan file://DIR`: every checkpoint of a Pulumi DIY backend, checked in one run."""

import gzip
import json

import pytest
from checkpoints import CONFIG, ROOT, write_backend

from qantara.errors import InputError
from qantara.scan.backend import open_backend, stack_ref
from qantara.scan.report import scan_sarif, scan_text
from qantara.scan.run import scan_backend


def _verdicts(result):
    return {s.ref.name: s.verdict for s in result.stacks}


def test_project_scoped_and_legacy_stacks_are_all_checked(tmp_path, compliant, moved_to_frankfurt):
    write_backend(tmp_path, {"platform/prod": compliant, "platform/prod-eu": moved_to_frankfurt, "old-prod": compliant},
                  legacy=("old-prod",))
    result = scan_backend(tmp_path.as_uri(), root=ROOT)
    assert _verdicts(result) == {"old-prod": "pass", "platform/prod": "pass", "platform/prod-eu": "fail"}
    assert result.verdict == "fail"
    [moved] = [s for s in result.stacks if s.ref.name == "platform/prod-eu"]
    residency = [f for f in moved.result.findings if f["policy"] == "QA-RES-001"]
    assert residency and "data-lake-raw" in residency[0]["resource"]


def test_a_stack_without_qantara_config_fails_the_scan_closed(tmp_path, compliant):
    bare = json.loads(json.dumps(compliant))
    bare["checkpoint"]["config"] = {"aws:region": "me-central-1"}
    write_backend(tmp_path, {"platform/prod": compliant, "platform/sandbox": bare})
    result = scan_backend(tmp_path.as_uri(), root=ROOT)
    assert _verdicts(result) == {"platform/prod": "pass", "platform/sandbox": "error"}
    assert result.verdict == "fail"
    [sandbox] = [s for s in result.stacks if s.verdict == "error"]
    assert "qantara:blueprint" in sandbox.error and "qantara:environment" in sandbox.error


def test_a_secret_blueprint_config_is_not_read_as_a_path(tmp_path, compliant):
    secret = json.loads(json.dumps(compliant))
    secret["checkpoint"]["config"]["qantara:blueprint"] = {"secure": "v1:abc"}
    write_backend(tmp_path, {"platform/prod": secret})
    [scan] = scan_backend(tmp_path.as_uri(), root=ROOT).stacks
    assert scan.verdict == "error" and "v1:abc" not in scan.error


def test_relative_blueprint_paths_resolve_against_root(tmp_path, compliant):
    write_backend(tmp_path, {"platform/prod": compliant})
    [scan] = scan_backend(tmp_path.as_uri(), root=tmp_path).stacks  # no blueprints/ under tmp_path
    assert scan.verdict == "error" and "ae-health-cloud.yaml" in scan.error


def test_an_environment_the_blueprint_lacks_is_an_error_not_a_pass(tmp_path, compliant):
    odd = json.loads(json.dumps(compliant))
    odd["checkpoint"]["config"]["qantara:environment"] = "qa"
    write_backend(tmp_path, {"platform/qa": odd})
    [scan] = scan_backend(tmp_path.as_uri(), root=ROOT).stacks
    assert scan.verdict == "error" and "no environment named 'qa'" in scan.error


def test_gzip_checkpoints_are_read_and_backups_ignored(tmp_path, compliant):
    write_backend(tmp_path, {})
    stacks = tmp_path / ".pulumi" / "stacks" / "platform"
    stacks.mkdir(parents=True)
    (stacks / "prod.json.gz").write_bytes(gzip.compress(json.dumps(compliant).encode()))
    (stacks / "prod.json.bak").write_text("{}")
    (stacks / "prod.json.attrs").write_text("{}")
    result = scan_backend(tmp_path.as_uri(), root=ROOT)
    assert _verdicts(result) == {"platform/prod": "pass"}


def test_an_unreadable_checkpoint_is_reported_and_the_others_still_checked(tmp_path, compliant):
    write_backend(tmp_path, {"platform/prod": compliant})
    (tmp_path / ".pulumi" / "stacks" / "platform" / "broken.json").write_text("{not json")
    result = scan_backend(tmp_path.as_uri(), root=ROOT)
    assert _verdicts(result) == {"platform/broken": "error", "platform/prod": "pass"}


@pytest.mark.parametrize("relative, expected", [
    ("prod.json", (None, "prod")), ("proj/prod.json", ("proj", "prod")), ("proj/prod.json.gz", ("proj", "prod")),
    ("proj/prod.json.bak", None), ("a/b/c.json", None), ("proj/.json", None),
])
def test_stack_paths_follow_pulumis_layout(relative, expected):
    ref = stack_ref(relative, relative)
    assert (None if ref is None else (ref.project, ref.stack)) == expected


def test_bad_backend_urls_are_refused_with_what_is_allowed(tmp_path):
    with pytest.raises(InputError, match="file://DIR or s3://BUCKET"):
        open_backend("https://api.pulumi.com")
    with pytest.raises(InputError, match="not a directory"):
        open_backend((tmp_path / "missing").as_uri())


def test_reports_name_every_stack(tmp_path, compliant, moved_to_frankfurt):
    bare = {"version": 3, "checkpoint": {"config": {}, "latest": None}}
    write_backend(tmp_path, {"platform/prod": compliant, "platform/prod-eu": moved_to_frankfurt, "platform/bare": bare})
    result = scan_backend(tmp_path.as_uri(), root=ROOT)
    text = scan_text(result)
    assert "platform/prod-eu" in text and "platform/bare" in text and "cannot check" in text
    sarif = scan_sarif(result)
    run = sarif["runs"][0]
    assert {r["properties"]["stack"] for r in run["results"]} == {"platform/prod-eu", "platform/bare"}
    assert any(r["ruleId"] == "QA-SCAN-UNCHECKED" for r in run["results"])
    assert [s["verdict"] for s in run["properties"]["stacks"]] == ["error", "fail", "pass"]  # sorted by path: bare, prod-eu, prod
    assert CONFIG["qantara:blueprint"] in {a["location"]["uri"] for a in run["artifacts"]}


def test_errors_name_the_stack_checkpoint_not_a_scratch_file(tmp_path, compliant):
    broken = json.loads(json.dumps(compliant))
    broken["checkpoint"]["latest"]["resources"] = "not a list"
    write_backend(tmp_path, {"platform/prod": broken})
    [scan] = scan_backend(tmp_path.as_uri(), root=ROOT).stacks
    assert scan.verdict == "error" and "platform/prod.json" in scan.error and "qantara-scan-" not in scan.error
