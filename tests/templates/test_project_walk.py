"""A new project walked as its README says: the commands that reach the platform read only what the
infra program exports and pass only the parameters its pipeline declares; `make check-infra`, the
offline check of infra/ with the platform's exports, needs Python alone and passes a new project;
a command needing a tool this machine lacks (Pulumi, the AWS or Argo CLI, Docker) stops at once,
naming it, instead of running on with empty values."""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pulumi
import pytest
from test_ml_pipeline_check import (
    BLUEPRINT,
    FIRST_IMAGE,
    INFRA,
    PLATFORM_EXPORTS,
    SA_GOVERNMENT,
    SITE_EXPORTS,
    generated,
)

from qantara.plan.offline import run_under_mocks

MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")
# Qantara's own virtualenv stands in for the project's (make setup would install the same packages).
BIN = Path(sys.executable).parent
OWN_STACK_OUTPUT = re.compile(r"pulumi stack output (\w+) --stack \$\(ENV\)")


@pytest.fixture(scope="module")
def cloud(tmp_path_factory) -> Path:
    """The cloud example as `new` makes it by default: served in real time."""
    return generated(tmp_path_factory.mktemp("walk-cloud"), BLUEPRINT, PLATFORM_EXPORTS)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The on-prem example as `new` makes it by default."""
    return generated(tmp_path_factory.mktemp("walk-site"), SA_GOVERNMENT, SITE_EXPORTS)


def run_program(project: Path, exports: dict, **config: str) -> tuple[list[dict], set[str]]:
    """The project's infra program in preview under the mocks, for prod; its resources and the names it exports."""
    exported: set[str] = set()
    real_export = pulumi.export

    def record(name, value):
        exported.add(name)
        real_export(name, value)

    settings = {f"{INFRA}:platformStack": "org/platform/prod", f"{INFRA}:environment": "prod",
                **{f"{INFRA}:{key}": value for key, value in config.items()}}
    # The program imports its sibling modules by name: a program planned before must not lend them.
    for module in ("onprem_pipeline", "onprem_serving"):
        sys.modules.pop(module, None)
    with mock.patch.object(pulumi, "export", record):
        resources = run_under_mocks(lambda: runpy.run_path(str(project / "infra"), run_name="__main__"),
                                    project=INFRA, stack="prod", config=settings,
                                    known_outputs={"pulumi:pulumi:StackReference": {"outputs": exports,
                                                                                    "secretOutputNames": []}})
    return resources, exported


def of_kind(resources: list[dict], suffix: str) -> dict:
    (resource,) = [r for r in resources if r["type"].endswith(suffix)]
    return resource["inputs"]


def test_make_platform_pipeline_on_the_cloud_reads_exported_outputs_and_passes_declared_parameters(cloud):
    resources, exported = run_program(cloud, PLATFORM_EXPORTS, imageUri=FIRST_IMAGE)
    makefile = (cloud / "Makefile").read_text()
    read = set(OWN_STACK_OUTPUT.findall(makefile))
    assert read == {"region", "pipelineName"} and read <= exported
    declared = {p["Name"] for p in json.loads(of_kind(resources, ":Pipeline")["pipelineDefinition"])["Parameters"]}
    passed = re.findall(r"Name=(\w+),Value=", makefile)
    # TriggerReason and TriggerWhy were passed once: parameters the pipeline never declared.
    assert passed and set(passed) <= declared


def test_make_platform_pipeline_on_site_reads_exported_outputs_and_passes_declared_parameters(site):
    resources, exported = run_program(site, SITE_EXPORTS, **{"kubeApiCidrs": '["10.0.0.1/32"]'})
    makefile = (site / "Makefile").read_text()
    read = set(OWN_STACK_OUTPUT.findall(makefile))
    # `namespace` and `workflowTemplateName` were read once, and neither was exported.
    assert read == {"namespace", "pipelineTemplate"} and read <= exported
    template = of_kind(resources, ":WorkflowTemplate")
    declared = {p["name"] for p in template["spec"]["arguments"]["parameters"]}
    passed = re.findall(r" -p ([\w-]+)=", makefile)
    assert passed and set(passed) <= declared


def test_the_site_pipeline_and_server_run_the_code_image_tag_when_the_config_names_none(site):
    resources, _ = run_program(site, SITE_EXPORTS)
    step = of_kind(resources, ":WorkflowTemplate")["spec"]["templates"][1]["container"]
    assert step["image"] == "registry.agency.gov.example/ml/readmission-risk:readmission-risk-0.1.0"


def make(project: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess:
    """`make` in the project with Qantara's virtualenv as its own (its install stamps in place)."""
    (project / ".venv").mkdir(exist_ok=True)
    for stamp in (".installed", ".infra-installed"):
        (project / ".venv" / stamp).touch()
    env = {**os.environ, "PATH": path if path is not None else os.environ["PATH"]}
    return subprocess.run([MAKE, "--no-print-directory", *args, f"BIN={BIN}"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@needs_make
def test_make_check_infra_passes_the_new_cloud_project_with_the_platforms_exports(cloud):
    done = make(cloud, "check-infra", "ENV=prod", "PLATFORM_STACK=dubai-care/ml-platform/prod",
                "PLATFORM_EXPORTS=../platform-exports.json", f"IMAGE_URI={FIRST_IMAGE}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verdict: PASS (0 mandatory, 0 other findings)" in done.stdout


@needs_make
def test_make_check_infra_before_the_first_promotion_says_to_give_the_image(cloud):
    done = make(cloud, "check-infra", "ENV=prod", "PLATFORM_STACK=dubai-care/ml-platform/prod",
                "PLATFORM_EXPORTS=../platform-exports.json")
    assert done.returncode != 0
    assert "IMAGE_URI=" in done.stdout + done.stderr and "Traceback" not in done.stderr


@needs_make
def test_make_check_infra_passes_the_new_site_project_with_no_config_but_the_platform_stack(site):
    done = make(site, "check-infra", "ENV=prod", "PLATFORM_STACK=agency/qantara/prod",
                "PLATFORM_EXPORTS=../platform-exports.json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verdict: PASS (0 mandatory, 0 other findings)" in done.stdout


@needs_make
@pytest.mark.parametrize(("args", "says"), [
    (("PLATFORM_EXPORTS=../platform-exports.json",), "PLATFORM_STACK=<org>/<platform project>/<stack> is required"),
    (("PLATFORM_STACK=agency/qantara/prod", "PLATFORM_EXPORTS=nowhere.json"), "nowhere.json is missing"),
])
def test_make_check_infra_without_the_platform_stack_or_its_exports_says_which(site, args, says):
    done = make(site, "check-infra", "ENV=prod", *args)
    assert done.returncode == 2 and says in done.stderr


@needs_make
@pytest.mark.parametrize(("project", "target", "tool"), [
    ("cloud", "platform-pipeline", "needs pulumi"),
    ("site", "platform-pipeline", "needs pulumi"),
    ("cloud", "deploy", "needs pulumi"),
    ("cloud", "print-image-repository", "needs pulumi"),
    ("site", "image", "needs Docker"),
])
def test_a_platform_command_without_its_tool_stops_naming_it(request, tmp_path, project, target, tool):
    # No tool on the PATH at all: make runs its recipes with /bin/sh, whose builtins suffice up to the check.
    done = make(request.getfixturevalue(project), target, "ENV=prod", "DEPLOY_ENV=dev", path=str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"make {target} {tool}" in done.stderr


def cloud_platform_exports(blueprint: Path, environment: str) -> set[str]:
    """The names the platform stack exports on the cloud side (what stacks/platform exports of it)."""
    from qantara.aws_platform import base_tags, provision_aws
    from qantara.blueprint.loader import load_blueprint
    from qantara.resolution import resolve_platform

    platform = resolve_platform(load_blueprint(blueprint), environment)
    names: set[str] = set()
    run_under_mocks(lambda: names.update(provision_aws(platform, base_tags(platform))), project="qantara",
                    stack=environment, config={})
    return names


def test_every_platform_output_the_cloud_project_reads_is_one_the_platform_exports(cloud):
    exported = cloud_platform_exports(BLUEPRINT, "prod")
    program = (cloud / "infra" / "__main__.py").read_text()
    block = program.split("\nOUTPUTS = {", 1)[1].split("\n}", 1)[0]
    read = set(re.findall(r'^\s+"\w+": "(\w+)",$', block, re.MULTILINE))
    read |= set(re.findall(r"pulumi stack output (\w+) \\\n?\s*--stack \"\$\$\(pulumi config get platformStack",
                           (cloud / "Makefile").read_text()))
    assert {"region", "platformKeyArn", "modelImageRepositoryUrl"} <= read
    assert read <= exported, read - exported
    # The exports the walk and these tests hand to `--stack-outputs` are the platform's own names.
    assert set(PLATFORM_EXPORTS) <= exported, set(PLATFORM_EXPORTS) - exported


def test_a_platform_whose_network_does_not_reach_mlflow_yet_stops_the_tracked_projects_deployment(cloud):
    # A platform stack deployed before its MLflow endpoint existed exports the server but no endpoint:
    # the project stops, naming the output, rather than deploy a track step that cannot reach MLflow.
    exports = {k: v for k, v in PLATFORM_EXPORTS.items() if k != "mlflowVpcEndpointId"}
    with pytest.raises(Exception, match="mlflowVpcEndpointId"):
        run_program(cloud, exports, imageUri=FIRST_IMAGE)


def test_the_tracked_projects_track_step_logs_to_the_platforms_server(cloud):
    resources, _ = run_program(cloud, PLATFORM_EXPORTS, imageUri=FIRST_IMAGE)
    definition = json.loads(of_kind(resources, "sagemaker/pipeline:Pipeline")["pipelineDefinition"])
    (track,) = [s for s in definition["Steps"] if s["Name"] == "Track"]
    assert track["Arguments"]["Environment"]["MLFLOW_TRACKING_URI"] == PLATFORM_EXPORTS["trackingUri"]


def test_a_platform_without_sagemaker_mlflow_gets_a_pipeline_with_no_track_step(tmp_path_factory):
    # The UAE example with experiment tracking turned off: nothing to log to, so no record, no track
    # step, no track role, no plugin in the image, and the README says the run is not logged.
    out = tmp_path_factory.mktemp("walk-untracked")
    text = BLUEPRINT.read_text()
    untracked = text.replace("    experimentTracking:\n      size: Medium", "    experimentTracking:\n      enabled: false")
    assert untracked != text
    blueprint = out / "blueprint.yaml"
    blueprint.write_text(untracked)
    exports = {k: v for k, v in PLATFORM_EXPORTS.items() if k not in ("trackingUri", "mlflowVpcEndpointId")}
    project = generated(out / "project", blueprint, exports, "--set", "serving=batch")
    resources, _ = run_program(project, exports)
    definition = json.loads(of_kind(resources, "sagemaker/pipeline:Pipeline")["pipelineDefinition"])
    assert "Track" not in [s["Name"] for s in definition["Steps"]] and '"record"' not in json.dumps(definition)
    assert not [r for r in resources if r["type"] == "aws:iam/role:Role" and r["name"].endswith("-track-role")]
    assert "The run is not logged to MLflow" in (project / "README.md").read_text()
    assert '".[sagemaker]"' not in (project / "Dockerfile").read_text()
