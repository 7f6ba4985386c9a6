"""The formats of `qantara scan`: text, JSON and one SARIF log for every stack."""

from __future__ import annotations

import json

from qantara.scan.run import ScanResult


def scan_text(result: ScanResult) -> str:
    lines = [f"Backend {result.backend}: {len(result.stacks)} stack(s), verdict {result.verdict.upper()}", ""]
    for scan in result.stacks:
        where = f"{scan.blueprint or '?'} --env {scan.environment or '?'}"
        lines.append(f"{scan.verdict.upper():5}  {scan.ref.name}  ({where})")
        if scan.error:
            lines.append(f"       cannot check: {scan.error}")
        for finding in (scan.result.findings if scan.result else []):
            lines.append(f"       {finding['enforcement']:9} {finding['policy']} {finding['resource']}: {finding['message']}")
    if not result.stacks:
        lines.append("no stack checkpoints found under .pulumi/stacks/")
    return "\n".join(lines)


def scan_json(result: ScanResult) -> str:
    return json.dumps(result.to_dict(), indent=2)


def scan_sarif(result: ScanResult) -> dict:
    """One SARIF run over all stacks: each result says its stack; a stack that could not be
    checked is a result of its own (`QA-SCAN-UNCHECKED`), so code scanning shows it."""
    from qantara.report.sarif import check_sarif

    log = None
    results, unchecked = [], []
    for scan in result.stacks:
        if scan.result is None:
            unchecked.append({"ruleId": "QA-SCAN-UNCHECKED", "level": "error",
                              "message": {"text": scan.error or "not checked"},
                              "locations": [{"physicalLocation": {"artifactLocation": {"uri": scan.ref.key}}}],
                              "properties": {"stack": scan.ref.name}})
            continue
        one = check_sarif(scan.result, scan.blueprint)
        log = log or one
        for item in one["runs"][0]["results"]:
            item["properties"]["stack"] = scan.ref.name
            item["properties"]["environment"] = scan.environment
            results.append(item)
    if log is None:
        import qantara
        from qantara.report.sarif import SCHEMA

        log = {"$schema": SCHEMA, "version": "2.1.0",
               "runs": [{"tool": {"driver": {"name": "qantara", "version": qantara.__version__, "rules": []}}}]}
    run = log["runs"][0]
    run["tool"]["driver"]["rules"].append({"id": "QA-SCAN-UNCHECKED", "name": "QASCANUNCHECKED",
                                           "shortDescription": {"text": "A stack of the backend could not be checked"}})
    run["results"] = results + unchecked
    blueprints = sorted({s.blueprint for s in result.stacks if s.blueprint and s.result})
    run["artifacts"] = [{"location": {"uri": uri}} for uri in blueprints]
    run["properties"] = {"backend": result.backend, "verdict": result.verdict,
                         "stacks": [{"stack": s.ref.name, "verdict": s.verdict} for s in result.stacks]}
    return log


SCAN_FORMATS = ("text", "json", "sarif")


def scan_report(result: ScanResult, format: str) -> str:
    """The scan's report in `format` (one of SCAN_FORMATS)."""
    if format == "json":
        return scan_json(result)
    if format == "sarif":
        return json.dumps(scan_sarif(result), indent=2)
    return scan_text(result)
