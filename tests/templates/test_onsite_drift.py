"""On site, the project's own model server produces the drift gauges the platform's alert reads.

The on-prem example project (`qantara new ml-project` from sa-government-onprem, served in real
time) is planned with the platform's exports; its model server is started as the image starts it
(`python -m <package>.container serve`), with the environment the plan gives the Deployment, on a
model its own pipeline code trained. A second server of the same model stands for another model
of the namespace whose project declares no threshold. The platform's PrometheusRule is read from
the platform's plan and its drift expression evaluated (promql_subset: Prometheus's semantics
for the operators it uses) over what both servers' /metrics say, as Prometheus would scrape them:
training-like traffic fires nothing; a shift between the project's threshold (qantara.yaml, 0.2)
and the platform's (0.25) fires for the project's model alone, under the model label the
project's drift sensor filters on; a larger shift fires for the other model too.
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

from promql_subset import Series, evaluate

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"install qantara[ml]: {', '.join(MISSING)} missing")

MATCHER = re.compile(r'(\w+)="([^"]*)"')
# A series an alert expression reads: its metric name and its label matchers.
SELECTED = re.compile(r"(?P<metric>qantara_\w+)\{(?P<matchers>[^}]*)\}")
MATCHER_LABEL = re.compile(r"(\w+)\s*(?:=~|!~|!=|=)")
BY = re.compile(r"by \((?P<labels>[^)]*)\)")
ON = re.compile(r"\bon \((?P<labels>[^)]*)\)")
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
    return rule


def _selectors(expression: str) -> dict[str, list[dict[str, str]]]:
    """metric -> the label matchers of each of its selectors in `expression`."""
    found: dict[str, list[dict[str, str]]] = {}
    for selected in SELECTED.finditer(expression):
        found.setdefault(selected["metric"], []).append(dict(MATCHER.findall(selected["matchers"])))
    return found


def _container_env(project_plan: list[dict]) -> dict[str, str]:
    [deployment] = _of_kind(project_plan, "apps/v1:Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {variable["name"]: variable["value"] for variable in container["env"]}


def test_the_plan_gives_the_model_server_the_identity_and_threshold_the_platforms_drift_rule_reads(site, drift_rule):
    project, project_plan, _ = site
    env = _container_env(project_plan)
    identity = {"blueprint": env["QANTARA_BLUEPRINT"], "environment": env["QANTARA_ENVIRONMENT"]}
    selectors = _selectors(drift_rule["expr"])
    # Scores and thresholds, each selected on this stack's identity only, wherever the expression reads them.
    assert set(selectors) == {"qantara_model_drift_score", "qantara_model_drift_threshold"}
    assert all(matchers == identity for each in selectors.values() for matchers in each), selectors
    assert env["QANTARA_MODEL"] == "readmission-risk"
    # sa-government-onprem watches drift daily: a request is forgotten after a day.
    assert env["QANTARA_DRIFT_WINDOW_SECONDS"] == "86400"
    # The threshold is qantara.yaml's, as the project declares it.
    assert "threshold: 0.2\n" in (project / "qantara.yaml").read_text()
    assert env["QANTARA_DRIFT_THRESHOLD"] == "0.2"
    # None of the labels the rule reads is one Prometheus overwrites with the target's own.
    grouped = {label.strip() for by in BY.finditer(drift_rule["expr"]) for label in by["labels"].split(",")}
    assert grouped == {"model", "feature"} and not ({*identity, *grouped} & TARGET_LABELS)


@pytest.mark.parametrize(("before", "after", "expected"), [
    pytest.param("drift:\n      enabled: true", "drift:\n      enabled: false", None, id="drift off"),
    pytest.param("threshold: 0.2\n", "threshold: 0.05\n", "0.05", id="a closer threshold"),
    # The policy refuses it (QA-PRJ-006); were it waived, the platform's rule counts it as 0.25.
    pytest.param("threshold: 0.2\n", "threshold: 50\n", "50.0", id="an absurd threshold"),
])
def test_the_server_gets_the_threshold_qantara_yaml_declares_and_none_when_drift_is_off(
        tmp_path, before, after, expected):
    project = generated(tmp_path, SA_GOVERNMENT, SITE_EXPORTS)
    manifest = project / "qantara.yaml"
    assert manifest.read_text().count(before) == 1
    manifest.write_text(manifest.read_text().replace(before, after))
    env = _container_env(_plan(*site_args(project)))
    assert env.get("QANTARA_DRIFT_THRESHOLD") == expected
    assert env["QANTARA_MODEL"] == "readmission-risk"


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


# The band the moderate traffic's shift of x2 is chosen in: above the project's threshold (0.2),
# below the platform's (0.25), with a margin for the window's sampling.
MODERATE = (0.21, 0.24)


@pytest.fixture(scope="module")
def model_and_traffic(site, tmp_path_factory) -> Path:
    """A model trained by the project's own code, and three request bodies of 1000 rows (the
    window's size, so each replaces the last): training-like, x2 moderately shifted (its PSI
    against the model's baseline in MODERATE, measured with the project's drift code), and x2
    shifted by two standard deviations."""
    project, _, _ = site
    work = tmp_path_factory.mktemp("drift-traffic")
    made = _python(project, f"""
        import json
        from pathlib import Path
        import numpy as np
        from readmission_risk import data, drift, features, pipeline, synthetic
        work = Path({str(work)!r})
        frame = features.prepare(synthetic.make_dataset(rows=3000, seed=1))
        inputs = features.model_inputs(frame)
        model = features.build_model().fit(inputs, frame[data.TARGET])
        pipeline.save_served_model(model, inputs, work / "model")
        like = features.model_inputs(features.prepare(synthetic.make_dataset(rows=1400, seed=5))).head(drift.WINDOW_ROWS)
        assert len(like) == drift.WINDOW_ROWS, len(like)
        [x2] = [f for f in drift.baseline_of(inputs).features if f.name == "x2"]
        def psi_of(shift):
            values = like["x2"] + shift * inputs["x2"].std()
            return drift.psi(x2.expected, np.bincount([x2.bin_of(v) for v in values], minlength=len(x2.expected)))
        low, high = {MODERATE!r}
        middle = (low + high) / 2
        shift = min(np.arange(0.0, 1.5, 0.005), key=lambda k: abs(psi_of(k) - middle))
        assert low < psi_of(shift) < high, (shift, psi_of(shift))
        bodies = {{"like": like, "moderate": like.assign(x2=like["x2"] + shift * inputs["x2"].std()),
                  "shifted": like.assign(x2=like["x2"] + 2 * inputs["x2"].std())}}
        for name, rows in bodies.items():
            (work / f"{{name}}.json").write_text(json.dumps({{"instances": json.loads(rows.to_json(orient="records"))}}))
    """)
    assert made.returncode == 0, made.stderr[-3000:]
    return work


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(project: Path, env: dict[str, str], model: Path):
    """The model server as the image starts it, with `env`; (its URL, its process)."""
    port = _free_port()
    env = {**_clean_env(), **env, "HOME": str(model.parent), "PYTHONPATH": str(project / "src"), "MODEL_URI": str(model)}
    process = subprocess.Popen([sys.executable, "-m", "readmission_risk.container", "serve", "--host", "127.0.0.1",
                                "--port", str(port)], cwd=project, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # waits for the model to load; not a speed assertion
    while True:
        try:
            with urllib.request.urlopen(f"{url}/v2/health/ready", timeout=5) as ready:
                if ready.status == 200:
                    return url, process
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the model server did not start: {process.communicate()[1][-3000:]}")
            time.sleep(0.5)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.communicate(timeout=60)


@pytest.fixture(scope="module")
def server(site, model_and_traffic):
    """The project's model server, with the Deployment's environment from the plan."""
    project, project_plan, _ = site
    url, process = _start(project, _container_env(project_plan), model_and_traffic / "model")
    yield url
    _stop(process)


# Another model of the namespace, whose project declares no threshold (or an older project's).
OTHER = "claims-triage"


@pytest.fixture(scope="module")
def other_server(site, model_and_traffic):
    """Another model's server in the same namespace: the plan's identity, no QANTARA_DRIFT_THRESHOLD."""
    project, project_plan, _ = site
    env = {k: v for k, v in _container_env(project_plan).items() if k != "QANTARA_DRIFT_THRESHOLD"}
    url, process = _start(project, {**env, "QANTARA_MODEL": OTHER}, model_and_traffic / "model")
    yield url
    _stop(process)


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


def _scrape(urls: list[str]) -> list[Series]:
    """What Prometheus holds after scraping each server once: its samples, with the target's `pod`."""
    return [Series({"__name__": sample.name, **sample.labels, "pod": f"pod-{index}"}, sample.value)
            for index, url in enumerate(urls) for sample in _samples(url)]


def _firing(urls: list[str], rule: dict) -> dict[tuple[str, str], float]:
    """The rule's expression evaluated over the servers' /metrics: (model, feature) -> PSI, firing only."""
    return {(s.labels["model"], s.labels["feature"]): s.value for s in evaluate(rule["expr"], _scrape(urls))}


def _scores(url: str) -> dict[str, float]:
    return {s.labels["feature"]: s.value for s in _samples(url) if s.name == "qantara_model_drift_score"}


def test_each_model_alerts_at_its_projects_threshold_or_else_at_the_platforms(
        site, drift_rule, server, other_server, model_and_traffic):
    _, project_plan, _ = site
    both = [server, other_server]
    thresholds = {s.labels["model"]: s.value for s in _scrape(both)
                  if s.labels["__name__"] == "qantara_model_drift_threshold"}
    assert thresholds == {"readmission-risk": 0.2}
    for url in both:
        _send(url, model_and_traffic / "like.json")
    assert all(set(_scores(url)) == {"x1", "x2", "x3"} for url in both)
    assert _firing(both, drift_rule) == {}
    # Between the two thresholds: only the model whose project asked for 0.2 alerts.
    for url in both:
        _send(url, model_and_traffic / "moderate.json")
    assert all(MODERATE[0] < _scores(url)["x2"] < MODERATE[1] for url in both), [_scores(url) for url in both]
    firing = _firing(both, drift_rule)
    assert set(firing) == {("readmission-risk", "x2")}
    assert firing[("readmission-risk", "x2")] == _scores(server)["x2"]
    # Above the platform's threshold the model without one alerts too: no threshold is not no alert.
    _send(other_server, model_and_traffic / "shifted.json")
    assert set(_firing(both, drift_rule)) == {("readmission-risk", "x2"), (OTHER, "x2")}
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
        # A vector match `on (...)` reads its labels on both sides, whichever series they come from.
        matched = {label.strip() for on in ON.finditer(rule["expr"]) for label in on["labels"].split(",")}
        for selected in SELECTED.finditer(rule["expr"]):
            # The aggregation nearest before a series is the one over it (these rules nest no other way).
            enclosing = [by for by in BY.finditer(rule["expr"]) if by.end() < selected.start()][-1:]
            grouped = {label.strip() for by in enclosing for label in by["labels"].split(",")}
            used = (grouped | matched | set(MATCHER_LABEL.findall(selected["matchers"]))) - TARGET_LABELS
            assert selected["metric"] in exported, f"{rule['alert']} reads {selected['metric']}, not exported"
            assert used <= exported[selected["metric"]], f"{rule['alert']}: {selected['metric']} lacks {used}"
