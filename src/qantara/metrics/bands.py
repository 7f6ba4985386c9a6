"""Placing a metric in DORA's performance bands (data: dora_bands.yaml, with its sources)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=1)
def dora_bands() -> dict:
    return yaml.safe_load((Path(__file__).parent / "dora_bands.yaml").read_text(encoding="utf-8"))


def band(metric: str, value: float | None) -> str | None:
    """The band name for `value`, or None when there is no value (no data is not a band)."""
    if value is None:
        return None
    table = dora_bands()["metrics"][metric]
    for row in table["bands"]:
        if table["better"] == "higher" and value >= row["min"]:
            return row["band"]
        if table["better"] == "lower" and (row["max"] is None or value <= row["max"]):
            return row["band"]
    return None


def band_source() -> dict:
    data = dora_bands()
    return {"sources": data["sources"], "read": data["read"], "certainty": data["certainty"], "note": data["note"]}
