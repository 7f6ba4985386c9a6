"""The cloud example, end to end as a user runs it: `qantara new ml-project` from the UAE cloud
blueprint, then `qantara check --program <project>/infra` with the platform's exports. The plan
holds the SageMaker pipeline, the drift rule with its target and role, and the age schedule
with its role, and passes; what a team might change to ship faster (an Approved registration,
a step without its key, s3:* on the pipeline's role) fails with the policy that says why.
The default project serves in real time: it owns its endpoint, the endpoint's monitoring
schedule and drift alarms, and the drift rule matches those alarms as the plan holds them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BLUEPRINT = REPO / "blueprints" / "ae-health-cloud.yaml"
_SCRIPT = Path(sys.executable).with_name("qantara")
COMMAND = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-c", "from qantara.cli import main; main()"]
INFRA = "readmission-risk-infra"
ACCOUNT = "000000000000"  # the account the offline plan places the stack in
PIPELINE_ARN = f"arn:aws:sagemaker:me-central-1:{ACCOUNT}:pipeline/dubai-care-ml-prod-readmission-risk"
# What the platform stack of ae-health-cloud exports in prod (`pulumi stack output --json`),
# with the names aws_platform derives.
PLATFORM_EXPORTS = {
    "region": "me-central-1",
    "platformKeyArn": f"arn:aws:kms:me-central-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "vpcId": "vpc-0a1b2c3d4e5f60001",
    "privateSubnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    "workloadSecurityGroupId": "sg-0a1b2c3d4e5f60001",
    "dataLakeBuckets": {"raw": "dubai-care-ml-prod-raw-me-central-1", "curated": "dubai-care-ml-prod-curated-me-central-1",
                        "artifacts": "dubai-care-ml-prod-artifacts-me-central-1"},
    "modelImageRepositoryUrl": f"{ACCOUNT}.dkr.ecr.me-central-1.amazonaws.com/dubai-care-ml-prod-models",
    "modelPackageGroups": ["dubai-care-ml-prod-readmission-risk", "dubai-care-ml-prod-models"],
    "approvalTopicArn": f"arn:aws:sns:me-central-1:{ACCOUNT}:dubai-care-ml-prod-model-approval",
    "servingRoleArn": f"arn:aws:iam::{ACCOUNT}:role/dubai-care-ml-prod-serving",
    "servingSecurityGroupIds": ["sg-0a1b2c3d4e5f60001"],
    "dataCaptureBucket": "dubai-care-ml-prod-raw-me-central-1",
    # Experiment tracking's SageMaker MLflow server (experiment_tracking: the server's ARN).
    "trackingUri": f"arn:aws:sagemaker:me-central-1:{ACCOUNT}:mlflow-tracking-server/dubai-care-ml-prod",
    # The network's SageMaker MLflow interface endpoint (PrivateNetwork, with experiment tracking in its region).
    "mlflowVpcEndpointId": "vpce-0a1b2c3d4e5f60001",
}


def qantara(*args, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "QANTARA_DEBUG"}
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True, timeout=180, cwd=cwd,
                          env=env, check=False)


def generated(out: Path, blueprint: Path, exports: dict, *options: str) -> Path:
    """`qantara new ml-project` of `blueprint` into `out` (the default project, with `options`),
    beside the platform's exports as `pulumi stack output --json` writes them."""
    done = qantara("new", "ml-project", "--blueprint", blueprint, "--no-input", *options, "--output-dir", out)
    assert done.returncode == 0, done.stderr
    (out / "platform-exports.json").write_text(json.dumps(exports))
    return out / "readmission_risk"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The cloud example, batch-scored: the project whose infra/ holds the pipeline alone."""
    return generated(tmp_path_factory.mktemp("cloud-example"), BLUEPRINT, PLATFORM_EXPORTS, "--set", "serving=batch")


# What the realtime project serves before its first promotion (infra config imageUri).
FIRST_IMAGE = f"{PLATFORM_EXPORTS['modelImageRepositoryUrl']}:readmission-risk-0.1.0"


@pytest.fixture(scope="module")
def realtime(tmp_path_factory) -> Path:
    """The cloud example as `new` makes it by default: served in real time."""
    return generated(tmp_path_factory.mktemp("cloud-realtime"), BLUEPRINT, PLATFORM_EXPORTS)


def platform_args(project: Path, *config: str) -> list:
    settings = [f"{INFRA}:platformStack=dubai-care/ml-platform/prod", *config]
    return ["--program", project / "infra", "--stack-outputs", project.parent / "platform-exports.json",
            *[arg for setting in settings for arg in ("--config", setting)]]


def realtime_args(project: Path) -> list:
    return platform_args(project, f"{INFRA}:imageUri={FIRST_IMAGE}")


def check(project: Path, args: list | None = None) -> tuple[int, dict]:
    done = qantara("check", BLUEPRINT, "--env", "prod", *(args or platform_args(project)), "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def planned(args: list) -> dict:
    done = qantara("plan", BLUEPRINT, "--env", "prod", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return {(r["type"], r["name"]): r for r in json.loads(done.stdout)["resources"]}


@pytest.fixture(scope="module")
def plan(project) -> dict:
    return planned(platform_args(project))


@pytest.fixture(scope="module")
def realtime_plan(realtime) -> dict:
    return planned(realtime_args(realtime))


def tampered(project: Path, tmp_path: Path, addition: str) -> Path:
    """A copy of the project whose infra/__main__.py declares `addition` in its cloud side,
    after the pipeline (where a team would add it: `provider`, `tags` and `pipeline` in scope)."""
    import shutil

    copy = tmp_path / "readmission_risk"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".venv", "runs"))
    shutil.copy(project.parent / "platform-exports.json", tmp_path / "platform-exports.json")
    program = copy / "infra" / "__main__.py"
    anchor = '    pulumi.export("pipelineArn", pipeline.pipeline_arn)\n'
    indented = "".join(f"    {line}\n" if line else "\n" for line in addition.splitlines())
    assert anchor in program.read_text()
    program.write_text(program.read_text().replace(anchor, anchor + indented))
    return copy


def policies_of(report: dict) -> set[str]:
    return {f["policy"] for f in report["findings"]}


def test_the_cloud_example_passes_its_check_with_the_platforms_exports(project):
    code, report = check(project)
    assert (code, report["verdict"], report["findings"]) == (0, "pass", [])


def test_the_plan_holds_the_pipeline_in_the_placed_region(plan):
    pipeline = plan[("aws:sagemaker/pipeline:Pipeline", "readmission-risk-pipeline")]
    assert pipeline["location"]["region"] == "me-central-1"
    definition = json.loads(pipeline["inputs"]["pipelineDefinition"])
    assert [s["Type"] for s in definition["Steps"]] == ["Processing"] * 3 + ["Training", "Processing", "RegisterModel",
                                                                            "Processing", "Processing", "Processing"]
    register = next(s for s in definition["Steps"] if s["Type"] == "RegisterModel")
    assert register["Arguments"]["ModelApprovalStatus"] == "PendingManualApproval"
    assert ("aws:iam/role:Role", "readmission-risk-pipeline-role") in plan
    # ae-health-cloud's experiment tracking is SageMaker MLflow in me-central-1: the run is logged there
    # by the track step, as its own role, from the platform's trackingUri.
    track = definition["Steps"][-1]
    assert (track["Name"], track["DependsOn"]) == ("Track", ["Register"])
    assert track["Arguments"]["Environment"]["MLFLOW_TRACKING_URI"] == PLATFORM_EXPORTS["trackingUri"]
    assert track["Arguments"]["RoleArn"].endswith(":role/dubai-care-ml-prod-readmission-risk-track")
    assert ("aws:iam/role:Role", "readmission-risk-track-role") in plan


def test_the_pipeline_writes_the_baseline_the_projects_drift_monitoring_reads(realtime_plan):
    pipeline = realtime_plan[("aws:sagemaker/pipeline:Pipeline", "readmission-risk-pipeline")]
    baseline = next(s for s in json.loads(pipeline["inputs"]["pipelineDefinition"])["Steps"] if s["Name"] == "Baseline")
    [output] = baseline["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    [job] = [r["inputs"] for (kind, _), r in realtime_plan.items()
             if kind == "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"]
    assert job["dataQualityBaselineConfig"]["constraintsResource"]["s3Uri"] == f"{output['S3Output']['S3Uri']}/constraints.json"
    assert job["dataQualityBaselineConfig"]["statisticsResource"]["s3Uri"] == f"{output['S3Output']['S3Uri']}/statistics.json"
    assert output["S3Output"]["S3Uri"].startswith(f"s3://{PLATFORM_EXPORTS['dataLakeBuckets']['artifacts']}/")
    assert baseline["Arguments"]["AppSpecification"]["ImageUri"] == job["dataQualityAppSpecification"]["imageUri"]
    policy = json.loads(realtime_plan[("aws:iam/rolePolicy:RolePolicy", "readmission-risk-pipeline-role-policy")]
                        ["inputs"]["policy"])
    write = next(s for s in policy["Statement"] if s["Sid"] == "WriteDriftBaseline")
    assert write["Resource"] == output["S3Output"]["S3Uri"].replace("s3://", "arn:aws:s3:::") + "/*"


def test_the_drift_alarm_starts_the_pipeline_through_a_role_for_it_alone(plan):
    rule = plan[("aws:cloudwatch/eventRule:EventRule", "readmission-risk-drift")]
    pattern = json.loads(rule["inputs"]["eventPattern"])
    assert pattern["detail"]["alarmName"] == [{"prefix": "dubai-care-ml-prod-readmission-risk-drift-"}]
    assert pattern["detail"]["state"] == {"value": ["ALARM"]}
    assert pattern["detail"]["configuration"]["metrics"]["metricStat"]["metric"]["dimensions"] == {
        "Endpoint": ["dubai-care-ml-prod-readmission-risk"]}
    target = plan[("aws:cloudwatch/eventTarget:EventTarget", "readmission-risk-drift-target")]["inputs"]
    assert target["arn"] == PIPELINE_ARN
    assert target["sagemakerPipelineTarget"] == {"pipelineParameterLists": [{"name": "Trigger", "value": "drift"}]}
    role = plan[("aws:iam/role:Role", "readmission-risk-drift-trigger-role")]
    assert target["roleArn"].endswith(f":role/{role['inputs']['name']}")
    assert json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}
    policy = json.loads(plan[("aws:iam/rolePolicy:RolePolicy", "readmission-risk-drift-trigger-role-policy")]["inputs"]["policy"])
    assert [(s["Action"], s["Resource"]) for s in policy["Statement"]] == [("sagemaker:StartPipelineExecution", PIPELINE_ARN)]


def test_the_age_schedule_retrains_before_the_blueprints_maximum_age(plan):
    schedule = plan[("aws:scheduler/schedule:Schedule", "readmission-risk-age")]["inputs"]
    # ae-health-cloud sets no maxModelAgeDays: prod's profile default, 180 days, less 14 for approval.
    assert schedule["scheduleExpression"] == "rate(166 days)"
    assert schedule["target"]["arn"] == PIPELINE_ARN
    assert schedule["target"]["sagemakerPipelineParameters"] == {
        "pipelineParameters": [{"name": "Trigger", "value": "schedule"}]}
    role = plan[("aws:iam/role:Role", "readmission-risk-age-trigger-role")]
    assert json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert ("aws:iam/rolePolicy:RolePolicy", "readmission-risk-age-trigger-role-policy") in plan


HAND_WRITTEN_PIPELINE = '''
import json as _json
from qantara.components.ml_pipeline_definition import PipelinePlace, pipeline_definition

_place = PipelinePlace(
    project=PROJECT, package=PACKAGE, region="me-central-1", partition="aws", account_id="000000000000",
    image_uri="000000000000.dkr.ecr.me-central-1.amazonaws.com/dubai-care-ml-prod-models:readmission-risk-0.1.0",
    role_arn="arn:aws:iam::000000000000:role/dubai-care-ml-prod-readmission-risk-pipeline",
    kms_key_arn="arn:aws:kms:me-central-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    subnet_ids=("subnet-0a1b2c3d4e5f60001",), security_group_ids=("sg-0a1b2c3d4e5f60001",),
    data_bucket="dubai-care-ml-prod-curated-me-central-1", artifacts_bucket="dubai-care-ml-prod-artifacts-me-central-1",
    model_package_group="dubai-care-ml-prod-readmission-risk", data_classification=DATA_CLASSIFICATION,
    monitoring_bucket="dubai-care-ml-prod-artifacts-me-central-1", model_name="readmission-risk")
_definition = pipeline_definition(_place)
{change}
aws.sagemaker.Pipeline("readmission-risk-fast-track", pipeline_name="dubai-care-ml-prod-readmission-risk-fast",
                       pipeline_display_name="fast-track", role_arn=_place.role_arn,
                       pipeline_definition=_json.dumps(_definition), tags=tags,
                       opts=pulumi.ResourceOptions(provider=provider))
'''


@pytest.mark.parametrize(("change", "policy"), [
    # A fast-track copy of the pipeline that registers its models Approved.
    ('next(s for s in _definition["Steps"] if s["Type"] == "RegisterModel")["Arguments"]["ModelApprovalStatus"] = "Approved"',
     "QA-RES-084"),
    # ...whose training step lost its volume key while being edited.
    ('del next(s for s in _definition["Steps"] if s["Type"] == "Training")["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"]',
     "QA-RES-081"),
])
def test_a_hand_edited_pipeline_fails_with_the_named_policy(project, tmp_path, change, policy):
    code, report = check(tampered(project, tmp_path, HAND_WRITTEN_PIPELINE.format(change=change)))
    assert code == 1
    assert policies_of(report) == {policy}
    assert all("readmission-risk-fast-track" in f["resource"] for f in report["findings"])


def test_s3_everywhere_on_the_pipelines_role_fails(project, tmp_path):
    # The role's name copied from the console, so that the steps can read "the other data set".
    addition = """
import json
aws.iam.RolePolicy("pipeline-data-access", role="dubai-care-ml-prod-readmission-risk-pipeline",
                   policy=json.dumps({"Version": "2012-10-17", "Statement": [
                       {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
                   opts=pulumi.ResourceOptions(provider=provider))
"""
    code, report = check(tampered(project, tmp_path, addition))
    assert code == 1
    # The account-wide IAM policies (QA-RES-026, 027) see it too; QA-RES-083 says it is the pipeline's role.
    ours = [f for f in report["findings"] if f["policy"] == "QA-RES-083"]
    assert [f["resource"].split("::")[-1] for f in ours] == ["pipeline-data-access"]
    assert "SageMaker pipeline's role" in ours[0]["message"]


@pytest.mark.parametrize(("content", "says"), [
    ("region: me-central-1\n", "not JSON"),
    ('["me-central-1"]', "a JSON list, expected an object of output name to value"),
])
def test_stack_outputs_that_are_not_a_json_object_are_bad_input(project, tmp_path, content, says):
    exports = tmp_path / "exports.json"
    exports.write_text(content)
    done = qantara("check", BLUEPRINT, "--env", "prod", "--program", project / "infra", "--stack-outputs", exports)
    assert done.returncode == 2
    assert says in done.stderr and str(exports) in done.stderr
    assert "Traceback" not in done.stderr


def test_stack_outputs_without_a_program_are_refused(project):
    done = qantara("check", BLUEPRINT, "--env", "prod", "--stack-outputs", project.parent / "platform-exports.json")
    assert done.returncode == 2
    assert "give --program too" in done.stderr


# --- the default project: served in real time, its endpoint and its monitoring its own ----------

def test_the_default_realtime_project_passes_its_check_with_the_platforms_exports(realtime):
    code, report = check(realtime, realtime_args(realtime))
    assert (code, report["verdict"], report["findings"]) == (0, "pass", [])


def of_type(plan: dict, suffix: str) -> dict:
    return {name: r for (kind, name), r in plan.items() if kind.endswith(suffix)}


def test_the_realtime_plan_holds_the_endpoint_its_monitoring_schedule_drift_alarms_and_both_triggers(realtime_plan):
    endpoint = "dubai-care-ml-prod-readmission-risk"
    assert [r["inputs"]["name"] for r in of_type(realtime_plan, "/endpoint:Endpoint").values()] == [endpoint]
    (schedule,) = of_type(realtime_plan, "/monitoringSchedule:MonitoringSchedule").values()
    assert schedule["inputs"]["name"] == f"{endpoint}-drift"
    assert schedule["location"]["region"] == "me-central-1"
    # qantara.yaml's drift schedule (daily), not the blueprint's (hourly): the project decides it.
    assert schedule["inputs"]["monitoringScheduleConfig"]["scheduleConfig"]["scheduleExpression"] == "cron(0 0 ? * * *)"
    drift = {r["inputs"]["name"]: r["inputs"] for r in of_type(realtime_plan, "/metricAlarm:MetricAlarm").values()
             if r["inputs"]["name"].startswith(f"{endpoint}-drift-")}
    # One alarm per feature of the infra's driftFeatures, at qantara.yaml's threshold.
    assert sorted(drift) == [f"{endpoint}-drift-{f}" for f in ("x1", "x2", "x3")]
    assert {a["threshold"] for a in drift.values()} == {0.2}
    for kind in ("/eventRule:EventRule", "/eventTarget:EventTarget", "/schedule:Schedule"):
        assert of_type(realtime_plan, kind), kind
    roles = {r["inputs"]["name"] for r in of_type(realtime_plan, "/role:Role").values()}
    assert {"dubai-care-ml-prod-readmission-risk-monitoring"} <= roles
    # The project's monitoring role and topic are its own, never the platform's (named per environment).
    assert "dubai-care-ml-prod-monitoring" not in roles
    topics = {r["inputs"]["name"] for r in of_type(realtime_plan, "/topic:Topic").values()}
    assert topics == {"dubai-care-ml-prod-readmission-risk-model-alerts"}


def alarm_event(alarm: dict, state: str) -> dict:
    """The `CloudWatch Alarm State Change` event CloudWatch sends to EventBridge for a
    single-metric alarm (CloudWatch user guide, "Alarm events and EventBridge"), from the
    alarm as the plan holds it."""
    inputs = alarm["inputs"]
    metric = {"namespace": inputs["namespace"], "name": inputs["metricName"], "dimensions": inputs["dimensions"]}
    return {
        "version": "0", "source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
        "account": ACCOUNT, "region": "me-central-1",
        "detail": {
            "alarmName": inputs["name"],
            "state": {"value": state, "reason": "Threshold Crossed"},
            "previousState": {"value": "OK" if state == "ALARM" else "ALARM"},
            "configuration": {"metrics": [{"id": "m1", "returnData": True, "metricStat": {
                "metric": metric, "period": inputs["period"], "stat": inputs["statistic"]}}]},
        },
    }


def value_matches(matcher, value) -> bool:
    if isinstance(matcher, dict):
        (operator, operand), = matcher.items()
        assert operator == "prefix", f"the test knows exact values and prefix only, not {operator}"
        return isinstance(value, str) and value.startswith(operand)
    return matcher == value


def pattern_matches(pattern: dict, event) -> bool:
    """EventBridge's matching for the operators the rule uses: every field of the pattern must be
    in the event; a list of matchers matches when one does; an array in the event matches when
    one of its elements does."""
    if isinstance(event, list):
        return any(pattern_matches(pattern, element) for element in event)
    if not isinstance(event, dict):
        return False
    for key, matcher in pattern.items():
        if key not in event:
            return False
        value = event[key]
        if isinstance(matcher, dict):
            if not pattern_matches(matcher, value):
                return False
        elif not any(value_matches(m, v) for m in matcher for v in (value if isinstance(value, list) else [value])):
            return False
    return True


def test_the_drift_rule_matches_every_drift_alarm_the_plan_holds_entering_alarm_and_nothing_else(realtime_plan):
    (rule,) = [r for r in of_type(realtime_plan, "/eventRule:EventRule").values() if r["name"].endswith("-drift")]
    pattern = json.loads(rule["inputs"]["eventPattern"])
    alarms = list(of_type(realtime_plan, "/metricAlarm:MetricAlarm").values())
    watching = [a for a in alarms if a["inputs"]["metricName"].startswith("feature_baseline_drift_")]
    unmeasured = [a for a in watching if a["inputs"]["treatMissingData"] == "breaching"]
    drift = [a for a in watching if a not in unmeasured]
    assert len(drift) == 3
    assert [a["inputs"]["name"] for a in drift if pattern_matches(pattern, alarm_event(a, "ALARM"))] == [
        a["inputs"]["name"] for a in drift]
    # Back to OK, or a latency or 5xx alarm of the same endpoint, starts nothing.
    assert not [a for a in drift if pattern_matches(pattern, alarm_event(a, "OK"))]
    health = [a for a in alarms if a not in watching]
    assert len(health) == 2 and not [a for a in health if pattern_matches(pattern, alarm_event(a, "ALARM"))]
    # Drift not measured (the same metric, missing) tells the team and retrains nothing.
    assert len(unmeasured) == 3
    assert not [a for a in unmeasured if pattern_matches(pattern, alarm_event(a, "ALARM"))]


def test_the_matcher_is_not_a_yes_machine(realtime_plan):
    # Another model's drift alarm, whose name extends this one's, does not match the rule.
    (rule,) = [r for r in of_type(realtime_plan, "/eventRule:EventRule").values() if r["name"].endswith("-drift")]
    pattern = json.loads(rule["inputs"]["eventPattern"])
    alarm = next(a for a in of_type(realtime_plan, "/metricAlarm:MetricAlarm").values()
                 if a["inputs"]["name"].endswith("-drift-x1"))
    other = json.loads(json.dumps(alarm))
    other["inputs"]["name"] = other["inputs"]["name"].replace("readmission-risk", "readmission-risk-v2")
    other["inputs"]["dimensions"]["Endpoint"] = "dubai-care-ml-prod-readmission-risk-v2"
    assert pattern_matches(pattern, alarm_event(alarm, "ALARM"))
    assert not pattern_matches(pattern, alarm_event(other, "ALARM"))


def test_a_realtime_project_never_promoted_and_without_image_uri_stops_saying_what_to_set(realtime):
    done = qantara("check", BLUEPRINT, "--env", "prod", *platform_args(realtime))
    assert done.returncode != 0
    assert "imageUri" in done.stdout + done.stderr and "make promote" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_promoted_realtime_project_needs_no_image_uri(realtime):
    variants = json.dumps([{"name": "champion", "modelVersion": "3", "weight": 100}])
    plan = planned(platform_args(realtime, f"{INFRA}:variants={variants}"))
    (model,) = of_type(plan, "/model:Model").values()
    assert model["inputs"]["primaryContainer"]["image"] == f"{PLATFORM_EXPORTS['modelImageRepositoryUrl']}:readmission-risk-3"


def test_a_realtime_project_that_adds_its_own_bucket_needs_a_trail_of_its_own(realtime, tmp_path):
    # "Scores for the dashboard": a bucket beside the endpoint, which the platform's trail selects no data events on.
    addition = """
aws.s3.BucketV2("readmission-risk-scores", bucket="dubai-care-ml-prod-readmission-risk-scores", tags=tags,
                opts=pulumi.ResourceOptions(provider=provider))
"""
    copy = tampered(realtime, tmp_path, addition)
    code, report = check(copy, realtime_args(copy))
    assert code == 1
    trail = [f for f in report["findings"] if f["policy"] == "QA-RES-019"]
    assert [f["resource"].split("::")[-1] for f in trail] == ["readmission-risk-scores"]


def test_a_project_named_after_a_model_the_platform_serves_is_refused_at_new(tmp_path):
    done = qantara("new", "ml-project", "--blueprint", BLUEPRINT, "--no-input", "--set", "project_name=Length of Stay",
                   "--output-dir", tmp_path)
    assert done.returncode == 2
    assert "length-of-stay is served by platform dubai-care-ml itself" in done.stderr
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())


# --- the on-prem example: the default project owns its endpoint on site ------------------------

SA_GOVERNMENT = REPO / "blueprints" / "sa-government-onprem.yaml"
SITE_NAMESPACE = "gov-analytics-ml-prod"
# What the platform stack of sa-government-onprem exports in prod (onprem_platform's names).
SITE_EXPORTS = {
    "onPremNamespace": SITE_NAMESPACE,
    "onPremObjectStorageEndpoint": f"http://minio.{SITE_NAMESPACE}.svc:9000",
    "onPremPipelineCredentialsSecret": "minio-pipeline-credentials",
    "onPremTrackingUri": f"https://mlflow.{SITE_NAMESPACE}.example",
    "onPremTrackingInternalUri": f"http://mlflow.{SITE_NAMESPACE}.svc:5000",
}


@pytest.fixture(scope="module")
def site_project(tmp_path_factory) -> Path:
    return generated(tmp_path_factory.mktemp("onprem-realtime"), SA_GOVERNMENT, SITE_EXPORTS)


def site_args(project: Path) -> list:
    settings = [f"{INFRA}:platformStack=agency/qantara/prod", f"{INFRA}:pipelineImageTag=0.1.0",
                f'{INFRA}:kubeApiCidrs=["10.0.0.1/32"]']
    return ["--program", project / "infra", "--stack-outputs", project.parent / "platform-exports.json",
            *[arg for setting in settings for arg in ("--config", setting)]]


def test_the_default_on_prem_project_passes_its_check_with_the_platforms_exports(site_project):
    done = qantara("check", SA_GOVERNMENT, "--env", "prod", *site_args(site_project), "--format", "json")
    report = json.loads(done.stdout)
    assert (done.returncode, report["verdict"], report["findings"]) == (0, "pass", []), done.stderr


def test_the_on_prem_project_serves_its_model_on_site_and_its_drift_alert_is_one_the_platform_raises(site_project):
    done = qantara("plan", SA_GOVERNMENT, "--env", "prod", *site_args(site_project), "--format", "json")
    assert done.returncode == 0, done.stderr
    resources = json.loads(done.stdout)["resources"]
    kinds = {r["type"].rsplit(":", 1)[1]: r for r in resources if r["type"].startswith("kubernetes:")}
    assert {"Deployment", "Service", "ServiceMonitor", "WorkflowTemplate", "CronWorkflow", "Sensor"} <= set(kinds)
    deployment = kinds["Deployment"]["inputs"]
    assert deployment["metadata"]["namespace"] == SITE_NAMESPACE
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "registry.agency.gov.example/ml/readmission-risk:0.1.0")
    # No second copy of the namespace's alerts: the platform's rule is the one that fires.
    assert "PrometheusRule" not in kinds
    served = deployment["metadata"]["labels"]["qantara.dev/model"]
    filters = {f["path"]: f["value"] for d in kinds["Sensor"]["inputs"]["spec"]["dependencies"]
               for f in d["filters"]["data"]}
    assert filters["body.commonLabels.model"] == [served]

    platform = qantara("plan", SA_GOVERNMENT, "--env", "prod", "--format", "json")
    assert platform.returncode == 0, platform.stderr
    rules = [rule for r in json.loads(platform.stdout)["resources"] if r["type"].endswith(":PrometheusRule")
             for group in r["inputs"]["spec"]["groups"] for rule in group["rules"]]
    (alert,) = filters["body.commonLabels.alertname"]
    (drift,) = [rule for rule in rules if rule["alert"] == alert]
    # The platform's alert carries the model label the sensor filters on.
    assert "by (model" in drift["expr"]


def test_a_realtime_project_whose_model_name_exceeds_a_served_models_limit_is_refused_at_new(tmp_path):
    # 34 characters: a valid package, but its endpoint's monitoring and on-site model are named after it.
    name = "project_name=Readmission Risk Within Thirty Day"
    done = qantara("new", "ml-project", "--blueprint", BLUEPRINT, "--no-input", "--set", name, "--output-dir", tmp_path)
    assert done.returncode == 2 and "at most 32 characters when serving is realtime" in done.stderr
    batch = qantara("new", "ml-project", "--blueprint", BLUEPRINT, "--no-input", "--set", name, "--set", "serving=batch",
                    "--output-dir", tmp_path)
    assert batch.returncode == 0, batch.stderr


def test_the_infra_of_a_project_renamed_after_a_served_model_stops_before_declaring_it(realtime, tmp_path):
    import shutil

    copy = tmp_path / "readmission_risk"
    shutil.copytree(realtime, copy, ignore=shutil.ignore_patterns(".venv", "runs"))
    shutil.copy(realtime.parent / "platform-exports.json", tmp_path / "platform-exports.json")
    blueprint = copy / "platform" / "blueprint.yaml"
    # The platform team starts serving readmission-risk itself, and the project takes the new copy.
    blueprint.write_text(blueprint.read_text().replace("        - name: length-of-stay\n",
                                                       "        - name: readmission-risk\n"))
    done = qantara("check", BLUEPRINT, "--env", "prod", *realtime_args(copy))
    assert done.returncode != 0
    assert "served by platform dubai-care-ml itself" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
