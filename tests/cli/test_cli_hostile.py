"""Special files, huge numbers and huge values through the real console script (issue 13 §2-3, §5).

Every case ends quickly in exit 2 with a message naming the input, no traceback, and the
special file left as it was. A FIFO nobody writes to is the hang an input must never cause.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli_bad_input import BAD_INPUT_TIMEOUT, BASE, edited

from qantara.errors import InputError
from qantara.output_file import write_output

REPO = Path(__file__).resolve().parents[2]
AE_HEALTH = REPO / "blueprints" / "ae-health-cloud.yaml"


def assert_exit_2(result, *says: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for text in says:
        assert text in result.stderr, (text, result.stderr)


def special(tmp_path: Path, kind: str) -> Path:
    if kind == "fifo":
        path = tmp_path / "input.fifo"
        os.mkfifo(path)
        return path
    if kind == "directory":
        return tmp_path
    return Path("/dev/zero")


@pytest.mark.parametrize("kind, says", [("fifo", "FIFO"), ("directory", "a directory"), ("device", "character device")])
@pytest.mark.parametrize("command", ["validate", "check", "plan"])
def test_a_blueprint_that_is_not_a_regular_file_is_refused_at_once(qantara, tmp_path, command, kind, says):
    path = special(tmp_path, kind)
    args = (command, path) if command == "validate" else (command, path, "--env", "prod")
    result = qantara(*args, timeout=BAD_INPUT_TIMEOUT)
    assert_exit_2(result, says, "regular file")
    if kind == "fifo":
        assert path.is_fifo()


@pytest.mark.parametrize("kind, says", [("fifo", "FIFO"), ("directory", "a directory"), ("device", "character device")])
def test_a_plan_file_that_is_not_a_regular_file_is_refused_at_once(qantara, tmp_path, kind, says):
    path = special(tmp_path, kind)
    result = qantara("check", AE_HEALTH, "--env", "prod", "--plan", path, timeout=BAD_INPUT_TIMEOUT)
    assert_exit_2(result, says, "regular file")


def test_a_project_manifest_that_is_a_fifo_is_refused_at_once(qantara, tmp_path):
    os.mkfifo(tmp_path / "qantara.yaml")
    result = qantara("check", "--project", tmp_path, timeout=BAD_INPUT_TIMEOUT)
    assert_exit_2(result, "qantara.yaml")


@pytest.mark.parametrize("kind", ["fifo", "dev-null", "directory", "symlink-to-fifo", "dangling-symlink", "too-long"])
@pytest.mark.parametrize("command", ["docs", "check", "bundle"])
def test_out_replaces_only_a_regular_file(qantara, tmp_path, command, kind):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    out = {"fifo": fifo, "dev-null": Path("/dev/null"), "directory": tmp_path, "symlink-to-fifo": tmp_path / "link",
           "dangling-symlink": tmp_path / "dangling", "too-long": tmp_path / ("x" * 300)}[kind]
    if kind == "symlink-to-fifo":
        out.symlink_to(fifo)
    if kind == "dangling-symlink":
        out.symlink_to(tmp_path / "nowhere")
    before = sorted(p.name for p in tmp_path.iterdir())
    args = {"docs": ("docs", "--out", out), "bundle": ("bundle", "--out", out),
            "check": ("check", AE_HEALTH, "--env", "prod", "--plan", tmp_path / "missing.json", "--out", out)}[command]
    if command == "check":  # a plan file that is valid and empty keeps the check fast
        (tmp_path / "missing.json").write_text(json.dumps({"version": 3, "deployment": {"resources": []}}))
        before = sorted(p.name for p in tmp_path.iterdir())
    result = qantara(*args, timeout=BAD_INPUT_TIMEOUT * 3)
    assert_exit_2(result, "--out")
    assert "FIFO" in result.stderr or kind not in ("fifo", "symlink-to-fifo")
    assert fifo.is_fifo() and Path("/dev/null").is_char_device()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_out_gets_the_permissions_the_umask_gives_and_replaces_atomically(tmp_path):
    target = tmp_path / "reports" / "check.json"
    old = os.umask(0o022)
    try:
        write_output(target, "first\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        os.umask(0o077)
        write_output(target, "second\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert target.read_text() == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["check.json"]


def test_out_through_a_symlink_to_a_regular_file_replaces_that_file(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old")
    (tmp_path / "link.md").symlink_to(real)
    write_output(tmp_path / "link.md", "new")
    assert real.read_text() == "new" and (tmp_path / "link.md").is_symlink()


def test_out_under_a_regular_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("mine")
    with pytest.raises(InputError, match="--out"):
        write_output(tmp_path / "file" / "report.json", "x")
    assert (tmp_path / "file").read_text() == "mine"


@pytest.mark.parametrize("value, says", [
    ("1" * 5000, "an integer of 5000 digits is out of range"),
    ("0x" + "f" * 300, "out of range"),
    ("100000000000000000000", "an integer of 21 digits is out of range"),
    ("36501", "36501 is above the maximum (36500)"),
], ids=["5000-digits", "huge-hex", "10^20", "beyond-object-lock"])
def test_an_integer_out_of_range_is_refused_at_its_field(qantara, tmp_path, value, says):
    path = tmp_path / "blueprint.yaml"
    path.write_text(BASE + f"  governance:\n    auditRetentionDays: {value}\n", encoding="utf-8")
    result = qantara("validate", path, timeout=BAD_INPUT_TIMEOUT)
    assert_exit_2(result, "blueprint.yaml:18:", "spec.governance.auditRetentionDays", says)
    assert len(result.stderr) < 1000


def test_a_huge_scalar_is_named_not_echoed(qantara, tmp_path):
    path = tmp_path / "blueprint.yaml"
    path.write_text(edited("deployment: cloud", "deployment: " + "x" * 900_000), encoding="utf-8")
    result = qantara("validate", path, timeout=BAD_INPUT_TIMEOUT)
    assert_exit_2(result, "spec.deployment", "900000 characters")
    assert len(result.stderr) < 2000


def test_a_plan_file_with_an_integer_of_thousands_of_digits_is_bad_input(qantara, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text('{"version": 3, "deployment": {"resources": [], "n": ' + "9" * 5000 + "}}")
    result = qantara("check", AE_HEALTH, "--env", "prod", "--plan", plan, timeout=BAD_INPUT_TIMEOUT)
    assert_exit_2(result, "plan.json")
    assert len(result.stderr) < 2000


def test_plan_and_check_report_the_same_resource_count(qantara):
    planned = qantara("plan", AE_HEALTH, "--env", "prod")
    checked = qantara("check", AE_HEALTH, "--env", "prod")
    assert planned.returncode == 0 and checked.returncode in (0, 1), (planned.stderr, checked.stderr)
    document = json.loads(qantara("plan", AE_HEALTH, "--env", "prod", "--format", "json").stdout)
    total = len(document["resources"])
    logical = sum(1 for r in document["resources"] if r["location"]["kind"] == "logical")
    summary = f"{total} resources ({logical} logical: components, the stack, engine-only)"
    assert summary in planned.stdout.splitlines()[0]
    assert f"the table lists the {total - logical} that are placed" in planned.stdout.splitlines()[0]
    assert summary in checked.stdout.splitlines()[0]


def test_a_set_value_that_is_not_utf8_is_refused_with_exit_2(tmp_path):
    script = Path(sys.executable).with_name("qantara")
    command = [os.fsencode(script)] if script.is_file() else [os.fsencode(sys.executable), b"-c",
                                                               b"from qantara.cli import main; main()"]
    out = tmp_path / "out"
    result = subprocess.run([*command, b"new", b"ml-project", b"--blueprint", os.fsencode(AE_HEALTH), b"--no-input",
                             b"-o", os.fsencode(out), b"--set", b"project_name=Risk \xff\xfe"],
                            capture_output=True, timeout=BAD_INPUT_TIMEOUT, cwd=REPO,
                            env={k: v for k, v in os.environ.items() if k != "QANTARA_DEBUG"})
    stderr = result.stderr.decode("utf-8", errors="replace")
    assert result.returncode == 2, (result.returncode, stderr)
    assert "answer 'project_name'" in stderr and "not valid UTF-8" in stderr and "Traceback" not in stderr
    assert not out.exists()
