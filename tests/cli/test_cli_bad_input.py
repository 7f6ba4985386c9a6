"""Bad input, through the real console script: exit 2, one located message, no traceback.

Each case is a blueprint with one thing wrong, written to a temporary file; `validate` and
`check --env prod` must both refuse it the same way (DESIGN §4.1, §4.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

# A bad input is refused in about a second; a run near this limit is a hang.
BAD_INPUT_TIMEOUT = 20

# Line numbers matter: the cases below point at them.
BASE = """\
apiVersion: qantara.dev/v1
kind: Blueprint
metadata:
  name: bad-one
  owner: ml@example.org
  description: A blueprint with one thing wrong.
spec:
  jurisdiction: AE
  dataClassification: restricted
  sectors: [health]
  deployment: cloud
  cloud:
    provider: aws
    region: me-central-1
  environments:
    - name: prod
"""
assert BASE.splitlines()[13] == "    region: me-central-1"  # line 14


def edited(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    id: str
    content: str | bytes | None  # None: the file is never written
    line: int | None  # the line the message must point at, when the file has one
    says: tuple[str, ...]  # what the message must contain


CASES = [
    Case("yaml-syntax-error", edited("  description: A blueprint with one thing wrong.", "  description: one thing: wrong"),
         6, ("YAML",)),
    Case("duplicate-key", edited("  deployment: cloud\n", "  deployment: cloud\n  deployment: hybrid\n"),
         12, ("duplicate key 'deployment'", "line 11")),
    Case("unknown-key", edited("  deployment: cloud\n", "  deployment: cloud\n  colour: blue\n"),
         12, ("spec.colour", "unknown field 'colour'")),
    Case("wrong-enum-value", edited("deployment: cloud", "deployment: clod"),
         11, ("spec.deployment", "'clod'", "cloud, hybrid, on-prem")),
    Case("wrong-type", edited("sectors: [health]", "sectors: 7"),
         10, ("spec.sectors", "expected a list")),
    Case("region-that-does-not-exist", edited("region: me-central-1", "region: me-central-9"),
         14, ("spec.cloud.region", "'me-central-9'", "not an AWS region")),
    Case("region-that-may-not-hold-the-data", edited("region: me-central-1", "region: us-east-1"),
         14, ("spec.cloud.region", "'us-east-1'", "AE-HEALTH-DATA-IN-COUNTRY", "allowed: me-central-1")),
    Case("secret-data-cloud-only-under-sa-government",
         edited("sectors: [health]", "sectors: [government]",
                edited("dataClassification: restricted", "dataClassification: secret",
                       edited("jurisdiction: AE", "jurisdiction: SA"))),
         14, ("spec.cloud.region", "secret", "SA-GOV-SECRET-ON-PREM", "on-prem")),
    Case("online-feature-store-where-the-runtime-is-not-offered",
         BASE + "  components:\n    featureStore:\n      online: true\n",
         14, ("me-central-1 does not offer", "Feature Store runtime", "featureStore")),
    Case("dr-region-not-allowed", edited("    region: me-central-1\n", "    region: me-central-1\n    drRegion: eu-west-1\n"),
         15, ("spec.cloud.drRegion", "'eu-west-1'", "AE-HEALTH-DATA-IN-COUNTRY")),
    Case("unknown-jurisdiction", edited("jurisdiction: AE", "jurisdiction: XX"),
         8, ("spec.jurisdiction", "unknown jurisdiction 'XX'", "known:")),
    Case("unknown-sector", edited("sectors: [health]", "sectors: [spaceflight]"),
         10, ("spec.sectors[0]", "unknown sector 'spaceflight'", "known:")),
    Case("empty-file", "", None, ("empty",)),
    Case("binary-file", b"\x00\x01\x02\xff\xfe" * 40, None, ("binary",)),
    Case("alias-bomb", alias_bomb(), 1, ("alias",)),
    Case("missing-file", None, None, ("cannot read",)),
]


def write_case(directory: Path, case: Case) -> Path:
    path = directory / f"{case.id}.yaml"
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    elif case.content is not None:
        path.write_text(case.content, encoding="utf-8")
    return path


def assert_refused(result, path: Path | None, line: int | None, says: tuple[str, ...]) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.strip(), "no message on stderr"
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == "", f"partial output on stdout: {result.stdout!r}"
    if path is not None:
        assert path.name in result.stderr
    if line is not None:
        assert f"{path.name}:{line}:" in result.stderr, result.stderr
    for text in says:
        assert text in result.stderr, (text, result.stderr)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_refuses_a_bad_blueprint_with_one_located_message(qantara, tmp_path, case):
    path = write_case(tmp_path, case)
    result = qantara("validate", path, timeout=BAD_INPUT_TIMEOUT)
    assert_refused(result, path, case.line, case.says)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_refuses_a_bad_blueprint_with_one_located_message(qantara, tmp_path, case):
    path = write_case(tmp_path, case)
    result = qantara("check", path, "--env", "prod", timeout=BAD_INPUT_TIMEOUT)
    assert_refused(result, path, case.line, case.says)


def test_every_problem_message_has_the_file_line_column_field_shape(qantara, tmp_path):
    path = write_case(tmp_path, CASES[[c.id for c in CASES].index("region-that-may-not-hold-the-data")])
    result = qantara("validate", path, timeout=BAD_INPUT_TIMEOUT)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert re.match(rf"^.*{re.escape(path.name)}:14:\d+: spec\.cloud\.region: ", lines[0]), lines[0]


def test_validate_reports_every_bad_file_and_still_confirms_the_good_ones(qantara, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(BASE, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(edited("jurisdiction: AE", "jurisdiction: XX"), encoding="utf-8")
    result = qantara("validate", good, bad, timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == 2
    assert "good.yaml: valid" in result.stdout
    assert "bad.yaml:8:" in result.stderr and "good.yaml" not in result.stderr


def test_check_refuses_an_environment_the_blueprint_does_not_declare(qantara, tmp_path):
    path = tmp_path / "blueprint.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = qantara("check", path, "--env", "qa", timeout=BAD_INPUT_TIMEOUT)
    assert_refused(result, path, 16, ("spec.environments", "no environment named 'qa'", "declared: prod"))


@pytest.mark.parametrize(
    "args",
    [
        ("check", "{bp}", "--env", "prod", "--format", "xml"),
        ("plan", "{bp}", "--env", "prod", "--format", "yaml"),
        ("place", "{bp}", "--format", "xml"),
        ("regions", "--jurisdiction", "AE", "--classification", "restricted", "--format", "xml"),
    ],
    ids=["check", "plan", "place", "regions"],
)
def test_an_unknown_format_is_a_usage_error_naming_the_allowed_ones(qantara, tmp_path, args):
    path = tmp_path / "blueprint.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = qantara(*(a.format(bp=path) for a in args), timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "--format" in result.stderr and "expected one of" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("check", "{bp}"),  # --env missing
        ("check", "{bp}", "--env", "prod", "--config", "region=us-east-1"),  # key not namespaced
        ("regions", "--jurisdiction", "XX", "--classification", "restricted"),
        ("regions", "--jurisdiction", "AE", "--classification", "top-secret"),
        ("frobnicate",),
    ],
    ids=["missing-env", "config-without-namespace", "regions-unknown-jurisdiction", "regions-unknown-class", "unknown-command"],
)
def test_usage_errors_exit_2_with_one_message_and_no_traceback(qantara, tmp_path, args):
    path = tmp_path / "blueprint.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = qantara(*(a.format(bp=path) for a in args), timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("case", [c for c in CASES if c.id in ("region-that-may-not-hold-the-data", "yaml-syntax-error")],
                         ids=lambda c: c.id)
def test_check_with_out_leaves_no_file_behind_when_the_input_is_bad(qantara, tmp_path, case):
    path = write_case(tmp_path, case)
    reports = tmp_path / "reports"
    result = qantara("check", path, "--env", "prod", "--format", "json", "--out", reports / "check.json",
                     timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == 2
    assert not (reports / "check.json").exists()
    assert not list(tmp_path.rglob("*.tmp"))


def test_check_with_out_keeps_an_earlier_report_intact_when_the_input_is_bad(qantara, tmp_path):
    path = write_case(tmp_path, CASES[[c.id for c in CASES].index("unknown-sector")])
    out = tmp_path / "check.json"
    out.write_text('{"verdict": "pass"}\n', encoding="utf-8")
    result = qantara("check", path, "--env", "prod", "--format", "json", "--out", out, timeout=BAD_INPUT_TIMEOUT)
    assert result.returncode == 2
    assert out.read_text(encoding="utf-8") == '{"verdict": "pass"}\n'
