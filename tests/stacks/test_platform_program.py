"""The platform program as a platform team runs it: every example, placed, sized and governed."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from qantara.aws_platform import provision_aws
from qantara.blueprint import load_blueprint
from qantara.plan.builder import plan_blueprint
from qantara.plan.offline import run_under_mocks
from qantara.resolution import resolve_platform

ROOT = Path(__file__).resolve().parents[2]
CLOUD_EXAMPLES = ["ae-health-cloud", "bh-fintech-cloud", "eg-retail-cloud", "eu-insurance-cloud"]

# Every resource type the platform issue names, by component.
PLATFORM_TYPES = {
    "PrivateNetwork": {"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/vpcEndpoint:VpcEndpoint",
                       "aws:ec2/flowLog:FlowLog", "aws:cloudwatch/logGroup:LogGroup"},
    "FeatureStore": {"aws:glue/catalogDatabase:CatalogDatabase"},
    "ExperimentTracking": {"aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer"},
    "ModelRegistry": {"aws:sagemaker/modelPackageGroup:ModelPackageGroup", "aws:ecr/repository:Repository",
                      "aws:cloudwatch/eventRule:EventRule", "aws:sns/topic:Topic"},
    "ModelServing": {"aws:sagemaker/model:Model", "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
                     "aws:sagemaker/endpoint:Endpoint", "aws:appautoscaling/target:Target",
                     "aws:appautoscaling/policy:Policy"},
    "DriftMonitoring": {"aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
                        "aws:sagemaker/monitoringSchedule:MonitoringSchedule", "aws:cloudwatch/metricAlarm:MetricAlarm"},
    "AuditTrail": {"aws:cloudtrail/trail:Trail", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"},
    "DeployAccess": {"aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/role:Role"},
    "DataLake": {"aws:s3/bucket:Bucket", "aws:kms/key:Key"},
}
# Write actions AWS only grants on "*" (no resource-level permissions); the platform may use
# them only under a condition that narrows them (checked below).
STAR_ONLY_WRITE_ACTIONS = {"cloudwatch:PutMetricData", "kms:CreateKey"}
DATA_SERVICES = {"s3", "kms", "sagemaker", "glue", "ecr", "logs", "dynamodb", "athena", "lakeformation"}
READ_ONLY_VERBS = ("Get", "Describe", "List")


@cache
def _plan(example: str, environment: str) -> dict:
    loaded = load_blueprint(ROOT / "blueprints" / f"{example}.yaml")
    return plan_blueprint(loaded, environment)


def _resources(plan: dict, type_token: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_token]


def _list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("example", CLOUD_EXAMPLES)
def test_a_cloud_prod_plan_holds_every_platform_resource_type(example):
    planned = {r["type"] for r in _plan(example, "prod")["resources"]}
    missing = {component: sorted(types - planned) for component, types in PLATFORM_TYPES.items() if types - planned}
    assert missing == {}


def test_a_ninety_ten_ab_split_becomes_the_endpoint_configurations_variant_weights():
    (config,) = _resources(_plan("ae-health-cloud", "prod"), "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    weights = {v["variantName"]: v["initialVariantWeight"] for v in config["inputs"]["productionVariants"]}
    assert weights == {"champion": 90, "challenger": 10}


@pytest.mark.parametrize("example", CLOUD_EXAMPLES)
def test_every_aws_resource_is_tagged_with_environment_classification_owner_and_blueprint(example):
    plan = _plan(example, "prod")
    blueprint = load_blueprint(ROOT / "blueprints" / f"{example}.yaml").model
    providers = {r["urn"]: r for r in plan["resources"] if r["type"] == "pulumi:providers:aws"}
    assert providers
    for provider in providers.values():
        # Providers receive nested config JSON-encoded, as the engine passes it to the plugin.
        default_tags = json.loads(provider["inputs"]["defaultTags"])["tags"]
        assert default_tags["environment"] == "prod"
        assert default_tags["owner"] == blueprint.metadata.owner
        assert default_tags["qantara-blueprint"] == blueprint.metadata.name
        assert set(blueprint.spec.tags.items()) <= set(default_tags.items())
    for resource in plan["resources"]:
        if resource["type"].startswith("aws:"):
            assert resource["provider"] in providers, resource["name"]
        if resource["type"].startswith("aws:") and "tags" in resource["inputs"]:
            assert resource["inputs"]["tags"].get("data-classification") in (
                "public", "internal", "confidential", "restricted", "secret"), resource["name"]


# What an update of an existing stack knows that a first preview does not: the ARNs IAM
# policies are built from. With them, every policy document of the platform is readable.
EXISTING_STACK_OUTPUTS = {
    "aws:kms/key:Key": {"arn": "arn:aws:kms:me-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
    "aws:s3/bucket:Bucket": lambda inputs: {"arn": f"arn:aws:s3:::{inputs['bucket']}"},
}


def _provision(example: str, environment: str, known_outputs=None) -> tuple[list[dict], dict]:
    platform = resolve_platform(load_blueprint(ROOT / "blueprints" / f"{example}.yaml"), environment)
    outputs = {}
    resources = run_under_mocks(lambda: outputs.update(provision_aws(platform)), project="qantara", stack=environment,
                                config={"aws:region": platform.primary_region}, known_outputs=known_outputs)
    return resources, outputs


@pytest.mark.parametrize("example", CLOUD_EXAMPLES)
def test_platform_iam_policies_grant_no_wildcard_on_data_and_no_unconditioned_write_on_everything(example):
    resources, _ = _provision(example, "prod", EXISTING_STACK_OUTPUTS)
    documents = [(r["name"], r["inputs"]["policy"]) for r in resources
                 if r["type"] in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")]
    assert documents
    problems = []
    for name, policy in documents:
        assert policy != "[unknown]", f"{name}: policy unknown at preview, so it cannot be reviewed"
        for statement in _list(json.loads(policy)["Statement"]):
            if statement["Effect"] != "Allow":
                continue
            actions = _list(statement.get("Action", []))
            for action in actions:
                service, _, verb = action.partition(":")
                if action == "*" or (service in DATA_SERVICES and "*" in verb and not verb.startswith(READ_ONLY_VERBS)):
                    problems.append(f"{name}: wildcard action {action}")
            if "*" in _list(statement.get("Resource", [])):
                for action in actions:
                    if action.split(":", 1)[-1].startswith(READ_ONLY_VERBS):
                        continue
                    if action in STAR_ONLY_WRITE_ACTIONS and statement.get("Condition"):
                        continue
                    problems.append(f"{name}: write action {action} on resource *")
    assert problems == []


def test_environments_differ_in_size_and_protection_as_the_profile_says():
    dev, prod = _plan("ae-health-cloud", "dev"), _plan("ae-health-cloud", "prod")

    def instances(plan):
        (config,) = _resources(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
        return {v["initialInstanceCount"] for v in config["inputs"]["productionVariants"]}

    def force_destroy(plan):
        return {r["inputs"]["forceDestroy"] for r in _resources(plan, "aws:s3/bucket:Bucket")
                if r["name"].startswith("data-lake")}

    def retention(plan):
        (flow_logs,) = [r for r in _resources(plan, "aws:cloudwatch/logGroup:LogGroup") if "flow" in r["name"]]
        return flow_logs["inputs"]["retentionInDays"]

    assert (instances(dev), instances(prod)) == ({1}, {2})
    assert (force_destroy(dev), force_destroy(prod)) == ({True}, {False})
    # Retention does not shrink in dev: the log-retention policy's minimum holds everywhere.
    assert retention(dev) == retention(prod) == 365
    (server,) = _resources(prod, "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer")
    assert server["inputs"]["trackingServerSize"] == "Medium"  # the blueprint's, over the profile's


@pytest.mark.parametrize("example, dr_region", [("bh-fintech-cloud", "me-central-1"), ("eu-insurance-cloud", "eu-west-1")])
def test_data_buckets_replicate_to_the_dr_region_placement_allowed(example, dr_region):
    plan = _plan(example, "prod")
    replicas = {r["name"] for r in _resources(plan, "aws:s3/bucket:Bucket") if r["location"].get("region") == dr_region}
    # One replica per data bucket, the DR side's own access-log bucket, and the DR trail's log bucket.
    assert replicas == {f"disaster-recovery-{zone}" for zone in ("raw", "curated", "artifacts", "access-logs")} | {
        "audit-dr-logs"}
    assert len(_resources(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) == 3
    (dr_key,) = [r for r in _resources(plan, "aws:kms/key:Key") if r["location"].get("region") == dr_region]
    assert dr_key["inputs"]["multiRegion"] is False


def test_no_dr_resources_when_the_blueprint_names_no_dr_region():
    plan = _plan("ae-health-cloud", "prod")
    assert {r["location"].get("region") for r in plan["resources"] if r["location"]["kind"] == "cloud"} == {"me-central-1"}
    assert _resources(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig") == []


def test_stack_outputs_give_a_project_what_it_needs():
    _, outputs = _provision("ae-health-cloud", "prod")
    assert {"region", "trackingUri", "modelPackageGroups", "dataLakeBuckets", "featureStoreRoleArn",
            "trackingRoleArn", "deployRoleArn", "endpoints", "alertTopicArn", "platformKeyArn",
            "privateSubnetIds", "workloadSecurityGroupId", "servingRoleArn", "servingSecurityGroupIds",
            "dataCaptureBucket"} <= set(outputs)
    assert outputs["region"] == "me-central-1"


def test_bootstrap_keeps_state_and_secrets_in_the_placed_region():
    loaded = load_blueprint(ROOT / "blueprints" / "bh-fintech-cloud.yaml")
    plan = plan_blueprint(loaded, "prod", program_dir=ROOT / "stacks" / "bootstrap")
    cloud = [r for r in plan["resources"] if r["location"]["kind"] == "cloud"]
    assert {r["location"]["region"] for r in cloud} == {"me-south-1"}
    (bucket,) = _resources(plan, "aws:s3/bucket:Bucket")
    assert bucket["inputs"]["forceDestroy"] is False
    (key,) = _resources(plan, "aws:kms/key:Key")
    assert key["inputs"]["enableKeyRotation"] is True and key["inputs"]["multiRegion"] is False
    assert _resources(plan, "aws:s3/bucketVersioning:BucketVersioning")
