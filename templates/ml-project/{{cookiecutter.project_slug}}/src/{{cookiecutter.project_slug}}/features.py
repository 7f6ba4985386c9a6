"""From validated data to model inputs, the model itself and the train/test split.

Sensitive features stay in the frame so evaluation can measure bias across them, but
`model_inputs` never hands them to the model.

The model is built only from types skops loads without being told to trust them (linear
models, scalers, encoders), so a model file cannot run code or read memory when loaded. Tree
ensembles need `skops_trusted_types` in train.py: MLflow names the types when you try.
"""

from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
{%- if cookiecutter.problem_type == "classification" %}
from sklearn.linear_model import LogisticRegression
{%- else %}
from sklearn.linear_model import Ridge
{%- endif %}
{%- if cookiecutter.problem_type != "forecasting" %}
from sklearn.model_selection import train_test_split
{%- endif %}
from sklearn.pipeline import Pipeline{% if cookiecutter.problem_type == "regression" %}, make_pipeline{% endif %}
from sklearn.preprocessing import OneHotEncoder{% if cookiecutter.problem_type == "regression" %}, PolynomialFeatures{% endif %}, StandardScaler

{%- if cookiecutter.problem_type != "regression" %}

from .data import TARGET
{%- endif %}

TEST_SHARE = 0.25
{%- if cookiecutter.problem_type != "forecasting" %}
SEED = 0
{%- endif %}
{% if cookiecutter.problem_type == "forecasting" %}
LAGS = (1, 7, 14)
WINDOW = 7
NUMERIC = [*(f"lag_{lag}" for lag in LAGS), f"rolling_mean_{WINDOW}"]
CATEGORICAL = ["series", "day_of_week"]
SENSITIVE = ["area"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Lag features per series; rows without a full history are dropped."""
    frame = frame.sort_values(["series", "date"]).reset_index(drop=True)
    history = frame.groupby("series")[TARGET]
    for lag in LAGS:
        frame[f"lag_{lag}"] = history.shift(lag)
    # Shifted first, so a row's window holds only the past: no leakage of its own target.
    frame[f"rolling_mean_{WINDOW}"] = history.transform(lambda s: s.shift(1).rolling(WINDOW).mean())
    frame["day_of_week"] = frame["date"].dt.day_name()
    return frame.dropna(subset=NUMERIC).reset_index(drop=True)


def split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The last TEST_SHARE of the dates is the test set: a forecast is judged on the future."""
    dates = frame["date"].sort_values().unique()
    cutoff = dates[int(len(dates) * (1 - TEST_SHARE))]
    return frame[frame["date"] < cutoff], frame[frame["date"] >= cutoff]


def build_model() -> Pipeline:
    encode = ColumnTransformer([
        ("numeric", StandardScaler(), NUMERIC),
        ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
    ])
    return Pipeline([("encode", encode), ("model", Ridge(alpha=1.0))])
{% else %}
NUMERIC = ["x1", "x2", "x3"]
CATEGORICAL = ["segment"]
SENSITIVE = ["group"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Features computed from several columns go here; the pipeline does the rest."""
    return frame


def split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
{%- if cookiecutter.problem_type == "classification" %}
    train, test = train_test_split(frame, test_size=TEST_SHARE, random_state=SEED, stratify=frame[TARGET])
{%- else %}
    train, test = train_test_split(frame, test_size=TEST_SHARE, random_state=SEED)
{%- endif %}
    return train, test


def build_model() -> Pipeline:
{%- if cookiecutter.problem_type == "classification" %}
    numeric = StandardScaler()
{%- else %}
    # Squares and pairwise products let a linear model follow curved effects.
    numeric = make_pipeline(StandardScaler(), PolynomialFeatures(degree=2, include_bias=False))
{%- endif %}
    encode = ColumnTransformer([
        ("numeric", numeric, NUMERIC),
        ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
    ])
{%- if cookiecutter.problem_type == "classification" %}
    return Pipeline([("encode", encode), ("model", LogisticRegression(max_iter=1000))])
{%- else %}
    return Pipeline([("encode", encode), ("model", Ridge(alpha=1.0))])
{%- endif %}
{% endif %}

def model_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns the model reads, in a fixed order; never the target or a sensitive feature."""
    return frame[NUMERIC + CATEGORICAL]
