"""An attacker's inputs to `qantara new` and `qantara update` (issue 13 §1-3).

Template syntax through every channel (answers, `.cruft.json`, the output directory, the
blueprint path) stays text and runs nothing; a tampered `.cruft.json` is refused with exit 2
naming the field; nothing is written through a symlink or outside the project; an update
lands whole or not at all; a bad output directory is refused before anything is created.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

import pytest
import typer
from ml_project_cases import AE_HEALTH
from typer.testing import CliRunner

import qantara.project.staged as staged
from qantara.cli_new import new_app, update
from qantara.errors import ProjectError
from qantara.project.answers import resolve_answers
from qantara.project.generate import TEMPLATE_DIR, new_ml_project, prune_unselected, template_options
from qantara.project.update import update_project

PAYLOADS = [
    "{{ 7*7 }}",
    "{{ self.__init__.__globals__ }}",
    "{{ cookiecutter.__class__.__mro__ }}",
    "{% include '/etc/passwd' %}",
    "{% raw %}x{% endraw %}",
]
TEXT_ANSWERS = ["project_name", "description", "owner", "team"]
PROJECT_FILES = "{{cookiecutter.project_slug}}"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(new_app, name="new")
    app.command("update")(update)
    return app


def run(*args) -> object:
    return CliRunner().invoke(_app(), [str(a) for a in args])


def snapshot(root: Path) -> dict[str, object]:
    """Every path under `root` with its bytes (or where its link points): a change shows up."""
    found: dict[str, object] = {}
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories + files:
            path = Path(directory) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_file():
                found[key] = path.read_bytes()
            else:
                found[key] = "dir"
    return found


def generated(out: Path, template: Path = TEMPLATE_DIR) -> Path:
    return new_ml_project(AE_HEALTH, answers={"project_name": "Hostile"}, no_input=True, output_dir=out,
                          template_dir=template)


def tamper(project: Path, **answers) -> None:
    path = project / ".cruft.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    state["context"]["cookiecutter"].update(answers)
    path.write_text(json.dumps(state), encoding="utf-8")


def assert_no_evaluation(root: Path, text: str) -> None:
    """Nothing under `root` is named after, or holds, what the payloads would evaluate to."""
    for path in root.rglob("*"):
        assert path.name != "49", path
        if path.is_file() and not path.is_symlink():
            content = path.read_bytes()
            assert b"<function" not in content and b"root:x:0:0" not in content, path


# §1: no code from data.


def outside(output: str, tmp_path) -> str:
    """The output without the test's own directory, whose name (pytest-549) may hold a 49 that no
    template evaluated."""
    return output.replace(str(tmp_path), "<tmp>")


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("answer", TEXT_ANSWERS)
def test_template_syntax_in_a_set_answer_is_refused_literally_and_runs_nothing(tmp_path, answer, payload):
    out = tmp_path / "out"
    result = run("new", "ml-project", "--blueprint", AE_HEALTH, "--no-input", "-o", out, "--set", f"{answer}={payload}")
    assert result.exit_code == 2, result.output
    assert repr(payload) in result.output and "template syntax" in result.output
    shown = outside(result.output, tmp_path)
    assert "49" not in shown and "<function" not in shown and "Traceback" not in shown
    assert not out.exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_answers_are_data_even_where_nothing_refuses_them(payload):
    # The library's resolver: an answer is used as written, never rendered (cookiecutter's would).
    options = template_options(TEMPLATE_DIR)
    values = resolve_answers(options, {"project_name": payload, "description": payload}, no_input=True)
    assert values["project_name"] == payload and values["description"] == payload
    # A derived default is rendered from the template over the answer, which stays literal.
    assert values["project_slug"] == payload.lower().strip().replace(" ", "_").replace("-", "_")


@pytest.mark.parametrize("payload", ["{{ 7*7 }}", "{{ self.__init__.__globals__ }}", "{% raw %}"])
def test_an_output_directory_named_with_template_syntax_is_used_literally(tmp_path, payload):
    out = tmp_path / payload / "projects"
    result = run("new", "ml-project", "--blueprint", AE_HEALTH, "--no-input", "-o", out)
    assert result.exit_code == 0, result.output
    project = out / "readmission_risk"
    assert (project / "qantara.yaml").is_file() and (project / "src" / "readmission_risk" / "train.py").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [payload]
    assert_no_evaluation(tmp_path, payload)


def test_a_blueprint_path_with_template_syntax_is_refused_as_a_recorded_answer(tmp_path):
    folder = tmp_path / "{{ 7*7 }}"
    folder.mkdir()
    blueprint = folder / "platform.yaml"
    shutil.copyfile(AE_HEALTH, blueprint)
    out = tmp_path / "out"
    result = run("new", "ml-project", "--blueprint", blueprint, "--no-input", "-o", out)
    assert result.exit_code == 2, result.output
    assert "answer 'blueprint'" in result.output and "{{ 7*7 }}" in result.output and "template syntax" in result.output
    assert not out.exists() and "Traceback" not in result.output


def test_a_blueprint_beside_a_project_in_a_braced_directory_is_read_literally(tmp_path):
    folder = tmp_path / "{{ 7*7 }}"
    folder.mkdir()
    shutil.copyfile(AE_HEALTH, folder / "blueprint.yaml")
    result = run("new", "ml-project", "--blueprint", folder / "blueprint.yaml", "--no-input", "-o", folder)
    assert result.exit_code == 0, result.output
    project = folder / "readmission_risk"
    recorded = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert recorded["blueprint"] == "../blueprint.yaml"
    assert (project / "platform" / "blueprint.yaml").read_bytes() == (folder / "blueprint.yaml").read_bytes()
    assert_no_evaluation(tmp_path, "{{ 7*7 }}")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_syntax_recorded_in_cruft_json_is_refused_naming_the_answer(tmp_path, payload):
    project = generated(tmp_path / "out")
    tamper(project, description=payload)
    before = snapshot(project)
    result = run("update", project)
    assert result.exit_code == 2, result.output
    assert ".cruft.json" in result.output and "answer 'description'" in result.output and repr(payload) in result.output
    shown = outside(result.output, tmp_path)
    assert "49" not in shown and "Traceback" not in shown
    assert snapshot(project) == before


def test_a_slug_recorded_to_inject_python_into_the_hook_runs_nothing(tmp_path):
    project = generated(tmp_path / "out")
    marker = tmp_path / "pwned"
    tamper(project, project_slug=f'x", __import__("pathlib").Path("{marker}").touch(), "')
    before = snapshot(project)
    result = run("update", project)
    assert result.exit_code == 2 and "answer 'project_slug'" in result.output, result.output
    assert not marker.exists() and snapshot(project) == before


@pytest.mark.parametrize("slug", ["../../escape", "/tmp/escape", "json"])
def test_a_recorded_slug_that_escapes_or_shadows_is_refused(tmp_path, slug):
    project = generated(tmp_path / "out")
    tamper(project, project_slug=slug)
    result = run("update", project)
    assert result.exit_code == 2 and "answer 'project_slug'" in result.output, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["hostile"]


def test_a_template_named_by_cruft_json_is_never_run(tmp_path):
    project = generated(tmp_path / "out")
    evil = tmp_path / "evil"
    shutil.copytree(TEMPLATE_DIR, evil, ignore=shutil.ignore_patterns("__pycache__"))
    marker = tmp_path / "pwned"
    (evil / "hooks" / "pre_gen_project.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    state = json.loads((project / ".cruft.json").read_text())
    state["template"] = str(evil)
    (project / ".cruft.json").write_text(json.dumps(state))
    result = run("update", project)
    assert result.exit_code == 2, result.output
    assert "template" in result.output and "--template" in result.output
    assert not marker.exists()


def test_recorded_platform_facts_are_ignored_and_read_again_from_the_blueprint(tmp_path):
    project = generated(tmp_path / "out")
    tamper(project, _region="us-east-1", _platform="evil", _classification_limit="secret")
    assert update_project(project) == []
    state = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert (state["_region"], state["_platform"], state["_classification_limit"]) == \
        ("me-central-1", "dubai-care-ml", "restricted")
    assert "us-east-1" not in (project / "README.md").read_text()


@pytest.mark.parametrize("field, value, says", [
    ("project_name", 7, "context.cookiecutter.project_name: expected text, got a number"),
    ("environments", ["dev"], "context.cookiecutter.environments: expected text, got a list"),
    ("environments", "dev,qa", "answer 'environments'"),
    ("data_classification", "secret", "answer 'data_classification'"),
    ("serving", "streaming", "answer 'serving'"),
    ("blueprint", "/etc/passwd", "answer 'blueprint'"),
    ("blueprint", "../../../../../../etc/passwd", "answer 'blueprint'"),
    ("owner", "x" * 500, "answer 'owner' is 500 characters long"),
], ids=["name-number", "envs-list", "env-unknown", "class-above", "choice", "abs-blueprint", "up-blueprint", "long"])
def test_a_tampered_answer_is_refused_with_exit_2_naming_it(tmp_path, field, value, says):
    project = generated(tmp_path / "out")
    tamper(project, **{field: value})
    before = snapshot(project)
    result = run("update", project)
    assert result.exit_code == 2, result.output
    assert says in result.output and ".cruft.json" in result.output
    assert "root:" not in result.output and "Traceback" not in result.output
    assert snapshot(project) == before


@pytest.mark.parametrize("content, says", [
    ("[]", "the top level must be an object"),
    ('{"template": 1, "commit": "x", "context": {"cookiecutter": {"project_slug": "a"}}}', "template: expected text"),
    ("1" * 5000, "not JSON"),
    ("[" * 100000, "not JSON"),
    ("{" + " " * (300 * 1024) + "}", "larger than"),
], ids=["array", "template-number", "huge-integer", "deep", "huge-file"])
def test_a_malformed_cruft_json_is_refused_quickly_with_exit_2(tmp_path, content, says):
    project = generated(tmp_path / "out")
    (project / ".cruft.json").write_text(content)
    result = run("update", project)
    assert result.exit_code == 2, result.output
    assert says in result.output and len(result.output) < 2000


@pytest.mark.parametrize("special", ["fifo", "directory", "symlink"])
def test_a_cruft_json_that_is_not_a_regular_file_is_refused_at_once(tmp_path, special):
    project = generated(tmp_path / "out")
    path = project / ".cruft.json"
    path.unlink()
    if special == "fifo":
        os.mkfifo(path)
    elif special == "directory":
        path.mkdir()
    else:
        (tmp_path / "elsewhere.json").write_text("{}")
        path.symlink_to(tmp_path / "elsewhere.json")
    result = run("update", project)
    assert result.exit_code == 2, result.output
    assert ".cruft.json" in result.output
    assert path.is_symlink() if special == "symlink" else (path.is_fifo() if special == "fifo" else path.is_dir())


def test_the_hook_is_valid_python_before_rendering_and_reads_answers_as_json():
    source = (TEMPLATE_DIR / "hooks" / "post_gen_project.py").read_text()
    ast.parse(source)
    assert "tojson" in source and '"{{ cookiecutter' not in source


def test_pruning_refuses_a_slug_that_leaves_the_project(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    victim = tmp_path / "serve.py"
    victim.write_text("keep me")
    with pytest.raises(ValueError, match="outside the project"):
        prune_unselected(project, slug="..", serving="none", ci="github")
    assert victim.read_text() == "keep me"


# §2: nothing written where it should not be.

def test_update_never_writes_through_a_symlinked_file(template_copy, tmp_path):
    project = generated(tmp_path / "out", template_copy)
    outside = tmp_path / "outside.txt"
    outside.write_text("do not touch\n")
    (project / "Makefile").unlink()
    (project / "Makefile").symlink_to(outside)
    makefile = template_copy / PROJECT_FILES / "Makefile"
    makefile.write_text(makefile.read_text() + "\nlint:\n\truff check .\n")

    messages = update_project(project, template_dir=template_copy)

    assert messages[0].startswith("conflict in Makefile: it is a symlink")
    assert outside.read_text() == "do not touch\n"
    assert (project / "Makefile").is_symlink()
    assert "+\truff check ." in (project / ".qantara" / "conflicts" / "Makefile.diff").read_text()


def test_update_never_follows_a_symlinked_directory_out_of_the_project(template_copy, tmp_path):
    project = generated(tmp_path / "out", template_copy)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(project / "tests")
    (project / "tests").symlink_to(outside, target_is_directory=True)
    conftest = template_copy / PROJECT_FILES / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text() + "\n# changed by the template\n")

    messages = update_project(project, template_dir=template_copy)

    assert any(m.startswith("conflict in tests/conftest.py: tests is a symlink") for m in messages), messages
    assert list(outside.iterdir()) == []


def test_a_symlinked_conflicts_directory_is_refused_and_its_target_untouched(tmp_path):
    project = generated(tmp_path / "out")
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".qantara" / "conflicts").symlink_to(outside, target_is_directory=True)
    result = run("update", project)
    assert result.exit_code == 2, result.output
    assert "conflicts" in result.output and list(outside.iterdir()) == []


def test_a_pending_conflict_blocks_the_next_update_and_is_kept(template_copy, tmp_path):
    project = generated(tmp_path / "out", template_copy)
    makefile = template_copy / PROJECT_FILES / "Makefile"
    (project / "Makefile").write_text((project / "Makefile").read_text().replace("DATA ?=", "DATA ?= mine #"))
    makefile.write_text(makefile.read_text().replace("DATA ?=", "DATA ?= theirs #"))
    assert update_project(project, template_dir=template_copy)[0].startswith("conflict in Makefile")
    pending = (project / ".qantara" / "conflicts" / "Makefile.diff").read_bytes()
    makefile.write_text(makefile.read_text().replace("theirs", "theirs-again"))
    before = snapshot(project)

    with pytest.raises(ProjectError, match=r"1 conflict\(s\) from an earlier update are pending \(Makefile.diff\)"):
        update_project(project, template_dir=template_copy)

    assert snapshot(project) == before
    assert (project / ".qantara" / "conflicts" / "Makefile.diff").read_bytes() == pending


def test_an_update_that_fails_half_way_changes_nothing(template_copy, tmp_path, monkeypatch):
    project = generated(tmp_path / "out", template_copy)
    for name in ("Makefile", "README.md", ".gitignore"):
        path = template_copy / PROJECT_FILES / name
        path.write_text(path.read_text() + "\n# template change\n")
    before = snapshot(project)
    real_rename, calls = os.rename, []

    def failing_rename(source, destination):
        calls.append(destination)
        if len(calls) == 4:  # after the first files were swapped in
            raise OSError(28, "No space left on device")
        return real_rename(source, destination)

    monkeypatch.setattr(staged.os, "rename", failing_rename)
    with pytest.raises(ProjectError, match="No space left on device.*nothing was changed"):
        update_project(project, template_dir=template_copy)
    monkeypatch.undo()

    assert snapshot(project) == before
    assert len(update_project(project, template_dir=template_copy)) == 3, "the update still applies afterwards"


# §3: a bad output directory, refused before anything is created.

@pytest.mark.parametrize("kind", ["file", "dangling-symlink", "dev-null", "too-long", "under-a-file"])
def test_a_bad_output_directory_is_refused_with_exit_2_and_nothing_created(tmp_path, kind):
    if kind == "file":
        out = tmp_path / "a-file"
        out.write_text("mine")
    elif kind == "dangling-symlink":
        out = tmp_path / "link"
        out.symlink_to(tmp_path / "nowhere")
    elif kind == "dev-null":
        out = Path("/dev/null")
    elif kind == "too-long":
        out = tmp_path / ("x" * 300)
    else:
        (tmp_path / "a-file").write_text("mine")
        out = tmp_path / "a-file" / "sub"
    before = snapshot(tmp_path)
    result = run("new", "ml-project", "--blueprint", AE_HEALTH, "--no-input", "-o", out)
    assert result.exit_code == 2, result.output
    assert "--output-dir" in result.output and "Traceback" not in result.output
    assert snapshot(tmp_path) == before
    assert Path("/dev/null").is_char_device()


def test_a_failed_generation_removes_the_directories_it_created(tmp_path, monkeypatch):
    import qantara.project.generate as generate

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(generate, "record_generation", broken)
    with pytest.raises(OSError, match="disk full"):
        new_ml_project(AE_HEALTH, answers={}, no_input=True, output_dir=tmp_path / "a" / "b" / "c")
    assert list(tmp_path.iterdir()) == []


def test_an_answer_that_is_not_utf8_is_refused_naming_it(tmp_path):
    undecodable = b"Risk \xff".decode("utf-8", errors="surrogateescape")
    with pytest.raises(ProjectError, match="answer 'project_name': .* is not valid UTF-8"):
        new_ml_project(AE_HEALTH, answers={"project_name": undecodable}, no_input=True, output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_huge_answer_is_named_not_echoed(tmp_path):
    result = run("new", "ml-project", "--blueprint", AE_HEALTH, "--no-input", "-o", tmp_path,
                 "--set", "serving=" + "x" * 100_000)
    assert result.exit_code == 2
    assert "100000 characters" in result.output and len(result.output) < 2000


@pytest.mark.parametrize("payload", ["{{ 7*7 }}", "{% include '/etc/passwd' %}"])
def test_template_syntax_typed_at_a_prompt_is_refused_literally(tmp_path, payload):
    questions = len([k for k in template_options(TEMPLATE_DIR) if not k.startswith("_")])
    # Refused at once and asked again (interactive.py): Enter then takes the default name.
    typed = payload + "\n" + "\n" * questions
    result = CliRunner().invoke(_app(), ["new", "ml-project", "--blueprint", str(AE_HEALTH), "-o", str(tmp_path)],
                                input=typed)
    assert result.exit_code == 0, result.output
    assert f"refused: answer 'project_name': {payload!r} contains template syntax" in result.output
    assert "root:x:0:0" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["readmission_risk"]
    assert "49" not in (tmp_path / "readmission_risk" / "qantara.yaml").read_text()


def test_blueprint_text_fields_with_template_syntax_stay_text(tmp_path):
    # Free text in the blueprint (description, owner, tags) never reaches a template as code;
    # what does reach it (name, region, site, environments) is constrained to DNS labels.
    text = AE_HEALTH.read_text(encoding="utf-8")
    original = "description: Patient-risk models for a Dubai hospital group."
    assert original in text
    text = text.replace(original, "description: \"{{ 7*7 }} {% include '/etc/passwd' %}\"")
    blueprint = tmp_path / "blueprint.yaml"
    blueprint.write_text(text, encoding="utf-8")
    project = new_ml_project(blueprint, answers={}, no_input=True, output_dir=tmp_path)
    assert (project / "qantara.yaml").is_file()
    assert_no_evaluation(tmp_path, "{{ 7*7 }}")
    # The project's copy of the blueprint is the platform's file byte for byte, never rendered.
    copy = project / "platform" / "blueprint.yaml"
    assert copy.read_bytes() == blueprint.read_bytes()
    for path in project.rglob("*"):
        if path.is_file() and ".github" not in path.parts and path != copy:  # GitHub's own ${{ }} is copied as is
            assert "{{" not in path.read_text(encoding="utf-8", errors="replace"), path


@pytest.mark.parametrize("character", ["\u2028", "\x85", "\x9b", "\ufeff", "\ufffe"],
                         ids=["line-separator", "next-line", "c1-control", "bom", "non-character"])
def test_an_answer_that_generated_yaml_cannot_represent_is_refused(tmp_path, character):
    result = run("new", "ml-project", "--blueprint", AE_HEALTH, "--no-input", "-o", tmp_path,
                 "--set", f"description=Risk{character}scores")
    assert result.exit_code == 2, result.output
    assert "answer 'description'" in result.output and "would need escaping" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_baseline_holding_a_fifo_is_refused_without_reading_it(tmp_path):
    project = generated(tmp_path / "out")
    os.mkfifo(project / ".qantara" / "template-baseline" / "pipe")
    result = run("update", project)
    assert result.exit_code == 2, result.output
    assert "template baseline holds something other than a regular file" in result.output


def test_a_huge_file_at_a_template_path_is_refused_not_read(template_copy, tmp_path):
    project = generated(tmp_path / "out", template_copy)
    with (project / "Makefile").open("r+b") as handle:
        handle.truncate(17 * 1024 * 1024)  # sparse: costs no disk
    makefile = template_copy / PROJECT_FILES / "Makefile"
    makefile.write_text(makefile.read_text() + "\n# template change\n")
    with pytest.raises(ProjectError, match="larger than the 16 MiB"):
        update_project(project, template_dir=template_copy)


def test_a_project_under_a_braced_path_updates_literally(template_copy, tmp_path):
    project = generated(tmp_path / "{{ 7*7 }}" / "{% raw %}", template_copy)
    makefile = template_copy / PROJECT_FILES / "Makefile"
    makefile.write_text(makefile.read_text() + "\nlint:\n\truff check .\n")
    result = run("update", project, "--template", template_copy)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("updated Makefile")
    assert (project / "Makefile").read_text().endswith("ruff check .\n")
    assert_no_evaluation(tmp_path, "{{ 7*7 }}")
    assert not list((project / ".qantara").glob("update-*")), "the work directory is removed"
