"""Input drift of the served model: its training baseline, the population stability index (PSI) and
the bounded window of recent inputs a model server measures it on.

At training the model's numeric inputs are cut into ten bins at the training data's deciles, and
the share of training rows in each bin is the baseline. It is stored in the model's own MLmodel
file (metadata key `qantara_drift_baseline`), so it travels inside the model archive, and it is
data: `Baseline.from_document` accepts only that shape (numbers, a version, feature names) and
refuses anything else, so a tampered baseline stops the model from loading (model_archive.py).

A model server keeps, per request row, only the bin each watched input fell in (never the value,
never the other columns), for the last WINDOW_ROWS rows and at most `max_age` seconds, in memory:
nothing of a request is written anywhere or leaves the process. Once a feature has MIN_ROWS values
in the window, its PSI is the sum over the bins of (actual - expected) * ln(actual / expected), a
share of 0 counted as EPSILON. Above 0.25 is the usual reading of a significant shift.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

KEY = "qantara_drift_baseline"
VERSION = 1
BINS = 10
# What an empty bin counts as, so that ln(actual / expected) stays finite (the usual PSI epsilon).
EPSILON = 1e-4
# A window large enough that sampling noise stays far below 0.25 (about (BINS - 1) / rows), small
# enough to follow a shift within a day of traffic; fewer rows than MIN_ROWS measure nothing.
WINDOW_ROWS = 1000
MIN_ROWS = 200
MAX_FEATURES = 256
# A feature is a column name: it becomes a metric label value, and is checked like one.
FEATURE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


class InvalidBaseline(ValueError):
    """A drift baseline that is not what the train step writes."""


@dataclass(frozen=True)
class FeatureBaseline:
    name: str
    edges: tuple[float, ...]  # inner bin edges, strictly increasing: bin i is (edges[i-1], edges[i]]
    expected: tuple[float, ...]  # the training share of each of the len(edges) + 1 bins

    def bin_of(self, value: float) -> int:
        return int(np.searchsorted(self.edges, value, side="left"))


@dataclass(frozen=True)
class Baseline:
    features: tuple[FeatureBaseline, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def document(self) -> dict:
        return {"version": VERSION, "features": [
            {"name": f.name, "edges": list(f.edges), "expected": list(f.expected)} for f in self.features]}

    @classmethod
    def from_document(cls, document) -> Baseline:
        """The baseline in `document`, or InvalidBaseline naming the field that is wrong."""
        if not isinstance(document, dict) or set(document) != {"version", "features"}:
            raise InvalidBaseline("expected a mapping with exactly `version` and `features`")
        if document["version"] != VERSION:
            raise InvalidBaseline(f"version is {document['version']!r} (allowed: {VERSION})")
        features = document["features"]
        if not isinstance(features, list) or not 1 <= len(features) <= MAX_FEATURES:
            raise InvalidBaseline(f"features must be a list of 1 to {MAX_FEATURES} features")
        parsed = tuple(_feature(item, index) for index, item in enumerate(features))
        names = [f.name for f in parsed]
        if len(set(names)) != len(names):
            raise InvalidBaseline(f"features name a column twice: {names}")
        return cls(parsed)


def _numbers(value, where: str, lengths: range) -> tuple[float, ...]:
    # bool is an int to Python; a baseline number is never one.
    if not isinstance(value, list) or len(value) not in lengths:
        raise InvalidBaseline(f"{where} must be a list of {lengths.start} to {lengths.stop - 1} numbers")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        raise InvalidBaseline(f"{where} holds something other than finite numbers")
    return tuple(float(v) for v in value)


def _feature(item, index: int) -> FeatureBaseline:
    where = f"features[{index}]"
    if not isinstance(item, dict) or set(item) != {"name", "edges", "expected"}:
        raise InvalidBaseline(f"{where} must have exactly `name`, `edges` and `expected`")
    name = item["name"]
    if not isinstance(name, str) or not FEATURE_NAME.match(name):
        raise InvalidBaseline(f"{where}.name {name!r} is not a column name (allowed: {FEATURE_NAME.pattern})")
    edges = _numbers(item["edges"], f"{where}.edges", range(1, BINS))
    if any(b <= a for a, b in pairwise(edges)):
        raise InvalidBaseline(f"{where}.edges are not strictly increasing")
    expected = _numbers(item["expected"], f"{where}.expected", range(len(edges) + 1, len(edges) + 2))
    if any(share < 0 or share > 1 for share in expected) or abs(sum(expected) - 1) > 1e-6:
        raise InvalidBaseline(f"{where}.expected must be shares between 0 and 1 adding up to 1")
    return FeatureBaseline(name, edges, expected)


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """The columns drift is measured on: the numeric model inputs (MLflow's long and double)."""
    return [c for c in frame.columns
            if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]


def baseline_of(frame: pd.DataFrame) -> Baseline:
    """The training baseline of `frame`'s numeric columns: decile edges and each bin's share of rows."""
    features = []
    for column in numeric_columns(frame):
        values = frame[column].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if not len(values):
            raise InvalidBaseline(f"column {column!r} has no finite training value to measure drift against")
        edges = tuple(float(e) for e in np.unique(np.quantile(values, np.linspace(0, 1, BINS + 1)[1:-1])))
        counts = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)
        features.append(FeatureBaseline(column, edges, tuple(float(c) / len(values) for c in counts)))
    if not features:
        raise InvalidBaseline("the model has no numeric input to measure drift on")
    return Baseline(tuple(features))


def psi(expected: Iterable[float], counts: Iterable[int]) -> float:
    """The population stability index of observed bin `counts` against the `expected` shares."""
    counts = list(counts)
    total = sum(counts)
    score = 0.0
    for share, count in zip(expected, counts):
        actual, share = max(count / total, EPSILON), max(share, EPSILON)
        score += (actual - share) * math.log(actual / share)
    return float(score)


def _bin(feature: FeatureBaseline, value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None  # not a number the model reads as one: not counted
    return feature.bin_of(value)


class DriftWindow:
    """The bins recent request rows fell in, per watched feature: at most `max_rows` rows, none
    older than `max_age` seconds (None: no age limit). Safe to share between request threads."""

    def __init__(self, baseline: Baseline, *, max_rows: int = WINDOW_ROWS, max_age: float | None = None,
                 min_rows: int = MIN_ROWS, clock: Callable[[], float] = time.monotonic):
        self.baseline, self.max_age, self.min_rows, self._clock = baseline, max_age, min_rows, clock
        self._rows: deque[tuple[float, tuple[int | None, ...]]] = deque(maxlen=max_rows)
        self._lock = threading.Lock()

    def observe(self, rows: Iterable[Mapping]) -> None:
        """Keep the bins of `rows`' watched features (the rows themselves are not kept)."""
        now = self._clock()
        binned = [(now, tuple(_bin(f, row.get(f.name)) for f in self.baseline.features)) for row in rows]
        with self._lock:
            self._rows.extend(binned)

    def rows(self) -> int:
        with self._lock:
            self._expire()
            return len(self._rows)

    def scores(self) -> dict[str, float]:
        """PSI per feature with at least `min_rows` values in the window; none for the others."""
        with self._lock:
            self._expire()
            rows = [bins for _, bins in self._rows]
        scores = {}
        for index, feature in enumerate(self.baseline.features):
            seen = [bins[index] for bins in rows if bins[index] is not None]
            if len(seen) >= self.min_rows:
                counts = np.bincount(seen, minlength=len(feature.expected))
                scores[feature.name] = psi(feature.expected, counts)
        return scores

    def _expire(self) -> None:
        if self.max_age is None:
            return
        oldest = self._clock() - self.max_age
        while self._rows and self._rows[0][0] < oldest:
            self._rows.popleft()
