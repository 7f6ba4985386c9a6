"""The on-prem pipeline: seven hardened steps from the site registry, artifacts in the site's
MinIO, an age schedule within the limit, a drift alert that submits it, and nothing that deploys."""

from __future__ import annotations

import json

import pytest
from pipeline_build import ARGO, NAMESPACE, REGISTRY, WEBHOOK_TOKEN, build, one

from qantara.components.identity import StackIdentity
from qantara.components.onprem.monitoring import ServingMonitoringArgs, alert_rules
from qantara.components.onprem.pipeline import STEPS
from qantara.components.onprem.pipeline_drift import DRIFT_ALERT
from qantara.components.onprem.pipeline_schedule import age_schedule


@pytest.fixture(scope="module")
def resources():
    return build()


def templates(resources) -> dict[str, dict]:
    return {t["name"]: t for t in one(resources, "WorkflowTemplate")["inputs"]["spec"]["templates"]}


def test_the_dag_runs_the_seven_steps_in_order_each_handing_its_run_to_the_next(resources):
    tasks = templates(resources)["pipeline"]["dag"]["tasks"]
    assert [t["name"] for t in tasks] == list(STEPS)
    for previous, task in zip(tasks, tasks[1:]):
        assert task["depends"] == f"{previous['name']}.Succeeded"
        assert task["arguments"]["artifacts"] == [{"name": "run", "from": f"{{{{tasks.{previous['name']}.outputs.artifacts.run}}}}"}]


def test_every_step_runs_hardened_and_limited_with_the_projects_image_from_the_site_registry(resources):
    spec = one(resources, "WorkflowTemplate")["inputs"]["spec"]
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0 and pod["seccompProfile"]["type"] == "RuntimeDefault"
    assert spec["automountServiceAccountToken"] is False
    assert not {"hostNetwork", "podSpecPatch"} & set(spec)
    for step in STEPS:
        container = templates(resources)[step]["container"]
        context = container["securityContext"]
        assert container["image"] == f"{REGISTRY}/triage:0.1.0"
        assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"] and context["runAsNonRoot"] is True
        assert set(container["resources"]["limits"]) == {"cpu", "memory"}
        assert set(container["resources"]["requests"]) == {"cpu", "memory"}
        assert container["args"][:2] == ["--step", step]


def test_the_executor_may_only_record_step_results_and_the_steps_get_no_token(resources):
    (role,) = [r for r in resources if r["type"].endswith(":Role") and r["name"] == "triage-executor-role"]
    assert role["inputs"]["rules"] == [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"],
                                        "verbs": ["create", "patch"]}]
    spec = one(resources, "WorkflowTemplate")["inputs"]["spec"]
    assert spec["executor"]["serviceAccountName"] == spec["serviceAccountName"] == "triage-pipeline"
    (account,) = [r for r in resources if r["name"] == "triage-service-account"]
    assert account["inputs"]["automountServiceAccountToken"] is False


def test_artifacts_and_training_data_go_to_the_sites_minio_only(resources):
    (config_map,) = [r for r in resources if r["type"] == "kubernetes:core/v1:ConfigMap"]
    s3 = json.loads(config_map["inputs"]["data"]["minio"])["s3"]
    assert s3["endpoint"] == f"minio.{NAMESPACE}.svc:9000" and s3["bucket"] == "artifacts"
    assert s3["encryptionOptions"] == {"enableEncryption": True}
    assert s3["accessKeySecret"] == {"name": "minio-pipeline-credentials", "key": "AWS_ACCESS_KEY_ID"}
    spec = one(resources, "WorkflowTemplate")["inputs"]["spec"]
    assert spec["artifactRepositoryRef"] == {"configMap": config_map["inputs"]["metadata"]["name"], "key": "minio"}
    (data,) = templates(resources)["ingest"]["inputs"]["artifacts"]
    assert data["s3"]["endpoint"] == s3["endpoint"] and data["s3"]["bucket"] == "curated"


def test_register_talks_to_the_on_prem_mlflow_and_no_step_deploys(resources):
    by_name = templates(resources)
    variables = {e["name"]: e.get("value") for e in by_name["register"]["container"]["env"]}
    assert variables["MLFLOW_TRACKING_URI"] == f"http://mlflow.{NAMESPACE}.svc:5000"
    # Only containers and the DAG: no resource template could apply an InferenceService.
    assert {k for t in by_name.values() for k in ("container", "dag", "resource", "script", "http") if k in t} == {"container", "dag"}
    roles = [r["inputs"]["rules"] for r in resources if r["type"].endswith(":Role")]
    granted = {(resource, verb) for rules in roles for rule in rules for resource in rule["resources"] for verb in rule["verbs"]}
    assert granted == {("workflowtaskresults", "create"), ("workflowtaskresults", "patch"),
                       ("workflows", "create"), ("workflowtemplates", "get")}


def test_every_object_lives_in_the_platform_namespace(resources):
    for r in resources:
        if r["type"].startswith("kubernetes:"):
            assert r["inputs"]["metadata"]["namespace"] == NAMESPACE, r["name"]


def test_the_age_schedule_runs_the_template_marked_as_scheduled(resources):
    cron = one(resources, "CronWorkflow")["inputs"]["spec"]
    assert cron["schedules"] == [age_schedule(180).cron] and cron["concurrencyPolicy"] == "Forbid"
    workflow = cron["workflowSpec"]
    assert workflow["workflowTemplateRef"] == {"name": "triage-pipeline"}
    assert {"name": "trigger", "value": "schedule"} in workflow["arguments"]["parameters"]


def test_no_gap_between_scheduled_runs_exceeds_any_allowed_age_limit_less_its_margin():
    # Every limit the blueprint schema allows (1 to 3650 days).
    too_long = [(age, age_schedule(age)) for age in range(1, 3651)
                if age_schedule(age).longest_gap_days > max(1, age - age_schedule(age).margin_days)]
    assert too_long == []
    assert age_schedule(180).cron == "0 3 1 */4 *" and age_schedule(14).cron == "0 3 * * 1"


def test_a_model_age_limit_below_one_day_is_refused():
    with pytest.raises(ValueError, match="at least 1 day"):
        age_schedule(0)


def test_the_drift_alert_the_platform_raises_is_the_one_the_sensor_listens_for(resources):
    rules = alert_rules(ServingMonitoringArgs(namespace=NAMESPACE, identity=StackIdentity(blueprint="sa-health", environment="prod"),
                                              targets=[]))
    assert DRIFT_ALERT in {rule["alert"] for rule in rules}
    sensor = one(resources, "Sensor")["inputs"]["spec"]
    (dependency,) = sensor["dependencies"]
    filters = {f["path"]: f["value"] for f in dependency["filters"]["data"]}
    assert filters == {"body.status": ["firing"], "body.commonLabels.alertname": [DRIFT_ALERT],
                       "body.commonLabels.model": ["triage"]}
    event_source = one(resources, "EventSource")
    assert dependency["eventSourceName"] == event_source["inputs"]["metadata"]["name"]
    assert dependency["eventName"] in event_source["inputs"]["spec"]["webhook"]


def test_a_drift_alert_submits_the_pipeline_from_its_template_marked_drift_at_most_hourly(resources):
    (trigger,) = one(resources, "Sensor")["inputs"]["spec"]["triggers"]
    argo = trigger["template"]["argoWorkflow"]
    assert argo["operation"] == "submit"
    workflow = argo["source"]["resource"]
    assert workflow["kind"] == "Workflow" and workflow["spec"]["workflowTemplateRef"] == {"name": "triage-pipeline"}
    assert workflow["spec"]["arguments"]["parameters"][0] == {"name": "trigger", "value": "drift"}
    # Steps come from the template only: the submitted Workflow declares none of its own.
    assert "templates" not in workflow["spec"]
    assert trigger["rateLimit"] == {"unit": "Hour", "requestsPerUnit": 1}


def test_the_webhook_refuses_requests_without_the_token_and_the_token_never_reaches_the_plan(resources):
    webhook = one(resources, "EventSource")["inputs"]["spec"]["webhook"]["alertmanager"]
    (secret,) = [r for r in resources if r["type"] == "kubernetes:core/v1:Secret"]
    assert webhook["authSecret"]["name"] == secret["inputs"]["metadata"]["name"]
    assert secret["inputs"]["stringData"] == "[secret]"
    assert WEBHOOK_TOKEN not in str(resources)


def test_argo_events_pods_are_hardened_and_only_the_sensor_mounts_a_token(resources):
    accounts = {r["inputs"]["metadata"]["name"]: r["inputs"]["automountServiceAccountToken"]
                for r in resources if r["type"] == "kubernetes:core/v1:ServiceAccount"}
    for kind in ("Sensor", "EventSource"):
        template = one(resources, kind)["inputs"]["spec"]["template"]
        assert template["securityContext"]["runAsNonRoot"] is True
        assert template["container"]["securityContext"]["allowPrivilegeEscalation"] is False
        assert set(template["container"]["resources"]["limits"]) == {"cpu", "memory"}
        assert accounts[template["serviceAccountName"]] is (kind == "Sensor")


def test_the_pipeline_and_sensor_pods_may_reach_the_api_server_and_nothing_else_is_opened(resources):
    (policy,) = [r for r in resources if r["type"].endswith(":NetworkPolicy") and r["name"] == "triage-kube-api"]
    selector = policy["inputs"]["spec"]["podSelector"]["matchLabels"]
    (egress,) = policy["inputs"]["spec"]["egress"]
    assert [peer["ipBlock"]["cidr"] for peer in egress["to"]] == ["10.0.0.10/32"]
    pod_labels = one(resources, "WorkflowTemplate")["inputs"]["spec"]["podMetadata"]["labels"]
    sensor_labels = one(resources, "Sensor")["inputs"]["spec"]["template"]["metadata"]["labels"]
    event_labels = one(resources, "EventSource")["inputs"]["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= pod_labels.items() and selector.items() <= sensor_labels.items()
    assert not selector.items() <= event_labels.items()


def test_without_drift_or_api_ranges_only_the_pipeline_and_its_schedule_are_declared():
    resources = build(drift=None, kube_api_cidrs=[])
    kinds = {r["type"].rsplit(":", 1)[1] for r in resources if r["type"].startswith(ARGO)}
    assert kinds == {"WorkflowTemplate", "CronWorkflow"}
    (deny,) = [r["inputs"]["spec"] for r in resources if r["type"].endswith(":NetworkPolicy")]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
