"""A check's report in the format asked for: the one table of `qantara check --format`."""

from __future__ import annotations

import json
from pathlib import Path

CHECK_FORMATS = ("text", "json", "sarif", "junit", "github")


def check_report(result, format: str, source: Path) -> str:
    """The report of a `CheckResult` in `format`; `source` is the file its findings point into
    (the blueprint, or the project's manifest)."""
    if format == "json":
        return json.dumps(result.to_dict(), indent=2)
    if format == "sarif":
        from qantara.report.sarif import check_sarif

        return json.dumps(check_sarif(result, source), indent=2)
    if format == "junit":
        from qantara.report.junit import check_junit

        return check_junit(result)
    if format == "github":
        from qantara.report.github import check_github

        return check_github(result, source)
    from qantara.report.text import check_text

    return check_text(result)
