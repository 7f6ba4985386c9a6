"""The generated infra/ program on an on-prem platform: it declares the project's Argo pipeline,
its age schedule and its drift trigger in the platform's namespace, reading only what the
platform stack exports, and `qantara check --program` passes it."""

from __future__ import annotations

import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from ml_project_cases import REPO, SA_HYBRID
from qantara.blueprint.loader import load_blueprint
from qantara.components.onprem.pipeline_project import PLATFORM_OUTPUTS
from qantara.plan.offline import run_under_mocks

SA_GOVERNMENT = REPO / "blueprints" / "sa-government-onprem.yaml"
ARGO = "kubernetes:argoproj.io/v1alpha1"
_SCRIPT = Path(sys.executable).with_name("qantara")
COMMAND = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-c", "from qantara.cli import main; main()"]


def qantara(*args: str) -> subprocess.CompletedProcess:
    """The real command line, in a process of its own."""
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, cwd=REPO, timeout=300, check=False)


def platform_outputs(namespace: str) -> dict:
    """What the platform stack exports on site, as `pulumi stack output --json` prints it."""
    return {
        "onPremNamespace": namespace,
        "onPremObjectStorageEndpoint": f"http://minio.{namespace}.svc:9000",
        "onPremPipelineCredentialsSecret": "minio-pipeline-credentials",
        "onPremTrackingUri": f"https://mlflow.{namespace}.example",
        "onPremTrackingInternalUri": f"http://mlflow.{namespace}.svc:5000",
    }


def stack_config(project: Path, environment: str) -> dict[str, str]:
    name = f"{project.name.replace('_', '-')}-infra"
    return {f"{name}:platformStack": f"agency/qantara/{environment}", f"{name}:environment": environment,
            f"{name}:pipelineImageTag": "0.1.0", f"{name}:driftWebhookToken": "token-from-config",
            f"{name}:kubeApiCidrs": '["10.0.0.1/32"]'}


def run_infra(project: Path, environment: str, namespace: str) -> list[dict]:
    outputs = {"pulumi:pulumi:StackReference": {"outputs": platform_outputs(namespace), "secretOutputNames": []}}
    # The program imports its sibling module by name: a project planned before in this process
    # must not lend it its own (Pulumi runs one program per process).
    sys.modules.pop("onprem_pipeline", None)
    return run_under_mocks(lambda: runpy.run_path(str(project / "infra"), run_name="__main__"),
                           project=f"{project.name.replace('_', '-')}-infra", stack=environment,
                           config=stack_config(project, environment), known_outputs=outputs)


@pytest.fixture(scope="module")
def government(tmp_path_factory) -> Path:
    from qantara.project.generate import new_ml_project

    out = tmp_path_factory.mktemp("onprem")
    return new_ml_project(SA_GOVERNMENT, answers={"project_name": "Case Triage", "serving": "none"}, no_input=True,
                          output_dir=out)


def platform_export_names(blueprint: Path, environment: str) -> set[str]:
    import sys
    sys.path.insert(0, str(REPO / "tests" / "onprem"))
    from onprem_plans import provision

    _, outputs = provision(blueprint, environment)
    return set(outputs)


@pytest.mark.parametrize("blueprint", [SA_GOVERNMENT, SA_HYBRID], ids=lambda p: p.stem)
def test_every_platform_output_an_on_prem_project_reads_is_one_the_platform_exports(blueprint):
    for environment in load_blueprint(blueprint).model.spec.environments:
        assert set(PLATFORM_OUTPUTS.values()) <= platform_export_names(blueprint, environment.name)


def test_the_readme_names_only_outputs_the_on_prem_platform_exports(government):
    readme = (government / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\bonPrem[A-Za-z]+\b", readme)) | set(re.findall(r"pulumi stack output (\w+)", readme))
    config = (government / "src" / "case_triage" / "config.py").read_text(encoding="utf-8")
    named |= set(re.findall(r'TRACKING_URI_OUTPUT = "(\w+)"', config))
    assert "onPremTrackingUri" in named and "onPremNamespace" in named
    assert named <= platform_export_names(SA_GOVERNMENT, "prod")


def test_an_on_prem_project_declares_its_pipeline_schedule_and_drift_trigger_in_the_platform_namespace(government):
    resources = run_infra(government, "prod", "gov-analytics-ml-prod")
    kinds = {r["type"].rsplit(":", 1)[1]: r for r in resources if r["type"].startswith(ARGO)}
    assert set(kinds) == {"WorkflowTemplate", "CronWorkflow", "Sensor", "EventSource"}
    assert {r["inputs"]["metadata"]["namespace"] for r in kinds.values()} == {"gov-analytics-ml-prod"}
    step = kinds["WorkflowTemplate"]["inputs"]["spec"]["templates"][1]["container"]
    assert step["image"] == "registry.agency.gov.example/ml/case-triage:0.1.0"
    assert step["command"] == ["python", "-m", "case_triage.pipeline_steps"]
    # No AWS resource: the platform holds nothing of this project in the cloud.
    assert not [r for r in resources if r["type"].startswith("aws:")]
    assert "token-from-config" not in json.dumps(resources)


def test_qantara_check_passes_the_on_prem_project_with_the_platforms_exports(government, tmp_path):
    outputs = tmp_path / "platform-outputs.json"
    outputs.write_text(json.dumps(platform_outputs("gov-analytics-ml-prod")))
    config = [arg for key, value in stack_config(government, "prod").items() for arg in ("--config", f"{key}={value}")]
    result = qantara("check", str(SA_GOVERNMENT), "--env", "prod", "--program", str(government / "infra"),
                     "--stack-outputs", str(outputs), "--format", "json", *config)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "pass"


def test_stack_outputs_without_a_program_are_refused(tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text("{}")
    result = qantara("check", str(SA_GOVERNMENT), "--env", "prod", "--stack-outputs", str(outputs))
    assert result.returncode == 2 and "give --program too" in result.stderr


def test_a_stack_outputs_file_that_is_not_a_json_object_is_refused_with_its_location(tmp_path, government):
    outputs = tmp_path / "outputs.json"
    outputs.write_text('{"onPremNamespace": ')
    result = qantara("check", str(SA_GOVERNMENT), "--env", "prod", "--program", str(government / "infra"),
                     "--stack-outputs", str(outputs))
    assert result.returncode == 2 and "line 1, column" in result.stderr and "Traceback" not in result.stderr


def run_infra_up(project: Path, environment: str, namespace: str, config: dict[str, str]) -> list[dict]:
    """As `pulumi up` runs the program (not a preview), with exactly `config`."""
    outputs = {"pulumi:pulumi:StackReference": {"outputs": platform_outputs(namespace), "secretOutputNames": []}}
    sys.modules.pop("onprem_pipeline", None)
    sys.modules.pop("onprem_serving", None)
    return run_under_mocks(lambda: runpy.run_path(str(project / "infra"), run_name="__main__"),
                           project=f"{project.name.replace('_', '-')}-infra", stack=environment, config=config,
                           known_outputs=outputs, preview=False)


def without_token(project: Path, environment: str) -> dict[str, str]:
    return {k: v for k, v in stack_config(project, environment).items() if not k.endswith(":driftWebhookToken")}


def test_a_deployment_where_the_platform_watches_drift_on_site_needs_the_webhook_token(government):
    with pytest.raises(Exception, match="driftWebhookToken is not set"):
        run_infra_up(government, "prod", "gov-analytics-ml-prod", without_token(government, "prod"))


def test_a_deployment_where_drift_is_not_watched_on_site_needs_no_webhook_token(tmp_path):
    from qantara.project.generate import new_ml_project

    # The same agency, with monitoring switched off: no drift path, so no token to ask for.
    blueprint = tmp_path / "gov-without-monitoring.yaml"
    text = SA_GOVERNMENT.read_text()
    anchor = "  components:\n"
    assert anchor in text
    blueprint.write_text(text.replace(anchor, anchor + "    monitoring: {enabled: false}\n", 1))
    project = new_ml_project(blueprint, answers={"project_name": "Case Triage", "serving": "none"}, no_input=True,
                             output_dir=tmp_path / "out")
    resources = run_infra_up(project, "prod", "gov-analytics-ml-prod", without_token(project, "prod"))
    kinds = {r["type"].rsplit(":", 1)[1] for r in resources if r["type"].startswith(ARGO)}
    assert kinds == {"WorkflowTemplate", "CronWorkflow"}
