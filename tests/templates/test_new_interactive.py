"""Interactive `qantara new`: only the answers the blueprint allows are offered, and a refused
answer is asked again at once with its reason instead of failing after the last question."""

from __future__ import annotations

from ml_project_cases import AE_HEALTH
from typer.testing import CliRunner

import qantara.project.generate as generate
from qantara.cli import app

QUESTIONS = [k for k in generate.template_options(generate.TEMPLATE_DIR) if not k.startswith("_")]


def typed(**answers: list[str]) -> str:
    """Keyboard input: each question's lines (several when the first is refused), else Enter."""
    return "".join("".join(f"{line}\n" for line in answers.get(name, [""])) for name in QUESTIONS)


def interactive_new(tmp_path, keys: str):
    return CliRunner().invoke(app, ["new", "ml-project", "--blueprint", str(AE_HEALTH), "-o", str(tmp_path)],
                              input=keys)


def test_a_refused_environment_is_asked_again_with_its_reason_and_the_other_answers_are_kept(tmp_path):
    result = interactive_new(tmp_path, typed(project_name=["Fraud Alerts"], description=["Flags odd claims."],
                                             environments=["dev,qa", "dev,prod"]))
    assert result.exit_code == 0, result.output
    assert "refused: answer 'environments': 'qa' is not an environment" in result.output
    assert "one or more of dev, staging, prod" in result.output  # the prompt says what is allowed
    manifest = (tmp_path / "fraud_alerts" / "qantara.yaml").read_text()
    assert "environments: [dev, prod]" in manifest
    assert 'description: "Flags odd claims."' in manifest  # typed before the refusal, not lost


def test_a_refused_slug_is_asked_again_not_fatal_at_the_end(tmp_path):
    result = interactive_new(tmp_path, typed(project_name=["Fraud Alerts"], project_slug=["import", "fraud_watch"]))
    assert result.exit_code == 0, result.output
    assert "refused: answer 'project_slug': 'import' is a Python keyword" in result.output
    assert (tmp_path / "fraud_watch" / "qantara.yaml").is_file()


def test_only_the_data_classes_the_platform_can_hold_are_offered(tmp_path):
    # ae-health-cloud holds at most restricted data: secret is never offered.
    result = interactive_new(tmp_path, typed(project_name=["Fraud Alerts"]))
    assert result.exit_code == 0, result.output
    offered = result.output.split("Highest class of data", 1)[1].split("Choose from", 1)[0]
    assert "restricted" in offered and "secret" not in offered


def test_five_refusals_stop_without_writing_anything(tmp_path):
    result = interactive_new(tmp_path, typed(project_name=["Fraud Alerts"], environments=["qa"] * 5))
    assert result.exit_code == 2
    assert "no allowed answer after 5 tries" in result.output
    assert list(tmp_path.iterdir()) == []
