import pytest
from pod_checks import label_problems, of_type

from qantara.components.identity import StackIdentity
from qantara.components.onprem.model_serving import MetricsTarget
from qantara.components.onprem.monitoring import DRIFT_METRIC, ServingMonitoring, ServingMonitoringArgs
from qantara.components.onprem.naming import platform_labels

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
    assert DRIFT_METRIC in alerts["QantaraModelDrift"]["expr"] and "> 0.25" in alerts["QantaraModelDrift"]["expr"]
    assert 'blueprint="riyadh-health-ml", environment="prod"' in alerts["QantaraModelDrift"]["expr"]
    silent = f'absent_over_time({DRIFT_METRIC}{{blueprint="riyadh-health-ml", environment="prod"}}[2h])'
    assert alerts["QantaraDriftJobSilent"]["expr"] == silent


def test_monitoring_objects_are_labelled(monitoring):
    assert label_problems(monitoring) == []
