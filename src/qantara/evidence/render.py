"""Render the evidence pack with Jinja2: HTML with autoescape on, and a Markdown twin.

The templates are Qantara's own files (package data). Every value from a blueprint, a
manifest, a model card or an event file is passed as data and escaped on output; none is
ever compiled as template source. The one value inserted unescaped is an SVG chart that
`qantara.metrics.charts` generated itself, escaping every label it holds.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from qantara.metrics.bands import band_source
from qantara.metrics.charts import LABELS

TEMPLATES = Path(__file__).parent / "templates"
# The catalog's requirement levels (jurisdictions.yaml, requirementLevels) in plain words.
REQUIREMENT_WORDS = {
    "any": "anywhere",
    "conditional": "in the country, or abroad under a declared transfer",
    "in-country": "in the country",
    "on-prem": "on the organisation's own premises in the country",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def markdown_text(value) -> str:
    """A value as inline Markdown text: special characters escaped, one line."""
    text = "" if value is None else str(value)
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def day(iso: str) -> str:
    """`2026-11-02T00:00:00Z` as `2 Nov 2026`: the form a reader expects."""
    import datetime as dt

    value = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    return f"{value.day} {value:%b %Y}"


def day_time(iso: str) -> str:
    """`2026-11-03T08:00:00Z` as `3 Nov 2026, 08:00`: an audit row needs the hour, read plainly."""
    import datetime as dt

    value = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    return f"{value.day} {value:%b %Y, %H:%M}"


def metric_value(value, metric: str) -> str:
    if value is None:
        return "no data"
    unit = {"deploymentFrequency": " a day", "leadTime": " hours", "mttr": " hours"}.get(metric, "")
    return LABELS[metric][1].format(value) + unit


def _trusted_svg(svg: str) -> Markup:
    if not svg.startswith("<svg ") or "<script" in svg.lower():
        raise ValueError("only charts from qantara.metrics.charts are inserted as markup")
    return Markup(svg)


@lru_cache(maxsize=2)
def _environment(kind: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=(kind == "html"),
                      keep_trailing_newline=True, trim_blocks=False)
    env.filters["md"] = markdown_text
    env.filters["day"] = day
    env.filters["day_time"] = day_time
    env.filters["metric_value"] = metric_value
    env.filters["trusted_svg"] = _trusted_svg
    return env


def _context(evidence: dict) -> dict:
    return {"e": evidence, "metric_labels": {k: v[0] for k, v in LABELS.items()}, "bands": band_source(),
            "requirement_words": REQUIREMENT_WORDS}


def render_html(evidence: dict) -> str:
    return _environment("html").get_template("report.html.j2").render(**_context(evidence))


def render_markdown(evidence: dict) -> str:
    return _environment("md").get_template("report.md.j2").render(**_context(evidence))
