"""On site, the project's own model server produces the drift gauge the platform's alert reads.

The on-prem example project (`qantara new ml-project` from sa-government-onprem, served in real
time) is planned with the platform's exports; its model server is started as the image starts it
(`python -m <package>.container serve`), with the environment the plan gives the Deployment, on a
model its own pipeline code trained. The platform's PrometheusRule is read from the platform's
plan and its drift expression evaluated over what the server's /metrics says: training-like
traffic fires nothing, a shifted input fires for that input and this model only, under the model
label the project's drift sensor filters on.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_ml_pipeline_check import SA_GOVERNMENT, SITE_EXPORTS, generated, qantara, site_args
from test_ml_project_runs import MISSING, _clean_env
from test_ml_project_servable import _python

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"install qantara[ml]: {', '.join(MISSING)} missing")

DRIFT_RULE = re.compile(r"^max by \((?P<by>[^)]*)\) \((?P<metric>\w+)\{(?P<selector>[^}]*)\}\) > (?P<threshold>[0-9.]+)$")
MATCHER = re.compile(r'(\w+)="([^"]*)"')
# A series an alert expression reads: its metric name and its label matchers.
SELECTED = re.compile(r"(?P<metric>qantara_\w+)\{(?P<matchers>[^}]*)\}")
MATCHER_LABEL = re.compile(r"(\w+)\s*(?:=~|!~|!=|=)")
BY = re.compile(r"by \((?P<labels>[^)]*)\)")
# The labels Prometheus (Operator) attaches to every target of a ServiceMonitor: a metric label of
# the same name would be renamed exported_<name> and the rule would no longer select it.
TARGET_LABELS = {"job", "instance", "namespace", "service", "pod", "container", "endpoint"}


def _plan(*args) -> list[dict]:
    done = qantara("plan", SA_GOVERNMENT, "--env", "prod", *args, "--format", "json")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)["resources"]


def _of_kind(resources: list[dict], kind: str) -> list[dict]:
    return [r["inputs"] for r in resources if r["type"] == f"kubernetes:{kind}" or r["type"].endswith(f":{kind}")]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, list[dict], list[dict]]:
    """(the on-prem project, its infra plan, the platform's plan)."""
    project = generated(tmp_path_factory.mktemp("onsite-drift"), SA_GOVERNMENT, SITE_EXPORTS)
    return project, _plan(*site_args(project)), _plan()


def _rules(platform: list[dict]) -> list[dict]:
    return [rule for r in _of_kind(platform, "PrometheusRule") for group in r["spec"]["groups"]
            for rule in group["rules"]]


@pytest.fixture(scope="module")
def drift_rule(site) -> dict:
    _, _, platform = site
    [rule] = [rule for rule in _rules(platform) if rule["alert"] == "QantaraModelDrift"]
    parsed = DRIFT_RULE.match(rule["expr"])
    assert parsed, rule["expr"]
    return {"by": [label.strip() for label in parsed["by"].split(",")], "metric": parsed["metric"],
            "selector": dict(MATCHER.findall(parsed["selector"])), "threshold": float(parsed["threshold"])}


def _container_env(project_plan: list[dict]) -> dict[str, str]:
    [deployment] = _of_kind(project_plan, "apps/v1:Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {variable["name"]: variable["value"] for variable in container["env"]}


def test_the_plan_gives_the_model_server_the_identity_the_platforms_drift_rule_selects_on(site, drift_rule):
    _, project_plan, _ = site
    env = _container_env(project_plan)
    assert drift_rule["metric"] == "qantara_model_drift_score"
    assert set(drift_rule["selector"]) == {"blueprint", "environment"}
    assert env["QANTARA_BLUEPRINT"] == drift_rule["selector"]["blueprint"]
    assert env["QANTARA_ENVIRONMENT"] == drift_rule["selector"]["environment"]
    assert env["QANTARA_MODEL"] == "readmission-risk"
    # sa-government-onprem watches drift daily: a request is forgotten after a day.
    assert env["QANTARA_DRIFT_WINDOW_SECONDS"] == "86400"
    # None of the labels the rule reads is one Prometheus overwrites with the target's own.
    assert not ({*drift_rule["selector"], *drift_rule["by"]} & TARGET_LABELS)


def test_prometheus_scrapes_the_path_and_port_the_model_server_serves_metrics_on(site):
    project, project_plan, _ = site
    [monitor] = _of_kind(project_plan, "ServiceMonitor")
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics" and not endpoint.get("honorLabels")
    services = [s for s in _of_kind(project_plan, "core/v1:Service")
                if s["metadata"]["name"] == monitor["metadata"]["name"]]
    [port] = services[0]["spec"]["ports"]
    assert port["name"] == endpoint["port"] and port["targetPort"] == 8080
    serve = (project / "src" / "readmission_risk" / "serve.py").read_text()
    container = (project / "src" / "readmission_risk" / "container.py").read_text()
    assert 'METRICS_PATH = "/metrics"' in serve and '"--port", "8080"' in container


@pytest.fixture(scope="module")
def model_and_traffic(site, tmp_path_factory) -> Path:
    """A model trained by the project's own code, and two request bodies: training-like and shifted."""
    project, _, _ = site
    work = tmp_path_factory.mktemp("drift-traffic")
    made = _python(project, f"""
        import json
        from pathlib import Path
        from readmission_risk import data, features, pipeline, synthetic
        work = Path({str(work)!r})
        frame = features.prepare(synthetic.make_dataset(rows=3000, seed=1))
        inputs = features.model_inputs(frame)
        model = features.build_model().fit(inputs, frame[data.TARGET])
        pipeline.save_served_model(model, inputs, work / "model")
        like = features.model_inputs(features.prepare(synthetic.make_dataset(rows=1000, seed=5)))
        shifted = like.copy()
        shifted["x2"] = shifted["x2"] + 2 * inputs["x2"].std()
        for name, rows in (("like", like), ("shifted", shifted)):
            (work / f"{{name}}.json").write_text(json.dumps({{"instances": json.loads(rows.to_json(orient="records"))}}))
    """)
    assert made.returncode == 0, made.stderr[-3000:]
    return work


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(site, model_and_traffic):
    """The model server as the image starts it, with the Deployment's environment from the plan."""
    project, project_plan, _ = site
    port = _free_port()
    env = {**_clean_env(), **_container_env(project_plan), "HOME": str(model_and_traffic),
           "PYTHONPATH": str(project / "src"), "MODEL_URI": str(model_and_traffic / "model")}
    process = subprocess.Popen([sys.executable, "-m", "readmission_risk.container", "serve", "--host", "127.0.0.1",
                                "--port", str(port)], cwd=project, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # waits for the model to load; not a speed assertion
    while True:
        try:
            with urllib.request.urlopen(f"{url}/v2/health/ready", timeout=5) as ready:
                if ready.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the model server did not start: {process.communicate()[1][-3000:]}")
            time.sleep(0.5)
    yield url
    process.terminate()
    process.communicate(timeout=60)


def _send(url: str, body: Path) -> None:
    request = urllib.request.Request(f"{url}/invocations", data=body.read_bytes(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 200


def _samples(url: str) -> list:
    """Every sample of the server's /metrics, as Prometheus's text format parser reads it."""
    from prometheus_client.parser import text_string_to_metric_families  # the ml extra: skipped without it
    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as response:
        text = response.read().decode()
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def _firing(url: str, rule: dict) -> dict[tuple[str, ...], float]:
    """The rule's expression evaluated over the server's /metrics: (its by-labels) -> value, firing only."""
    groups: dict[tuple[str, ...], float] = {}
    samples = _samples(url)
    for sample in samples:
        if sample.name == rule["metric"] and all(sample.labels.get(k) == v for k, v in rule["selector"].items()):
            key = tuple(sample.labels[label] for label in rule["by"])
            groups[key] = max(groups.get(key, float("-inf")), sample.value)
    assert groups, f"no {rule['metric']} series the rule selects in:\n{samples}"
    return {key: value for key, value in groups.items() if value > rule["threshold"]}


def test_training_like_traffic_fires_no_drift_alert_and_a_shifted_input_fires_for_it_alone(
        site, drift_rule, server, model_and_traffic):
    _, project_plan, _ = site
    assert drift_rule["by"] == ["model", "feature"]
    _send(server, model_and_traffic / "like.json")
    assert _firing(server, drift_rule) == {}
    # The window holds the last 1000 rows: the shifted request replaces the training-like one.
    _send(server, model_and_traffic / "shifted.json")
    firing = _firing(server, drift_rule)
    assert set(firing) == {("readmission-risk", "x2")}
    # The model label is the one the project's drift sensor submits the retraining workflow for.
    filters = {f["path"]: f["value"] for sensor in _of_kind(project_plan, "Sensor")
               for d in sensor["spec"]["dependencies"] for f in d["filters"]["data"]}
    assert filters["body.commonLabels.model"] == ["readmission-risk"]


def test_every_series_the_platforms_alerts_read_is_exported_with_the_labels_they_use(site, server, model_and_traffic):
    # The latency and error alerts read the request histogram and counter; a name the library
    # spells otherwise (a counter's `_total`, a histogram's `_bucket`) would leave them silent.
    _, _, platform = site
    _send(server, model_and_traffic / "like.json")
    exported: dict[str, set[str]] = {}
    for sample in _samples(server):
        exported.setdefault(sample.name, set()).update(sample.labels)
    rules = _rules(platform)
    assert {rule["alert"] for rule in rules} >= {"QantaraModelLatencyHigh", "QantaraModelErrorsHigh", "QantaraModelDrift"}
    for rule in rules:
        grouped = {label.strip() for by in BY.finditer(rule["expr"]) for label in by["labels"].split(",")}
        for selected in SELECTED.finditer(rule["expr"]):
            used = (grouped | set(MATCHER_LABEL.findall(selected["matchers"]))) - TARGET_LABELS
            assert selected["metric"] in exported, f"{rule['alert']} reads {selected['metric']}, not exported"
            assert used <= exported[selected["metric"]], f"{rule['alert']}: {selected['metric']} lacks {used}"
