"""A pipeline-trained model is what the endpoint serves, and CI pushes exactly the image promotion serves.

A generated project runs its own pipeline (`make pipeline`), the archive the train step produced is
loaded through the project's serve.py and answers HTTP requests, a tampered archive is refused,
and the generated CI's commands, run with stand-ins for docker, pulumi and aws that record what
they are asked, push the tags `qantara.project.promotion` names and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from test_ml_project_runs import MISSING, RUN_TIMEOUT, _clean_env

from qantara.project.promotion import image_tag, promote, served_image_tags

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"install qantara[ml]: {', '.join(MISSING)} missing")

PLATFORM_REPOSITORY = "111122223333.dkr.ecr.me-central-1.amazonaws.com/ae-health-dev-models"
FAKE_TOOL = """#!/bin/sh
# Records every call; answers what the generated Makefile and CI ask of it.
echo "$(basename "$0") $*" >> "$FAKE_LOG"
case "$(basename "$0") $1 $2" in
  "docker manifest inspect") exit 1 ;;  # the repository does not hold the tag yet
  "pulumi stack output") echo "$FAKE_REPOSITORY" ;;
  "pulumi config get") echo "organisation/ae-health/dev" ;;
  "aws ecr get-login-password") echo "token" ;;
esac
exit 0
"""


def _venv_without_install(root: Path) -> Path:
    """A VENV for the project's Makefile that is this interpreter's environment, marked installed:
    `make setup` then installs nothing, and the project's package is found through PYTHONPATH."""
    venv = root / "venv"
    venv.mkdir()
    prefix = Path(sys.prefix)
    (venv / "bin").symlink_to(prefix / "bin")
    (venv / "lib").symlink_to(prefix / "lib")
    shutil.copy(prefix / "pyvenv.cfg", venv / "pyvenv.cfg")
    (venv / ".installed").touch()
    return venv


@pytest.fixture(scope="module")
def trained_project(bake, tmp_path_factory):
    """A realtime project whose `make pipeline` ran: (project, make, model version, tool log)."""
    project = bake(project_name="Servable realtime", serving="realtime", ci="github")
    root = tmp_path_factory.mktemp("servable")
    tools = root / "tools"
    tools.mkdir()
    for name in ("docker", "pulumi", "aws"):
        (tools / name).write_text(FAKE_TOOL)
        (tools / name).chmod(0o755)
    log = root / "calls.log"
    env = {**_clean_env(), "PYTHONPATH": str(project / "src"), "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
           "FAKE_LOG": str(log), "FAKE_REPOSITORY": PLATFORM_REPOSITORY, "MLFLOW_ALLOW_FILE_STORE": "true"}
    venv = _venv_without_install(root)

    def make(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(["make", f"VENV={venv}", *args], cwd=project, env={**env, **extra},
                              capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)

    ran = make("pipeline", "WHY=first model")
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    [registration] = project.glob("runs/*/register/registration.json")
    return project, make, json.loads(registration.read_text())["modelVersion"], log


def _python(project: Path, script: str) -> subprocess.CompletedProcess:
    env = {**_clean_env(), "PYTHONPATH": str(project / "src"), "MLFLOW_ALLOW_FILE_STORE": "true"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=project, env=env, capture_output=True,
                          text=True, timeout=RUN_TIMEOUT, check=False)


def test_the_archive_the_pipeline_trained_is_served_over_http_by_serve_py(trained_project):
    project, _, version, _ = trained_project
    [archive] = project.glob("runs/*/train/model.tar.gz")
    served = _python(project, f"""
        import json, threading, urllib.request
        from {project.name} import features, serve, synthetic
        server = serve.make_server(serve.load_model({str(archive)!r}), port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=200, seed=8))).head(4)
        body = json.dumps({{"instances": json.loads(frame.to_json(orient="records"))}}).encode()
        host, port = server.server_address[:2]
        request = urllib.request.Request(f"http://{{host}}:{{port}}/invocations", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            print(json.dumps({{"status": response.status, "body": json.loads(response.read())}}))
        server.shutdown()
    """)
    assert served.returncode == 0, served.stderr[-3000:]
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200 and len(answer["body"]["predictions"]) == 4
    # The served archive is the registered version: its model file's hash names it.
    versioned = _python(project, f"from {project.name} import model_archive; "
                                 f"model_archive.main(['version', {str(archive)!r}])")
    assert versioned.stdout.strip() == version


@pytest.mark.parametrize("attack", ["path-escape", "symlink"])
def test_serve_refuses_a_tampered_archive_and_writes_nothing_outside(trained_project, tmp_path, attack):
    project, _, _, _ = trained_project
    [archive] = project.glob("runs/*/train/model.tar.gz")
    tampered = tmp_path / "model.tar.gz"
    outside = tmp_path / "pwned"
    refused = _python(project, f"""
        import io, tarfile
        from {project.name} import model_archive, serve
        with tarfile.open({str(archive)!r}) as good, tarfile.open({str(tampered)!r}, "w:gz") as bad:
            for member in good.getmembers():
                bad.addfile(member, good.extractfile(member) if member.isfile() else None)
            if {attack!r} == "path-escape":
                info = tarfile.TarInfo("../../pwned")
                info.size = 2
                bad.addfile(info, io.BytesIO(b"hi"))
            else:
                info = tarfile.TarInfo("requirements.txt")
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                bad.addfile(info)
        try:
            serve.load_model({str(tampered)!r})
        except model_archive.UnsafeModel as error:
            print("refused:", error)
        else:
            print("loaded")
    """)
    assert refused.returncode == 0, refused.stderr[-3000:]
    assert refused.stdout.startswith("refused:"), refused.stdout
    assert not outside.exists()


def _pushed(log: Path) -> list[str]:
    return [line.split()[-1] for line in log.read_text().splitlines() if line.startswith("docker push ")]


def _github_runs(project: Path, job: str) -> list[str]:
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    return [step["run"] for step in workflow["jobs"][job]["steps"] if "run" in step]


def test_github_ci_pushes_the_code_image_and_the_promoted_versions_tag_promotion_serves(trained_project):
    project, make, version, log = trained_project
    promote(project, "dev", version, "full")
    log.write_text("")
    # The image job's push, then the deploy job's `make deploy` (run for dev here: prod needs an approval).
    [push] = [run for run in _github_runs(project, "image") if run.startswith("make push")]
    [deploy] = [run for run in _github_runs(project, "deploy") if run.startswith("make deploy")]
    for command in (push, deploy + " DEPLOY_ENV=dev"):
        done = make(*command.split()[1:])
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    served = [tag for _, tag in served_image_tags(project, "dev")]
    assert served == [image_tag("servable-realtime", version)]
    assert _pushed(log) == [f"{PLATFORM_REPOSITORY}:{image_tag('servable-realtime', '0.1.0')}",
                            f"{PLATFORM_REPOSITORY}:{served[0]}"]
    calls = log.read_text().splitlines()
    # The image the endpoint asks for is in the repository before pulumi up changes the endpoint.
    assert calls.index(f"docker push {PLATFORM_REPOSITORY}:{served[0]}") < calls.index("pulumi up --yes --stack dev")


@pytest.mark.parametrize("repository", [
    "docker.io/acme/models", "ghcr.io/acme/models", "public.ecr.aws/acme/models",
    "111122223333.dkr.ecr.eu-central-1.amazonaws.com/models",  # the platform's account, the wrong region
    "",  # the platform stack could not be read
])
def test_an_image_is_never_pushed_to_a_repository_that_is_not_the_platforms(trained_project, repository):
    project, make, _, log = trained_project
    log.write_text("")
    done = make("push-image", FAKE_REPOSITORY=repository)
    assert done.returncode != 0 and "refused: image repository" in done.stderr
    assert _pushed(log) == []


def test_a_model_image_is_built_only_from_an_archive_that_holds_that_version(trained_project):
    project, make, version, log = trained_project
    [archive] = project.glob("runs/*/train/model.tar.gz")
    forged = version[::-1]  # a version no run registered
    done = make("model-image", f"MODEL_VERSION={forged}")
    assert done.returncode != 0 and forged in done.stderr
    # The registered archive swapped for another model: its content no longer is the version it claims.
    saved = archive.read_bytes()
    other = _python(project, f"""
        from pathlib import Path
        from {project.name} import features, model_archive, pipeline, synthetic
        frame = features.prepare(synthetic.make_dataset(rows=300, seed=11))
        inputs = features.model_inputs(frame)
        model = features.build_model().fit(inputs, frame[pipeline.data.TARGET])
        pipeline.save_served_model(model, inputs, Path("build/other"))
        model_archive.pack(Path("build/other"), Path({str(archive)!r}))
    """)
    try:
        assert other.returncode == 0, other.stderr[-3000:]
        log.write_text("")
        swapped = make("model-image", f"MODEL_VERSION={version}")
        assert swapped.returncode != 0 and f"not {version}" in swapped.stderr
        assert not [c for c in log.read_text().splitlines() if c.startswith("docker build --target model")]
    finally:
        archive.write_bytes(saved)
        shutil.rmtree(project / "build" / "other", ignore_errors=True)


def test_gitlab_ci_pushes_through_the_same_make_targets(bake):
    project = bake(project_name="Servable gitlab", serving="realtime", ci="gitlab")
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    assert "make push-image" in "\n".join(pipeline["push-code-image"]["script"])
    deploy = pipeline["deploy-prod"]["script"]
    images = next(i for i, line in enumerate(deploy) if line.startswith("make push-model-images"))
    gate = next(i for i, line in enumerate(deploy) if line.startswith("qantara check"))
    up = next(i for i, line in enumerate(deploy) if "pulumi up" in line)
    assert gate < images < up
    # GitLab's `image` key is the default image of every job: a job of that name would replace it.
    assert pipeline["default"]["image"].startswith("python:") and "image" not in pipeline


def test_the_endpoint_serves_the_very_tags_ci_pushes(tmp_path, monkeypatch):
    """The infra program's plan, after a promotion, asks for the images `served_image_tags` names:
    the tags `make push-model-images` (the deploy job) builds and pushes, as tested above."""
    from test_ml_pipeline_check import BLUEPRINT, PLATFORM_EXPORTS, qantara
    from test_ml_serving_promotion import REPOSITORY, plan, served

    from qantara.project import promotion

    done = qantara("new", "ml-project", "--blueprint", BLUEPRINT, "--no-input", "--output-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    (tmp_path / "platform-exports.json").write_text(json.dumps(PLATFORM_EXPORTS))
    project = tmp_path / "readmission_risk"
    monkeypatch.setattr(promotion, "_require_admitted", lambda *args, **kwargs: None)
    promote(project, "prod", "c0ffee123456", "full")
    status, resources = plan(project)
    assert status == 0, resources
    [(_, tag)] = served_image_tags(project, "prod")
    assert served(resources) == {"champion": (100, f"{REPOSITORY}:{tag}")}


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_the_generated_ci_pushes_only_through_make_and_a_direct_push_is_a_finding(bake, tmp_path, ci):
    from qantara.project.check import check_project

    project = tmp_path / "project"
    shutil.copytree(bake(project_name=f"Pushes {ci}", ci=ci), project)
    assert not [f for f in check_project(project, "dev").findings if f["policy"] == "QA-PRJ-016"]
    if ci == "github":
        path = project / ".github" / "workflows" / "ci.yml"
        workflow = yaml.safe_load(path.read_text())
        workflow["jobs"]["image"]["steps"].append({"run": "docker push docker.io/acme/pushes-github:latest"})
        job = "jobs.image"
    else:
        path = project / ".gitlab-ci.yml"
        workflow = yaml.safe_load(path.read_text())
        workflow["push-code-image"]["script"].append("docker push docker.io/acme/pushes-gitlab:latest")
        job = "push-code-image"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    [finding] = [f for f in check_project(project, "dev").findings if f["policy"] == "QA-PRJ-016"]
    assert finding["resource"].endswith(job) and "`docker push`" in finding["message"]


@pytest.mark.parametrize("serving", ["realtime", "batch", "none"])
def test_the_dockerfile_builds_the_stages_the_makefile_names_and_keeps_runs_out(bake, serving):
    """No Docker daemon here: the stages, targets and the archive's path are checked as text."""
    import re

    project = bake(project_name=f"Stages {serving}", serving=serving)
    dockerfile = (project / "Dockerfile").read_text()
    makefile = (project / "Makefile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?$", dockerfile, re.M)
    targets = set(re.findall(r"docker build --target (\w+)", makefile))
    assert {name for _, name in stages if name} == targets
    assert stages[-1] == ("code", "")  # the default build is the code image, never a model image
    if serving == "none":
        assert targets == {"code"} and "model-image" not in makefile
    else:
        fetched = re.search(r"model_archive fetch '\$\(MODEL_VERSION\)' (\S+)", makefile).group(1)
        assert f"source={fetched}," in dockerfile  # the model stage mounts what make fetched
        assert "model_archive unpack /tmp/model.tar.gz /opt/ml/model" in dockerfile
        assert "ENV" in dockerfile and "MODEL_URI=/opt/ml/model" in dockerfile
    ignored = (project / ".dockerignore").read_text().split()
    # The runs hold the training data: never sent to the builder; the fetched archive is.
    assert "runs" in ignored and "data" in ignored and "!build/model.tar.gz" in ignored
