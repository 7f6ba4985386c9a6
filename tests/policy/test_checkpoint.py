"""The one checkpoint (`run_checkpoint`) behind check, check --project and the policy pack:
what it hands the policies, and what it makes of their findings in each environment."""

from __future__ import annotations

import datetime as dt

from qantara.policy.checkpoint import BLUEPRINT_SUBJECTS, PROJECT_SUBJECTS, run_checkpoint

TODAY = dt.date(2026, 12, 6)
FINDING = {"policy": "QA-RES-003", "resource": "urn:pulumi:prod::qantara::aws:s3/bucket:Bucket::raw", "message": "m"}


def blueprint(*waivers: dict) -> dict:
    return {"spec": {"governance": {"waivers": list(waivers)}}}


def evaluator_finding(finding: dict, seen: list):
    def evaluate(document: dict, subjects: tuple[str, ...]) -> list[dict]:
        seen.append((document, subjects))
        return [dict(finding)]

    return evaluate


def test_a_finding_fails_a_mandatory_environment_and_only_advises_an_advisory_one():
    mandatory = run_checkpoint(BLUEPRINT_SUBJECTS, blueprint(), "prod", "mandatory", today=TODAY,
                               evaluator=evaluator_finding(FINDING, []))
    advisory = run_checkpoint(BLUEPRINT_SUBJECTS, blueprint(), "dev", "advisory", today=TODAY,
                              evaluator=evaluator_finding(FINDING, []))
    assert (mandatory.verdict, [f["enforcement"] for f in mandatory.findings]) == ("fail", ["mandatory"])
    assert (advisory.verdict, [f["enforcement"] for f in advisory.findings]) == ("pass", ["advisory"])


def test_a_current_waiver_passes_and_an_expired_one_does_not():
    def waiver(expires: str) -> dict:
        return {"policy": "QA-RES-003", "resources": "raw", "approvedBy": "ciso", "reason": "r", "expires": expires}

    current = run_checkpoint(BLUEPRINT_SUBJECTS, blueprint(waiver("2027-01-01")), "prod", "mandatory", today=TODAY,
                             evaluator=evaluator_finding(FINDING, []))
    expired = run_checkpoint(BLUEPRINT_SUBJECTS, blueprint(waiver("2026-12-05")), "prod", "mandatory", today=TODAY,
                             evaluator=evaluator_finding(FINDING, []))
    assert current.verdict == "pass" and current.findings[0]["enforcement"] == "waived"
    assert expired.verdict == "fail" and "expired on 2026-12-05" in expired.findings[0]["waiver"]


def test_the_policies_read_the_environment_its_level_the_date_and_the_project():
    seen: list = []
    run_checkpoint(PROJECT_SUBJECTS, blueprint(), "staging", "advisory", project={"path": "p"}, today=TODAY,
                   evaluator=evaluator_finding(FINDING, seen))
    [(document, subjects)] = seen
    assert subjects == ("project",)
    assert document["environment"] == {"name": "staging", "enforcement": "advisory"}
    assert document["context"] == {"date": "2026-12-06"}
    assert document["project"] == {"path": "p"} and document["plan"] == {"resources": []}
