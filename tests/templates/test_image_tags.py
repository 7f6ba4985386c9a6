"""One home for the project's image tags: `qantara.project.promotion.image_tag`, read through
`qantara image-tag` by the Makefile and CI. A version that would make the tag something else (an
image reference, a path, a second tag) is refused, never passed on to docker."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from qantara.cli import app
from qantara.errors import ProjectError
from qantara.project.promotion import code_image_tag, image_tag, model_image_tag, package_version, served_image_tags


def test_the_tag_is_the_project_then_the_version():
    assert image_tag("readmission-risk", "0.1.0") == "readmission-risk-0.1.0"
    assert image_tag("readmission-risk", "a1b2c3d4e5f6") == "readmission-risk-a1b2c3d4e5f6"


@pytest.mark.parametrize("version", [
    "0.1.0@sha256:" + "0" * 64,  # a digest: another image than the tag names
    "x:latest", "../other", "1.0 2.0", "1.0+local", "v" * 200, "",
])
def test_a_version_that_is_not_a_plain_tag_is_refused(version):
    with pytest.raises(ProjectError, match="not a valid image tag"):
        image_tag("readmission-risk", version)


@pytest.fixture
def project(bake, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(bake(project_name="Tagged"), copy)
    return copy


def test_the_code_image_follows_the_version_in_pyproject(project):
    assert code_image_tag(project) == "tagged-0.1.0"
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "1.4.2"'))
    assert code_image_tag(project) == "tagged-1.4.2"


@pytest.mark.parametrize("change, says", [
    (lambda text: text.replace('version = "0.1.0"\n', 'dynamic = ["version"]\n'), "no `\\[project\\] version`"),
    (lambda text: text.replace('version = "0.1.0"', "version = 1"), "is not a string"),
    (lambda text: text + "\n[[[", "no `\\[project\\] version`"),
])
def test_a_project_without_a_static_version_is_refused_naming_the_file(project, change, says):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(change(pyproject.read_text()))
    with pytest.raises(ProjectError, match=says) as refused:
        package_version(project)
    assert "pyproject.toml" in str(refused.value)


def test_a_model_version_that_is_not_one_is_refused(project):
    with pytest.raises(ProjectError, match="model version .*allowed"):
        model_image_tag(project, "a1b2/../../etc")


def test_nothing_is_served_before_the_first_promotion(project):
    assert served_image_tags(project, "prod") == []


def test_variants_edited_by_hand_are_refused_not_pushed(project):
    config = project / "infra" / "Pulumi.prod.yaml"
    config.write_text("config:\n  tagged-infra:variants:\n  - {name: champion, modelVersion: 'x:latest', weight: 100}\n")
    with pytest.raises(ProjectError, match="model version .x:latest. .allowed"):
        served_image_tags(project, "prod")


def test_the_command_prints_one_tag_and_refuses_bad_input_with_exit_2(project):
    runner = CliRunner()
    done = runner.invoke(app, ["image-tag", str(project)])
    assert done.exit_code == 0 and done.stdout.strip() == "tagged-0.1.0"
    done = runner.invoke(app, ["image-tag", str(project), "--model-version", "a1b2c3d4e5f6"])
    assert done.stdout.strip() == "tagged-a1b2c3d4e5f6"
    for bad in (["--model-version", "x:y"], ["--model-version", "a", "--served-in", "prod"]):
        done = runner.invoke(app, ["image-tag", str(project), *bad])
        assert done.exit_code == 2 and "Traceback" not in done.output, done.output
