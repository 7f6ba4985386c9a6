"""Judge a trained model: its metrics on held-out data, its bias, and qantara.yaml's thresholds."""

from __future__ import annotations

from dataclasses import dataclass
{% if cookiecutter.problem_type != "classification" %}
import numpy as np
{%- endif %}
import pandas as pd
from sklearn import metrics as sk

from .data import TARGET
from .features import SENSITIVE, model_inputs

{% if cookiecutter.problem_type == "classification" -%}
BIAS_METRIC = "demographic_parity_difference"
{%- else -%}
BIAS_METRIC = "group_mae_gap"
{%- endif %}


@dataclass(frozen=True)
class MetricResult:
    """One metric against its threshold; `passed` is True when no threshold applies."""

    name: str
    value: float
    min: float | None = None
    max: float | None = None

    @property
    def passed(self) -> bool:
        return (self.min is None or self.value >= self.min) and (self.max is None or self.value <= self.max)


def metrics(model, frame: pd.DataFrame) -> dict[str, float]:
    """The model's metrics on `frame` (held-out data)."""
    truth = frame[TARGET]
{%- if cookiecutter.problem_type == "classification" %}
    predicted = model.predict(model_inputs(frame))
    scores = model.predict_proba(model_inputs(frame))[:, 1]
    return {
        "roc_auc": float(sk.roc_auc_score(truth, scores)),
        "accuracy": float(sk.accuracy_score(truth, predicted)),
        "f1": float(sk.f1_score(truth, predicted)),
        "precision": float(sk.precision_score(truth, predicted, zero_division=0)),
        "recall": float(sk.recall_score(truth, predicted)),
    }
{%- else %}
    predicted = model.predict(model_inputs(frame))
    result = {
        "rmse": float(np.sqrt(sk.mean_squared_error(truth, predicted))),
        "mae": float(sk.mean_absolute_error(truth, predicted)),
        "r2": float(sk.r2_score(truth, predicted)),
    }
{%- if cookiecutter.problem_type == "forecasting" %}
    result["mape"] = float(sk.mean_absolute_percentage_error(truth, predicted))
{%- endif %}
    return result
{%- endif %}


def bias(model, frame: pd.DataFrame) -> float | None:
    """BIAS_METRIC across the sensitive features' groups; None when there is nothing to measure."""
    if not SENSITIVE:
        return None
    predicted = pd.Series(model.predict(model_inputs(frame)), index=frame.index)
    groups = frame[SENSITIVE].astype(str).agg("|".join, axis=1)
{%- if cookiecutter.problem_type == "classification" %}
    # The spread of positive-prediction rates between groups: 0 means every group is
    # selected at the same rate.
    rates = predicted.groupby(groups).mean()
    return float(rates.max() - rates.min())
{%- else %}
    # The spread of mean absolute errors between groups, relative to the overall error:
    # 0 means the model is as accurate for every group.
    errors = (predicted - frame[TARGET]).abs()
    per_group = errors.groupby(groups).mean()
    return float((per_group.max() - per_group.min()) / max(errors.mean(), np.finfo(float).eps))
{%- endif %}


def against_thresholds(values: dict[str, float], manifest: dict) -> list[MetricResult]:
    """Every metric in `values` with the bounds qantara.yaml sets for it: evaluation
    thresholds, and biasCheck's maxDisparity for the bias metric.

    A bound on a metric that is not measured is an error, never a pass.
    """
    spec = manifest["spec"]
    bounds = {t["metric"]: (t.get("min"), t.get("max")) for t in (spec.get("evaluation") or {}).get("thresholds", [])}
    check = spec.get("biasCheck") or {}
    if check.get("enabled"):
        declared = check.get("metric") or BIAS_METRIC
        if declared != BIAS_METRIC or BIAS_METRIC not in values:
            raise ValueError(f"qantara.yaml's biasCheck asks for {declared}, but evaluate.bias measures "
                             f"{BIAS_METRIC} over sensitive features {SENSITIVE or 'none'}")
        if check.get("maxDisparity") is not None:
            bounds.setdefault(BIAS_METRIC, (None, check["maxDisparity"]))
    unknown = sorted(set(bounds) - set(values))
    if unknown:
        raise ValueError(f"qantara.yaml sets thresholds on {', '.join(unknown)}, which evaluate does not "
                         f"measure (it measures: {', '.join(sorted(values))})")
    return [MetricResult(name, value, *bounds.get(name, (None, None))) for name, value in values.items()]
