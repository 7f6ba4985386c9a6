{%- if cookiecutter.serving == "realtime" -%}
"""Serve the model over HTTP the way SageMaker expects of a container: GET /ping and
POST /invocations on port 8080. Standard library only, so the image stays small.

    python -m {{ cookiecutter.project_slug }}.serve --model-uri runs:/<run id>/model --port 8080

Request: {"instances": [{"column": value, ...}, ...]} with the model's input columns (its
MLflow signature lists them). Response: {"predictions": [...]}, one per instance.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import mlflow
import pandas as pd
from mlflow.exceptions import MlflowException

from . import config, model_archive

# SageMaker unpacks the model archive (the train step's model.tar.gz) here; MODEL_URI overrides it
# (e.g. runs:/<id>/model, or a model.tar.gz file).
DEFAULT_MODEL_URI = "/opt/ml/model"
# SageMaker refuses real-time payloads over 6 MB; refuse them here too.
MAX_BODY_BYTES = 6 * 1024 * 1024
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


def make_server(model, host: str = "127.0.0.1", port: int = 8080) -> ThreadingHTTPServer:
    """An HTTP server for `model`; port 0 picks a free port (see server.server_address)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/ping":
                self._reply(HTTPStatus.OK, {"status": "ok"})
            else:
                self._reply(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:
            if self.path != "/invocations":
                self._reply(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"body over {MAX_BODY_BYTES} bytes"})
                return
            try:
                predictions = predict(model, json.loads(self.rfile.read(length) or b"null"))
            except ValueError as error:  # json.JSONDecodeError is a ValueError too
                self._reply(HTTPStatus.BAD_REQUEST, {"error": str(error)})
                return
            self._reply(HTTPStatus.OK, {"predictions": predictions})

        def _reply(self, status: HTTPStatus, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
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
    server = make_server(load_model(args.model_uri), args.host, args.port)
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
