"""The generated CI files are valid for their CI, and the jobs that run on every push succeed on a
fresh checkout, command by command in the CI's order, with only Python and the package registries.

There is no GitHub or GitLab here: each file is validated against the schema its CI publishes
(tests/fixtures/schemas/github-workflow, gitlab-ci; README.md there says where each comes from),
read as that CI reads YAML (ci_files.py), and the jobs' commands are run with the CI's shell
options. The steps that are not commands are replaced by their local equivalents, named in
ci_files.py; a step or key with none stops the run, so nothing is silently skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ci_files import (
    CI_FILE,
    GITLAB_SCHEMA,
    GITHUB_TEST_JOB,
    Job,
    NoLocalEquivalent,
    github_test_job,
    gitlab_every_push_jobs,
    load_ci_file,
    schema_errors,
)
from ml_project_cases import AE_HEALTH, OPTIONS, REPO, SA_HYBRID
from test_project_walk import needs_make

SA_ONPREM = REPO / "blueprints" / "sa-government-onprem.yaml"
BLUEPRINTS = {"cloud": AE_HEALTH, "onprem": SA_ONPREM, "hybrid": SA_HYBRID}
THIS_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
# A job installs the project and Qantara (a warm pip cache), trains on synthetic data and checks it.
STEP_TIMEOUT = 900


def ci_document(bake, blueprint: str, ci: str, **answers: str) -> object:
    project = bake(blueprint=BLUEPRINTS[blueprint], ci=ci, **answers)
    return load_ci_file(ci, (project / CI_FILE[ci]).read_text(encoding="utf-8"))


# --- The files are what their CI accepts ------------------------------------------------------------------

@pytest.mark.parametrize("serving", OPTIONS["serving"])
@pytest.mark.parametrize("ci", ["github", "gitlab"])
@pytest.mark.parametrize("blueprint", sorted(BLUEPRINTS))
def test_the_generated_ci_file_is_valid_against_its_ci_schema(bake, blueprint, ci, serving):
    document = ci_document(bake, blueprint, ci, serving=serving)
    assert schema_errors(ci, document) == []


def test_github_reads_on_as_the_trigger_key_not_as_true(bake):
    # PyYAML's YAML 1.1 reading turns `on:` into True, which the schema refuses; GitHub's does not.
    text = (bake(blueprint=AE_HEALTH, ci="github") / CI_FILE["github"]).read_text(encoding="utf-8")
    assert "on" in load_ci_file("github", text)
    assert True in yaml.safe_load(text)
    assert any("'on' is a required property" in e for e in schema_errors("github", yaml.safe_load(text)))


@pytest.mark.parametrize(("name", "break_it", "says"), [
    ("a job without runs-on", lambda w: w["jobs"][GITHUB_TEST_JOB].pop("runs-on"),
     "'runs-on' is a required property"),
    # The schema leaves `steps` optional (GitHub refuses it later); an empty list it refuses.
    ("a job with no steps", lambda w: w["jobs"][GITHUB_TEST_JOB].update({"steps": []}), "[] should be non-empty"),
    ("an unknown trigger", lambda w: w["on"].update({"pushed": {}}), "'pushed' was unexpected"),
    ("a misspelt step key", lambda w: w["jobs"][GITHUB_TEST_JOB]["steps"][2].update({"runs": "make"}),
     "'runs' was unexpected"),
    ("a step with both run and uses", lambda w: w["jobs"][GITHUB_TEST_JOB]["steps"][2].update(
        {"uses": "actions/checkout@v4"}), "steps/2: "),
    ("needs naming no job", lambda w: w["jobs"]["image"].update({"needs": 7}), "7 is not of type"),
    ("a bad permission", lambda w: w["jobs"]["image"]["permissions"].update({"id-token": "admin"}),
     "'admin' is not one of"),
])
def test_a_broken_workflow_is_refused_by_the_same_validator(bake, name, break_it, says):
    workflow = ci_document(bake, "cloud", "github")
    break_it(workflow)
    errors = schema_errors("github", workflow)
    assert errors and says in "\n".join(errors), (name, errors)


@pytest.mark.parametrize(("name", "break_it", "says"), [
    # The schema leaves `script` optional (GitLab's linter requires it); a delayed job needs start_in.
    ("a delayed job without start_in", lambda p: p["test"].update({"when": "delayed"}),
     "'start_in' is a required property"),
    ("a misspelt job key", lambda p: p["test"].update({"scripts": ["true"]}), "'scripts' was unexpected"),
    ("a bad when", lambda p: p["deploy-prod"]["rules"][0].update({"when": "sometimes"}),
     "'sometimes' is not one of"),
    ("stages not a list", lambda p: p.update({"stages": "test"}), "'test' is not of type 'array'"),
    ("an unknown global key", lambda p: p.update({"default": {"imagee": "python"}}), "'imagee' was unexpected"),
])
def test_a_broken_gitlab_pipeline_is_refused_by_the_same_validator(bake, name, break_it, says):
    pipeline = ci_document(bake, "cloud", "gitlab")
    break_it(pipeline)
    errors = schema_errors("gitlab", pipeline)
    assert errors and says in "\n".join(errors), (name, errors)


# --- The jobs that run on every push succeed on a fresh checkout -----------------------------------------

def fresh_checkout(project: Path, into: Path) -> Path:
    """The project as a CI checkout has it: committed to a git repository, then cloned (only what git
    tracks, so a file .gitignore leaves out is missing here as it would be in CI)."""
    repository, checkout = into / "repository", into / "checkout"
    shutil.copytree(project, repository)
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.org", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "generated"]):
        subprocess.run([*git, *args], cwd=repository, check=True, capture_output=True)
    subprocess.run([*git, "clone", "-q", str(repository), str(checkout)], check=True, capture_output=True)
    return checkout


def base_python() -> Path:
    """This machine's Python itself, not the virtualenv the tests run in (setup-python gives a plain one)."""
    base = Path(getattr(sys, "_base_executable", "") or Path(sys.base_prefix) / "bin" / f"python{THIS_PYTHON}")
    return base.resolve()


def clean_environment(bin_dir: Path) -> dict[str, str]:
    """This machine's environment with `bin_dir` first on the PATH and nothing of the test run's own:
    no virtualenv, no PYTHONPATH, no MLflow store."""
    own = str(Path(sys.executable).parent)
    path = [str(bin_dir), *(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != own)]
    kept = {k: v for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME") and not k.startswith(("MLFLOW_", "PYTEST_"))}
    return {**kept, "PATH": os.pathsep.join(path), "CI": "true"}


def run_script(script: str, shell: list[str], cwd: Path, env: dict[str, str], record: Path) -> None:
    record.write_text(script, encoding="utf-8")
    done = subprocess.run([*shell, str(record)], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=STEP_TIMEOUT, check=False)
    assert done.returncode == 0, f"{script!r} exited {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-3000:]}"


def run_github_job(job: Job, checkout: Path, scratch: Path) -> None:
    # actions/setup-python: `python` on the PATH is this machine's Python of the asked version.
    tools = scratch / "setup-python"
    tools.mkdir()
    (tools / "python").symlink_to(base_python())
    env = {**clean_environment(tools), "GITHUB_ACTIONS": "true"}
    for number, script in enumerate(job.scripts):
        # An unspecified shell on Linux is `bash -e {0}`, {0} a file holding the step's `run:`.
        run_script(script, ["bash", "-e"], checkout, env, scratch / f"step-{number}.sh")


def machine_pip_cache() -> Path:
    """Where pip on this machine caches (its own default on Linux: $XDG_CACHE_HOME/pip or ~/.cache/pip)."""
    configured = os.environ.get("PIP_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    cache = Path(configured) if configured else (Path(xdg) if xdg else Path.home() / ".cache") / "pip"
    cache.mkdir(parents=True, exist_ok=True)
    return cache


def run_gitlab_job(job: Job, checkout: Path, scratch: Path) -> None:
    # The job's python:<X.Y> image: a fresh virtualenv of this machine's Python, first on the PATH.
    image = scratch / "image"
    subprocess.run([str(base_python()), "-m", "venv", str(image)], check=True, capture_output=True)
    env = {**clean_environment(image / "bin"), "GITLAB_CI": "true", "CI_PROJECT_DIR": str(checkout)}
    for name, value in job.variables:
        # GitLab expands $VARIABLE references in a variable's value (`expand` defaults to true).
        env[name] = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), m.group(0)), str(value))
    if "PIP_CACHE_DIR" in env:
        # The pipeline's `cache:` restores the pip cache of earlier pipelines there: this machine's stands in.
        cache = Path(env["PIP_CACHE_DIR"])
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.symlink_to(machine_pip_cache(), target_is_directory=True)
    # before_script then script in one shell, errexit and pipefail set (the runner's bash script).
    run_script(job.scripts[0], ["bash", "-e", "-o", "pipefail"], checkout, env, scratch / f"{job.name}.sh")


def every_push_jobs(bake, blueprint: str, ci: str) -> tuple[Path, list[Job]]:
    project = bake(blueprint=BLUEPRINTS[blueprint], ci=ci, python_version=THIS_PYTHON)
    document = load_ci_file(ci, (project / CI_FILE[ci]).read_text(encoding="utf-8"))
    jobs = [github_test_job(document, project)] if ci == "github" else gitlab_every_push_jobs(document)
    return project, jobs


# One cloud and one on-prem project on each CI. A job whose commands an earlier case ran already
# (GitHub's workflow is copied unrendered, so it is the same for both) is not run twice.
# Each case is a test of its own with its own directories (the pip cache aside), so `-n` spreads them.
RUNS = [("cloud", "github"), ("onprem", "gitlab"), ("onprem", "github"), ("cloud", "gitlab")]


@needs_make
@pytest.mark.skipif(THIS_PYTHON not in OPTIONS["python_version"],
                    reason=f"Python {THIS_PYTHON} is not a version the template offers")
@pytest.mark.parametrize(("blueprint", "ci"), RUNS, ids=[f"{b}-{c}" for b, c in RUNS])
def test_the_ci_jobs_of_every_push_succeed_on_a_fresh_checkout(bake, tmp_path, blueprint, ci):
    project, jobs = every_push_jobs(bake, blueprint, ci)
    assert jobs, "no job runs on every push"
    earlier = {job.commands for b, c in RUNS[:RUNS.index((blueprint, ci))] for job in every_push_jobs(bake, b, c)[1]}
    to_run = [job for job in jobs if job.commands not in earlier]
    if not to_run:
        pytest.skip(f"every job of {blueprint}-{ci} runs the same commands as an earlier case")
    for job in to_run:
        scratch = tmp_path / job.name
        scratch.mkdir()
        # Each job starts from its own fresh checkout, as each CI job does.
        checkout = fresh_checkout(project, scratch)
        assert job.python == THIS_PYTHON, job
        (run_github_job if ci == "github" else run_gitlab_job)(job, checkout, scratch)


def test_the_every_push_jobs_are_the_test_and_governance_jobs(bake):
    # The runs above are not vacuous: they cover the tests and the governance check on both CIs.
    _, github = every_push_jobs(bake, "cloud", "github")
    assert [j.name for j in github] == [GITHUB_TEST_JOB]
    assert [line for line in github[0].scripts if "make test" in line or "make check" in line]
    _, gitlab = every_push_jobs(bake, "onprem", "gitlab")
    assert [j.name for j in gitlab] == ["test", "governance"]
    assert "python -m pytest" in gitlab[0].scripts[0] and "qantara check" in gitlab[1].scripts[0]


@pytest.mark.parametrize(("change", "refused"), [
    (lambda w: w["jobs"][GITHUB_TEST_JOB]["steps"].insert(2, {"uses": "docker/setup-buildx-action@v3"}),
     "docker/setup-buildx-action"),
    (lambda w: w["jobs"][GITHUB_TEST_JOB]["steps"][2].update({"continue-on-error": True}), "continue-on-error"),
    (lambda w: w["jobs"][GITHUB_TEST_JOB]["steps"][0].update({"with": {"ref": "other"}}), "actions/checkout"),
    (lambda w: w.update({"env": {"X": "1"}}), "env"),
])
def test_a_github_step_without_a_local_equivalent_stops_the_run(bake, change, refused):
    project = bake(blueprint=AE_HEALTH, ci="github")
    workflow = load_ci_file("github", (project / CI_FILE["github"]).read_text(encoding="utf-8"))
    change(workflow)
    with pytest.raises(NoLocalEquivalent, match=re.escape(refused)):
        github_test_job(workflow, project)


@pytest.mark.parametrize(("change", "refused"), [
    (lambda p: p["default"].update({"image": "python:3.11-slim"}), "python:3.11-slim"),
    (lambda p: p["test"].update({"image": "docker:27"}), "docker:27"),
    (lambda p: p["default"].update({"after_script": ["true"]}), "after_script"),
    (lambda p: p["test"].update({"services": ["docker:dind"]}), "services"),
    (lambda p: p.update({"include": "other.yml"}), "include"),
])
def test_a_gitlab_job_without_a_local_equivalent_stops_the_run(bake, change, refused):
    pipeline = ci_document(bake, "onprem", "gitlab")
    change(pipeline)
    with pytest.raises(NoLocalEquivalent, match=re.escape(refused)):
        gitlab_every_push_jobs(pipeline)


@pytest.mark.parametrize("blueprint", ["cloud", "onprem"])
def test_gitlab_jobs_run_in_an_image_with_git_for_a_git_qantara_source(bake, blueprint):
    # The default source is a git+https:// URL: pip installs it only with git on the PATH, which the
    # python:<X.Y>-slim image lacks (it keeps ca-certificates, netbase and tzdata); python:<X.Y> has git and make.
    source = "git+https://git.example.org/platform/qantara.git#egg=qantara"
    pipeline = ci_document(bake, blueprint, "gitlab", qantara_source=source)
    assert pipeline["variables"]["QANTARA_SOURCE"] == source
    images = {name: job.get("image", pipeline["default"]["image"]) for name, job in pipeline.items()
              if isinstance(job, dict) and "script" in job}
    assert images and all(re.fullmatch(r"python:\d+\.\d+", str(image)) for image in images.values()), images


# --- The replay itself can fail --------------------------------------------------------------------------

def test_a_failing_github_step_fails_the_run_and_no_later_step_runs(tmp_path):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    # `bash -e`: a failing line ends its step; a failing step ends the job.
    job = Job("github", GITHUB_TEST_JOB, ("touch first", "false\ntouch same-step", "touch next-step"), (), THIS_PYTHON)
    with pytest.raises(AssertionError, match="exited 1"):
        run_github_job(job, checkout, tmp_path)
    assert sorted(p.name for p in checkout.iterdir()) == ["first"]


def test_a_gitlab_script_failing_inside_a_pipe_fails_the_job(tmp_path):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    job = Job("gitlab", "test", ("false | cat\ntouch after",), (("X", "$CI_PROJECT_DIR/x"),), THIS_PYTHON)
    with pytest.raises(AssertionError, match="exited 1"):
        run_gitlab_job(job, checkout, tmp_path)
    assert not (checkout / "after").exists()


def test_a_gitlab_job_sees_its_variables_expanded_and_the_image_python_first(tmp_path):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    # The image's interpreter is the job's fresh virtualenv (tmp_path/image), not the test run's.
    script = 'test "$X" = "$CI_PROJECT_DIR/x"\ntest "$(dirname "$(command -v python)")" -ef ../image/bin'
    run_gitlab_job(Job("gitlab", "test", (script,), (("X", "$CI_PROJECT_DIR/x"),), THIS_PYTHON), checkout, tmp_path)


def test_the_checkout_holds_only_what_git_tracks(tmp_path):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / ".gitignore").write_text("data/\n")
    (project / "data" / "training.csv").write_text("x\n1\n")
    (project / "Makefile").write_text("all:\n")
    checkout = fresh_checkout(project, tmp_path / "ci")
    assert (checkout / "Makefile").is_file() and not (checkout / "data").exists()


@pytest.mark.parametrize("blueprint", ["cloud", "onprem"])
def test_the_gitlab_file_uses_no_global_keyword_gitlab_deprecates(bake, blueprint):
    # GitLab's schema says which global keywords are deprecated (image, services, cache, before_script,
    # after_script: use `default:`); one still used may stop working in a later GitLab.
    schema = json.loads(GITLAB_SCHEMA.read_text(encoding="utf-8"))["properties"]
    deprecated = {k for k, v in schema.items() if "deprecated" in v.get("markdownDescription", "").lower()}
    assert {"image", "before_script", "cache"} <= deprecated
    assert set(ci_document(bake, blueprint, "gitlab")) & deprecated == set()
