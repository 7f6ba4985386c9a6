{%- if cookiecutter.serving == "realtime" -%}
import json
import re
import threading
import urllib.error
import urllib.request

import pytest

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


def _samples(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name + "{")]


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


def test_readiness_answers_on_the_open_inference_protocol_path(endpoint):
    assert _get(f"{endpoint}/v2/health/ready")[0] == 200


def test_metrics_count_answered_requests_by_status(watched):
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=200, seed=3))).head(2)
    _post(f"{watched}/invocations", {"instances": json.loads(frame.to_json(orient="records", date_format="iso"))})
    _post(f"{watched}/invocations", {"rows": []})
    _, text = _get(f"{watched}/metrics")
    requests = _samples(text, "qantara_model_requests_total")
    assert any('code="200"' in line and 'model="{{ cookiecutter.__dns_name }}"' in line for line in requests), text
    assert any('code="400"' in line for line in requests), text
    assert _samples(text, "qantara_model_request_duration_seconds_count")


def test_the_drift_score_carries_the_labels_the_platforms_alert_selects_on(watched):
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=3000, seed=6)))
    rows = frame.sample(n=drift.MIN_ROWS + 50, random_state=0)
    status, _ = _post(f"{watched}/invocations", {"instances": json.loads(rows.to_json(orient="records",
                                                                                     date_format="iso"))})
    assert status == 200
    _, text = _get(f"{watched}/metrics")
    scores = _samples(text, "qantara_model_drift_score")
    expected = {'qantara_model_drift_score{blueprint="gov-analytics-ml",environment="prod",'
                f'model="{{ cookiecutter.__dns_name }}",feature="{name}"}}' for name in features.NUMERIC}
    assert {line.rsplit(" ", 1)[0] for line in scores} == expected
    assert all(float(line.rsplit(" ", 1)[1]) < 0.25 for line in scores), scores


def test_without_the_platforms_identity_no_drift_score_is_exported(trained):
    model = serve.load_model(trained.model_uri)
    telemetry = serve.telemetry_for(model, identity={"blueprint": "", "environment": "prod", "model": "m"})
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=3000, seed=6)))
    telemetry.window.observe(json.loads(frame.head(drift.MIN_ROWS + 10).to_json(orient="records", date_format="iso")))
    text = telemetry.render()
    assert not _samples(text, "qantara_model_drift_score") and _samples(text, "qantara_model_drift_window_rows")


# A sample line of the text exposition format: escaped label values only (\\, \" and \n).
SAMPLE = re.compile(r'^[a-z_]+\{(?:[a-z_]+="(?:[^"\\\n]|\\[\\"n])*",?)*\} \S+$')


def test_a_label_value_cannot_add_a_label_or_a_line(trained):
    model = serve.load_model(trained.model_uri)
    hostile = {"blueprint": 'gov",model="other', "environment": "prod\nqantara_model_drift_score 0", "model": "m\\"}
    telemetry = serve.telemetry_for(model, identity=hostile)
    telemetry.answered(200, 0.01)
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=3000, seed=6)))
    telemetry.window.observe(json.loads(frame.head(drift.MIN_ROWS + 10).to_json(orient="records", date_format="iso")))
    text = telemetry.render()
    samples = [line for line in text.splitlines() if not line.startswith("#")]
    assert all(SAMPLE.match(line) for line in samples), text
    assert len(_samples(text, "qantara_model_drift_score")) == len(features.NUMERIC)
    assert 'blueprint="gov\\",model=\\"other"' in text and 'environment="prod\\nqantara' in text


@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf", "nan"])
def test_a_drift_window_age_that_is_not_a_positive_number_of_seconds_is_refused(monkeypatch, value):
    monkeypatch.setenv("QANTARA_DRIFT_WINDOW_SECONDS", value)
    with pytest.raises(ValueError, match="QANTARA_DRIFT_WINDOW_SECONDS"):
        serve.window_seconds()
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
