"""A finding a policy marks advisory (informational) never fails a check, in any environment;
the same policy's finding without the mark does."""

from __future__ import annotations

import datetime as dt

from qantara.policy.enforcement import enforce, verdict
from qantara.policy.evaluate import evaluate, policy_input

TODAY = dt.date(2026, 12, 6)
BLUEPRINT = {
    "apiVersion": "qantara.dev/v1", "kind": "Blueprint",
    "metadata": {"name": "gulf-ml", "owner": "data-platform"},
    "spec": {"jurisdiction": "AE", "dataClassification": "restricted", "sectors": [], "deployment": "cloud",
             "cloud": {"provider": "aws", "region": "me-central-1", "accounts": []},
             "environments": [{"name": "prod"}], "governance": {"waivers": []}},
}


def queue(name: str, data_class: str) -> dict:
    return {"urn": f"urn:pulumi:prod::p::aws:sqs/queue:Queue::{name}", "type": "aws:sqs/queue:Queue", "name": name,
            "parent": "", "provider": "", "custom": True, "inputs": {"policy": "[unknown]"}, "dependencies": [],
            "propertyDependencies": {}, "dataClassification": data_class,
            "location": {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}}


def unread_findings(*resources: dict) -> list[dict]:
    document = policy_input(blueprint=BLUEPRINT, plan={"resources": list(resources), "source": {"kind": "test"}},
                            environment={"name": "prod", "enforcement": "mandatory"}, today=TODAY)
    found = evaluate(document, ("resources",))
    return enforce([f for f in found if f["policy"] == "QA-RES-062"], enforcement="mandatory", waivers=[], today=TODAY)


def test_an_unreadable_policy_on_internal_data_is_advisory_even_where_enforcement_is_mandatory():
    findings = unread_findings(queue("metrics", "internal"))
    assert [f["enforcement"] for f in findings] == ["advisory"]
    assert verdict(findings) == "pass"


def test_an_unreadable_policy_on_restricted_data_fails_the_check():
    findings = unread_findings(queue("referrals", "restricted"))
    assert [f["enforcement"] for f in findings] == ["mandatory"]
    assert verdict(findings) == "fail"
