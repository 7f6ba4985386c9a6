{%- if cookiecutter.serving == "realtime" -%}
import json
import re
import threading
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from {{ cookiecutter.project_slug }} import drift, features, serve, synthetic


@pytest.fixture(scope="module")
def endpoint(trained):
    server = serve.make_server(serve.load_model(trained.model_uri), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def _post(url: str, payload) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_ping_answers_ok(endpoint):
    with urllib.request.urlopen(f"{endpoint}/ping", timeout=10) as response:
        assert response.status == 200


def test_invocations_return_one_prediction_per_instance(endpoint):
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=200, seed=3))).head(5)
    instances = json.loads(frame.to_json(orient="records", date_format="iso"))
    status, body = _post(f"{endpoint}/invocations", {"instances": instances})
    assert status == 200, body
    assert len(body["predictions"]) == 5


def test_a_malformed_request_is_a_400_with_a_reason(endpoint):
    status, body = _post(f"{endpoint}/invocations", {"rows": []})
    assert status == 400
    assert "instances" in body["error"]


# --- the on-site contract: readiness, request metrics and the drift score at /metrics -----------

IDENTITY = {"blueprint": "gov-analytics-ml", "environment": "prod", "model": "{{ cookiecutter.__dns_name }}"}


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


def _samples(text: str, name: str) -> list[Sample]:
    """The samples called `name` as Prometheus's text parser reads them (prometheus_client's)."""
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples
            if sample.name == name]


@pytest.fixture(scope="module")
def watched(trained):
    """A server that knows the platform's identity, as the on-site endpoint starts it."""
    model = serve.load_model(trained.model_uri)
    server = serve.make_server(model, port=0, telemetry=serve.telemetry_for(model, identity=IDENTITY))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def _training_like(rows: int) -> list[dict]:
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=3000, seed=6)))
    return json.loads(frame.head(rows).to_json(orient="records", date_format="iso"))


def test_readiness_answers_on_the_open_inference_protocol_path(endpoint):
    assert _get(f"{endpoint}/v2/health/ready")[0] == 200


def test_metrics_count_answered_requests_by_status(watched):
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=200, seed=3))).head(2)
    _post(f"{watched}/invocations", {"instances": json.loads(frame.to_json(orient="records", date_format="iso"))})
    _post(f"{watched}/invocations", {"rows": []})
    _, text = _get(f"{watched}/metrics")
    requests = {s.labels["code"]: s for s in _samples(text, "qantara_model_requests_total")}
    assert requests["200"].value >= 1 and requests["400"].value >= 1, text
    assert requests["200"].labels == {"model": "{{ cookiecutter.__dns_name }}", "code": "200"}
    # Both answers were timed, in a histogram with Prometheus's default buckets up to +Inf.
    [count] = _samples(text, "qantara_model_request_duration_seconds_count")
    assert count.labels == {"model": "{{ cookiecutter.__dns_name }}"} and count.value >= 2
    buckets = {s.labels["le"]: s.value for s in _samples(text, "qantara_model_request_duration_seconds_bucket")}
    assert buckets["+Inf"] == count.value and "0.005" in buckets and "10.0" in buckets


def test_metrics_are_served_with_the_exposition_formats_media_type(watched):
    with urllib.request.urlopen(f"{watched}/metrics", timeout=30) as response:
        assert response.headers["Content-Type"] == serve.CONTENT_TYPE_LATEST
        assert response.headers["Content-Type"].startswith("text/plain; version=")


def test_the_drift_score_carries_the_labels_the_platforms_alert_selects_on(watched):
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=3000, seed=6)))
    rows = frame.sample(n=drift.MIN_ROWS + 50, random_state=0)
    status, _ = _post(f"{watched}/invocations", {"instances": json.loads(rows.to_json(orient="records",
                                                                                     date_format="iso"))})
    assert status == 200
    _, text = _get(f"{watched}/metrics")
    scores = _samples(text, "qantara_model_drift_score")
    assert sorted(s.labels["feature"] for s in scores) == sorted(features.NUMERIC)
    assert all(s.labels == {**IDENTITY, "feature": s.labels["feature"]} for s in scores), scores
    assert all(s.value < 0.25 for s in scores), scores


def test_without_the_platforms_identity_no_drift_score_is_exported(trained):
    model = serve.load_model(trained.model_uri)
    telemetry = serve.telemetry_for(model, identity={"blueprint": "", "environment": "prod", "model": "m"})
    telemetry.window.observe(_training_like(drift.MIN_ROWS + 10))
    text = telemetry.render().decode()
    assert not _samples(text, "qantara_model_drift_score")
    assert [s.value for s in _samples(text, "qantara_model_drift_window_rows")] == [drift.MIN_ROWS + 10]


def test_each_server_counts_its_own_requests_only(trained):
    # A registry per server: a second server (or a test's) never reports the first one's requests.
    model = serve.load_model(trained.model_uri)
    first, second = (serve.telemetry_for(model, identity=IDENTITY) for _ in range(2))
    first.answered(200, 0.01)
    assert _samples(first.render().decode(), "qantara_model_requests_total")
    assert not _samples(second.render().decode(), "qantara_model_requests_total")


# A sample line of the text exposition format: escaped label values only (\\, \" and \n).
SAMPLE = re.compile(r'^[a-z_]+\{(?:[a-z_]+="(?:[^"\\\n]|\\[\\"n])*",?)*\} \S+$')


def test_a_label_value_cannot_add_a_label_or_a_line(trained):
    model = serve.load_model(trained.model_uri)
    hostile = {"blueprint": 'gov",model="other', "environment": "prod\nqantara_model_drift_score 0", "model": "m\\"}
    telemetry = serve.telemetry_for(model, identity=hostile)
    telemetry.answered(200, 0.01)
    telemetry.window.observe(_training_like(drift.MIN_ROWS + 10))
    text = telemetry.render().decode()
    samples = [line for line in text.splitlines() if not line.startswith("#")]
    assert all(SAMPLE.match(line) for line in samples), text
    assert 'blueprint="gov\\",model=\\"other"' in text and 'environment="prod\\nqantara' in text
    # Parsed back, every score carries the hostile values whole, under their own labels.
    scores = _samples(text, "qantara_model_drift_score")
    assert sorted(s.labels["feature"] for s in scores) == sorted(features.NUMERIC)
    assert all(s.labels == {**hostile, "feature": s.labels["feature"]} for s in scores), scores
    assert {s.labels["model"] for s in _samples(text, "qantara_model_requests_total")} == {"m\\"}


@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf", "nan"])
def test_a_drift_window_age_that_is_not_a_positive_number_of_seconds_is_refused(monkeypatch, value):
    monkeypatch.setenv("QANTARA_DRIFT_WINDOW_SECONDS", value)
    with pytest.raises(ValueError, match="QANTARA_DRIFT_WINDOW_SECONDS"):
        serve.window_seconds()


def test_the_projects_drift_threshold_is_exported_with_the_labels_the_platforms_alert_matches_on(trained):
    # Before the window holds enough rows for a score: the rule pairs the threshold with scores as they come.
    telemetry = serve.telemetry_for(serve.load_model(trained.model_uri), identity=IDENTITY, threshold=0.2)
    [threshold] = _samples(telemetry.render().decode(), "qantara_model_drift_threshold")
    assert threshold.labels == IDENTITY and threshold.value == 0.2
    telemetry.window.observe(_training_like(drift.MIN_ROWS + 10))
    text = telemetry.render().decode()
    assert [s.value for s in _samples(text, "qantara_model_drift_threshold")] == [0.2]
    assert {s.labels["model"] for s in _samples(text, "qantara_model_drift_score")} == {IDENTITY["model"]}


def test_without_a_declared_threshold_none_is_exported_and_the_platforms_applies(trained):
    telemetry = serve.telemetry_for(serve.load_model(trained.model_uri), identity=IDENTITY)
    telemetry.window.observe(_training_like(drift.MIN_ROWS + 10))
    text = telemetry.render().decode()
    assert _samples(text, "qantara_model_drift_score") and not _samples(text, "qantara_model_drift_threshold")


def test_without_the_platforms_identity_no_threshold_is_exported_either(trained):
    telemetry = serve.telemetry_for(serve.load_model(trained.model_uri),
                                    identity={**IDENTITY, "environment": ""}, threshold=0.2)
    assert not _samples(telemetry.render().decode(), "qantara_model_drift_threshold")


@pytest.mark.parametrize(("value", "expected"), [("0.2", 0.2), ("0.05", 0.05), ("1e-05", 1e-05), ("0.25", 0.25)])
def test_the_drift_threshold_is_read_as_the_infra_program_writes_it(monkeypatch, value, expected):
    monkeypatch.setenv("QANTARA_DRIFT_THRESHOLD", value)
    assert serve.drift_threshold() == expected


def test_no_drift_threshold_in_the_environment_leaves_the_platforms(monkeypatch):
    monkeypatch.delenv("QANTARA_DRIFT_THRESHOLD", raising=False)
    assert serve.drift_threshold() is None


@pytest.mark.parametrize("value", ["", "abc", "0", "0.0", "-0.2", "inf", "nan", "1e400", " 0.2", "0.2\n", "1_0",
                                   "0x1p-2", "+0.2", ".2"])
def test_a_drift_threshold_that_is_not_a_positive_finite_number_is_refused(monkeypatch, value):
    monkeypatch.setenv("QANTARA_DRIFT_THRESHOLD", value)
    with pytest.raises(ValueError, match="QANTARA_DRIFT_THRESHOLD"):
        serve.drift_threshold()


@pytest.mark.parametrize("value", ["nan", "-1", "50%"])
def test_the_server_will_not_start_with_a_bad_drift_threshold(monkeypatch, capsys, value):
    # Refused before the model loads: exit 2, one line naming the variable and what is allowed.
    monkeypatch.setenv("QANTARA_DRIFT_THRESHOLD", value)
    monkeypatch.setattr(serve, "load_model", lambda uri: pytest.fail("the model was loaded"))
    with pytest.raises(SystemExit) as stopped:
        serve.main(["serve"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and f"QANTARA_DRIFT_THRESHOLD={value!r}" in errors[0] and "positive finite" in errors[0]
    assert "Traceback" not in err
{%- else -%}
from {{ cookiecutter.project_slug }} import serve, synthetic


def test_batch_scoring_writes_a_prediction_per_scorable_row(trained, tmp_path):
    source, destination = tmp_path / "in.csv", tmp_path / "out" / "scored.csv"
    synthetic.make_dataset(rows=200, seed=4).to_csv(source, index=False)
    rows = serve.score_file(serve.load_model(trained.model_uri), source, destination)
    assert rows > 0
    header = destination.read_text().splitlines()[0].split(",")
    assert serve.PREDICTION in header
{%- endif %}
