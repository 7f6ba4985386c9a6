"""Train on validated data, log the run to MLflow, judge it against qantara.yaml, write the card.

    python -m {{ cookiecutter.project_slug }}.train --data data/training.csv

Runs go to MLFLOW_TRACKING_URI when set (the platform's tracking server), else to ./mlruns.
A model that misses a threshold is still logged, so it can be inspected, and the model card
says it failed; the command then exits 1 and CI stops there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import mlflow
import mlflow.sklearn
import pandas as pd
import sklearn
import skops
from mlflow.models import infer_signature

from . import config, data, drift, features
from .evaluate import BIAS_METRIC, MetricResult, against_thresholds, bias, metrics
from .model_card import update_model_card

FRAMEWORK = "{{ cookiecutter.framework }}"


@dataclass(frozen=True)
class TrainingResult:
    run_id: str
    model_uri: str
    tracking_uri: str
    trained_at: str
    results: list[MetricResult]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def failures(self) -> list[str]:
        return [f"{r.name} = {r.value:.4g} (allowed: {_bounds(r)})" for r in self.results if not r.passed]


class ThresholdsNotMet(Exception):
    """The model was trained and logged but misses a threshold of qantara.yaml."""

    def __init__(self, result: TrainingResult):
        super().__init__("model misses its thresholds: " + "; ".join(result.failures()))
        self.result = result


def _bounds(result: MetricResult) -> str:
    parts = [f">= {result.min:g}" if result.min is not None else "", f"<= {result.max:g}" if result.max is not None else ""]
    return " and ".join(p for p in parts if p) or "any"


def train(frame: pd.DataFrame, *, manifest_path: Path = config.MANIFEST, card_path: Path = config.MODEL_CARD,
          experiment: str | None = None) -> TrainingResult:
    """Validate, train, evaluate, log to MLflow and fill the model card; raise ThresholdsNotMet
    (after logging) when the model misses a threshold."""
    manifest = config.load_manifest(manifest_path)
    prepared = features.prepare(data.validate(frame))
    train_frame, test_frame = features.split(prepared)
    model = features.build_model().fit(features.model_inputs(train_frame), train_frame[data.TARGET])

    values = metrics(model, test_frame)
    measured_bias = bias(model, test_frame)
    if measured_bias is not None:
        values[BIAS_METRIC] = measured_bias
    results = against_thresholds(values, manifest)
    passed = all(r.passed for r in results)

    tracking_uri = config.tracking_uri()
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(experiment or manifest["metadata"]["name"])
    with mlflow.start_run() as run:
        spec = manifest["spec"]
        mlflow.set_tags({
            "qantara.platform": spec["platform"],
            "qantara.dataClassification": spec["dataClassification"],
            "qantara.thresholdsPassed": str(passed).lower(),
        })
        mlflow.log_params({
            "problem_type": config.PROBLEM_TYPE,
            "framework": FRAMEWORK,
            "training_rows": len(train_frame),
            "test_rows": len(test_frame),
            **{f"model__{k}": v for k, v in model.named_steps["model"].get_params().items()},
        })
        mlflow.log_metrics(values)
        inputs = features.model_inputs(test_frame)
        # skops, not pickle: loading a skops file cannot run arbitrary code. The requirements
        # are pinned to this environment's versions instead of being inferred (slow). The drift
        # baseline is the training inputs' (drift.py): a model server measures drift against it.
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            serialization_format="skops",
            signature=infer_signature(inputs, model.predict(inputs)),
            pip_requirements=[f"scikit-learn=={sklearn.__version__}", f"skops=={skops.__version__}"],
            metadata={drift.KEY: drift.baseline_of(features.model_inputs(train_frame)).document()},
        )
    result = TrainingResult(run.info.run_id, info.model_uri, tracking_uri,
                            dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), results)
    update_model_card(card_path, result)
    if not result.passed:
        raise ThresholdsNotMet(result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train, log to MLflow and check the model against qantara.yaml.")
    parser.add_argument("--data", type=Path, required=True, help="Training data, CSV or Parquet.")
    parser.add_argument("--manifest", type=Path, default=config.MANIFEST)
    parser.add_argument("--model-card", type=Path, default=config.MODEL_CARD)
    args = parser.parse_args(argv)
    try:
        result = train(data.load(args.data), manifest_path=args.manifest, card_path=args.model_card)
    except ThresholdsNotMet as failure:
        print(f"run {failure.result.run_id}: {failure}", file=sys.stderr)
        return 1
    for r in result.results:
        print(f"{r.name:32} {r.value:10.4f}  {'ok' if r.passed else 'FAILED'}  ({_bounds(r)})")
    print(f"run {result.run_id} logged to {result.tracking_uri}; model card updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
