"""`qantara update`: a template change reaches a generated project without losing its edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from ml_project_cases import AE_HEALTH
from typer.testing import CliRunner

from qantara.cli_new import update
from qantara.errors import ProjectError
from qantara.project.generate import BASELINE_DIR, new_ml_project, template_fingerprint
from qantara.project.update import merge_lines, update_project

PROJECT_FILES = "{{cookiecutter.project_slug}}"


def generated(template: Path, out: Path) -> Path:
    return new_ml_project(AE_HEALTH, answers={"project_name": "Updatable"}, no_input=True, output_dir=out,
                          template_dir=template)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_users_edit_and_the_template_change_both_arrive(template_copy, tmp_path):
    project = generated(template_copy, tmp_path / "out")
    edit(project / "README.md", "## Start\n", "## Start\n\nAsk Layla before retraining.\n")
    makefile = template_copy / PROJECT_FILES / "Makefile"
    makefile.write_text(makefile.read_text() + "\nlint:\n\truff check .\n")

    messages = update_project(project, template_dir=template_copy)

    assert messages == ["updated Makefile: the template's change (you had not edited it)"]
    assert "Ask Layla before retraining." in (project / "README.md").read_text()
    assert (project / "Makefile").read_text().endswith("lint:\n\truff check .\n")
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == template_fingerprint(template_copy)
    assert (project / BASELINE_DIR / "Makefile").read_text().endswith("ruff check .\n")
    assert update_project(project, template_dir=template_copy) == [], "a second update has nothing left to do"


def test_edits_and_template_changes_in_one_file_merge_when_apart(template_copy, tmp_path):
    project = generated(template_copy, tmp_path / "out")
    edit(project / "Makefile", "DATA ?= data/training.csv", "DATA ?= data/admissions-2025.csv")
    makefile = template_copy / PROJECT_FILES / "Makefile"
    makefile.write_text(makefile.read_text() + "\nlint:\n\truff check .\n")

    assert update_project(project, template_dir=template_copy) == ["merged Makefile: the template's change and your edits"]
    text = (project / "Makefile").read_text()
    assert "DATA ?= data/admissions-2025.csv" in text and text.endswith("ruff check .\n")


def test_overlapping_changes_are_a_conflict_that_leaves_the_file_alone(template_copy, tmp_path):
    project = generated(template_copy, tmp_path / "out")
    edit(project / "Makefile", "DATA ?= data/training.csv", "DATA ?= data/mine.csv")
    edit(template_copy / PROJECT_FILES / "Makefile", "DATA ?= data/training.csv", "DATA ?= data/train.parquet")
    mine = (project / "Makefile").read_bytes()

    result = CliRunner().invoke(_app(), ["update", str(project), "--template", str(template_copy)])

    assert result.exit_code == 1, result.output
    assert result.output.startswith("conflict in Makefile: your edits and the template's change touch the same lines")
    assert (project / "Makefile").read_bytes() == mine
    patch = (project / ".qantara" / "conflicts" / "Makefile.diff").read_text()
    assert "-DATA ?= data/training.csv" in patch and "+DATA ?= data/train.parquet" in patch


def test_files_the_template_adds_or_drops_follow_it(template_copy, tmp_path):
    project = generated(template_copy, tmp_path / "out")
    (template_copy / PROJECT_FILES / "CONTRIBUTING.md").write_text("# Contributing to {{ cookiecutter.project_name }}\n")
    (template_copy / PROJECT_FILES / ".dockerignore").unlink()

    messages = update_project(project, template_dir=template_copy)

    assert messages == ["removed .dockerignore: the template no longer has it, and you had not edited it",
                        "added CONTRIBUTING.md: new in the template"]
    assert (project / "CONTRIBUTING.md").read_text() == "# Contributing to Updatable\n"
    assert not (project / ".dockerignore").exists()


def test_a_project_without_cruft_state_is_refused(tmp_path):
    with pytest.raises(ProjectError, match=r"\.cruft\.json: not found"):
        update_project(tmp_path)
    result = CliRunner().invoke(_app(), ["update", str(tmp_path)])
    assert result.exit_code == 2
    assert ".cruft.json" in result.output


@pytest.mark.parametrize("base, ours, theirs, merged", [
    (["a\n", "b\n", "c\n"], ["A\n", "b\n", "c\n"], ["a\n", "b\n", "C\n"], ["A\n", "b\n", "C\n"]),
    (["a\n", "b\n"], ["a\n", "b\n", "mine\n"], ["a\n", "b\n"], ["a\n", "b\n", "mine\n"]),
    (["a\n", "b\n"], ["x\n", "b\n"], ["x\n", "b\n"], ["x\n", "b\n"]),
    (["a\n", "b\n"], ["a\n", "b\n", "mine\n"], ["a\n", "b\n", "theirs\n"], None),
    (["a\n", "b\n", "c\n"], ["a\n", "B\n", "c\n"], ["a\n", "b2\n", "c\n"], None),
], ids=["apart", "one-side", "same-change", "both-append", "same-line"])
def test_merge_lines_takes_one_sided_changes_and_refuses_overlaps(base, ours, theirs, merged):
    assert merge_lines(base, ours, theirs) == merged


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("update")(update)

    @app.callback()
    def main() -> None:  # with a callback, `update` stays a named subcommand
        pass

    return app
