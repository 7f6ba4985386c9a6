"""A tracked SageMaker pipeline: evaluate writes the run's record, a track step after register reads
only that record, runs as its own role (not the pipeline's) with the network to reach MLflow, and
logs the run to the platform's SageMaker MLflow server in the pipeline's own account and region;
a server anywhere else stops the deployment, and an untracked pipeline has no such step or role."""

from __future__ import annotations

import json

import pytest
from test_ml_pipeline import ACCOUNT, ARTIFACTS, KEY, PIPELINE, args, place, steps_by_name, validate

from qantara.components.ml_pipeline import MlPipeline
from qantara.components.ml_pipeline_access import TRACKING_ACTIONS, pipeline_role_policy, track_role_policy
from qantara.components.ml_pipeline_definition import (
    PACKAGE_ARN_ENV,
    TRACKING_URI_ENV,
    pipeline_definition,
    tracking_problem,
)
from qantara.errors import QantaraError

SERVER = f"arn:aws:sagemaker:me-central-1:{ACCOUNT}:mlflow-tracking-server/dubai-care-ml-prod"
TRACK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/dubai-care-ml-prod-readmission-risk-track"
PIPELINE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/dubai-care-ml-prod-readmission-risk-pipeline"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def tracked(data_class: str = "restricted", **changes):
    return place(data_class, **{"tracking_server_arn": SERVER, "track_role_arn": TRACK_ROLE, **changes})


def actions(statement: dict) -> list[str]:
    return [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]


def resources(statement: dict) -> list[str]:
    return [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]


@pytest.mark.parametrize("data_class", ["internal", "restricted", "secret"])
def test_a_tracked_definition_is_valid_against_the_published_schema(data_class):
    validate(pipeline_definition(tracked(data_class)))


def test_an_untracked_pipeline_has_no_track_step_and_no_record_output():
    definition = pipeline_definition(place())
    assert "track" not in steps_by_name(definition)
    assert "record" not in json.dumps(definition)


def test_the_track_step_runs_after_register_reading_only_evaluates_record():
    steps = steps_by_name(pipeline_definition(tracked()))
    track = steps["track"]
    assert track["DependsOn"] == ["Register"]
    inputs = track["Arguments"]["ProcessingInputs"]
    assert [i["S3Input"]["S3Uri"] for i in inputs] == [f"s3://{ARTIFACTS}/pipelines/readmission-risk/record/"]
    evaluate_outputs = steps["evaluate"]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert {o["OutputName"]: o["S3Output"]["S3Uri"] for o in evaluate_outputs}["record"] == inputs[0]["S3Input"]["S3Uri"]
    # The record is written by evaluate's own command, into that second output's directory.
    command = steps["evaluate"]["Arguments"]["AppSpecification"]["ContainerEntrypoint"]
    assert command[command.index("--record-dir") + 1] == "/opt/ml/processing/output/record"
    assert track["Arguments"]["AppSpecification"]["ContainerEntrypoint"] == [
        "python", "-m", "readmission_risk.pipeline_steps", "--step", "track",
        "--in-dir", "/opt/ml/processing/input/record", "--out-dir", "/opt/ml/processing/output/track"]


def test_the_track_step_gets_the_server_and_the_registered_packages_arn_through_its_environment():
    environment = steps_by_name(pipeline_definition(tracked()))["track"]["Arguments"]["Environment"]
    assert environment[TRACKING_URI_ENV] == SERVER
    assert environment[PACKAGE_ARN_ENV] == {"Get": "Steps.Register.ModelPackageArn"}


@pytest.mark.parametrize("data_class", ["restricted", "secret"])
def test_only_the_track_step_has_a_network_and_it_runs_as_its_own_role(data_class):
    for name, step in steps_by_name(pipeline_definition(tracked(data_class))).items():
        arguments = step["Arguments"]
        network = arguments.get("NetworkConfig", arguments)
        if step["Type"] == "RegisterModel":
            continue
        if name == "track":
            assert network["EnableNetworkIsolation"] is False
            assert arguments["RoleArn"] == TRACK_ROLE
        else:
            assert network["EnableNetworkIsolation"] is True, name
            assert arguments["RoleArn"] == PIPELINE_ROLE, name


def test_the_track_step_runs_in_the_platforms_subnets_with_its_key():
    arguments = steps_by_name(pipeline_definition(tracked()))["track"]["Arguments"]
    assert arguments["NetworkConfig"]["VpcConfig"] == {"SecurityGroupIds": ["sg-0a"], "Subnets": ["subnet-0a", "subnet-0b"]}
    assert arguments["NetworkConfig"]["EnableInterContainerTrafficEncryption"] is True
    assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KEY
    assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == KEY


def test_a_track_step_as_the_pipeline_role_is_refused():
    with pytest.raises(QantaraError, match="its own role"):
        pipeline_definition(tracked(track_role_arn=PIPELINE_ROLE))
    with pytest.raises(QantaraError, match="its own role"):
        pipeline_definition(tracked(track_role_arn=""))


def test_the_track_role_reads_the_record_and_calls_mlflow_on_this_server_only():
    statements = json.loads(track_role_policy(tracked()))["Statement"]
    s3 = [(a, r) for s in statements for a in actions(s) if a.startswith("s3:") for r in resources(s)]
    assert sorted(s3) == sorted([
        ("s3:ListBucket", f"arn:aws:s3:::{ARTIFACTS}"),
        ("s3:GetObject", f"arn:aws:s3:::{ARTIFACTS}/pipelines/readmission-risk/record/*"),
        ("s3:PutObject", f"arn:aws:s3:::{ARTIFACTS}/pipelines/readmission-risk/track/*")])
    listing = next(s for s in statements if "s3:ListBucket" in actions(s))
    assert listing["Condition"]["StringLike"]["s3:prefix"] == ["pipelines/readmission-risk/record",
                                                               "pipelines/readmission-risk/record/*"]
    # Nothing of the data lake: not the curated bucket, not another step's output, not the models.
    text = json.dumps(statements)
    assert "curated" not in text and "/features/" not in text and "/models/" not in text
    mlflow = [s for s in statements if any(a.startswith("sagemaker-mlflow:") for a in actions(s))]
    assert mlflow == [next(s for s in statements if s["Sid"] == "LogRunsToThePlatformsTrackingServer")]
    assert resources(mlflow[0]) == [SERVER]
    assert set(actions(mlflow[0])) == set(TRACKING_ACTIONS)
    every = {a for s in statements for a in actions(s)}
    assert not [a for a in every if a.endswith("*")]
    assert not [a for a in every if a.startswith("sagemaker:")]  # no SageMaker API: no package, no job
    # Deleting is only of its own job's network interfaces (as every VPC job's role); no passing roles.
    assert not [a for a in every if ("Delete" in a and not a.startswith("ec2:")) or a == "iam:PassRole"]


def test_the_pipeline_role_may_pass_the_track_role_and_start_only_the_track_job_without_isolation():
    statements = json.loads(pipeline_role_policy(tracked()))["Statement"]
    passing = next(s for s in statements if s["Sid"] == "PassOwnRoleToJobs")
    assert sorted(resources(passing)) == sorted([PIPELINE_ROLE, TRACK_ROLE])
    general = next(s for s in statements if s["Sid"] == "StartJobsInThePlatformsNetworkWithItsKey")
    assert general["Condition"]["Bool"]["sagemaker:NetworkIsolation"] == "true"
    track = next(s for s in statements if s["Sid"] == "StartTrackJobInThePlatformsNetworkWithItsKey")
    assert actions(track) == ["sagemaker:CreateProcessingJob"]
    assert all("-track-" in r.lower() and ":processing-job/pipelines-" in r for r in resources(track))
    assert "sagemaker:NetworkIsolation" not in json.dumps(track["Condition"])
    assert track["Condition"]["StringEquals"]["sagemaker:VolumeKmsKey"] == KEY


def test_an_untracked_pipeline_role_passes_only_itself():
    statements = json.loads(pipeline_role_policy(place()))["Statement"]
    assert next(s for s in statements if s["Sid"] == "PassOwnRoleToJobs")["Resource"] == [PIPELINE_ROLE]
    assert not [s for s in statements if "Track" in s["Sid"]]
    with pytest.raises(QantaraError, match="not tracked"):
        track_role_policy(place())


@pytest.mark.parametrize(("arn", "problem"), [
    (SERVER, None),
    (SERVER.replace("me-central-1", "eu-central-1"), "region eu-central-1"),
    (SERVER.replace(ACCOUNT, "111111111111"), "account 111111111111"),
    (SERVER.replace("arn:aws:", "arn:aws-cn:"), "partition aws-cn"),
    (f"arn:aws:sagemaker:me-central-1:{ACCOUNT}:mlflow-app/app-1", "not a SageMaker MLflow tracking server"),
    (f"arn:aws:sagemaker:me-central-1:{ACCOUNT}:mlflow-tracking-server/", "not a SageMaker MLflow tracking server"),
    ("http://mlflow.internal:5000", "not a SageMaker MLflow tracking server"),
    (None, "not a SageMaker MLflow tracking server"),
])
def test_only_a_tracking_server_in_the_pipelines_account_and_region_may_receive_its_runs(arn, problem):
    found = tracking_problem(arn, "aws", "me-central-1", ACCOUNT)
    assert found is None if problem is None else problem in found


def test_the_component_gives_the_track_step_its_own_role_and_the_pipeline_its_record(build):
    built = build(lambda: MlPipeline("readmission-risk", args(tracking_server_arn=SERVER)))
    definition = json.loads(built[(PIPELINE, "readmission-risk-pipeline")]["inputs"]["pipelineDefinition"])
    validate(definition)
    track = steps_by_name(definition)["track"]["Arguments"]
    assert track["RoleArn"] == TRACK_ROLE
    role = built[("aws:iam/role:Role", "readmission-risk-track-role")]["inputs"]
    assert role["name"] == "dubai-care-ml-prod-readmission-risk-track"
    assert json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    policy = json.loads(built[(ROLE_POLICY, "readmission-risk-track-role-policy")]["inputs"]["policy"])
    assert policy == json.loads(track_role_policy(tracked()))


def test_the_component_without_a_tracking_server_has_no_track_role(build):
    built = build(lambda: MlPipeline("readmission-risk", args()))
    assert not [key for key in built if "track" in key[1]]


@pytest.mark.parametrize("server", [
    SERVER.replace("me-central-1", "me-south-1"),  # Bahrain: another jurisdiction
    SERVER.replace(ACCOUNT, "111111111111"),  # the group's shared MLflow account
    "https://mlflow.example.org",
])
def test_a_tracking_server_elsewhere_stops_the_deployment(build, server):
    with pytest.raises(Exception, match="cannot be logged to the platform's tracking server"):
        build(lambda: MlPipeline("readmission-risk", args(tracking_server_arn=server)))
