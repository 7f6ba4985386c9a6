"""Drift as the model server measures it: the training baseline, PSI over a bounded window of
recent inputs, and what that window keeps (bins, never the requests)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from {{ cookiecutter.project_slug }} import drift, features, synthetic

THRESHOLD = 0.25  # the platform's drift alert (docs/onprem.md in Qantara)


def _inputs(seed: int, rows: int = 3000) -> pd.DataFrame:
    return features.model_inputs(features.prepare(synthetic.make_dataset(rows=rows, seed=seed)))


@pytest.fixture(scope="module")
def baseline() -> drift.Baseline:
    return drift.baseline_of(_inputs(seed=1))


def _rows(frame: pd.DataFrame) -> list[dict]:
    # As a request carries them: JSON records.
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _window(baseline: drift.Baseline, frame: pd.DataFrame, **options) -> drift.DriftWindow:
    window = drift.DriftWindow(baseline, **options)
    window.observe(_rows(frame))
    return window


def test_the_baseline_watches_every_numeric_model_input_and_no_other(baseline):
    assert baseline.names == features.NUMERIC
    for feature in baseline.features:
        assert math.isclose(sum(feature.expected), 1.0) and len(feature.expected) == len(feature.edges) + 1
    # What the train step stores is what the loader accepts.
    assert drift.Baseline.from_document(json.loads(json.dumps(baseline.document()))) == baseline


def test_training_like_inputs_stay_below_the_alert_on_every_feature(baseline):
    scores = _window(baseline, _inputs(seed=5).sample(n=drift.WINDOW_ROWS, random_state=0)).scores()
    assert set(scores) == set(baseline.names)
    assert all(score < THRESHOLD for score in scores.values()), scores


def test_a_shifted_input_passes_the_alert_and_the_others_do_not(baseline):
    frame = _inputs(seed=5).sample(n=drift.WINDOW_ROWS, random_state=0).copy()
    shifted = baseline.names[-1]
    frame[shifted] = frame[shifted] + 2 * _inputs(seed=1)[shifted].std()
    scores = _window(baseline, frame).scores()
    assert {name for name, score in scores.items() if score > THRESHOLD} == {shifted}, scores


def test_the_window_keeps_the_latest_rows_only_so_a_shift_that_ends_stops_alerting(baseline):
    frame = _inputs(seed=5).sample(n=drift.WINDOW_ROWS, random_state=0)
    shifted = frame.copy()
    shifted[baseline.names[0]] = shifted[baseline.names[0]] * 10 + 100
    window = _window(baseline, shifted)
    assert window.scores()[baseline.names[0]] > THRESHOLD
    window.observe(_rows(frame))
    assert window.rows() == drift.WINDOW_ROWS
    assert window.scores()[baseline.names[0]] < THRESHOLD


def test_no_traffic_means_no_measurement_rather_than_an_old_one(baseline):
    now = [0.0]
    frame = _inputs(seed=5).sample(n=drift.WINDOW_ROWS, random_state=0)
    window = _window(baseline, frame, max_age=3600, clock=lambda: now[0])
    assert window.scores()
    now[0] = 3601.0  # an hour without a request: the inputs an hour old are forgotten
    assert window.rows() == 0 and window.scores() == {}


def test_too_few_rows_measure_nothing(baseline):
    window = _window(baseline, _inputs(seed=5).head(drift.MIN_ROWS - 1))
    assert window.scores() == {}


def test_values_that_are_not_numbers_are_not_counted(baseline):
    name = baseline.names[0]
    window = drift.DriftWindow(baseline, min_rows=1)
    window.observe([{name: value} for value in (None, "1.5", True, float("nan"), float("inf"), [1])])
    assert window.scores() == {}
    window.observe([{name: 0.5}])
    assert set(window.scores()) == {name}


def test_the_window_keeps_bins_not_the_requests(baseline):
    window = drift.DriftWindow(baseline)
    row = {name: 123.456789 for name in baseline.names}
    window.observe([{**row, "group": "patient-4711", "note": "free text"}])
    kept = repr(vars(window))
    assert "123.456789" not in kept and "patient-4711" not in kept and "free text" not in kept


def test_an_empty_bin_counts_as_epsilon_so_the_index_stays_finite():
    score = drift.psi([0.5, 0.5, 0.0], [0, 10, 10])
    assert math.isfinite(score) and score > THRESHOLD
    assert drift.psi([0.25, 0.25, 0.5], [25, 25, 50]) == pytest.approx(0.0)


def _document(baseline: drift.Baseline, change) -> dict:
    document = json.loads(json.dumps(baseline.document()))
    change(document)
    return document


@pytest.mark.parametrize("change, says", [
    (lambda d: d.update(version=2), "version"),
    (lambda d: d.update(loader="os.system"), "exactly `version` and `features`"),
    (lambda d: d.update(features=[]), "1 to"),
    (lambda d: d["features"][0].update(expected=[1.0] * len(d["features"][0]["expected"])), "adding up to 1"),
    (lambda d: d["features"][0].update(edges=list(reversed(d["features"][0]["edges"]))), "strictly increasing"),
    (lambda d: d["features"][0].update(edges=[float("nan")] * 3), "finite numbers"),
    (lambda d: d["features"][0].update(edges=["0.1", "0.2"]), "finite numbers"),
    (lambda d: d["features"][0].update(edges=[True]), "finite numbers"),
    (lambda d: d["features"][0].update(edges=list(range(50))), "list of 1 to"),
    (lambda d: d["features"][0].update(name='x1",model="other'), "not a column name"),
    (lambda d: d["features"][0].update(name="x1\nqantara_model_drift_score 0"), "not a column name"),
    (lambda d: d["features"].append(d["features"][0]), "twice"),
    (lambda d: d["features"][0].update(code="import os"), "exactly `name`"),
], ids=["version", "extra-key", "no-features", "shares", "edges-order", "nan", "strings", "bool", "too-many-edges",
        "label-injection", "line-injection", "duplicate", "feature-extra-key"])
def test_a_baseline_that_is_not_what_training_writes_is_refused(baseline, change, says):
    with pytest.raises(drift.InvalidBaseline, match=says):
        drift.Baseline.from_document(_document(baseline, change))
