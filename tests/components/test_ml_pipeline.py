"""MlPipeline: the seven steps as a SageMaker pipeline on the platform's region, image, network,
key and buckets; registering only PendingManualApproval; started by drift and age through
roles that may start that pipeline alone. The definition validates against AWS's published schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pulumi
import pytest

from qantara.blueprint.profiles import environment_profile
from qantara.components.identity import StackIdentity
from qantara.components.ml_pipeline import (
    MlPipeline,
    MlPipelineArgs,
    analyzer_doubt,
    drift_event_pattern,
    retraining_interval_days,
)
from qantara.components.ml_pipeline_access import pipeline_role_policy, repository_arn
from qantara.components.ml_pipeline_definition import STEPS, PipelinePlace, pipeline_definition
from qantara.errors import QantaraError

SCHEMA = (Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "sagemaker-pipeline-definition"
          / "pipeline-definition.schema.json")
ACCOUNT = "000000000000"
KEY = f"arn:aws:kms:me-central-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REPOSITORY = f"{ACCOUNT}.dkr.ecr.me-central-1.amazonaws.com/dubai-care-ml-prod-models"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
# Model Monitor's analyzer in me-central-1, as policies/data/sagemaker_model_monitor_images.yaml lists it.
ANALYZER = "588750061953.dkr.ecr.me-central-1.amazonaws.com/sagemaker-model-monitor-analyzer"
ARTIFACTS = "dubai-care-ml-prod-artifacts-me-central-1"


# A CustomerMetadataProperties value CreateModelPackage allows (botocore's service model,
# shapes CustomerMetadataMap/Key/Value, as the template's lineage_metadata.py reads them).
METADATA_VALUE = {"type": "string", "minLength": 1, "maxLength": 256}


def schema_with_amendments() -> dict:
    """The published schema plus what it lacks and SageMaker's SDK writes (the fixture's README):
    RegisterModel's ModelApprovalStatus and CustomerMetadataProperties, a processing step's
    PropertyFiles, and the Std:JsonGet function that reads them."""
    schema = json.loads(SCHEMA.read_text())
    definitions = schema["definitions"]
    arguments = definitions["RegisterModelStep"]["properties"]["Arguments"]["properties"]
    processing = definitions["ProcessingStep"]["properties"]
    for name, where in (("ModelApprovalStatus", arguments), ("CustomerMetadataProperties", arguments),
                        ("PropertyFiles", processing), ("JsonGetFunction", definitions)):
        assert name not in where, f"the published schema gained {name}: drop the amendment"
    arguments["ModelApprovalStatus"] = {"oneOf": [
        {"type": "string", "enum": ["Approved", "Rejected", "PendingManualApproval"]},
        {"$ref": "#/definitions/GetFunction"}]}
    # sagemaker/workflow/functions.py JsonGet.expr: the property file by a Get, and a JSON path.
    definitions["JsonGetFunction"] = {"type": "object", "required": ["Std:JsonGet"], "additionalProperties": False,
                                      "properties": {"Std:JsonGet": {
                                          "type": "object", "required": ["PropertyFile", "Path"],
                                          "additionalProperties": False,
                                          "properties": {"PropertyFile": {"$ref": "#/definitions/GetFunction"},
                                                         "Path": {"type": "string", "minLength": 1}}}}}
    arguments["CustomerMetadataProperties"] = {
        "type": "object", "maxProperties": 50, "propertyNames": {"maxLength": 128, "minLength": 1},
        "additionalProperties": {"oneOf": [METADATA_VALUE, {"$ref": "#/definitions/GetFunction"},
                                           {"$ref": "#/definitions/JsonGetFunction"}]}}
    # sagemaker/workflow/properties.py PropertyFile.expr, listed by steps.py ProcessingStep.to_request.
    processing["PropertyFiles"] = {"type": "array", "items": {
        "type": "object", "required": ["PropertyFileName", "OutputName", "FilePath"], "additionalProperties": False,
        "properties": {name: {"type": "string", "minLength": 1}
                       for name in ("PropertyFileName", "OutputName", "FilePath")}}}
    return schema


def validate(definition: dict) -> None:
    # The schema names "http://json-schema.org/schema#" (no draft); it is written in draft-07.
    jsonschema.Draft7Validator(schema_with_amendments()).validate(definition)


def place(data_classification: str = "restricted", **changes) -> PipelinePlace:
    values = dict(
        project="readmission-risk", package="readmission_risk", region="me-central-1", partition="aws",
        account_id=ACCOUNT, image_uri=f"{REPOSITORY}:readmission-risk-0.1.0",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/dubai-care-ml-prod-readmission-risk-pipeline", kms_key_arn=KEY,
        subnet_ids=("subnet-0a", "subnet-0b"), security_group_ids=("sg-0a",),
        data_bucket="dubai-care-ml-prod-curated-me-central-1", artifacts_bucket="dubai-care-ml-prod-artifacts-me-central-1",
        model_package_group="dubai-care-ml-prod-readmission-risk", data_classification=data_classification,
        monitoring_bucket="dubai-care-ml-prod-artifacts-me-central-1", model_name="readmission-risk",
    )
    return PipelinePlace(**{**values, **changes})


def args(**changes) -> MlPipelineArgs:
    values = dict(
        project="readmission-risk", package="readmission_risk",
        identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id=ACCOUNT),
        image_uri=f"{REPOSITORY}:readmission-risk-0.1.0", kms_key_arn=KEY,
        subnet_ids=["subnet-0a", "subnet-0b"], security_group_ids=["sg-0a"],
        data_bucket="dubai-care-ml-prod-curated-me-central-1", artifacts_bucket="dubai-care-ml-prod-artifacts-me-central-1",
        model_name="readmission-risk", model_package_group="dubai-care-ml-prod-readmission-risk",
        data_classification="restricted", max_model_age_days=180,
        monitoring_bucket="dubai-care-ml-prod-artifacts-me-central-1",
    )
    return MlPipelineArgs(**{**values, **changes})


def steps_by_name(definition: dict) -> dict:
    return {s["Name"].lower(): s for s in definition["Steps"]}


@pytest.mark.parametrize("data_class", ["internal", "restricted"])
def test_the_definition_is_valid_against_the_published_schema(data_class):
    validate(pipeline_definition(place(data_class)))


def test_the_published_schema_itself_refuses_a_step_it_does_not_know():
    definition = pipeline_definition(place())
    definition["Steps"][0]["Arguments"]["ProcessingResources"]["ClusterConfig"]["VolumeKmsKey"] = KEY  # a typo
    with pytest.raises(jsonschema.ValidationError):
        validate(definition)


def test_the_seven_steps_run_in_order_as_sagemaker_steps_then_the_drift_baseline():
    steps = pipeline_definition(place())["Steps"]
    assert [s["Name"].lower() for s in steps] == [*STEPS, "baseline"]
    kinds = {s["Name"].lower(): s["Type"] for s in steps}
    assert kinds == {"ingest": "Processing", "validate": "Processing", "features": "Processing", "train": "Training",
                     "evaluate": "Processing", "register": "RegisterModel", "monitor": "Processing",
                     "baseline": "Processing"}
    # A run whose model failed evaluation or cannot be watched leaves the served model's baseline alone.
    assert steps[-1]["DependsOn"] == ["Monitor"]
    assert all(s.get("DependsOn") for s in steps[1:])


def test_registration_waits_for_a_person():
    register = steps_by_name(pipeline_definition(place()))["register"]
    assert register["Arguments"]["ModelApprovalStatus"] == "PendingManualApproval"
    assert register["Arguments"]["ModelPackageGroupName"] == "dubai-care-ml-prod-readmission-risk"


def test_every_job_encrypts_its_volume_and_outputs_with_the_platform_key_in_the_vpc():
    for name, step in steps_by_name(pipeline_definition(place())).items():
        arguments = step["Arguments"]
        if step["Type"] == "Processing":
            assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KEY, name
            assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == KEY, name
            assert arguments["NetworkConfig"]["VpcConfig"]["Subnets"] == ["subnet-0a", "subnet-0b"], name
            image = arguments["AppSpecification"]["ImageUri"]
            assert image == ANALYZER if name == "baseline" else image.startswith(REPOSITORY + ":"), name
        elif step["Type"] == "Training":
            assert arguments["ResourceConfig"]["VolumeKmsKeyId"] == KEY
            assert arguments["OutputDataConfig"]["KmsKeyId"] == KEY
            assert arguments["VpcConfig"]["SecurityGroupIds"] == ["sg-0a"]


@pytest.mark.parametrize(("data_class", "isolated"), [("restricted", True), ("secret", True), ("internal", False)])
def test_restricted_data_runs_network_isolated(data_class, isolated):
    steps = steps_by_name(pipeline_definition(place(data_class)))
    assert steps["train"]["Arguments"]["EnableNetworkIsolation"] is isolated
    assert steps["ingest"]["Arguments"]["NetworkConfig"]["EnableNetworkIsolation"] is isolated
    assert steps["ingest"]["Arguments"]["NetworkConfig"]["EnableInterContainerTrafficEncryption"] is True


def test_steps_read_and_write_only_the_platforms_buckets():
    text = json.dumps(pipeline_definition(place()))
    buckets = {uri.split("/")[2] for uri in text.split('"') if uri.startswith("s3://")}
    assert buckets == {"dubai-care-ml-prod-curated-me-central-1", "dubai-care-ml-prod-artifacts-me-central-1"}


def test_the_role_reaches_only_its_prefixes_key_group_and_repository():
    document = json.loads(pipeline_role_policy(place()))
    star = [s for s in document["Statement"] if s["Resource"] == "*"]
    # AWS accepts no other resource for these: ECR's token and the VPC describe calls.
    assert {a for s in star for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])} == {
        "ecr:GetAuthorizationToken", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs"}
    actions = [a for s in document["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if a.endswith("*")]
    assert not {"sagemaker:UpdateModelPackage", "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint"} & set(actions)
    s3_resources = [r for s in document["Statement"] if any(a.startswith("s3:") for a in
                    ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
                    for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
    assert all(r.startswith(("arn:aws:s3:::dubai-care-ml-prod-curated-me-central-1",
                             "arn:aws:s3:::dubai-care-ml-prod-artifacts-me-central-1")) for r in s3_resources)
    jobs = next(s for s in document["Statement"] if s["Sid"] == "StartJobsInThePlatformsNetworkWithItsKey")
    assert jobs["Condition"]["StringEquals"]["sagemaker:VolumeKmsKey"] == KEY
    assert jobs["Condition"]["Bool"]["sagemaker:NetworkIsolation"] == "true"


@pytest.mark.parametrize("image", [
    "111111111111.dkr.ecr.me-central-1.amazonaws.com/models:1",  # another account
    f"{ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com/models:1",  # another region
    "docker.io/library/python:3.11",  # not ECR
])
def test_an_image_outside_the_platforms_account_and_region_is_refused(image):
    with pytest.raises(QantaraError, match="platform's model image repository"):
        repository_arn(place(image_uri=image))


def test_the_drift_rule_matches_only_the_models_drift_alarms_entering_alarm():
    pattern = json.loads(drift_event_pattern("dubai-care-ml-prod-readmission-risk-drift-",
                                             "dubai-care-ml-prod-readmission-risk"))
    assert pattern["detail"]["state"]["value"] == ["ALARM"]
    assert pattern["detail"]["alarmName"] == [{"prefix": "dubai-care-ml-prod-readmission-risk-drift-"}]
    metric = pattern["detail"]["configuration"]["metrics"]["metricStat"]["metric"]
    assert metric == {"namespace": ["aws/sagemaker/Endpoints/data-metrics"], "name": [{"prefix": "feature_baseline_drift_"}],
                      "dimensions": {"Endpoint": ["dubai-care-ml-prod-readmission-risk"]}}
    for prefix, endpoint in (("", "dubai-care-ml-prod-readmission-risk"), ("dubai-care-ml-prod-readmission-risk-drift-", "")):
        with pytest.raises(QantaraError, match="other models"):
            drift_event_pattern(prefix, endpoint)


@pytest.mark.parametrize(("age", "interval"), [(180, 166), (30, 16), (10, 5), (1, 1)])
def test_retraining_starts_before_the_model_reaches_its_maximum_age(age, interval):
    assert retraining_interval_days(age) == interval
    assert retraining_interval_days(age) <= age


def test_the_age_limit_is_the_blueprints_else_the_environment_profiles(tmp_path):
    from qantara.blueprint.loader import load_blueprint

    model = load_blueprint(Path(__file__).resolve().parents[2] / "blueprints" / "ae-health-cloud.yaml").model
    assert environment_profile(model, "prod").max_model_age_days == 180 and environment_profile(model, "dev").max_model_age_days == 365
    model.spec.governance.max_model_age_days = 30
    assert environment_profile(model, "dev").max_model_age_days == 30


def test_the_component_wires_drift_and_age_to_this_pipeline_only(build):
    resources = build(lambda: MlPipeline("readmission-risk", args()))
    pipeline = resources[(PIPELINE, "readmission-risk-pipeline")]
    assert pipeline["inputs"]["pipelineName"] == "dubai-care-ml-prod-readmission-risk"
    definition = json.loads(pipeline["inputs"]["pipelineDefinition"])
    validate(definition)
    arn = f"arn:aws:sagemaker:me-central-1:{ACCOUNT}:pipeline/dubai-care-ml-prod-readmission-risk"
    target = resources[("aws:cloudwatch/eventTarget:EventTarget", "readmission-risk-drift-target")]["inputs"]
    assert target["arn"] == arn
    assert target["sagemakerPipelineTarget"]["pipelineParameterLists"] == [{"name": "Trigger", "value": "drift"}]
    rule = json.loads(resources[("aws:cloudwatch/eventRule:EventRule", "readmission-risk-drift")]["inputs"]["eventPattern"])
    assert rule["detail"]["alarmName"] == [{"prefix": "dubai-care-ml-prod-readmission-risk-drift-"}]
    schedule = resources[("aws:scheduler/schedule:Schedule", "readmission-risk-age")]["inputs"]
    assert schedule["scheduleExpression"] == "rate(166 days)"
    assert schedule["target"]["arn"] == arn
    for purpose in ("drift-trigger", "age-trigger"):
        policy = json.loads(resources[("aws:iam/rolePolicy:RolePolicy", f"readmission-risk-{purpose}-role-policy")]
                            ["inputs"]["policy"])
        assert policy["Statement"] == [{"Sid": "StartThisPipelineOnly", "Effect": "Allow",
                                        "Action": "sagemaker:StartPipelineExecution", "Resource": arn}]
    assert target["roleArn"].endswith(":role/dubai-care-ml-prod-readmission-risk-drift-trigger")
    assert schedule["target"]["roleArn"].endswith(":role/dubai-care-ml-prod-readmission-risk-age-trigger")


def test_a_platform_without_private_subnets_gets_no_pipeline(build):
    with pytest.raises(Exception, match="private subnets"):
        build(lambda: MlPipeline("readmission-risk", args(subnet_ids=[])))


def test_an_unusable_project_name_is_refused():
    with pytest.raises(QantaraError, match="not a SageMaker name"):
        MlPipeline("x", args(project="Readmission_Risk"), opts=pulumi.ResourceOptions())


def test_the_drift_rule_matches_the_drift_alarms_the_platform_makes_and_no_other_alarm(build):
    from qantara.components.drift_monitoring import DriftMonitoring, DriftMonitoringArgs, MonitoredEndpoint

    def platform_and_project():
        DriftMonitoring("drift-monitoring", DriftMonitoringArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id=ACCOUNT),
            endpoints=[MonitoredEndpoint(model_name="readmission-risk", endpoint_name="dubai-care-ml-prod-readmission-risk",
                                         variant_names=["champion"], data_capture_uri="s3://capture/data-capture/x",
                                         drift_features=["age", "bmi"]),
                       MonitoredEndpoint(model_name="readmission-risk-v2", endpoint_name="dubai-care-ml-prod-readmission-risk-v2",
                                         variant_names=["champion"], data_capture_uri="s3://capture/data-capture/y",
                                         drift_features=["age"])],
            kms_key_arn=KEY, monitoring_bucket="artifacts", subnet_ids=["subnet-0a"], security_group_ids=["sg-0a"]))
        MlPipeline("readmission-risk", args())

    resources = build(platform_and_project)
    rule = json.loads(resources[("aws:cloudwatch/eventRule:EventRule", "readmission-risk-drift")]["inputs"]["eventPattern"])
    prefix = rule["detail"]["alarmName"][0]["prefix"]
    alarms = [r["inputs"] for (kind, _), r in resources.items() if kind == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    metric = rule["detail"]["configuration"]["metrics"]["metricStat"]["metric"]

    def matches(alarm: dict) -> bool:
        """EventBridge's matching of the alarm's state-change event against the rule."""
        return (alarm["name"].startswith(prefix) and alarm["namespace"] in metric["namespace"]
                and alarm["metricName"].startswith(metric["name"][0]["prefix"])
                and alarm["dimensions"].get("Endpoint") in metric["dimensions"]["Endpoint"])

    # The model's two drift alarms; not its latency or 5xx alarms, not another model's, and not its
    # "drift not measured" alarms, which watch the same metrics.
    assert sorted(a["name"] for a in alarms if matches(a)) == [
        "dubai-care-ml-prod-readmission-risk-drift-age", "dubai-care-ml-prod-readmission-risk-drift-bmi"]
    assert len([a for a in alarms if a["name"].startswith("dubai-care-ml-prod-readmission-risk-unmeasured-")]) == 2


# --- the drift baseline --------------------------------------------------------------------

def test_the_baseline_step_runs_the_regions_analyzer_over_the_models_inputs_as_suggest_baseline_does():
    baseline = steps_by_name(pipeline_definition(place()))["baseline"]["Arguments"]
    assert baseline["AppSpecification"] == {"ImageUri": ANALYZER}
    assert baseline["Environment"] == {
        "dataset_format": '{"csv": {"header": true, "output_columns_position": "START"}}',
        "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
        "output_path": "/opt/ml/processing/output",
        "publish_cloudwatch_metrics": "Disabled",
    }
    [source] = baseline["ProcessingInputs"]
    # The features step's output is the whole run: its features/model_inputs.csv holds the training rows'
    # model inputs (never train.csv, which holds the target and the sensitive columns too).
    assert source["S3Input"]["S3Uri"] == f"s3://{ARTIFACTS}/pipelines/readmission-risk/features/features/model_inputs.csv"
    assert source["S3Input"]["LocalPath"] == baseline["Environment"]["dataset_source"]
    [output] = baseline["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["LocalPath"] == baseline["Environment"]["output_path"]
    assert output["S3Output"]["S3Uri"] == f"s3://{ARTIFACTS}/drift-monitoring/readmission-risk/baseline"


def test_the_baseline_is_read_in_the_one_format_drift_monitoring_declares():
    from qantara.components.drift_monitoring import BASELINE_DATASET_FORMAT

    environment = steps_by_name(pipeline_definition(place()))["baseline"]["Arguments"]["Environment"]
    assert json.loads(environment["dataset_format"]) == BASELINE_DATASET_FORMAT
    # A header names the columns (the drift metrics' feature names); the model's output, which the
    # baseline does not hold, would be first (START): nothing is read as an output column.
    assert BASELINE_DATASET_FORMAT == {"csv": {"header": True, "output_columns_position": "START"}}


def test_the_model_package_says_what_the_model_server_reads_and_the_capture_records_as_json():
    from qantara.components.drift_monitoring import CAPTURE_CSV_CONTENT_TYPES, CAPTURE_JSON_CONTENT_TYPES

    spec = steps_by_name(pipeline_definition(place()))["register"]["Arguments"]["InferenceSpecification"]
    # serve.py reads {"instances": [...]} and answers {"predictions": [...]}: JSON both ways, never CSV.
    assert spec["SupportedContentTypes"] == spec["SupportedResponseMIMETypes"] == ["application/json"]
    assert set(spec["SupportedContentTypes"]) <= set(CAPTURE_JSON_CONTENT_TYPES)
    assert not set(spec["SupportedContentTypes"]) & set(CAPTURE_CSV_CONTENT_TYPES)


@pytest.mark.parametrize(("data_class", "isolated"), [("restricted", True), ("internal", False)])
def test_the_baseline_step_runs_where_every_step_runs(data_class, isolated):
    arguments = steps_by_name(pipeline_definition(place(data_class)))["baseline"]["Arguments"]
    assert arguments["RoleArn"] == place().role_arn
    assert arguments["NetworkConfig"] == {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": isolated,
                                          "VpcConfig": {"SecurityGroupIds": ["sg-0a"], "Subnets": ["subnet-0a", "subnet-0b"]}}
    assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KEY
    assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == KEY


@pytest.mark.parametrize("region", ["me-west-1", "us-gov-west-1"])
def test_a_region_without_a_sourced_analyzer_image_gets_no_pipeline(region):
    with pytest.raises(QantaraError, match=region):
        pipeline_definition(place(region=region))


def test_the_baseline_lands_where_the_models_drift_monitoring_reads_it(build):
    from qantara.components.drift_monitoring import DriftMonitoring, DriftMonitoringArgs, MonitoredEndpoint

    def project():
        DriftMonitoring("drift", DriftMonitoringArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region="me-central-1", account_id=ACCOUNT),
            endpoints=[MonitoredEndpoint(model_name="readmission-risk", endpoint_name="dubai-care-ml-prod-readmission-risk",
                                         variant_names=["champion"], data_capture_uri=f"s3://{ARTIFACTS}/data-capture/x",
                                         drift_features=["x1"])],
            kms_key_arn=KEY, monitoring_bucket=ARTIFACTS, subnet_ids=["subnet-0a"], security_group_ids=["sg-0a"],
            project_model="readmission-risk"))
        MlPipeline("readmission-risk", args(monitoring_bucket=ARTIFACTS))

    resources = build(project)
    definition = json.loads(resources[(PIPELINE, "readmission-risk-pipeline")]["inputs"]["pipelineDefinition"])
    written = steps_by_name(definition)["baseline"]["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    [job] = [r["inputs"] for (kind, _), r in resources.items()
             if kind == "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"]
    read = job["dataQualityBaselineConfig"]
    assert read["constraintsResource"]["s3Uri"] == f"{written}/constraints.json"
    assert read["statisticsResource"]["s3Uri"] == f"{written}/statistics.json"
    assert job["dataQualityAppSpecification"]["imageUri"] == steps_by_name(definition)["baseline"]["Arguments"][
        "AppSpecification"]["ImageUri"]


def test_the_role_may_write_the_baseline_prefix_and_nothing_else_of_the_monitoring_bucket():
    monitoring = "dubai-care-ml-prod-monitoring-me-central-1"
    document = json.loads(pipeline_role_policy(place(monitoring_bucket=monitoring)))
    reaching = [s for s in document["Statement"]
                if any(monitoring in r for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]))]
    assert reaching == [{"Sid": "WriteDriftBaseline", "Effect": "Allow", "Action": "s3:PutObject",
                         "Resource": f"arn:aws:s3:::{monitoring}/drift-monitoring/readmission-risk/baseline/*"}]


def test_an_analyzer_account_the_catalog_marks_uncertain_is_warned_about():
    # me-central-1's registry is known only from copies of newer SDK files; me-south-1's from the SDK itself.
    assert "me-central-1" in analyzer_doubt("me-central-1")
    assert analyzer_doubt("me-south-1") is None
