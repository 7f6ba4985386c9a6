"""Placing a metric in DORA's performance bands (data: dora_bands.yaml, each row with its source)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=1)
def dora_bands() -> dict:
    return yaml.safe_load((Path(__file__).parent / "dora_bands.yaml").read_text(encoding="utf-8"))


def _holds(row: dict, value: float) -> bool:
    """Whether `value` is within the row's bound; a row with no bound (`max: null`) takes the rest."""
    if "above" in row:
        return value > row["above"]
    if "below" in row:
        return value < row["below"]
    if "min" in row:
        return value >= row["min"]
    return row.get("max") is None or value <= row["max"]


def band_row(metric: str, value: float | None) -> dict | None:
    """The table row `value` falls in (band, bound, source, certainty), or None without a value."""
    if value is None:
        return None
    return next((row for row in dora_bands()["metrics"][metric]["bands"] if _holds(row, value)), None)


def band(metric: str, value: float | None) -> str | None:
    """The band name for `value`, or None when there is no value (no data is not a band)."""
    row = band_row(metric, value)
    return row["band"] if row else None


def band_certain(metric: str, name: str | None) -> bool:
    """Whether the row of band `name` is read from a primary source (no `certainty: uncertain`)."""
    rows = [row for row in dora_bands()["metrics"][metric]["bands"] if row["band"] == name]
    return bool(rows) and rows[0].get("certainty") != "uncertain"


def source_line(source_id: str) -> str:
    source = dora_bands()["sources"][source_id]
    where = source.get("url") or ", ".join(source.get("urls", []))
    return f"{source['title']}: {where} (read {source['read']})"


def band_source() -> dict:
    """What the bands rest on, for the table, JSON and the evidence pack."""
    data = dora_bands()
    used = sorted({row["source"] for table in data["metrics"].values() for row in table["bands"]})
    return {"edition": data["edition"], "read": data["read"], "certainty": data["certainty"], "note": data["note"],
            "unreadable": data["unreadable"], "sources": [source_line(s) for s in used],
            "primary": {k: v for k, v in data["sources"].items() if v["kind"] == "primary"},
            "metrics": data["metrics"]}
