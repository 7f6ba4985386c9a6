"""`qantara new ml-project` refuses bad answers before writing anything: exit 2, one message
naming the answer, what is wrong and what is allowed, and an output directory left as it was."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from ml_project_cases import AE_HEALTH, SA_HYBRID
from typer.testing import CliRunner

import qantara.project.generate as generate
from qantara.cli_new import new_app, update

app = typer.Typer()
app.add_typer(new_app, name="new")
app.command("update")(update)


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def new(out: Path, *args: str, blueprint: Path = AE_HEALTH):
    return run("new", "ml-project", "--blueprint", blueprint, "--no-input", "-o", out, *args)


@dataclass(frozen=True)
class Refusal:
    id: str
    args: tuple[str, ...]
    says: tuple[str, ...]
    blueprint: Path = AE_HEALTH


REFUSALS = [
    Refusal("class above the platform's", ("--set", "data_classification=secret"),
            ("'data_classification'", "'secret'", "restricted", "allowed: public, internal, confidential, restricted")),
    Refusal("class above a component the project uses", ("--set", "data_classification=restricted"),
            ("'data_classification'", "experimentTracking", "allowed: public, internal"), SA_HYBRID),
    Refusal("slug not a package name", ("--set", "project_slug=Readmission-Risk"),
            ("'project_slug'", "not a valid Python package name", "allowed:")),
    Refusal("slug a keyword", ("--set", "project_slug=import"), ("'project_slug'", "keyword", "allowed:")),
    Refusal("slug shadowing a module", ("--set", "project_slug=json"), ("'project_slug'", "shadow", "allowed:")),
    Refusal("slug escaping upwards", ("--set", "project_slug=../escape"), ("'project_slug'", "allowed:")),
    Refusal("slug absolute", ("--set", "project_slug=/tmp/escape"), ("'project_slug'", "allowed:")),
    Refusal("slug derived from a name", ("--set", "project_name=Risk/../../etc"), ("'project_slug'", "allowed:")),
    Refusal("slug too long", ("--set", "project_slug=" + "a" * 41), ("'project_slug'", "at most 40")),
    Refusal("expression in an answer", ("--set", "project_name={{ cookiecutter.owner }}"),
            ("'project_name'", "template syntax", "allowed:")),
    Refusal("statement in an answer", ("--set", "description={% raw %}x"), ("'description'", "template syntax")),
    Refusal("comment in an answer", ("--set", "team={# hidden #}"), ("'team'", "template syntax")),
    Refusal("quote in an answer", ("--set", 'description=The "best" model'), ("'description'", "double quotes")),
    Refusal("unknown answer", ("--set", "colour=red"), ("unknown answer 'colour'", "allowed: project_name")),
    Refusal("platform fact set by hand", ("--set", "_region=us-east-1"), ("'_region'", "platform fact", "settable:")),
    Refusal("choice not offered", ("--set", "serving=streaming"), ("'serving'", "'streaming'", "allowed: realtime")),
    Refusal("environment not in the blueprint", ("--env", "dev", "--env", "qa"),
            ("'environments'", "'qa'", "allowed: one or more of dev, staging, prod")),
    Refusal("environment repeated", ("--set", "environments=dev,dev"), ("'environments'", "allowed:")),
    Refusal("environments given twice", ("--env", "dev", "--set", "environments=prod"), ("'environments'", "twice")),
    Refusal("blueprint answer elsewhere", ("--set", "blueprint=../other.yaml"),
            ("'blueprint'", "allowed: a path to the --blueprint file")),
    Refusal("answer without a value", ("--set", "project_name"), ("--set 'project_name'", "ANSWER=VALUE")),
    Refusal("empty owner", ("--set", "owner= "), ("'owner'", "empty")),
]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c.id)
def test_an_invalid_answer_is_refused_and_nothing_is_written(tmp_path, case):
    result = new(tmp_path, *case.args, blueprint=case.blueprint)
    assert result.exit_code == 2, result.output
    for text in case.says:
        assert text in result.output, (text, result.output)
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_blueprint_is_refused(tmp_path):
    result = new(tmp_path, blueprint=tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert "missing.yaml" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_project_is_never_overwritten(tmp_path):
    existing = tmp_path / "readmission_risk"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine")
    result = new(tmp_path)
    assert result.exit_code == 2
    assert "already exists" in result.output and "never overwrites" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["readmission_risk"]
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]


def test_a_failure_while_rendering_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(generate, "record_generation", broken)
    with pytest.raises(OSError, match="disk full"):
        generate.new_ml_project(AE_HEALTH, answers={}, no_input=True, output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_good_answers_make_a_project_and_say_what_next(tmp_path):
    result = new(tmp_path, "--env", "dev", "--env", "prod", "--set", "project_name=Claims Triage",
                 "--set", "serving=batch")
    assert result.exit_code == 0, result.output
    assert f"created {tmp_path / 'claims_triage'}" in result.output
    assert "environments: [dev, prod]" in (tmp_path / "claims_triage" / "qantara.yaml").read_text()


def test_interactive_answers_come_from_the_prompts(tmp_path):
    # Every question answered with its default (Enter), the project name typed in.
    questions = len([k for k in generate.template_options(generate.TEMPLATE_DIR) if not k.startswith("_")])
    typed = "Fraud Alerts\n" + "\n" * (questions - 1)
    result = CliRunner().invoke(app, ["new", "ml-project", "--blueprint", str(AE_HEALTH), "-o", str(tmp_path)],
                                input=typed)
    assert result.exit_code == 0, result.output
    assert "Project name" in result.output  # the human prompt, not the variable name
    assert (tmp_path / "fraud_alerts" / "qantara.yaml").is_file()
