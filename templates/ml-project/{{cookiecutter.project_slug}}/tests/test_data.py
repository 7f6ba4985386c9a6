import pandas as pd
import pandera.errors
import pytest

from {{ cookiecutter.project_slug }} import data, synthetic


def test_synthetic_data_meets_the_schema():
    frame = synthetic.make_dataset(rows=200)
    assert len(data.validate(frame)) == len(frame)


def test_a_missing_column_stops_validation():
    frame = synthetic.make_dataset(rows=50).drop(columns=[data.TARGET])
    with pytest.raises(pandera.errors.SchemaErrors, match=data.TARGET):
        data.validate(frame)


def test_an_out_of_range_value_stops_validation():
    frame = synthetic.make_dataset(rows=50)
{%- if cookiecutter.problem_type == "classification" %}
    frame.loc[0, data.TARGET] = 2
{%- elif cookiecutter.problem_type == "regression" %}
    frame.loc[0, "x3"] = 99.0
{%- else %}
    frame.loc[0, data.TARGET] = -1.0
{%- endif %}
    with pytest.raises(pandera.errors.SchemaErrors):
        data.validate(frame)


def test_columns_outside_the_schema_are_dropped():
    frame = synthetic.make_dataset(rows=20).assign(free_text="not for the model")
    assert "free_text" not in data.validate(frame).columns


def test_load_reads_and_validates_a_csv(tmp_path):
    path = tmp_path / "training.csv"
    synthetic.make_dataset(rows=30).to_csv(path, index=False)
    assert isinstance(data.load(path), pd.DataFrame)
