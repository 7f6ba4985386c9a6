"""The SageMaker pipeline's steps run what the project's image has: every processing command
names a step and options the template's pipeline_steps knows, reads where SageMaker mounts its
inputs and writes where it uploads its output, and the training job's channel is the one the
image's entrypoint reads. Read from the template's source, so a renamed step or option fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from qantara.components.ml_pipeline_definition import (
    CONTAINER_INPUT,
    CONTAINER_OUTPUT,
    PROCESSING_STEPS,
    STEPS,
    PipelinePlace,
    pipeline_definition,
)

PACKAGE = Path(__file__).resolve().parents[2] / "templates" / "ml-project" / "{{cookiecutter.project_slug}}" / "src" / \
    "{{cookiecutter.project_slug}}"


def place() -> PipelinePlace:
    return PipelinePlace(
        project="readmission-risk", package="readmission_risk", region="me-central-1", partition="aws",
        account_id="000000000000", image_uri="000000000000.dkr.ecr.me-central-1.amazonaws.com/models:r-0.1.0",
        role_arn="arn:aws:iam::000000000000:role/pipeline", kms_key_arn="arn:aws:kms:me-central-1:000000000000:key/k",
        subnet_ids=("subnet-0a",), security_group_ids=("sg-0a",), data_bucket="curated", artifacts_bucket="artifacts",
        model_package_group="readmission-risk", data_classification="restricted",
        monitoring_bucket="artifacts", model_name="readmission-risk")


def template_steps() -> list[str]:
    """The step names of the template's pipeline.STEPS, as written in its source."""
    source = (PACKAGE / "pipeline.py").read_text()
    block = source[source.index("STEPS: tuple"):]
    block = block[:block.index("\n\n")]
    return re.findall(r'\("(\w+)", \w+\)', block)


def pipeline_steps_options() -> set[str]:
    """Every option pipeline_steps' parser declares."""
    tree = ast.parse((PACKAGE / "pipeline_steps.py").read_text())
    return {arg.value for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "add_argument"
            for arg in node.args if isinstance(arg, ast.Constant) and str(arg.value).startswith("--")}


def processing(definition: dict) -> dict[str, dict]:
    """The project's own processing steps (the baseline step runs AWS's analyzer, not pipeline_steps)."""
    return {s["Name"].lower(): s["Arguments"] for s in definition["Steps"]
            if s["Type"] == "Processing" and s["Name"].lower() in PROCESSING_STEPS}


def test_the_template_declares_the_seven_steps_the_definition_runs():
    assert template_steps() == list(STEPS)


@pytest.mark.parametrize("step", PROCESSING_STEPS)
def test_each_processing_command_is_a_pipeline_steps_call_the_image_understands(step):
    arguments = processing(pipeline_definition(place()))[step]
    command = arguments["AppSpecification"]["ContainerEntrypoint"]
    assert command[:3] == ["python", "-m", "readmission_risk.pipeline_steps"]
    pairs = list(zip(command[3::2], command[4::2], strict=True))
    options = dict(pairs)
    assert set(options) <= pipeline_steps_options(), f"{step}: options pipeline_steps lacks: {options}"
    assert options["--step"] == step and step in template_steps()
    # It reads exactly the inputs SageMaker mounts (--in-dir repeats) and writes the one output it uploads.
    mounted = {i["S3Input"]["LocalPath"] for i in arguments["ProcessingInputs"]}
    read = {value for key, value in pairs if key in ("--in-dir", "--data")}
    assert read == mounted and all(p.startswith(CONTAINER_INPUT + "/") for p in mounted)
    [output] = arguments["ProcessingOutputConfig"]["Outputs"]
    assert options["--out-dir"] == output["S3Output"]["LocalPath"] == f"{CONTAINER_OUTPUT}/{step}"


def test_every_step_after_ingest_reads_the_run_so_far_not_raw_data():
    commands = {step: args["AppSpecification"]["ContainerEntrypoint"]
                for step, args in processing(pipeline_definition(place())).items()}
    assert "--data" in commands["ingest"] and "--in-dir" not in commands["ingest"]
    for step in set(PROCESSING_STEPS) - {"ingest"}:
        assert "--in-dir" in commands[step] and "--data" not in commands[step], step


def test_the_training_channel_is_the_one_the_images_entrypoint_reads():
    training = next(s for s in pipeline_definition(place())["Steps"] if s["Type"] == "Training")["Arguments"]
    # The schema allows no command for training: the image's entrypoint must dispatch `train`.
    assert set(training["AlgorithmSpecification"]) == {"TrainingImage", "TrainingInputMode"}
    [channel] = training["InputDataConfig"]
    container = (PACKAGE / "container.py").read_text()
    assert f'TRAINING_CHANNEL = "{channel["ChannelName"]}"' in container
    assert 'MODEL_DIR = "/opt/ml/model"' in container
    dockerfile = (PACKAGE.parents[1] / "Dockerfile").read_text()
    # One entrypoint for every kind of project (realtime, batch, none): always container.py.
    assert re.findall(r"^ENTRYPOINT .*$", dockerfile, re.M) == [
        'ENTRYPOINT ["python", "-m", "{{ cookiecutter.project_slug }}.container"]']


def test_evaluate_reads_the_trained_model_archive_and_register_its_metrics_file():
    definition = pipeline_definition(place())
    inputs = {i["InputName"]: i for i in processing(definition)["evaluate"]["ProcessingInputs"]}
    assert inputs["model"]["S3Input"]["S3Uri"] == {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    # The archive is the served model only: the held-out split comes from the features step's output.
    assert set(inputs) == {"features", "model"}
    register = next(s for s in definition["Steps"] if s["Type"] == "RegisterModel")["Arguments"]
    # evaluate writes the whole run, its own files under evaluate/ (pipeline.evaluate: metrics.json).
    assert register["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"].endswith("/evaluate/evaluate/metrics.json")


def test_the_baseline_reads_the_model_inputs_the_templates_features_step_writes():
    baseline = next(s for s in pipeline_definition(place())["Steps"] if s["Name"] == "Baseline")["Arguments"]
    [source] = baseline["ProcessingInputs"]
    step, name = source["S3Input"]["S3Uri"].removeprefix("s3://artifacts/pipelines/readmission-risk/features/").split("/")
    source_text = (PACKAGE / "pipeline.py").read_text()
    # pipeline.build_features: the model's inputs of the rows train fits on, with their header (the
    # analyzer's feature names), under the name the definition reads.
    assert step == "features" and f'MODEL_INPUTS = "{name}"' in source_text
    assert ('features.model_inputs(train_frame).to_csv(run.output("features", MODEL_INPUTS), index=False)'
            in source_text)
    assert name != "train.csv"


def test_the_model_server_reads_and_answers_the_content_type_the_model_package_declares():
    from qantara.components.ml_pipeline_definition import MODEL_CONTENT_TYPE

    serve = (PACKAGE / "serve.py").read_text()
    # The request body is parsed as JSON whatever its header says, and every answer is JSON.
    assert "body = json.loads(self.rfile.read(length)" in serve
    assert f'self._send(status, json.dumps(payload).encode(), "{MODEL_CONTENT_TYPE}")' in serve
    assert "text/csv" not in serve and "read_csv(self" not in serve
