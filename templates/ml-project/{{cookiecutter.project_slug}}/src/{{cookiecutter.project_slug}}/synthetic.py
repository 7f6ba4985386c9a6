"""Synthetic data with the schema of data.py, for tests and a first `make train`.

It has a known signal, so a model that learns nothing fails the thresholds in qantara.yaml,
and no group effect, so a bias finding on it is noise: the default size keeps that noise well
under the bias bound. Never a stand-in for real data when judging a model.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from .data import TARGET


{% if cookiecutter.problem_type == "forecasting" -%}
def make_dataset(rows: int = 3000, seed: int = 0, series: int = 3) -> pd.DataFrame:
    """About `rows` daily observations spread over `series` series: trend, weekly cycle, noise.
    Every third series serves a rural area, the others urban ones."""
    rng = np.random.default_rng(seed)
    days = max(rows // series, 60)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    frames = []
    for index in range(series):
        level = 50.0 + 25.0 * index
        trend = np.linspace(0.0, 10.0, days)
        weekly = 8.0 * np.sin(2 * np.pi * np.arange(days) / 7.0)
        noise = rng.normal(0.0, 2.0, days)
        frames.append(pd.DataFrame({
            "date": dates,
            "series": f"s{index + 1}",
            "area": "rural" if index % 3 == 2 else "urban",
            TARGET: np.clip(level + trend + weekly + noise, 0.0, None),
        }))
    return pd.concat(frames, ignore_index=True)
{%- else -%}
def make_dataset(rows: int = 5000, seed: int = 0) -> pd.DataFrame:
    """`rows` rows whose target depends on x1, x2, x3 and segment, and not on group."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(0.0, 1.0, rows)
    x2 = rng.normal(0.0, 1.0, rows)
    x3 = rng.uniform(-3.0, 3.0, rows)
    segment = rng.choice(["low", "mid", "high"], rows)
    group = rng.choice(["a", "b"], rows)
    effect = pd.Series(segment).map({"low": -1.0, "mid": 0.0, "high": 1.0}).to_numpy()
{%- if cookiecutter.problem_type == "classification" %}
    score = 1.5 * x1 - 1.0 * x2 + 0.3 * x3 ** 2 + effect - 1.0
    target = (rng.uniform(0.0, 1.0, rows) < 1.0 / (1.0 + np.exp(-score))).astype(int)
{%- else %}
    target = 3.0 * x1 - 2.0 * x2 + 0.5 * x3 ** 2 + 2.0 * effect + rng.normal(0.0, 1.0, rows)
{%- endif %}
    return pd.DataFrame({"x1": x1, "x2": x2, "x3": x3, "segment": segment, "group": group, TARGET: target})
{%- endif %}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic dataset with the project's schema.")
    parser.add_argument("--out", type=Path, default=Path("data/training.csv"), help="CSV file to write.")
    parser.add_argument("--rows", type=int, default=None, help="Rows to write (default: make_dataset's).")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sized = {} if args.rows is None else {"rows": args.rows}
    make_dataset(seed=args.seed, **sized).to_csv(args.out, index=False)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
