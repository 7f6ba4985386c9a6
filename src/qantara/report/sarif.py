"""`qantara check --format sarif`: the check result as SARIF 2.1.0, for code-scanning tools.

Every policy in the library becomes a rule (its metadata gives the descriptions), every
finding a result. Blueprint findings point at the blueprint line they concern; resource
findings name the resource's URN as a logical location and the blueprint as the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import qantara
from qantara.errors import QantaraError
from qantara.policy.library import PolicyMeta, policy_index

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning reads `security-severity` as a CVSS-like score in a string.
SECURITY_SEVERITY = {"critical": "9.0", "high": "7.0", "medium": "5.0", "low": "3.0"}
LEVELS = {"mandatory": "error", "advisory": "warning", "waived": "note"}
_PATH_PART = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']*)'\]")


def field_path(dotted: str) -> tuple[str | int, ...] | None:
    """`spec.environments[1].name` -> `("spec", "environments", 1, "name")`; None if unparsable."""
    parts: list[str | int] = []
    position = 0
    while position < len(dotted):
        match = _PATH_PART.match(dotted, position)
        if not match or match.end() == position:
            return None
        name, index, quoted = match.groups()
        parts.append(int(index) if index is not None else (name if name is not None else quoted))
        position = match.end()
    return tuple(parts)


def blueprint_line(blueprint_path: Path | str, resource: str) -> int | None:
    """The blueprint line a `spec.…` finding concerns, when the blueprint still loads."""
    if not resource.startswith("spec."):
        return None
    path = field_path(resource)
    if path is None:
        return None
    from qantara.blueprint.yaml_source import load_yaml_with_positions

    try:
        return load_yaml_with_positions(blueprint_path).position(path)[0]
    except (QantaraError, OSError):
        return None


def _uri(path: Path | str) -> str:
    return Path(path).as_posix()


def _rule(meta: PolicyMeta) -> dict:
    return {
        "id": meta.id,
        "name": meta.id.replace("-", ""),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.rationale},
        "help": {"text": meta.remediation},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "severity": meta.severity,
            "stage": meta.stage,
            "frameworks": list(meta.frameworks),
            "waivable": meta.waivable,
            "nonWaivableClasses": list(meta.non_waivable_classes),
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "tags": ["security", f"stage/{meta.stage}", meta.package],
        },
    }


def _location(finding: dict, uri: str, line: int | None) -> dict:
    physical: dict = {"artifactLocation": {"uri": uri}}
    if line is not None:
        physical["region"] = {"startLine": line}
    location: dict = {"physicalLocation": physical}
    if not finding["resource"].startswith("spec."):
        location["logicalLocations"] = [{"fullyQualifiedName": finding["resource"], "kind": "resource"}]
    return location


def _result(finding: dict, rule_index: dict[str, int], uri: str, line: int | None) -> dict:
    result = {
        "ruleId": finding["policy"],
        "level": LEVELS.get(finding["enforcement"], "error"),
        "message": {"text": finding["message"]},
        "locations": [_location(finding, uri, line)],
        "properties": {"severity": finding["severity"], "enforcement": finding["enforcement"],
                       "resource": finding["resource"], "remediation": finding["remediation"]},
    }
    if finding["policy"] in rule_index:
        result["ruleIndex"] = rule_index[finding["policy"]]
    if finding["enforcement"] == "waived":
        result["suppressions"] = [{"kind": "external", "justification": finding.get("waiver", "")}]
    return result


def check_sarif(result, blueprint_path: Path | str) -> dict:
    """The SARIF 2.1.0 log of a `CheckResult`: one run, all policies as rules."""
    metas = list(policy_index().values())
    rule_index = {meta.id: position for position, meta in enumerate(metas)}
    uri = _uri(blueprint_path)
    results = [_result(f, rule_index, uri, blueprint_line(blueprint_path, f["resource"])) for f in result.findings]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "qantara",
                "version": qantara.__version__,
                "rules": [_rule(meta) for meta in metas],
            }},
            "artifacts": [{"location": {"uri": uri}}],
            "results": results,
            "properties": {"blueprint": result.blueprint, "environment": result.environment,
                           "enforcement": result.enforcement, "verdict": result.verdict,
                           "warnings": list(result.warnings)},
        }],
    }
