import json

import pulumi
import pulumi_aws as aws
import pytest
from iam_checks import least_privilege_problems

from qantara.catalog import load_catalog
from qantara.components.drift_monitoring import (
    TYPE_TOKEN,
    DriftMonitoring,
    DriftMonitoringArgs,
    MonitoredEndpoint,
    monitor_image_uri,
)
from qantara.components.identity import StackIdentity
from qantara.errors import QantaraError
from qantara.plan.location import locate_resources

REGION = "me-central-1"
ACCOUNT = "111122223333"
BUCKET = "dubai-care-ml-prod-artifacts-me-central-1"
ENDPOINT = "dubai-care-ml-prod-readmission-risk"
SCHEDULE = "dubai-care-ml-prod-readmission-risk-drift"
JOB = ("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", "drift-readmission-risk-data-quality")
SCHEDULE_KEY = ("aws:sagemaker/monitoringSchedule:MonitoringSchedule", "drift-readmission-risk-schedule")
TOPIC = ("aws:sns/topic:Topic", "drift-alerts")
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _monitoring(schedule="daily", region=REGION, features=("age", "bmi"), key_arn=None):
    provider = aws.Provider(f"aws-{region}", region=region)
    key = aws.kms.Key("key", enable_key_rotation=True, opts=pulumi.ResourceOptions(provider=provider))
    DriftMonitoring(
        "drift",
        DriftMonitoringArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", region=region, account_id=ACCOUNT, partition="aws"),
            endpoints=[
                MonitoredEndpoint(
                    model_name="readmission-risk",
                    endpoint_name=ENDPOINT,
                    variant_names=["champion", "challenger"],
                    data_capture_uri=f"s3://{BUCKET}/data-capture/readmission-risk",
                    drift_features=list(features),
                )
            ],
            kms_key_arn=key_arn or key.arn,
            monitoring_bucket=BUCKET,
            subnet_ids=["subnet-a", "subnet-b"],
            security_group_ids=["sg-monitoring"],
            schedule=schedule,
            latency_threshold_ms=250,
            error_threshold=5,
            tags={"data-classification": "restricted"},
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


@pytest.fixture
def drift(build):
    return build(_monitoring)


def _alarms(resources):
    return {name: r for (t, name), r in resources.items() if t == ALARM}


def test_monitoring_job_runs_the_regions_prebuilt_analyzer_from_the_catalog(drift):
    images = load_catalog()["sagemaker_model_monitor_images"]
    account = images["registries"][REGION]["account"]
    spec = drift[JOB]["inputs"]["dataQualityAppSpecification"]
    assert spec["imageUri"] == f"{account}.dkr.ecr.{REGION}.amazonaws.com/sagemaker-model-monitor-analyzer"
    assert spec["environment"] == {"publish_cloudwatch_metrics": "Enabled"}


def test_every_catalogued_image_registry_names_its_source():
    images = load_catalog()["sagemaker_model_monitor_images"]
    assert images["checked"] and images["sources"]
    for region, registry in images["registries"].items():
        assert registry["source"] in images["sources"], region
        assert len(registry["account"]) == 12 and registry["account"].isdigit(), region


def test_a_region_without_a_known_analyzer_image_is_refused_by_name(build):
    with pytest.raises(QantaraError, match="not known for region `ca-west-1`"):
        monitor_image_uri("ca-west-1", "aws", load_catalog()["sagemaker_model_monitor_images"])
    with pytest.raises(Exception, match="ca-west-1"):
        build(lambda: _monitoring(region="ca-west-1"))


def test_china_images_use_the_china_dns_suffix():
    uri = monitor_image_uri("cn-north-1", "aws-cn", load_catalog()["sagemaker_model_monitor_images"])
    assert uri.endswith(".dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-model-monitor-analyzer")


def test_monitoring_jobs_run_in_the_private_subnets_with_encrypted_traffic_volumes_and_reports(drift):
    job = drift[JOB]
    network = job["inputs"]["networkConfig"]
    assert network["enableInterContainerTrafficEncryption"] is True
    assert network["vpcConfig"] == {"subnets": ["subnet-a", "subnet-b"], "securityGroupIds": ["sg-monitoring"]}
    key_urn = drift[("aws:kms/key:Key", "key")]["urn"]
    assert key_urn in job["propertyDependencies"]["jobResources"]
    assert key_urn in job["propertyDependencies"]["dataQualityJobOutputConfig"]
    output = job["inputs"]["dataQualityJobOutputConfig"]["monitoringOutputs"]["s3Output"]
    assert output["s3Uri"] == f"s3://{BUCKET}/drift-monitoring/readmission-risk/reports"
    assert job["inputs"]["dataQualityJobInput"]["endpointInput"]["endpointName"] == ENDPOINT


def test_drift_is_measured_against_the_projects_baseline(drift):
    baseline = drift[JOB]["inputs"]["dataQualityBaselineConfig"]
    prefix = f"s3://{BUCKET}/drift-monitoring/readmission-risk/baseline"
    assert baseline["constraintsResource"]["s3Uri"] == f"{prefix}/constraints.json"
    assert baseline["statisticsResource"]["s3Uri"] == f"{prefix}/statistics.json"


def test_without_drift_features_there_is_no_baseline_and_no_drift_alarm(build):
    resources = build(lambda: _monitoring(features=()))
    assert "dataQualityBaselineConfig" not in resources[JOB]["inputs"]
    assert not [n for n in _alarms(resources) if "-drift-" in n or "-unmeasured-" in n]


@pytest.mark.parametrize(("schedule", "cron"), [("daily", "cron(0 0 ? * * *)"), ("hourly", "cron(0 * ? * * *)")])
def test_schedule_runs_hourly_or_daily_as_the_blueprint_says(build, schedule, cron):
    resources = build(lambda: _monitoring(schedule=schedule))
    inputs = resources[SCHEDULE_KEY]["inputs"]
    assert inputs["name"] == SCHEDULE
    config = inputs["monitoringScheduleConfig"]
    assert config["scheduleConfig"]["scheduleExpression"] == cron
    assert config["monitoringType"] == "DataQuality"
    assert resources[JOB]["urn"] in resources[SCHEDULE_KEY]["propertyDependencies"]["monitoringScheduleConfig"]


def test_an_unknown_schedule_is_refused(build):
    with pytest.raises(Exception, match="`weekly` is not offered"):
        build(lambda: _monitoring(schedule="weekly"))


@pytest.mark.parametrize("variant", ["champion", "challenger"])
def test_latency_alarm_converts_the_millisecond_threshold_to_microseconds(drift, variant):
    alarm = _alarms(drift)[f"drift-readmission-risk-{variant}-latency"]["inputs"]
    assert alarm["namespace"] == "AWS/SageMaker"
    assert alarm["metricName"] == "ModelLatency"
    assert alarm["dimensions"] == {"EndpointName": ENDPOINT, "VariantName": variant}
    assert alarm["threshold"] == 250_000


@pytest.mark.parametrize("variant", ["champion", "challenger"])
def test_error_alarm_counts_5xx_responses_per_variant(drift, variant):
    alarm = _alarms(drift)[f"drift-readmission-risk-{variant}-errors"]["inputs"]
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == ("AWS/SageMaker", "Invocation5XXErrors", "Sum")
    assert alarm["threshold"] == 5
    assert alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold"


@pytest.mark.parametrize("feature", ["age", "bmi"])
def test_drift_alarm_watches_each_features_baseline_drift_for_the_schedule(drift, feature):
    alarm = _alarms(drift)[f"drift-readmission-risk-drift-{feature}"]["inputs"]
    assert alarm["namespace"] == "aws/sagemaker/Endpoints/data-metrics"
    assert alarm["metricName"] == f"feature_baseline_drift_{feature}"
    assert alarm["dimensions"] == {"Endpoint": ENDPOINT, "MonitoringSchedule": SCHEDULE}
    assert alarm["period"] == 86400


@pytest.mark.parametrize(("schedule", "seconds"), [("daily", 86400), ("hourly", 3600)])
@pytest.mark.parametrize("feature", ["age", "bmi"])
def test_a_drift_metric_missing_for_two_runs_raises_the_features_unmeasured_alarm(build, schedule, seconds, feature):
    alarm = _alarms(build(lambda: _monitoring(schedule=schedule)))[f"drift-readmission-risk-unmeasured-{feature}"]["inputs"]
    # The drift alarm's own metric and dimensions: what is missing is exactly what would alarm on drift.
    assert (alarm["namespace"], alarm["metricName"]) == ("aws/sagemaker/Endpoints/data-metrics",
                                                         f"feature_baseline_drift_{feature}")
    assert alarm["dimensions"] == {"Endpoint": ENDPOINT, "MonitoringSchedule": SCHEDULE}
    # No value in a period is breaching; a run that published one (SampleCount >= 1) is not.
    assert alarm["treatMissingData"] == "breaching"
    assert (alarm["statistic"], alarm["comparisonOperator"], alarm["threshold"]) == ("SampleCount", "LessThanThreshold", 1)
    assert (alarm["period"], alarm["evaluationPeriods"]) == (seconds, 2)
    # PutMetricAlarm's bound on how far back an alarm looks.
    assert alarm["period"] * alarm["evaluationPeriods"] <= (604_800 if alarm["period"] >= 3600 else 86_400)
    assert alarm["name"] == f"{ENDPOINT}-unmeasured-{feature}"


def test_an_unmeasured_alarm_is_never_named_like_a_drift_alarm_the_retraining_rule_matches(drift):
    from qantara.components.drift_monitoring import drift_alarm_prefix

    prefix = drift_alarm_prefix("dubai-care-ml", "prod", "readmission-risk")
    names = [a["inputs"]["name"] for a in _alarms(drift).values()]
    unmeasured = [n for n in names if "-unmeasured-" in n]
    assert len(unmeasured) == 2
    assert not [n for n in unmeasured if n.startswith(prefix)]
    assert sorted(n for n in names if n.startswith(prefix)) == [f"{ENDPOINT}-drift-age", f"{ENDPOINT}-drift-bmi"]


def test_every_alarm_notifies_the_one_encrypted_alert_topic(drift):
    alarms = _alarms(drift)
    assert len(alarms) == 2 * 2 + 2 + 2
    topic_urn = drift[TOPIC]["urn"]
    for alarm in alarms.values():
        assert topic_urn in alarm["propertyDependencies"]["alarmActions"]
        assert alarm["inputs"]["name"].startswith(ENDPOINT)
    assert drift[("aws:kms/key:Key", "key")]["urn"] in drift[TOPIC]["propertyDependencies"]["kmsMasterKeyId"]


def test_only_this_platforms_alarms_publish_to_the_alert_topic(drift):
    policy = drift[("aws:sns/topicPolicy:TopicPolicy", "drift-alerts-policy")]["inputs"]["policy"]
    (statement,) = json.loads(policy)["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    assert statement["Resource"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:dubai-care-ml-prod-model-alerts"
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:dubai-care-ml-prod-*"
    }


def test_monitoring_role_is_least_privilege_but_for_the_namespaced_metric_publication(build):
    # A known key ARN: with the key created in the same preview, the policy is not known yet.
    drift = build(lambda: _monitoring(key_arn=KEY_ARN))
    role = drift[("aws:iam/role:Role", "drift-role")]["inputs"]
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    policy = drift[("aws:iam/rolePolicy:RolePolicy", "drift-role-policy")]["inputs"]["policy"]
    # PutMetricData accepts no resource but "*"; it is held to the monitor's namespace instead.
    assert least_privilege_problems(policy) == ["write action cloudwatch:PutMetricData on resource *"]
    statements = {s["Sid"]: s for s in json.loads(policy)["Statement"]}
    assert statements["PublishDataQualityMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "aws/sagemaker/Endpoints/data-metrics"}
    }
    assert statements["Capture0ObjectsUnderOwnPrefix"]["Action"] == ["s3:GetObject"]
    assert statements["Capture0ObjectsUnderOwnPrefix"]["Resource"] == f"arn:aws:s3:::{BUCKET}/data-capture/readmission-risk/*"
    assert statements["MonitoringObjectsUnderOwnPrefix"]["Resource"] == f"arn:aws:s3:::{BUCKET}/drift-monitoring/*"
    # The job is created once its role may act.
    assert drift[("aws:iam/rolePolicy:RolePolicy", "drift-role-policy")]["urn"] in drift[JOB]["dependencies"]


def test_every_resource_is_in_the_providers_region(drift):
    located = locate_resources(list(drift.values()), stack_region=None, catalog=load_catalog())
    regional = [r for r in located if r["location"]["kind"] == "cloud"]
    assert len(regional) >= 10
    assert {r["location"]["region"] for r in regional} == {REGION}


def test_every_taggable_resource_carries_the_data_classification(drift):
    tagged = [r for (t, n), r in drift.items() if t.startswith("aws:") and n.startswith("drift") and "tags" in r["inputs"]]
    assert len(tagged) == 1 + 1 + 2 + 8  # role, topic, job and schedule, eight alarms
    assert all(r["inputs"]["tags"]["data-classification"] == "restricted" for r in tagged)
    assert drift[(TYPE_TOKEN, "drift")]["inputs"] == {"dataClassification": "restricted"}


# --- drift features of the blueprint's own served models ----------------------------------------

def _plan_with_drift_features(tmp_path, features: str) -> tuple[int, str, list]:
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    blueprint = tmp_path / "ae-health-cloud.yaml"
    text = (repo / "blueprints" / "ae-health-cloud.yaml").read_text()
    anchor = "        - name: length-of-stay\n"
    assert anchor in text
    blueprint.write_text(text.replace(anchor, anchor + f"          driftFeatures: {features}\n"))
    done = subprocess.run([sys.executable, "-c", "from qantara.cli import main; main()", "plan", str(blueprint),
                           "--env", "prod", "--format", "json"], capture_output=True, text=True, timeout=300,
                          check=False)
    resources = json.loads(done.stdout)["resources"] if done.returncode == 0 else []
    return done.returncode, done.stderr, resources


def test_a_platform_served_model_with_drift_features_gets_a_drift_alarm_per_feature(tmp_path):
    code, stderr, resources = _plan_with_drift_features(tmp_path, "[age, prior_admissions]")
    assert code == 0, stderr
    alarms = [r["inputs"] for r in resources if r["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    drift = sorted(a["name"] for a in alarms if a["metricName"].startswith("feature_baseline_drift_"))
    assert drift == ["dubai-care-ml-prod-length-of-stay-drift-age", "dubai-care-ml-prod-length-of-stay-drift-prior_admissions",
                     "dubai-care-ml-prod-length-of-stay-unmeasured-age",
                     "dubai-care-ml-prod-length-of-stay-unmeasured-prior_admissions"]
    # With features, the job compares the traffic against the model's baseline.
    (job,) = [r["inputs"] for r in resources if r["type"] == "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"]
    assert "dataQualityBaselineConfig" in job


def test_a_drift_feature_named_twice_is_refused_with_its_location(tmp_path):
    code, stderr, _ = _plan_with_drift_features(tmp_path, "[age, age]")
    assert code == 2
    assert "duplicate drift feature 'age'" in stderr and "ae-health-cloud.yaml" in stderr
    assert "Traceback" not in stderr
