"""`qantara scan` as a user runs it: exit codes and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

from checkpoints import ROOT, write_backend

QANTARA = [str(Path(sys.executable).with_name("qantara"))]


def run(*args):
    return subprocess.run([*QANTARA, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_scan_exit_code_follows_the_worst_stack(tmp_path, compliant, moved_to_frankfurt):
    write_backend(tmp_path / "good", {"platform/prod": compliant})
    done = run("scan", (tmp_path / "good").as_uri(), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stacks"][0]["verdict"] == "pass"
    write_backend(tmp_path / "bad", {"platform/prod": compliant, "platform/prod-eu": moved_to_frankfurt})
    done = run("scan", (tmp_path / "bad").as_uri(), "--format", "sarif")
    assert done.returncode == 1
    assert json.loads(done.stdout)["runs"][0]["properties"]["verdict"] == "fail"


def test_empty_backend_and_bad_url(tmp_path):
    done = run("scan", tmp_path.as_uri())  # a directory with no stacks: never "all passed"
    assert done.returncode == 2 and "no stack checkpoints" in done.stderr
    done = run("scan", "https://app.pulumi.com/acme")
    assert done.returncode == 2 and "file://DIR or s3://BUCKET" in done.stderr and "Traceback" not in done.stderr
