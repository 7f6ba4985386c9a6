{%- if cookiecutter.serving == "realtime" -%}
"""Serve the model over HTTP the way SageMaker expects of a container: GET /ping and
POST /invocations on port 8080; and as Qantara's on-site contract asks (docs/onprem.md, "The model
server and drift contract"): readiness at GET /v2/health/ready and Prometheus metrics at GET /metrics.
The metrics are prometheus_client's, in a registry of the server's own.

    python -m {{ cookiecutter.project_slug }}.serve --model-uri runs:/<run id>/model --port 8080

Request: {"instances": [{"column": value, ...}, ...]} with the model's input columns (its
MLflow signature lists them). Response: {"predictions": [...]}, one per instance.

/metrics: `qantara_model_requests_total` (by HTTP status, `code`) and the histogram
`qantara_model_request_duration_seconds` of /invocations, labelled `model`; and
`qantara_model_drift_score`, the population stability index of each numeric input over the
recent requests against the model's training baseline (drift.py), labelled `blueprint`,
`environment`, `model`, `feature`, once the window holds drift.MIN_ROWS rows. The labels come from
QANTARA_MODEL, QANTARA_BLUEPRINT and QANTARA_ENVIRONMENT, which the on-site endpoint sets
(infra/onprem_serving.py); without any of them the drift score is not exported (the platform's
staleness alert then says drift is not watched). QANTARA_DRIFT_WINDOW_SECONDS bounds the window's
age. QANTARA_DRIFT_THRESHOLD (qantara.yaml's spec.monitoring.drift.threshold, a PSI) is exported
as `qantara_model_drift_threshold`, labelled `blueprint`, `environment`, `model`: the platform's
drift alert fires for this model above it (counted at most the platform's ceiling), and above the
platform's default when it is not set. Requests stay in memory, as bins of the watched inputs
only: nothing is written or sent.
prometheus_client also writes a `_created` gauge beside the counter and the histogram (when each
series began); no platform rule reads it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import mlflow
import pandas as pd
from mlflow.exceptions import MlflowException
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from . import config, drift, model_archive

# SageMaker unpacks the model archive (the train step's model.tar.gz) here; MODEL_URI overrides it
# (e.g. runs:/<id>/model, or a model.tar.gz file).
DEFAULT_MODEL_URI = "/opt/ml/model"
# SageMaker refuses real-time payloads over 6 MB; refuse them here too.
MAX_BODY_BYTES = 6 * 1024 * 1024
# The model label when QANTARA_MODEL is not set (a laptop): the project's name.
PROJECT = "{{ cookiecutter.__dns_name }}"
READY_PATHS = ("/ping", "/v2/health/ready")
METRICS_PATH = "/metrics"
# How infra/onprem_serving.py writes a number into the pod's environment (Python's repr of a float).
DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?")
log = logging.getLogger(__name__)


def load_model(uri: str | None = None):
    """The model at `uri`, MODEL_URI or /opt/ml/model, in that order: a model directory, the
    pipeline's model.tar.gz or an MLflow URI, checked by model_archive before it is loaded."""
    mlflow.set_tracking_uri(config.tracking_uri())
    return model_archive.load(uri or os.environ.get("MODEL_URI", DEFAULT_MODEL_URI))


def predict(model, body: dict) -> list:
    """Predictions for a request body; ValueError when the body is not what the model reads."""
    instances = body.get("instances") if isinstance(body, dict) else None
    if not isinstance(instances, list) or not instances or not all(isinstance(i, dict) for i in instances):
        raise ValueError('expected {"instances": [{"column": value, ...}, ...]} with at least one instance')
    try:
        return pd.Series(model.predict(pd.DataFrame(instances))).tolist()
    except MlflowException as error:  # schema enforcement: a missing or mistyped column
        raise ValueError(error.message) from None


# The labels the platform's drift rule selects and groups on (components/onprem/monitoring.py).
IDENTITY = ("blueprint", "environment", "model")


class DriftCollector:
    """The drift window as Prometheus gauges, measured when /metrics is read (nothing is cached).

    `qantara_model_drift_window_rows` always; `qantara_model_drift_score` per watched feature, and
    `qantara_model_drift_threshold` when the project declares one, only when `identity` names
    blueprint, environment and model, since the platform's alert selects on them."""

    def __init__(self, window: drift.DriftWindow, identity: dict[str, str], model: str,
                 threshold: float | None = None):
        self.window, self.identity, self.model, self.threshold = window, identity, model, threshold

    @property
    def complete(self) -> bool:
        return all(self.identity.get(name) for name in IDENTITY)

    def collect(self):
        rows = GaugeMetricFamily("qantara_model_drift_window_rows", "Request rows in the drift window.",
                                 labels=["model"])
        rows.add_metric([self.model], self.window.rows())
        yield rows
        if not self.complete:
            return
        scores = GaugeMetricFamily("qantara_model_drift_score", "Population stability index of an input over the "
                                   "recent requests against the training baseline.", labels=[*IDENTITY, "feature"])
        who = [self.identity[name] for name in IDENTITY]
        for feature, score in sorted(self.window.scores().items()):
            scores.add_metric([*who, feature], score)
        yield scores
        if self.threshold is not None:
            # Exported even before the window holds enough rows: the rule pairs it with the scores.
            threshold = GaugeMetricFamily("qantara_model_drift_threshold", "Population stability index above which "
                                          "this model's drift alert fires (qantara.yaml).", labels=list(IDENTITY))
            threshold.add_metric(who, self.threshold)
            yield threshold


class Telemetry:
    """What /metrics reports, in a registry of this server's own (not prometheus_client's global
    one): the requests /invocations answered and the drift of their inputs.

    `identity` holds the labels `blueprint`, `environment` and `model`; the drift score (and the
    `threshold`, if any) is exported only when all three are known, since the platform's alert
    selects on them."""

    def __init__(self, window: drift.DriftWindow, identity: dict[str, str], threshold: float | None = None):
        self.window, self.identity = window, identity
        self.model = identity.get("model") or PROJECT
        self.registry = CollectorRegistry()
        # A counter named `..._total` is exported under that name (prometheus_client adds the suffix).
        self._requests = Counter("qantara_model_requests_total", "Requests /invocations answered, by HTTP status.",
                                 ["model", "code"], registry=self.registry)
        # prometheus_client's default buckets (5 ms to 10 s, 1 s among them): the platform's p99 latency
        # alert interpolates over them against its threshold (1000 ms unless the blueprint says otherwise).
        self._duration = Histogram("qantara_model_request_duration_seconds", "Time /invocations took to answer.",
                                   ["model"], registry=self.registry)
        self._drift = DriftCollector(window, identity, self.model, threshold)
        self.registry.register(self._drift)

    @property
    def watches_drift(self) -> bool:
        return self._drift.complete

    def answered(self, status: int, seconds: float) -> None:
        self._requests.labels(model=self.model, code=str(int(status))).inc()
        self._duration.labels(model=self.model).observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition of the registry (its media type: CONTENT_TYPE_LATEST)."""
        return generate_latest(self.registry)


def identity_from_env() -> dict[str, str]:
    """The drift score's labels as the on-site endpoint sets them (infra/onprem_serving.py)."""
    return {"blueprint": os.environ.get("QANTARA_BLUEPRINT", ""),
            "environment": os.environ.get("QANTARA_ENVIRONMENT", ""),
            "model": os.environ.get("QANTARA_MODEL", "")}


def window_seconds() -> float | None:
    """QANTARA_DRIFT_WINDOW_SECONDS (the monitoring schedule on site), else no age limit."""
    value = os.environ.get("QANTARA_DRIFT_WINDOW_SECONDS")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"QANTARA_DRIFT_WINDOW_SECONDS={value!r} (allowed: a positive number of seconds)")
    return seconds


def drift_threshold() -> float | None:
    """QANTARA_DRIFT_THRESHOLD (qantara.yaml's spec.monitoring.drift.threshold on site), else None:
    the platform's drift alert then applies its own threshold to this model."""
    value = os.environ.get("QANTARA_DRIFT_THRESHOLD")
    if value is None:
        return None
    # A plain decimal only: float() would also read " 1_0 ", "inf" and "nan".
    threshold = float(value) if DECIMAL.fullmatch(value) else float("nan")
    # NaN fails both comparisons: a threshold the alert could not compare with is refused.
    if not 0 < threshold < float("inf"):
        raise ValueError(f"QANTARA_DRIFT_THRESHOLD={value!r} (allowed: a positive finite population stability "
                         f"index, e.g. 0.2; unset for the platform's threshold)")
    return threshold


def telemetry_for(model, identity: dict[str, str] | None = None, max_age: float | None = None,
                  threshold: float | None = None) -> Telemetry:
    """The telemetry of `model`: its drift window over the baseline model_archive checked at load."""
    baseline = drift.Baseline.from_document(model.metadata.metadata[drift.KEY])
    window = drift.DriftWindow(baseline, max_age=max_age)
    return Telemetry(window, identity_from_env() if identity is None else identity, threshold)


def make_server(model, host: str = "127.0.0.1", port: int = 8080,
                telemetry: Telemetry | None = None) -> ThreadingHTTPServer:
    """An HTTP server for `model`; port 0 picks a free port (see server.server_address)."""
    telemetry = telemetry or telemetry_for(model)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in READY_PATHS:
                self._reply(HTTPStatus.OK, {"status": "ok"})
            elif self.path == METRICS_PATH:
                self._send(HTTPStatus.OK, telemetry.render(), CONTENT_TYPE_LATEST)
            else:
                self._reply(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:
            if self.path != "/invocations":
                self._reply(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})
                return
            started = time.perf_counter()
            status, payload = self._invoke()
            # Counted before the answer leaves: a client that reads /metrics next sees its request.
            telemetry.answered(status, time.perf_counter() - started)
            self._reply(status, payload)

        def _invoke(self) -> tuple[HTTPStatus, dict]:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"body over {MAX_BODY_BYTES} bytes"}
            try:
                body = json.loads(self.rfile.read(length) or b"null")
                predictions = predict(model, body)
            except ValueError as error:  # json.JSONDecodeError is a ValueError too
                return HTTPStatus.BAD_REQUEST, {"error": str(error)}
            # Only rows the model scored count towards drift: a refused request says nothing of the inputs.
            telemetry.window.observe(body["instances"])
            return HTTPStatus.OK, {"predictions": predictions}

        def _reply(self, status: HTTPStatus, payload: dict) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            log.info("%s " + format, self.address_string(), *args)

    return ThreadingHTTPServer((host, port), Handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the model over HTTP (SageMaker's container contract).")
    # SageMaker starts a serving container as `<image> serve`.
    parser.add_argument("command", nargs="?", choices=["serve"], help=argparse.SUPPRESS)
    parser.add_argument("--model-uri", default=None, help="MLflow model URI; default MODEL_URI or /opt/ml/model.")
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 inside a container.")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    try:
        max_age, threshold = window_seconds(), drift_threshold()
    except ValueError as error:
        parser.error(str(error))
    model = load_model(args.model_uri)
    telemetry = telemetry_for(model, max_age=max_age, threshold=threshold)
    if not telemetry.watches_drift:
        log.warning("drift is measured but not exported: QANTARA_BLUEPRINT, QANTARA_ENVIRONMENT and QANTARA_MODEL "
                    "name it (the on-site endpoint sets them)")
    server = make_server(model, args.host, args.port, telemetry)
    log.info("serving on %s:%s", *server.server_address[:2])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
{%- else -%}
"""Batch scoring: read a file, predict every row the model can score, write the predictions.

    python -m {{ cookiecutter.project_slug }}.serve --model-uri runs:/<run id>/model \
        --input data/to_score.csv --output data/scored.csv

The same entry point runs as a batch job (the Dockerfile's), e.g. a SageMaker Processing job
or a Kubernetes CronJob on-premises.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import mlflow
import pandas as pd

from . import config, features, model_archive

DEFAULT_MODEL_URI = "/opt/ml/model"
PREDICTION = "prediction"


def load_model(uri: str | None = None):
    """The model at `uri`, MODEL_URI or /opt/ml/model, in that order: a model directory, the
    pipeline's model.tar.gz or an MLflow URI, checked by model_archive before it is loaded."""
    mlflow.set_tracking_uri(config.tracking_uri())
    return model_archive.load(uri or os.environ.get("MODEL_URI", DEFAULT_MODEL_URI))


def score(model, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame`'s scorable rows with a PREDICTION column added.
{%- if cookiecutter.problem_type == "forecasting" %}

    A row is scorable once its series has the history the lag features need; the frame
    carries that history (date, series, target), so each row gets a one-step-ahead forecast.
{%- endif %}
    """
    prepared = features.prepare(frame.copy())
    scored = prepared.copy()
    scored[PREDICTION] = pd.Series(model.predict(features.model_inputs(prepared))).to_numpy()
    return scored


def _read(path: Path) -> pd.DataFrame:
{%- if cookiecutter.problem_type == "forecasting" %}
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, parse_dates=["date"])
{%- else %}
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
{%- endif %}
    return frame


def score_file(model, source: Path, destination: Path) -> int:
    """Score `source` into `destination` (CSV or Parquet by suffix); the number of rows written."""
    scored = score(model, _read(source))
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.suffix == ".parquet":
        scored.to_parquet(destination, index=False)
    else:
        scored.to_csv(destination, index=False)
    return len(scored)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score a file with the model.")
    parser.add_argument("--model-uri", default=None, help="MLflow model URI; default MODEL_URI or /opt/ml/model.")
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    rows = score_file(load_model(args.model_uri), args.input, args.output)
    print(f"scored {rows} rows into {args.output}")
    return 0
{%- endif %}


if __name__ == "__main__":
    raise SystemExit(main())
