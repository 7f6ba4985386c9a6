"""The JUnit report of a real check: one failure per mandatory finding, waivers skipped,
and a passing case for every policy that found nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qantara.policy.library import policy_index, policy_packages
from qantara.report.junit import check_junit


def test_failures_equal_mandatory_findings(result):
    root = ET.fromstring(check_junit(result))
    mandatory = sum(f["enforcement"] == "mandatory" for f in result.findings)
    assert mandatory >= 3  # at least the residency, approvers and public-access findings
    assert len(root.findall(".//testcase/failure")) == mandatory
    assert root.get("failures") == str(mandatory)
    assert sum(int(suite.get("failures")) for suite in root.findall("testsuite")) == mandatory


def test_waived_findings_are_skipped(result):
    root = ET.fromstring(check_junit(result))
    skipped = root.findall(".//testcase[skipped]")
    assert [case.get("classname") for case in skipped] == ["QA-RES-003"]
    assert skipped[0].find("skipped").get("message").startswith("waived by ciso")


def test_one_suite_per_package_and_every_policy_ran(result):
    root = ET.fromstring(check_junit(result))
    assert [suite.get("name") for suite in root.findall("testsuite")] == [p.package for p in policy_packages()]
    assert {case.get("classname") for case in root.iter("testcase")} == set(policy_index())
    passing = {case.get("classname") for case in root.iter("testcase") if len(case) == 0}
    assert passing == set(policy_index()) - {f["policy"] for f in result.findings}
    assert root.get("tests") == str(len(list(root.iter("testcase"))))
