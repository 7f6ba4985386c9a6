"""GitHub workflow commands: one annotation per finding, values escaped as GitHub's toolkit does."""

from __future__ import annotations

from types import SimpleNamespace

from qantara.report.github import check_github, escape_data, escape_property, workflow_command


def _result(*findings: dict):
    return SimpleNamespace(blueprint="bp", environment="prod", verdict="fail", findings=list(findings))


def _finding(**overrides) -> dict:
    finding = {"policy": "QA-RES-001", "severity": "critical", "resource": "urn:pulumi:prod::p::aws:s3/bucket:Bucket::b",
               "message": "100% wrong: a, b\nnext", "remediation": "move it", "enforcement": "mandatory", "waiver": ""}
    return {**finding, **overrides}


def test_message_escapes_percent_and_line_breaks_but_keeps_colons_and_commas():
    assert escape_data("100% wrong: a, b\r\nnext") == "100%25 wrong: a, b%0D%0Anext"


def test_properties_also_escape_colons_and_commas():
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_command_line_has_properties_then_message_and_no_raw_newline():
    line = workflow_command("error", "x: 1%\ny", file="dir/a,b.yaml", line=3, title="QA-RES-001")
    assert line == "::error file=dir/a%2Cb.yaml,line=3,title=QA-RES-001::x: 1%25%0Ay"


def test_enforcement_picks_the_command(tmp_path):
    blueprint = tmp_path / "bp.yaml"
    output = check_github(_result(_finding(), _finding(enforcement="advisory"),
                                  _finding(enforcement="waived", waiver="waived by ciso: ok")), blueprint)
    lines = output.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::notice", "::notice"]
    assert lines[0].startswith(f"::error file={escape_property(blueprint.as_posix())},title=QA-RES-001::100%25 wrong: a, b%0Anext")
    assert "%0Awaived by ciso: ok" in lines[2]


def test_real_check_annotates_the_blueprint_line_of_a_blueprint_finding(result, blueprint_path):
    lines = check_github(result, blueprint_path).splitlines()
    approvers = next(line for line in lines if "title=QA-BP-001" in line)
    source = blueprint_path.read_text(encoding="utf-8").splitlines()
    line_number = int(approvers.split(",line=")[1].split(",")[0])
    assert approvers.startswith("::error ") and source[line_number - 1].strip() == "- name: prod"
