"""Load the training data and validate it before anything learns from it.

The schema is the contract with the data's producers: a column that goes missing, a label
outside its set or a value out of range stops training with every failure listed, instead
of quietly producing a worse model. Edit it when your data changes, not around it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

TARGET = "target"

{% if cookiecutter.problem_type == "forecasting" -%}
SCHEMA = pa.DataFrameSchema(
    {
        "date": pa.Column(pa.DateTime),
        "series": pa.Column(str, pa.Check.str_length(min_value=1)),
        # Sensitive: who a series serves. Measured for bias (see qantara.yaml biasCheck), never a model input.
        "area": pa.Column(str),
        TARGET: pa.Column(float, pa.Check.ge(0)),
    },
    unique=["series", "date"],
    # Columns the schema does not name are dropped: the model never sees them.
    strict="filter",
    coerce=True,
)
{%- else -%}
SCHEMA = pa.DataFrameSchema(
    {
        "x1": pa.Column(float),
        "x2": pa.Column(float),
        "x3": pa.Column(float, pa.Check.in_range(-10, 10)),
        "segment": pa.Column(str, pa.Check.isin(["low", "mid", "high"])),
        # Sensitive: measured for bias (see qantara.yaml biasCheck), never a model input.
        "group": pa.Column(str),
{%- if cookiecutter.problem_type == "classification" %}
        TARGET: pa.Column(int, pa.Check.isin([0, 1])),
{%- else %}
        TARGET: pa.Column(float),
{%- endif %}
    },
    # Columns the schema does not name are dropped: the model never sees them.
    strict="filter",
    coerce=True,
)
{%- endif %}


def validate(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` checked against SCHEMA; pandera's SchemaErrors lists every failure at once."""
    return SCHEMA.validate(frame, lazy=True)


def load(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file and validate it."""
    path = Path(path)
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return validate(frame)
