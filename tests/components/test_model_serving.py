import json
import re

import pulumi
import pulumi_aws as aws
import pytest
from iam_checks import least_privilege_problems

from qantara.catalog import load_catalog
from qantara.components.identity import StackIdentity
from qantara.components.model_serving import (
    TYPE_TOKEN,
    ModelServing,
    ModelServingArgs,
    ServingRoleArgs,
    VariantArgs,
    serving_role,
)
from qantara.naming import SAGEMAKER_NAME_MAX, sagemaker_name
from qantara.plan.location import locate_resources

REGION = "me-central-1"
ACCOUNT = "111122223333"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/dubai-care-ml-prod-models:1.4.0"
CAPTURE_BUCKET = "dubai-care-ml-prod-artifacts-me-central-1"
ENDPOINT = "dubai-care-ml-prod-readmission-risk"
CONFIG = ("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "serving-config")
SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def _variants():
    return [
        VariantArgs(name="champion", weight=90, image_uri=IMAGE, instance_type="ml.m5.large",
                    initial_instance_count=2, max_instance_count=6,
                    model_data_url=f"s3://{CAPTURE_BUCKET}/models/readmission-risk/7/model.tar.gz"),
        VariantArgs(name="challenger", weight=10, image_uri=IMAGE, instance_type="ml.m5.large",
                    initial_instance_count=1, max_instance_count=2),
    ]


def _serving(variants=None, capture_percent=100, built=None):
    provider = aws.Provider("aws-me-central-1", region=REGION)
    key = aws.kms.Key("key", enable_key_rotation=True, opts=pulumi.ResourceOptions(provider=provider))
    component = ModelServing(
        "serving",
        ModelServingArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod"),
            model_name="readmission-risk",
            variants=variants if variants is not None else _variants(),
            execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/dubai-care-ml-prod-serving",
            kms_key_arn=key.arn,
            subnet_ids=["subnet-a", "subnet-b"],
            security_group_ids=["sg-serving"],
            data_capture_bucket=CAPTURE_BUCKET,
            data_capture_percent=capture_percent,
            tags={"data-classification": "restricted", "qantara-blueprint": "dubai-care-ml"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    if built is not None:
        built["serving"] = component


@pytest.fixture
def serving(build):
    return build(_serving)


def _variant(resources, name):
    config = resources[CONFIG]["inputs"]
    (variant,) = [v for v in config["productionVariants"] if v["variantName"] == name]
    return variant


def test_traffic_is_split_90_10_between_champion_and_challenger(serving):
    assert _variant(serving, "champion")["initialVariantWeight"] == 90
    assert _variant(serving, "challenger")["initialVariantWeight"] == 10
    assert _variant(serving, "champion")["initialInstanceCount"] == 2
    assert _variant(serving, "champion")["instanceType"] == "ml.m5.large"
    # Each variant serves its own model.
    deps = serving[CONFIG]["propertyDependencies"]["productionVariants"]
    for variant in ("champion", "challenger"):
        assert serving[("aws:sagemaker/model:Model", f"serving-{variant}")]["urn"] in deps


def test_every_model_runs_network_isolated_in_the_private_subnets(serving):
    for variant in ("champion", "challenger"):
        model = serving[("aws:sagemaker/model:Model", f"serving-{variant}")]["inputs"]
        assert model["enableNetworkIsolation"] is True
        assert model["vpcConfig"] == {"subnets": ["subnet-a", "subnet-b"], "securityGroupIds": ["sg-serving"]}
        assert model["executionRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/dubai-care-ml-prod-serving"
        assert model["primaryContainer"]["image"] == IMAGE
    champion = serving[("aws:sagemaker/model:Model", "serving-champion")]["inputs"]["primaryContainer"]
    assert champion["modelDataUrl"].endswith("/model.tar.gz")
    challenger = serving[("aws:sagemaker/model:Model", "serving-challenger")]["inputs"]["primaryContainer"]
    assert "modelDataUrl" not in challenger


def test_endpoint_storage_and_captured_traffic_are_encrypted_with_the_platform_key(serving):
    key_urn = serving[("aws:kms/key:Key", "key")]["urn"]
    config = serving[CONFIG]
    assert key_urn in config["propertyDependencies"]["kmsKeyArn"]
    assert key_urn in config["propertyDependencies"]["dataCaptureConfig"]


def test_requests_and_responses_are_captured_under_the_models_prefix(serving):
    capture = serving[CONFIG]["inputs"]["dataCaptureConfig"]
    assert capture["enableCapture"] is True
    assert capture["initialSamplingPercentage"] == 100
    assert capture["destinationS3Uri"] == f"s3://{CAPTURE_BUCKET}/data-capture/readmission-risk"
    assert capture["captureOptions"] == [{"captureMode": "Input"}, {"captureMode": "Output"}]


def test_json_and_csv_traffic_is_captured_as_text_the_drift_monitor_reads_not_base64(serving):
    # Without content types SageMaker base64-encodes what it captures (CaptureContentTypeHeader).
    header = serving[CONFIG]["inputs"]["dataCaptureConfig"]["captureContentTypeHeader"]
    assert header == {"csvContentTypes": ["text/csv"], "jsonContentTypes": ["application/json"]}
    # The project's model server speaks JSON: its requests are captured as JSON.
    from qantara.components.ml_pipeline_definition import MODEL_CONTENT_TYPE

    assert MODEL_CONTENT_TYPE in header["jsonContentTypes"]


def test_outputs_name_the_endpoint_its_capture_uri_and_variants(build):
    built = {}
    build(lambda: _serving(built=built))
    assert built["serving"].variant_names == ["champion", "challenger"]


def test_endpoint_is_named_blueprint_environment_model_and_uses_the_configuration(serving):
    endpoint = serving[("aws:sagemaker/endpoint:Endpoint", "serving-endpoint")]
    assert endpoint["inputs"]["name"] == ENDPOINT
    assert serving[CONFIG]["urn"] in endpoint["propertyDependencies"]["endpointConfigName"]


def test_long_sagemaker_names_are_shortened_with_a_stable_hash():
    long = sagemaker_name("a" * 50, "production", "readmission-risk")
    assert len(long) <= SAGEMAKER_NAME_MAX and SAGEMAKER_NAME.match(long)
    assert long == sagemaker_name("a" * 50, "production", "readmission-risk")
    assert long != sagemaker_name("a" * 50, "production", "triage")
    assert sagemaker_name("Dubai_Care", "prod", "Risk Model") == "dubai-care-prod-risk-model"


@pytest.mark.parametrize(("variant", "minimum", "maximum"), [("champion", 2, 6), ("challenger", 1, 2)])
def test_each_variant_scales_from_its_initial_count_to_its_maximum(serving, variant, minimum, maximum):
    target = serving[("aws:appautoscaling/target:Target", f"serving-{variant}-scaling")]
    inputs = target["inputs"]
    assert inputs["resourceId"] == f"endpoint/{ENDPOINT}/variant/{variant}"
    assert inputs["scalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert inputs["serviceNamespace"] == "sagemaker"
    assert (inputs["minCapacity"], inputs["maxCapacity"]) == (minimum, maximum)
    assert serving[("aws:sagemaker/endpoint:Endpoint", "serving-endpoint")]["urn"] in target["dependencies"]
    policy = serving[("aws:appautoscaling/policy:Policy", f"serving-{variant}-scaling-policy")]
    assert policy["inputs"]["policyType"] == "TargetTrackingScaling"
    tracking = policy["inputs"]["targetTrackingScalingPolicyConfiguration"]
    assert tracking["predefinedMetricSpecification"] == {
        "predefinedMetricType": "SageMakerVariantInvocationsPerInstance"
    }
    assert target["urn"] in policy["propertyDependencies"]["resourceId"]


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ([], "no variants"),
        ([VariantArgs("a", 90, IMAGE, "ml.m5.large", 1, 2), VariantArgs("b", 20, IMAGE, "ml.m5.large", 1, 2)],
         "add up to 110"),
        ([VariantArgs("a", 50, IMAGE, "ml.m5.large", 1, 2), VariantArgs("a", 50, IMAGE, "ml.m5.large", 1, 2)],
         "names twice"),
        ([VariantArgs("a", 100, IMAGE, "ml.m5.large", 3, 2)], "scales from 3 to 2"),
        ([VariantArgs("Blue_1", 100, IMAGE, "ml.m5.large", 1, 2)], "not a SageMaker name"),
    ],
)
def test_inconsistent_variants_are_refused(build, variants, message):
    with pytest.raises(Exception, match=message):
        build(lambda: _serving(variants=variants))


def test_serving_without_captured_data_is_refused(build):
    with pytest.raises(Exception, match="drift monitoring needs data"):
        build(lambda: _serving(capture_percent=0))


def test_every_resource_is_in_the_providers_region(serving):
    located = locate_resources(list(serving.values()), stack_region=None, catalog=load_catalog())
    cloud = [r for r in located if r["location"]["kind"] == "cloud"]
    assert len(cloud) >= 8
    assert {r["location"]["region"] for r in cloud} == {REGION}


def test_every_taggable_resource_carries_the_data_classification(serving):
    taggable = [
        r for (t, _), r in serving.items()
        if t in ("aws:sagemaker/model:Model", "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
                 "aws:sagemaker/endpoint:Endpoint", "aws:appautoscaling/target:Target")
    ]
    assert len(taggable) == 6
    assert all(r["inputs"]["tags"]["data-classification"] == "restricted" for r in taggable)
    assert serving[(TYPE_TOKEN, "serving")]["inputs"] == {"dataClassification": "restricted"}
    parent = serving[(TYPE_TOKEN, "serving")]["urn"]
    assert all(r["parent"] == parent for r in taggable)


def _role():
    provider = aws.Provider("aws-me-central-1", region=REGION)
    serving_role(
        "serving",
        ServingRoleArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region=REGION, account_id=ACCOUNT),
            kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            artifacts_bucket=CAPTURE_BUCKET,
            data_capture_bucket=CAPTURE_BUCKET,
            image_repository="dubai-care-ml-prod-models",
            tags={"data-classification": "restricted"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


def _statements(policy):
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_serving_role_is_assumable_by_sagemaker_for_this_account_only(build):
    role = build(_role)[("aws:iam/role:Role", "serving-role")]["inputs"]
    assert role["name"] == "dubai-care-ml-prod-serving"
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_serving_role_is_least_privilege(build):
    policy = build(_role)[("aws:iam/rolePolicy:RolePolicy", "serving-role-policy")]["inputs"]["policy"]
    assert least_privilege_problems(policy) == []
    statements = _statements(policy)
    # Unique Sids: the two bucket prefixes are prefixed, or IAM would refuse the policy.
    assert len(statements) == len(json.loads(policy)["Statement"])
    bucket = f"arn:aws:s3:::{CAPTURE_BUCKET}"
    assert statements["ArtifactsObjectsUnderOwnPrefix"] == {
        "Sid": "ArtifactsObjectsUnderOwnPrefix", "Effect": "Allow", "Action": ["s3:GetObject"],
        "Resource": f"{bucket}/models/*",
    }
    assert statements["CaptureObjectsUnderOwnPrefix"]["Action"] == ["s3:PutObject"]
    assert statements["CaptureObjectsUnderOwnPrefix"]["Resource"] == f"{bucket}/data-capture/*"
    assert statements["PullModelImages"]["Resource"] == (
        f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/dubai-care-ml-prod-models"
    )
    assert statements["UsePlatformKey"]["Resource"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    assert statements["WriteEndpointLogs"]["Resource"] == (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/dubai-care-ml-prod-*"
    )
    # The only "*" resource is the registry token (a Get) and VPC Describe calls.
    star = {a for s in statements.values() if s["Resource"] == "*"
            for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert star and all(a.split(":")[1].startswith(("Get", "Describe")) for a in star)
