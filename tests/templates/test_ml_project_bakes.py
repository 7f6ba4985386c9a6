"""Every supported answer combination bakes into exactly the expected project.

The combinations come from cookiecutter.json's option lists; the expected file set comes
from the small spec below, written from what each option means, not from the template's
hook, so a hook that removes too much or too little fails here.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from ml_project_cases import AE_HEALTH, OPTIONS, REPO, SA_HYBRID

from qantara.project.generate import BASELINE_DIR, TEMPLATE_DIR, new_ml_project, template_fingerprint, unselected_paths
from qantara.project.manifest import load_manifest

MATRIX = list(itertools.product(OPTIONS["problem_type"], OPTIONS["serving"], OPTIONS["ci"], OPTIONS["framework"]))
# Options outside the matrix still get exercised: each combination takes the next value.
ROTATED = ("python_version", "license", "data_classification")


def answers_for(index: int, problem_type: str, serving: str, ci: str, framework: str) -> dict[str, str]:
    answers = {"project_name": f"Model {index}", "problem_type": problem_type, "serving": serving, "ci": ci,
               "framework": framework}
    for name in ROTATED:
        # ae-health-cloud holds up to restricted: never rotate above it.
        choices = [c for c in OPTIONS[name] if c != "secret"]
        answers[name] = choices[index % len(choices)]
    return answers


CASES = [pytest.param(answers_for(i, *combo), id="-".join(combo)) for i, combo in enumerate(MATRIX)]

PACKAGE_MODULES = ("__init__", "config", "data", "drift", "evaluate", "features", "lineage_metadata", "model_archive",
                   "model_card", "pipeline", "pipeline_steps", "synthetic", "train")
ALWAYS = {
    ".cruft.json", ".gitignore", ".pre-commit-config.yaml", ".python-version", "LICENSE", "Makefile", "README.md",
    "pyproject.toml", "qantara.yaml", "model_card.yaml", "infra/Pulumi.yaml", "infra/__main__.py",
    "infra/onprem_pipeline.py", "infra/onprem_serving.py", "tests/conftest.py", "tests/test_data.py",
    "tests/test_drift.py", "tests/test_lineage_metadata.py", "tests/test_model_archive.py", "tests/test_model_card.py",
    "tests/test_pipeline.py", "tests/test_pipeline_steps.py", "tests/test_train.py",
}
# The image: the pipeline's steps run in it, served or not.
IMAGE = {"Dockerfile", ".dockerignore", "src/{slug}/container.py"}
SERVED = {"src/{slug}/serve.py", "tests/test_serve.py"}
# The platform's blueprint and its digest: copied by `qantara new`, not rendered by the template.
PLATFORM_COPY = {"platform/blueprint.yaml", "platform/blueprint.yaml.sha256"}
CI_FILES = {"github": {".github/workflows/ci.yml"}, "gitlab": {".gitlab-ci.yml"}, "none": set()}


def expected_files(answers: dict[str, str], slug: str) -> set[str]:
    files = set(ALWAYS) | IMAGE | PLATFORM_COPY | {f"src/{{slug}}/{module}.py" for module in PACKAGE_MODULES}
    if answers["serving"] != "none":
        files |= SERVED
    files |= CI_FILES[answers["ci"]]
    return {f.replace("{slug}", slug) for f in files}


def project_files(project: Path) -> set[str]:
    """Every file, except the update baseline under .qantara/ (checked on its own)."""
    return {p.relative_to(project).as_posix() for p in project.rglob("*")
            if p.is_file() and not p.relative_to(project).as_posix().startswith(".qantara/")}


def test_the_matrix_covers_every_option_value():
    assert len(MATRIX) == len(OPTIONS["problem_type"]) * len(OPTIONS["serving"]) * len(OPTIONS["ci"]) * len(
        OPTIONS["framework"])
    for name in ROTATED:
        used = {answers_for(i, *combo)[name] for i, combo in enumerate(MATRIX)}
        assert used == set(OPTIONS[name]) - {"secret"}, name


@pytest.mark.parametrize("answers", CASES)
def test_a_project_has_exactly_the_files_its_answers_choose(bake, answers):
    project = bake(**answers)
    assert project_files(project) == expected_files(answers, project.name)


@pytest.mark.parametrize("answers", CASES)
def test_the_baseline_holds_what_the_template_produced(bake, answers):
    project = bake(**answers)
    baseline = project / BASELINE_DIR
    rendered = {p.relative_to(baseline).as_posix() for p in baseline.rglob("*") if p.is_file()}
    assert rendered == expected_files(answers, project.name) - {".cruft.json"} - PLATFORM_COPY
    assert (baseline / "Makefile").read_bytes() == (project / "Makefile").read_bytes()


@pytest.mark.parametrize("answers", CASES)
def test_no_template_syntax_is_left_anywhere(bake, answers):
    project = bake(**answers)
    for path in (p for p in project.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if path.parent.name == "workflows":  # copied unrendered: GitHub's own ${{ expressions }} are meant
            text = re.sub(r"\$\{\{[^{}]*\}\}", "", text)
        for syntax in ("{{", "{%", "{#"):
            assert syntax not in text, f"{path.relative_to(project)} contains {syntax}"


@pytest.mark.parametrize("answers", CASES)
def test_the_manifest_loads_and_says_what_was_answered(bake, answers):
    manifest, _, _ = load_manifest(bake(**answers))
    spec = manifest.spec
    assert (spec.problem_type, spec.serving, spec.framework) == (answers["problem_type"], answers["serving"],
                                                                 answers["framework"])
    assert spec.data_classification == answers["data_classification"]
    assert spec.platform == "dubai-care-ml"
    assert spec.environments == ["dev", "staging", "prod"]
    assert spec.evaluation.thresholds and spec.approvals == []


@pytest.mark.parametrize("answers", CASES)
def test_generated_python_compiles_and_config_files_parse(bake, answers):
    project = bake(**answers)
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    for path in [*project.rglob("*.yaml"), *project.rglob("*.yml")]:
        assert yaml.safe_load(path.read_text(encoding="utf-8")) is not None, path
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == f">={answers['python_version']}"


@pytest.mark.parametrize("answers", CASES[:3])
def test_cruft_json_records_the_answers_and_the_template(bake, answers):
    state = json.loads((bake(**answers) / ".cruft.json").read_text(encoding="utf-8"))
    assert set(state) == {"template", "commit", "checkout", "context", "directory", "skip"}
    assert state["template"] == str(TEMPLATE_DIR.resolve())
    assert state["commit"] == template_fingerprint(TEMPLATE_DIR)
    recorded = state["context"]["cookiecutter"]
    assert {k: recorded[k] for k in answers} == answers
    assert recorded["_platform"] == "dubai-care-ml" and recorded["_region"] == "me-central-1"
    assert recorded["_template_version"] == (TEMPLATE_DIR / "VERSION").read_text().strip()


@pytest.mark.parametrize("license_id, says", [("MIT", "MIT License"), ("Apache-2.0", "Apache License, Version 2.0"),
                                              ("Proprietary", "All rights reserved")])
def test_the_license_file_is_the_chosen_license(bake, license_id, says):
    assert says in (bake(project_name="Licensed", license=license_id) / "LICENSE").read_text()


def test_a_hybrid_platform_defaults_to_what_its_tracking_server_may_hold(bake):
    # sa-health-hybrid tracks experiments in the cloud, classed internal: a project's runs and
    # models go there, so the project defaults to internal, and serving is on-prem.
    project = bake(blueprint=SA_HYBRID, project_name="Ward Triage")
    recorded = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert recorded["data_classification"] == recorded["_classification_limit"] == "internal"
    assert recorded["_region"] == "onprem:riyadh-dc1"


@pytest.mark.parametrize("serving, ci", [("none", "none"), ("realtime", "github"), ("batch", "gitlab")])
def test_the_hook_removes_what_the_answers_did_not_choose(tmp_path, serving, ci):
    # prune_unselected is what the template's post-generation hook calls.
    from qantara.project.generate import prune_unselected

    every = {"Dockerfile", ".dockerignore", "src/pkg/serve.py", "tests/test_serve.py", ".github/workflows/ci.yml",
             ".gitlab-ci.yml", "Makefile"}
    for relative in every:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    prune_unselected(tmp_path, slug="pkg", serving=serving, ci=ci)
    kept = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert kept == {f for f in every if not any(f == u or f.startswith(u + "/")
                                                 for u in unselected_paths(slug="pkg", serving=serving, ci=ci))}
    assert "Makefile" in kept
    # The image is the pipeline's too: every project keeps it; only serving code goes.
    assert "Dockerfile" in kept
    assert ("src/pkg/serve.py" in kept) == (serving != "none")
    assert (".gitlab-ci.yml" in kept) == (ci == "gitlab")
    assert (".github/workflows/ci.yml" in kept) == (ci == "github")


# Example platforms `new` refuses a project for, and what the refusal names.
NO_PIPELINE_SITE = {"sa-health-outposts": "an AWS Outposts rack"}


@pytest.mark.parametrize("blueprint", sorted((TEMPLATE_DIR.parents[1] / "blueprints").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_every_example_platform_gets_a_project_its_dev_checkpoint_passes(bake, blueprint):
    from qantara.errors import ProjectError
    from qantara.project.check import check_project

    if blueprint.stem in NO_PIPELINE_SITE:
        # Its training data is on an Outposts rack, where no pipeline engine runs (test_new_outposts.py).
        with pytest.raises(ProjectError, match=NO_PIPELINE_SITE[blueprint.stem]):
            bake(blueprint=blueprint, project_name="Everywhere")
        return
    project = bake(blueprint=blueprint, project_name="Everywhere")
    manifest, _, _ = load_manifest(project)
    recorded = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    # By default a project declares the most its platform lets it hold: never more.
    assert manifest.spec.data_classification == recorded["_classification_limit"]
    result = check_project(project, "dev")
    assert result.verdict == "pass", result.findings
    # Open by design until the model is trained and approved; anything else is the template's fault.
    assert {f["policy"] for f in result.findings} <= {"QA-PRJ-001", "QA-PRJ-005"}, result.findings


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_the_project_installs_qantara_from_the_recorded_source_never_a_bare_name(bake, ci):
    project = bake(project_name=f"Sourced {ci}", ci=ci)
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]
    assert recorded["qantara_source"] == str(REPO)
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    assert f"QANTARA_SOURCE ?= {REPO}\n" in makefile and "pip install --quiet -e '$(QANTARA_SOURCE)'" in makefile
    # make check gates the first environment; production is checked by name before a release.
    assert "ENV ?= dev\n" in makefile and "qantara check --project . --env $(ENV)" in makefile
    dependencies = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    named = [*dependencies["dependencies"], *dependencies["optional-dependencies"]["dev"]]
    assert not any(d.split("[")[0].split(">")[0].split("=")[0].strip() == "qantara" for d in named)
    ci_file = project / (".github/workflows/ci.yml" if ci == "github" else ".gitlab-ci.yml")
    assert "sha256sum -c blueprint.yaml.sha256" in ci_file.read_text(encoding="utf-8")


def test_a_bare_package_name_as_the_qantara_source_is_refused_before_anything_is_written(tmp_path):
    from qantara.errors import ProjectError

    with pytest.raises(ProjectError, match="qantara_source.*never a bare package name"):
        new_ml_project(AE_HEALTH, answers={"qantara_source": "qantara"}, no_input=True, output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
