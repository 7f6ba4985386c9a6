"""The SageMaker pipeline definition of a project's seven steps, as plain data.

Ingest, validate, features, evaluate and the monitor baseline are Processing steps, train a
Training step, register a RegisterModel step, all in the project's own image. The JSON follows
the published pipeline definition schema (tests/fixtures/schemas/sagemaker-pipeline-definition)
and the request shapes of the SageMaker CreateProcessingJob, CreateTrainingJob and
CreateModelPackage APIs. Every job runs in the platform's private subnets with its volume and
outputs encrypted with the platform key, reads and writes only the platform's buckets under
the project's prefixes, and, for restricted or secret data, runs network-isolated.

The image is the project's (Dockerfile). A processing step runs
`python -m <package>.pipeline_steps --step <name> --in-dir ... --out-dir ...`: SageMaker mounts
each input at /opt/ml/processing/input/<name> and uploads /opt/ml/processing/output/<name>, and
each step writes the whole run directory so far (every step's files and the lineage record) to
its output, so the next step's one input is the step before's output. SageMaker starts the
training container as `<image> train` (the training schema has no ContainerEntrypoint); the
image's entrypoint (container.py) runs the train step from the channel mounted at
/opt/ml/input/data/<channel> into /opt/ml/model, which SageMaker archives as model.tar.gz: the
served model directory and its lineage, what RegisterModel registers and an endpoint serves.
Evaluate reads that archive together with the features step's output (the held-out split), and
writes the run's lineage as a property file RegisterModel reads into the model package's
CustomerMetadataProperties (PACKAGE_METADATA_STEP below).

After the seven steps, a baseline step (not one of the project's steps: AWS's code, not the
project's) runs SageMaker Model Monitor's prebuilt analyzer over the training split the model was
fitted on, as the endpoint receives it (the model's input columns only, in its input order: the
features step's model_inputs.csv), and writes constraints.json and statistics.json where the model's
data-quality monitoring reads them (drift_monitoring.baseline_uri), as the SageMaker SDK's
suggest_baseline does; without it the endpoint's drift monitoring has nothing to compare with.

When the platform's experiment tracking is SageMaker managed MLflow in the pipeline's own account
and region (PipelinePlace.tracking_server_arn), the run is also logged to MLflow, as a local run
logs itself. Every step that touches data may run network-isolated, so none of them can reach
MLflow: evaluate writes a second output, `record` (the run's lineage, parameters, metrics and the
model's version and hash; never a data row), and a `track` step after register, with its own role
(ml_pipeline_access.track_role_policy) and the network to reach MLflow, reads only that record and
logs one MLflow run tagged with the registered package's ARN.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from qantara.catalog import load_catalog
from qantara.components.drift_monitoring import (
    BASELINE_DATASET_FORMAT,
    IMAGES_CATALOG,
    baseline_uri,
    monitor_image_uri,
)
from qantara.errors import CatalogError, QantaraError

DEFINITION_VERSION = "2020-12-01"
APPROVAL_STATUS = "PendingManualApproval"
# What started a run, as the local pipeline records it (pipeline.REASONS in the template).
TRIGGER_PARAMETER = "Trigger"
TRIGGERS = ("person", "schedule", "drift")
STEPS = ("ingest", "validate", "features", "train", "evaluate", "register", "monitor")
PROCESSING_STEPS = ("ingest", "validate", "features", "evaluate", "monitor")
# The classes whose jobs run with no network at all: the container reaches neither the
# internet nor the VPC; SageMaker alone moves the inputs and outputs.
ISOLATED_CLASSES = ("restricted", "secret")

# What the project's model server (the template's serve.py) reads and answers: JSON,
# {"instances": [...]} in and {"predictions": [...]} out; never CSV, which it refuses. The endpoint's
# capture records it as JSON text (drift_monitoring.CAPTURE_JSON_CONTENT_TYPES).
MODEL_CONTENT_TYPE = "application/json"

# Where the steps read and write, under the platform's buckets.
TRAINING_DATA_PREFIX = "training"  # curated/<model group>/training/, as qantara.yaml says
PIPELINE_PREFIX = "pipelines"  # artifacts/pipelines/<project>/<step>/
MODEL_ARTIFACTS_PREFIX = "models"  # artifacts/models/<project>/, where serving reads models

# SageMaker processing containers read and write under /opt/ml/processing.
CONTAINER_INPUT = "/opt/ml/processing/input"
CONTAINER_OUTPUT = "/opt/ml/processing/output"
# The module of the project's package that runs one step (the template's pipeline_steps.py).
STEP_MODULE = "pipeline_steps"
# The training job's one channel, mounted at /opt/ml/input/data/<channel>; the image's
# entrypoint (the template's container.py, TRAINING_CHANNEL) reads the same name.
TRAINING_CHANNEL = "features"

# What each processing step reads: the training data, or the step before's output (the whole
# run so far); "model" is the training job's model.tar.gz, the run through train.
STEP_INPUTS = {
    "ingest": ("data",),
    # The track step reads the run's record and nothing else (no data, no model).
    "track": ("record",),
    "validate": ("ingest",),
    "features": ("validate",),
    # The model archive holds the served model and its lineage only, never the training data:
    # evaluate reads the held-out split from the features step's output.
    "evaluate": ("features", "model"),
    "monitor": ("evaluate",),
}
STEP_DEPENDS = {"validate": ["ingest"], "features": ["validate"], "train": ["features"], "evaluate": ["train"],
                "register": ["evaluate"], "monitor": ["register"], "baseline": ["monitor"], "track": ["register"]}

# The run's record, evaluate's second output when the run is tracked: only what the track step
# may read (the template's pipeline_steps.write_record writes one file, RECORD_FILE, in it).
RECORD_OUTPUT = "record"
# The step that logs the run to MLflow: after register, so the package's ARN is known; its only
# input is the record. Not one of STEPS: it touches no data and is absent when nothing is tracked.
TRACK_STEP = "track"
# What the track step reads from register: the model package's ARN. RegisterModel's properties
# are DescribeModelPackage's output (aws/sagemaker-python-sdk at
# 530d21b1428a8eed402000cd553e6aa36ade305e, src/sagemaker/workflow/_utils.py: _RegisterModelStep,
# Properties(step_name=name, shape_name="DescribeModelPackageOutput"); its unit test
# tests/unit/sagemaker/workflow/test_properties.py reads ModelPackageArn the same way, read
# 2026-12-06). It reaches the job through its Environment, whose values the published schema types
# as StringArgumentValue, a string or a Get (ProcessingArgs.Environment, the fixture's schema).
PACKAGE_ARN_GET = "Steps.Register.ModelPackageArn"
# The container's environment names: MLflow reads MLFLOW_TRACKING_URI itself; the template's
# pipeline_steps reads QANTARA_MODEL_PACKAGE_ARN.
TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
PACKAGE_ARN_ENV = "QANTARA_MODEL_PACKAGE_ARN"

# The drift baseline, last: only a run whose model registered and can be watched (monitor)
# replaces the baseline the endpoint's monitoring reads.
BASELINE_STEP = "baseline"
# The baseline dataset in the features step's output: the template's pipeline.build_features writes
# features/<pipeline.MODEL_INPUTS> into the run (the step's output is the whole run): the training
# rows with the model's input columns only, in the model's input order, under a header naming them,
# the columns the endpoint receives. Never train.csv, which holds the target and the sensitive
# columns too: the analyzer matches the capture with the baseline by the number and order of the
# columns (drift_monitoring.BASELINE_DATASET_FORMAT), so every extra column shifts the comparison.
BASELINE_DATASET = "features/model_inputs.csv"
# What the SageMaker Python SDK's suggest_baseline gives the analyzer (aws/sagemaker-python-sdk
# at 446de53d6ee12ca4d68e6f028275d095107d93ed, src/sagemaker/model_monitor/model_monitoring.py:
# DefaultModelMonitor.suggest_baseline, _generate_env_map and the _*_ENV_NAME constants;
# dataset_format.py: DatasetFormat.csv). The dataset must be a directory for the analyzer,
# mounted at /opt/ml/processing/input/baseline_dataset_input; its results go to
# /opt/ml/processing/output. Its dataset format is DriftMonitoring's (BASELINE_DATASET_FORMAT): CSV
# with a header row, whose feature names become the statistics' names, and so the drift metrics'
# feature_baseline_drift_<name>.
ANALYZER_INPUT_NAME = "baseline_dataset_input"
ANALYZER_INPUT = f"{CONTAINER_INPUT}/{ANALYZER_INPUT_NAME}"
ANALYZER_OUTPUT = CONTAINER_OUTPUT

# The run's lineage on the registered model package (CustomerMetadataProperties). RegisterModel
# is SageMaker's own step, so the evaluate step (the project's image, holding the whole run)
# writes the metadata as a property file, declared as that step's PropertyFiles, and
# RegisterModel reads each key with a JsonGet on it. A JsonGet on a path the file lacks fails the
# execution, so the key set is FIXED: the template's lineage_metadata.package_metadata_keys()
# (RUN_FIELDS, the data's count and digest, the first PACKAGE_DATA_ENTRIES data entries), which
# writes every key, a placeholder where the run has none. The template cannot import Qantara:
# tests/components/test_ml_pipeline_package_metadata.py bakes a project and compares the two.
# How SageMaker spells it (aws/sagemaker-python-sdk): src/sagemaker/workflow/properties.py at
# 0768754cd97441e7fca64d34beefb095eef7a7f3, PropertyFile.expr ({PropertyFileName, OutputName,
# FilePath}); src/sagemaker/workflow/steps.py at 0097221b09fb058c427222ec7421442ddbf8937c,
# ProcessingStep.to_request (the step's "PropertyFiles" list); src/sagemaker/workflow/functions.py
# at 06f99932fe30640105690e5a2b7c50703b762b06, JsonGet.expr ({"Std:JsonGet": {"PropertyFile":
# {"Get": "Steps.<step>.PropertyFiles.<name>"}, "Path": <json path>}}); the CreateModelPackage
# request's CustomerMetadataProperties (get_create_model_package_request), a map of key to value.
PACKAGE_METADATA_STEP = "evaluate"
PACKAGE_PROPERTY_FILE = "PackageMetadata"
# Under the evaluate step's output (the whole run): evaluate/<lineage_metadata.PROPERTY_FILE>.
PACKAGE_PROPERTY_FILE_PATH = "evaluate/model_package_properties.json"
PACKAGE_RUN_KEYS = ("qantara:run", "qantara:startedBy", "qantara:reason", "qantara:why", "qantara:codeCommit",
                    "qantara:imageDigest", "qantara:executionId", "qantara:engine", "qantara:modelVersion",
                    "qantara:modelSha256")
PACKAGE_DATA_FIELDS = ("sha256", "uri", "versionId")
# SageMaker keeps at most 50 entries: the run's ten, count and digest, then 12 data entries of 3.
PACKAGE_MAX_ENTRIES = 50
PACKAGE_DATA_ENTRIES = (PACKAGE_MAX_ENTRIES - len(PACKAGE_RUN_KEYS) - 2) // len(PACKAGE_DATA_FIELDS)


def package_metadata_keys() -> tuple[str, ...]:
    return (*PACKAGE_RUN_KEYS, "qantara:data:count", "qantara:data:digest",
            *(f"qantara:data:{index}:{field}" for index in range(PACKAGE_DATA_ENTRIES)
              for field in PACKAGE_DATA_FIELDS))


def package_json_path(key: str) -> str:
    # The file names a key with `_` for `:` (lineage_metadata.json_name): a plain JSON path.
    return key.replace(":", "_")


def package_property_file() -> dict:
    return {"PropertyFileName": PACKAGE_PROPERTY_FILE, "OutputName": PACKAGE_METADATA_STEP,
            "FilePath": PACKAGE_PROPERTY_FILE_PATH}


def customer_metadata_properties() -> dict:
    """Each fixed key, read from the evaluate step's property file when RegisterModel runs."""
    source = {"Get": f"Steps.{_step_name(PACKAGE_METADATA_STEP)}.PropertyFiles.{PACKAGE_PROPERTY_FILE}"}
    return {key: {"Std:JsonGet": {"PropertyFile": dict(source), "Path": package_json_path(key)}}
            for key in package_metadata_keys()}


@dataclass(frozen=True)
class PipelinePlace:
    """Where the pipeline runs and what it may touch: plain, known strings."""

    project: str
    package: str
    region: str
    partition: str
    account_id: str
    image_uri: str
    role_arn: str
    kms_key_arn: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    data_bucket: str
    artifacts_bucket: str
    model_package_group: str
    data_classification: str
    # Where the model's drift monitoring reads its baseline: the bucket DriftMonitoring is
    # given (the platform's artifacts bucket), and the model's name in the blueprint.
    monitoring_bucket: str
    model_name: str
    instance_type: str = "ml.m5.large"
    volume_size_gb: int = 30
    max_runtime_seconds: int = 3600
    # The platform's SageMaker MLflow tracking server, when the run is logged to it: its ARN (the
    # sagemaker-mlflow plugin's tracking URI), in this account and region (tracking_problem), and
    # the track step's own role. Empty: the run is not tracked, and there is no track step.
    tracking_server_arn: str = ""
    track_role_arn: str = ""


def isolated(place: PipelinePlace) -> bool:
    return place.data_classification in ISOLATED_CLASSES


def tracked(place: PipelinePlace) -> bool:
    return bool(place.tracking_server_arn)


# The partitions where a track step can reach MLflow from the platform's private subnets. The
# sagemaker-mlflow plugin calls https://<region>.experiments.sagemaker.<suffix> and knows the
# suffix of aws and aws-us-gov only (aws/sagemaker-mlflow at 046823e11662202c8aaaa7180e8f6d51edfa9a9b,
# sagemaker_mlflow/mlflow_sagemaker_helpers.py, get_tracking_server_url and get_dns_suffix, read
# 2026-12-06); the interface endpoint that reaches it (private_network.MLFLOW_ENDPOINT_SERVICE) is
# sourced for the commercial partition only. Elsewhere: no track step.
TRACKING_PARTITIONS = ("aws",)


def tracking_problem(arn: str, partition: str, region: str, account_id: str) -> str | None:
    """Why the tracking server `arn` may not receive this pipeline's runs, or None when it may: it
    must be a SageMaker MLflow tracking server (arn:<partition>:sagemaker:<region>:<account>:
    mlflow-tracking-server/<name>) in the pipeline's own partition, region and account. A run's
    lineage is metadata of classified data: it does not leave the place the data is processed."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sagemaker" \
            or not parts[5].startswith("mlflow-tracking-server/") or parts[5] == "mlflow-tracking-server/":
        return (f"`{arn}` is not a SageMaker MLflow tracking server ARN "
                "(arn:<partition>:sagemaker:<region>:<account>:mlflow-tracking-server/<name>)")
    if (parts[1], parts[3], parts[4]) != (partition, region, account_id):
        return (f"the tracking server is in partition {parts[1]}, region {parts[3]}, account {parts[4]}; the pipeline "
                f"runs in partition {partition}, region {region}, account {account_id}: a run's lineage may only be "
                "logged where its data is processed")
    if partition not in TRACKING_PARTITIONS:
        return (f"no sourced way reaches SageMaker MLflow from the platform's subnets in partition {partition} "
                f"(sourced: {', '.join(TRACKING_PARTITIONS)})")
    return None


def training_data_uri(place: PipelinePlace) -> str:
    return f"s3://{place.data_bucket}/{place.model_package_group}/{TRAINING_DATA_PREFIX}/"


def step_output_uri(place: PipelinePlace, step: str) -> str:
    return f"s3://{place.artifacts_bucket}/{PIPELINE_PREFIX}/{place.project}/{step}/"


def model_output_uri(place: PipelinePlace) -> str:
    # SageMaker appends <training job name>/output/model.tar.gz: every run keeps its own model.
    return f"s3://{place.artifacts_bucket}/{MODEL_ARTIFACTS_PREFIX}/{place.project}/"


def baseline_output_uri(place: PipelinePlace) -> str:
    return baseline_uri(place.monitoring_bucket, place.model_name)


def analyzer_image_uri(place: PipelinePlace) -> str:
    """Model Monitor's analyzer image of the pipeline's region, from the catalog DriftMonitoring
    reads; a region the catalog does not list is refused (QantaraError), never guessed."""
    images = load_catalog().get(IMAGES_CATALOG)
    if images is None:
        raise CatalogError(f"policies/data/{IMAGES_CATALOG}.yaml is missing; restore it from the repository")
    return monitor_image_uri(place.region, place.partition, images)


def _step_name(step: str) -> str:
    return step.capitalize()


def _vpc(place: PipelinePlace) -> dict:
    return {"SecurityGroupIds": list(place.security_group_ids), "Subnets": list(place.subnet_ids)}


def _processing_input(place: PipelinePlace, source: str) -> dict:
    if source == "data":
        uri: object = training_data_uri(place)
    elif source == "model":
        uri = {"Get": f"Steps.{_step_name('train')}.ModelArtifacts.S3ModelArtifacts"}
    else:
        uri = step_output_uri(place, source)
    return {"InputName": source, "S3Input": {
        "S3Uri": uri, "LocalPath": f"{CONTAINER_INPUT}/{source}", "S3DataType": "S3Prefix",
        "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}}


def step_output_dir(step: str) -> str:
    return f"{CONTAINER_OUTPUT}/{step}"


def step_command(place: PipelinePlace, step: str) -> list[str]:
    """The processing container's command: pipeline_steps from the mounted inputs to the output."""
    command = ["python", "-m", f"{place.package}.{STEP_MODULE}", "--step", step]
    for source in STEP_INPUTS[step]:
        # The training data is read by ingest (--data takes the mounted prefix); a step's output is a run.
        command += ["--data" if source == "data" else "--in-dir", f"{CONTAINER_INPUT}/{source}"]
    if step == PACKAGE_METADATA_STEP and tracked(place):
        command += ["--record-dir", step_output_dir(RECORD_OUTPUT)]
    return command + ["--out-dir", step_output_dir(step)]


def _step_output(place: PipelinePlace, name: str) -> dict:
    return {"OutputName": name, "S3Output": {
        "S3Uri": step_output_uri(place, name), "LocalPath": step_output_dir(name), "S3UploadMode": "EndOfJob"}}


def processing_step(place: PipelinePlace, step: str) -> dict:
    arguments = {
        "AppSpecification": {"ImageUri": place.image_uri, "ContainerEntrypoint": step_command(place, step)},
        "Environment": {"QANTARA_TRIGGER": {"Get": f"Parameters.{TRIGGER_PARAMETER}"}, "QANTARA_STEP": step},
        "NetworkConfig": {
            "EnableInterContainerTrafficEncryption": True,
            "EnableNetworkIsolation": isolated(place),
            "VpcConfig": _vpc(place),
        },
        "ProcessingInputs": [_processing_input(place, source) for source in STEP_INPUTS[step]],
        "ProcessingOutputConfig": {
            "KmsKeyId": place.kms_key_arn,
            "Outputs": [_step_output(place, step), *([_step_output(place, RECORD_OUTPUT)]
                                                     if step == PACKAGE_METADATA_STEP and tracked(place) else [])],
        },
        "ProcessingResources": {"ClusterConfig": {
            "InstanceCount": 1, "InstanceType": place.instance_type, "VolumeSizeInGB": place.volume_size_gb,
            "VolumeKmsKeyId": place.kms_key_arn}},
        "RoleArn": place.role_arn,
        "StoppingCondition": {"MaxRuntimeInSeconds": place.max_runtime_seconds},
    }
    body = _step(step, "Processing", arguments)
    if step == PACKAGE_METADATA_STEP:
        body["PropertyFiles"] = [package_property_file()]
    return body


def analyzer_environment() -> dict:
    # CloudWatch metrics only from monitoring schedules (as the SDK sets it): with nothing to
    # publish the job needs no network, so restricted data runs it isolated like every step.
    return {"dataset_format": json.dumps(BASELINE_DATASET_FORMAT), "dataset_source": ANALYZER_INPUT,
            "output_path": ANALYZER_OUTPUT, "publish_cloudwatch_metrics": "Disabled"}


def baseline_dataset_uri(place: PipelinePlace) -> str:
    return f"{step_output_uri(place, 'features')}{BASELINE_DATASET}"


def baseline_step(place: PipelinePlace) -> dict:
    """The analyzer over the features step's baseline dataset (the model's inputs of the training
    split), into the model's baseline prefix."""
    arguments = {
        # The image's own entrypoint is the analyzer: no command of the project's.
        "AppSpecification": {"ImageUri": analyzer_image_uri(place)},
        "Environment": analyzer_environment(),
        "NetworkConfig": {
            "EnableInterContainerTrafficEncryption": True,
            "EnableNetworkIsolation": isolated(place),
            "VpcConfig": _vpc(place),
        },
        # A prefix naming the one file: the mounted directory holds the baseline dataset only.
        "ProcessingInputs": [{"InputName": ANALYZER_INPUT_NAME, "S3Input": {
            "S3Uri": baseline_dataset_uri(place), "LocalPath": ANALYZER_INPUT, "S3DataType": "S3Prefix",
            "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}}],
        "ProcessingOutputConfig": {
            "KmsKeyId": place.kms_key_arn,
            "Outputs": [{"OutputName": BASELINE_STEP, "S3Output": {
                "S3Uri": baseline_output_uri(place), "LocalPath": ANALYZER_OUTPUT, "S3UploadMode": "EndOfJob"}}],
        },
        "ProcessingResources": {"ClusterConfig": {
            "InstanceCount": 1, "InstanceType": place.instance_type, "VolumeSizeInGB": place.volume_size_gb,
            "VolumeKmsKeyId": place.kms_key_arn}},
        "RoleArn": place.role_arn,
        "StoppingCondition": {"MaxRuntimeInSeconds": place.max_runtime_seconds},
    }
    return _step(BASELINE_STEP, "Processing", arguments)


def training_step(place: PipelinePlace) -> dict:
    arguments = {
        "AlgorithmSpecification": {"TrainingImage": place.image_uri, "TrainingInputMode": "File"},
        "EnableInterContainerTrafficEncryption": True,
        "EnableNetworkIsolation": isolated(place),
        "InputDataConfig": [{"ChannelName": TRAINING_CHANNEL, "DataSource": {"S3DataSource": {
            "S3Uri": step_output_uri(place, "features"), "S3DataType": "S3Prefix",
            "S3DataDistributionType": "FullyReplicated"}}}],
        "OutputDataConfig": {"KmsKeyId": place.kms_key_arn, "S3OutputPath": model_output_uri(place)},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": place.instance_type,
                           "VolumeSizeInGB": place.volume_size_gb, "VolumeKmsKeyId": place.kms_key_arn},
        "RoleArn": place.role_arn,
        "StoppingCondition": {"MaxRuntimeInSeconds": place.max_runtime_seconds},
        "VpcConfig": _vpc(place),
    }
    return _step("train", "Training", arguments)


def track_step(place: PipelinePlace) -> dict:
    """Log the run to the platform's MLflow: the record in, one MLflow run out. A processing step of
    the project's image like the others but for three things: it is told the tracking server and the
    registered package, it is not isolated (it must reach MLflow through the VPC's endpoint), and it
    runs as its own role, which may read the record and call MLflow on this one tracking server, and
    nothing of the data lake."""
    body = processing_step(place, TRACK_STEP)
    arguments = body["Arguments"]
    arguments["Environment"].update({TRACKING_URI_ENV: place.tracking_server_arn, PACKAGE_ARN_ENV: {"Get": PACKAGE_ARN_GET}})
    # The one step that is not isolated, whatever the class: it holds no data (its role reads only
    # the record), and MLflow is a network service.
    arguments["NetworkConfig"]["EnableNetworkIsolation"] = False
    arguments["RoleArn"] = place.track_role_arn
    return body


def register_step(place: PipelinePlace) -> dict:
    """Always PendingManualApproval: a person approves, the platform's approval rule deploys."""
    # evaluate's output is the whole run: its own files are under evaluate/.
    metrics = f"{step_output_uri(place, 'evaluate')}evaluate/metrics.json"
    arguments = {
        "ModelPackageGroupName": place.model_package_group,
        "ModelPackageDescription": f"{place.project}: trained by its SageMaker pipeline",
        "ModelApprovalStatus": APPROVAL_STATUS,
        "InferenceSpecification": {
            "Containers": [{"Image": place.image_uri,
                            "ModelDataUrl": {"Get": f"Steps.{_step_name('train')}.ModelArtifacts.S3ModelArtifacts"}}],
            "SupportedContentTypes": [MODEL_CONTENT_TYPE],
            "SupportedResponseMIMETypes": [MODEL_CONTENT_TYPE],
        },
        "ModelMetrics": {"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": metrics}}},
        # The run's lineage, from the evaluate step's property file (see PACKAGE_METADATA_STEP).
        "CustomerMetadataProperties": customer_metadata_properties(),
    }
    return _step("register", "RegisterModel", arguments)


def _step(step: str, kind: str, arguments: dict) -> dict:
    body = {"Name": _step_name(step), "Type": kind, "Arguments": arguments}
    if step in STEP_DEPENDS:
        body["DependsOn"] = [_step_name(s) for s in STEP_DEPENDS[step]]
    return body


def pipeline_definition(place: PipelinePlace) -> dict:
    """The seven steps in order, then the drift baseline; a step that fails (evaluate below a
    threshold) stops the run."""
    steps = []
    for step in STEPS:
        if step == "train":
            steps.append(training_step(place))
        elif step == "register":
            steps.append(register_step(place))
        else:
            steps.append(processing_step(place, step))
    steps.append(baseline_step(place))
    if tracked(place):
        if not place.track_role_arn or place.track_role_arn == place.role_arn:
            raise QantaraError("a tracked pipeline's track step needs its own role, not the pipeline's")
        steps.append(track_step(place))
    return {
        "Version": DEFINITION_VERSION,
        "Metadata": {},
        "Parameters": [{"Name": TRIGGER_PARAMETER, "Type": "String", "DefaultValue": "person",
                        "Description": f"What started the run: {', '.join(TRIGGERS)}"}],
        "Steps": steps,
    }


def definition_json(place: PipelinePlace) -> str:
    return json.dumps(pipeline_definition(place), sort_keys=True)
