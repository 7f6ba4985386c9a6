"""The generated infra/ program, run offline under Pulumi's mocks with a platform stack's
outputs: it declares the project's endpoint with Qantara's ModelServing, in the platform's
region, and refuses to run where the project was not generated for."""

from __future__ import annotations

import json
import sys
import runpy
from pathlib import Path

import jsonschema
import pytest
import yaml
from ml_project_cases import SA_HYBRID

from qantara.components.model_serving import TYPE_TOKEN, endpoint_name
from qantara.plan.offline import run_under_mocks

PULUMI_PROJECT_SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "pulumi-project.schema.json"
PLATFORM_OUTPUTS = {
    "region": "me-central-1",
    "platformKeyArn": "arn:aws:kms:me-central-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "servingRoleArn": "arn:aws:iam::000000000000:role/dubai-care-ml-dev-serving",
    "privateSubnetIds": ["subnet-0a", "subnet-0b"],
    "servingSecurityGroupIds": ["sg-0a"],
    "dataCaptureBucket": "dubai-care-ml-dev-capture-me-central-1",
    # What the project's pipeline reads (qantara.components.ml_pipeline).
    "workloadSecurityGroupId": "sg-0a",
    "dataLakeBuckets": {"raw": "dubai-care-ml-dev-raw-me-central-1", "curated": "dubai-care-ml-dev-curated-me-central-1",
                        "artifacts": "dubai-care-ml-dev-artifacts-me-central-1"},
    "modelImageRepositoryUrl": "000000000000.dkr.ecr.me-central-1.amazonaws.com/dubai-care-ml-dev-models",
    "modelPackageGroups": ["dubai-care-ml-dev-readmission-risk", "dubai-care-ml-dev-dev-only", "dubai-care-ml-dev-models"],
    # Experiment tracking's SageMaker MLflow server and the network's endpoint to it: the pipeline's track step.
    "trackingUri": "arn:aws:sagemaker:me-central-1:000000000000:mlflow-tracking-server/dubai-care-ml-dev",
    "mlflowVpcEndpointId": "vpce-0a",
}


def run_infra(project: Path, environment: str = "dev", outputs: dict | None = None) -> dict:
    name = f"{project.name.replace('_', '-')}-infra"
    config = {
        f"{name}:platformStack": "acme/qantara/dev",
        f"{name}:environment": environment,
        f"{name}:imageUri": "000000000000.dkr.ecr.me-central-1.amazonaws.com/models:readmission-1",
    }
    stack_outputs = {"outputs": outputs or PLATFORM_OUTPUTS, "secretOutputNames": []}
    # The program imports its sibling module by name: a project planned before in this process
    # must not lend it its own (Pulumi runs one program per process).
    sys.modules.pop("onprem_pipeline", None)
    resources = run_under_mocks(lambda: runpy.run_path(str(project / "infra"), run_name="__main__"),
                                project=name, stack=environment, config=config,
                                known_outputs={"pulumi:pulumi:StackReference": stack_outputs})
    return {(r["type"], r["name"]): r for r in resources}


@pytest.mark.parametrize("serving", ["realtime", "batch", "none"])
def test_the_infra_project_file_is_valid_against_pulumis_own_schema(bake, serving):
    infra = bake(project_name="Readmission Risk", serving=serving) / "infra"
    project = yaml.safe_load((infra / "Pulumi.yaml").read_text())
    jsonschema.validate(project, json.loads(PULUMI_PROJECT_SCHEMA.read_text()))
    assert project["name"] == "readmission-risk-infra"
    assert {"platformStack", "environment"} <= set(project["config"])


def test_a_realtime_project_declares_its_endpoint_in_the_platforms_region(bake):
    project = bake(project_name="Readmission Risk", serving="realtime")
    resources = run_infra(project)
    serving = resources[(TYPE_TOKEN, "readmission-risk")]
    assert serving["inputs"]["dataClassification"] == "restricted"
    endpoint = resources[("aws:sagemaker/endpoint:Endpoint", "readmission-risk-endpoint")]
    assert endpoint["inputs"]["name"] == endpoint_name("dubai-care-ml", "dev", "readmission-risk")
    provider = resources[("pulumi:providers:aws", "platform-region")]
    assert provider["inputs"]["region"] == "me-central-1"
    assert endpoint["provider"].startswith(provider["urn"])


@pytest.mark.parametrize("serving", ["batch", "none"])
def test_a_project_not_served_in_real_time_declares_no_endpoint(bake, serving):
    resources = run_infra(bake(project_name="Readmission Risk", serving=serving))
    assert not [key for key in resources if key[0].startswith(("aws:sagemaker/endpoint", "qantara:model_serving"))]
    # Its pipeline trains and registers all the same.
    assert ("aws:sagemaker/pipeline:Pipeline", "readmission-risk-pipeline") in resources


def test_a_platform_stack_in_another_region_is_refused(bake):
    project = bake(project_name="Readmission Risk", serving="realtime")
    with pytest.raises(Exception, match="generated for me-central-1"):
        run_infra(project, outputs={**PLATFORM_OUTPUTS, "region": "eu-west-1"})


def test_an_environment_the_project_does_not_use_is_refused(bake):
    project = bake(project_name="Dev Only", serving="realtime", environments="dev")
    with pytest.raises(Exception, match="'prod' is not one of this project's"):
        run_infra(project, environment="prod")


def test_a_platform_serving_on_premises_gets_its_pipeline_on_site_and_nothing_in_aws(bake):
    project = bake(blueprint=SA_HYBRID, project_name="Ward Triage", serving="realtime")
    with pytest.raises(Exception, match="onPrem"):
        run_infra(project)  # the cloud platform's outputs only: the site's are missing, nothing is declared
    from test_infra_onprem import run_infra as run_onprem_infra

    resources = run_onprem_infra(project, "prod", "sa-health-prod")
    assert not [r for r in resources if r["type"].startswith("aws:")]
    assert {"WorkflowTemplate", "CronWorkflow"} <= {r["type"].rsplit(":", 1)[1] for r in resources}
