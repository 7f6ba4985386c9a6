{%- if cookiecutter.serving == "realtime" -%}
import json
import threading
import urllib.error
import urllib.request

import pytest

from {{ cookiecutter.project_slug }} import features, serve, synthetic


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
