"""`qantara check --format github`: GitHub Actions workflow commands that annotate the run.

`::error` for mandatory findings, `::warning` for advisory, `::notice` for waived. Values
are escaped as GitHub's toolkit does: `%`, CR and LF everywhere, plus `:` and `,` in
properties.
"""

from __future__ import annotations

from pathlib import Path

from qantara.report.sarif import blueprint_line

COMMANDS = {"mandatory": "error", "advisory": "warning", "waived": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: object) -> str:
    """One `::command key=value,...::message` line; properties whose value is None are left out."""
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{command} {rendered}::{escape_data(message)}" if rendered else f"::{command}::{escape_data(message)}"


def check_github(result, blueprint_path: Path | str) -> str:
    """One workflow command per finding, then a notice with the verdict."""
    file = Path(blueprint_path).as_posix()
    lines = []
    for finding in result.findings:
        message = finding["message"]
        if not finding["resource"].startswith("spec."):
            message += f" (resource {finding['resource']})"
        message += f"\nfix: {finding['remediation']}"
        if finding.get("waiver"):
            message += f"\n{finding['waiver']}"
        lines.append(workflow_command(COMMANDS.get(finding["enforcement"], "error"), message, file=file,
                                      line=blueprint_line(blueprint_path, finding["resource"]),
                                      title=finding["policy"]))
    mandatory = sum(f["enforcement"] == "mandatory" for f in result.findings)
    lines.append(workflow_command("notice", f"qantara check {result.blueprint} / {result.environment}: "
                                  f"{result.verdict.upper()} ({mandatory} mandatory, "
                                  f"{len(result.findings) - mandatory} other findings)", title="qantara check"))
    return "\n".join(lines)
