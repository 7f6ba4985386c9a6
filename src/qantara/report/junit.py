"""`qantara check --format junit`: the check result as JUnit XML, for CI test reports.

One test suite per policy package, one test case per (policy, resource) finding: a failure
when mandatory, skipped when waived, passing (with the message in system-out) when
advisory. A policy with no findings is one passing case, so the report shows what ran.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qantara.policy.library import policy_packages


def _case(suite: ET.Element, policy: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": policy, "name": name, "time": "0"})


def check_junit(result) -> str:
    """The JUnit XML document of a `CheckResult`."""
    root = ET.Element("testsuites", {"name": f"qantara check {result.blueprint} / {result.environment}"})
    known = set()
    for package in policy_packages():
        suite = ET.SubElement(root, "testsuite", {"name": package.package})
        for meta in package.policies:
            known.add(meta.id)
            _findings_cases(suite, meta.id, [f for f in result.findings if f["policy"] == meta.id])
    orphans = [f for f in result.findings if f["policy"] not in known]
    if orphans:  # findings of a policy without metadata still count
        suite = ET.SubElement(root, "testsuite", {"name": "unknown"})
        for policy in sorted({f["policy"] for f in orphans}):
            _findings_cases(suite, policy, [f for f in orphans if f["policy"] == policy])
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite in root:
        counts = {"tests": len(suite), "failures": len(suite.findall("testcase/failure")),
                  "skipped": len(suite.findall("testcase/skipped"))}
        suite.attrib.update({key: str(value) for key, value in counts.items()}, errors="0")
        for key in totals:
            totals[key] += counts[key]
    root.attrib.update({key: str(value) for key, value in totals.items()}, errors="0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _findings_cases(suite: ET.Element, policy: str, findings: list[dict]) -> None:
    if not findings:
        _case(suite, policy, f"{policy}: no findings")
        return
    for finding in findings:
        case = _case(suite, policy, f"{policy} {finding['resource']}")
        text = f"{finding['message']}\nfix: {finding['remediation']}"
        if finding["enforcement"] == "mandatory":
            failure = ET.SubElement(case, "failure", {"message": finding["message"], "type": finding["severity"]})
            failure.text = text + (f"\n{finding['waiver']}" if finding.get("waiver") else "")
        elif finding["enforcement"] == "waived":
            ET.SubElement(case, "skipped", {"message": finding.get("waiver") or "waived"})
        else:
            ET.SubElement(case, "system-out").text = f"{finding['enforcement']}: {text}"
