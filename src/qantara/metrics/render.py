"""`qantara metrics` output: a table, JSON, and one SVG chart per metric and group."""

from __future__ import annotations

import json
import re
from pathlib import Path

from qantara.metrics.bands import band_certain, band_source
from qantara.metrics.charts import LABELS, metric_svg


def _value(metric: str, value) -> str:
    return "no data" if value is None else LABELS[metric][1].format(value)


def metrics_table(groups: list[dict]) -> str:
    if not groups:
        return "no events in the history for this project/environment"
    lines = []
    for group in groups:
        w = group["window"]
        lines.append(f"{group['project']} / {group['environment']}  ({w['start']} to {w['end']}, "
                     f"{group['deployments']} deployment(s), {group['incidents']} incident(s))")
        for metric, entry in group["metrics"].items():
            lines.append(f"  {LABELS[metric][0]:32} {_value(metric, entry['value']):>10}   {_band(metric, entry['band'])}")
        for row in group["freshness"]:
            lines.append(f"  model {row['model']} v{row['version']}: {row['ageDays']:.1f} days in production, "
                         f"{row['versionsBehind']} newer approved version(s), gap {row['gapDays']:.1f} days")
        lines.append("  computed from: " + ", ".join(f"{source} ({n} event(s))" for source, n in group["sources"].items()))
        lines.append("")
    source = band_source()
    lines.append(f"Bands: {source['note']}")
    lines.extend(f"  {line}" for line in source["sources"])
    return "\n".join(lines)


def _band(metric: str, name: str | None) -> str:
    if name is None:
        return "-"
    return name if band_certain(metric, name) else f"{name} (threshold uncertain)"


def metrics_json(groups: list[dict]) -> str:
    return json.dumps({"groups": groups, "bands": band_source()}, indent=2)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:80] or "_"


def write_charts(groups: list[dict], directory: Path) -> list[Path]:
    """One SVG per group and metric; file names made of safe characters only."""
    from qantara.output_file import write_output

    written = []
    for group in groups:
        for metric in LABELS:
            path = directory / f"{_safe(group['project'])}-{_safe(group['environment'])}-{metric}.svg"
            title = f"{group['project']} / {group['environment']}"
            written.append(write_output(path, metric_svg(metric, group["series"], title) + "\n"))
    return written
