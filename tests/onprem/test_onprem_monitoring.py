import pytest
from pod_checks import label_problems, of_type

from qantara.components.identity import StackIdentity
from qantara.components.onprem.model_serving import MetricsTarget
from qantara.components.onprem.monitoring import (
    DRIFT_METRIC,
    DRIFT_THRESHOLD_METRIC,
    ServingMonitoring,
    ServingMonitoringArgs,
    drift_expression,
    drift_thresholds,
)
from qantara.components.onprem.naming import platform_labels
from qantara.errors import CatalogError

NAMESPACE = "riyadh-health-ml-prod"
LABELS = platform_labels(blueprint="riyadh-health-ml", environment="prod", owner="data-office@riyadh-health.example")
TARGETS = [
    MetricsTarget("readmission", "readmission-metrics",
                  {"app.kubernetes.io/name": "readmission", "app.kubernetes.io/instance": "readmission-metrics"}),
    MetricsTarget("triage", "triage-metrics", {"app.kubernetes.io/name": "triage", "app.kubernetes.io/instance": "triage-metrics"}),
]


@pytest.fixture
def monitoring(build):
    return build(lambda: ServingMonitoring("monitoring", ServingMonitoringArgs(
        namespace=NAMESPACE, identity=StackIdentity(blueprint="riyadh-health-ml", environment="prod"), targets=TARGETS,
        latency_threshold_ms=500, error_threshold=5, schedule="hourly",
        prometheus_labels={"release": "kube-prometheus"}, labels=LABELS)))


def rules(resources) -> dict:
    (rule,) = of_type(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    (group,) = rule["inputs"]["spec"]["groups"]
    return {r["alert"]: r for r in group["rules"]}


def test_one_service_monitor_per_serving_service_in_the_namespace(monitoring):
    monitors = {r["inputs"]["metadata"]["name"]: r["inputs"] for r in
                of_type(monitoring, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")}
    assert set(monitors) == {"readmission-metrics", "triage-metrics"}
    spec = monitors["triage-metrics"]["spec"]
    assert spec["selector"] == {"matchLabels": TARGETS[1].match_labels}
    assert spec["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    assert spec["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]
    assert monitors["triage-metrics"]["metadata"]["labels"]["release"] == "kube-prometheus"


def test_latency_and_error_alerts_use_the_blueprint_thresholds(monitoring):
    alerts = rules(monitoring)
    assert alerts["QantaraModelLatencyHigh"]["expr"].startswith("histogram_quantile(0.99, ")
    assert alerts["QantaraModelLatencyHigh"]["expr"].endswith("> 0.5")
    assert f'namespace="{NAMESPACE}"' in alerts["QantaraModelLatencyHigh"]["expr"]
    assert 'code=~"5.."' in alerts["QantaraModelErrorsHigh"]["expr"]
    assert alerts["QantaraModelErrorsHigh"]["expr"].endswith("> 5")


def test_drift_alerts_read_the_gauge_the_drift_job_exports_and_notice_when_it_stops(monitoring):
    alerts = rules(monitoring)
    identity = 'blueprint="riyadh-health-ml", environment="prod"'
    # The one spelling of the drift expression (its behaviour: tests/templates/test_onsite_drift_rule.py).
    assert alerts["QantaraModelDrift"]["expr"] == drift_expression(identity, drift_thresholds())
    assert f"{DRIFT_METRIC}{{{identity}}}" in alerts["QantaraModelDrift"]["expr"]
    assert f"{DRIFT_THRESHOLD_METRIC}{{{identity}}}" in alerts["QantaraModelDrift"]["expr"]
    silent = f'absent_over_time({DRIFT_METRIC}{{blueprint="riyadh-health-ml", environment="prod"}}[2h])'
    assert alerts["QantaraDriftJobSilent"]["expr"] == silent


def test_monitoring_objects_are_labelled(monitoring):
    assert label_problems(monitoring) == []


def test_the_drift_thresholds_come_from_the_catalog_the_project_policy_reads():
    thresholds = drift_thresholds()
    assert (thresholds.platform, thresholds.ceiling) == (0.25, 0.25)


@pytest.mark.parametrize("table", [
    None,
    {"platformThreshold": 0.25},
    {"platformThreshold": 0.25, "maxProjectThreshold": 0},
    {"platformThreshold": float("nan"), "maxProjectThreshold": 0.25},
    {"platformThreshold": 0.25, "maxProjectThreshold": float("inf")},
    {"platformThreshold": True, "maxProjectThreshold": 0.25},
    {"platformThreshold": "0.25", "maxProjectThreshold": 0.25},
    {"platformThreshold": 0.3, "maxProjectThreshold": 0.25},
])
def test_a_drift_table_the_alert_cannot_be_written_from_is_refused(table):
    # No alert rather than an alert that cannot fire: the stack stops with the file and key named.
    with pytest.raises(CatalogError, match="policies/data/drift.yaml"):
        drift_thresholds({"drift": table})
