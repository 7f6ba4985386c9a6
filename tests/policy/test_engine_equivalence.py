"""Same resources, same findings: `qantara check` (embedded engine, offline plan) and the
Pulumi policy pack (`pulumi preview --policy-pack policies/pulumi`).

For each example blueprint (environment prod) the offline plan's resources are sent to the
pack as the Pulumi engine sends a preview's resources (`stack_wire`: outputs with unknowns
and secrets marked, links as URNs, through pulumi-policy's own servicer). The pack must
rebuild the same plan and report exactly the findings the check holds against the stack.

The example blueprints pass their own policies, so each is also sent broken (in a region
outside its jurisdiction, unencrypted, unblocked, with a multi-Region key): the findings
must then be equal and not empty.

Assumption, stated: the pack receives each resource's outputs; for a custom resource at
preview these are its inputs (what the offline plan records). For a component they are
what it registers with `register_outputs`, and the offline plan records its inputs; the
two agree here only because the components' class is sent as the plan holds it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from stack_wire import analyze_stack, received_resources

from qantara.blueprint.loader import load_blueprint
from qantara.catalog import load_catalog
from qantara.check import check_blueprint
from qantara.paths import project_root
from qantara.plan.classification import classify_resources
from qantara.plan.location import locate_resources
from qantara.policy.checkpoint import resolved_input
from qantara.policy.enforcement import enforce
from qantara.policy.evaluate import evaluate, policy_input
from qantara.policy.pulumi_pack import (
    governance_policy,
    pack_enforcement_level,
    plan_from_resources,
    violation_message,
)

TODAY = dt.date(2026, 11, 23)
BLUEPRINTS = sorted((project_root() / "blueprints").glob("*.yaml"))
FOREIGN_REGION = {"AE": "us-east-1", "SA": "eu-west-1", "BH": "us-west-2", "EG": "us-east-1", "EU": "us-east-1"}


@pytest.fixture(scope="module", params=BLUEPRINTS, ids=lambda p: p.stem)
def checked(request):
    return request.param, check_blueprint(request.param, "prod", today=TODAY)


def config_for(path: Path, plan: dict) -> dict:
    config = {"qantara:blueprint": str(path), "qantara:environment": "prod"}
    if plan["source"].get("stackRegion"):
        config["aws:region"] = plan["source"]["stackRegion"]
    # The stack pins its account, as the offline plan's placeholder is the check's own account.
    config["aws:allowedAccountIds"] = json.dumps(plan["source"].get("accounts", []))
    return config


def pack_reports(entries: list[dict], config: dict) -> list[tuple[str, str]]:
    """(urn, message) of every violation the pack reports, as pulumi-policy records them."""
    policy = governance_policy(config=config, today=TODAY)
    diagnostics = analyze_stack(entries, policy, pack_enforcement_level(config))
    prefix = policy.description + "\n"
    return sorted((d.urn, d.message.removeprefix(prefix)) for d in diagnostics)


def expected_reports(findings: list[dict]) -> list[tuple[str, str]]:
    """What the pack should report for the check's findings: each one not waived."""
    return sorted((f["resource"] if f["resource"].startswith("urn:pulumi:") else "", violation_message(f))
                  for f in findings if f["enforcement"] != "waived")


def comparable(resources: list[dict]) -> list[dict]:
    """Plan resources as both producers must agree on them: the engine sends no empty
    property dependencies, and neither order means anything."""
    result = []
    for resource in sorted(resources, key=lambda r: r["urn"]):
        resource = dict(resource)
        resource["propertyDependencies"] = {k: sorted(v) for k, v in resource["propertyDependencies"].items() if v}
        resource["dependencies"] = sorted(resource["dependencies"])
        result.append(resource)
    return result


def test_the_pack_rebuilds_the_offline_plan(checked, secret_markers_kept):
    path, result = checked
    received = received_resources(result.plan["resources"])
    assert len(received) == len(result.plan["resources"]) > 0
    loaded = load_blueprint(path)
    onprem = loaded.model.spec.on_prem
    rebuilt = plan_from_resources(received, stack_region=result.plan["source"].get("stackRegion"),
                                  onprem=None if onprem is None else {"site": onprem.site, "country": onprem.country})
    assert comparable(rebuilt["resources"]) == comparable(result.plan["resources"])


def test_the_pack_reports_what_the_check_finds(checked, secret_markers_kept):
    path, result = checked
    assert pack_reports(result.plan["resources"], config_for(path, result.plan)) == expected_reports(result.findings)


def broken(plan: dict, jurisdiction: str) -> list[dict]:
    """The plan's resources moved out of the jurisdiction, stripped of encryption and public
    access blocks, with multi-Region keys; location and class left to be derived again."""
    entries = []
    for resource in copy.deepcopy(plan["resources"]):
        if resource["type"].endswith((":BucketServerSideEncryptionConfiguration", ":BucketPublicAccessBlock")):
            continue
        resource.pop("location", None)
        resource.pop("dataClassification", None)
        if resource["type"] == "pulumi:providers:aws":
            resource["inputs"]["region"] = FOREIGN_REGION.get(jurisdiction.split("-")[0], "us-east-1")
        if resource["type"] == "aws:kms/key:Key":
            resource["inputs"]["multiRegion"] = True
        entries.append(resource)
    return entries


def embedded_findings(path: Path, entries: list[dict], stack_region: str | None,
                      accounts: list[str] | None = None) -> list[dict]:
    """What `qantara check` holds against these resources: the same steps, embedded engine."""
    loaded = load_blueprint(path)
    env = loaded.model.environment("prod")
    resources = copy.deepcopy(entries)
    catalog = load_catalog()
    onprem = loaded.model.spec.on_prem
    locate_resources(resources, stack_region=stack_region, catalog=catalog,
                     onprem=None if onprem is None else {"site": onprem.site, "country": onprem.country})
    classify_resources(resources, catalog["jurisdictions"]["classifications"])
    blueprint = loaded.model.model_dump(mode="json", by_alias=True)
    document = policy_input(blueprint=blueprint, plan={"resources": resources, "source": {"accounts": accounts or []}},
                            environment={"name": env.name, "enforcement": env.effective_enforcement}, today=TODAY,
                            resolved=resolved_input(loaded, env.name))
    return enforce(evaluate(document, ("blueprint", "resources")), enforcement=env.effective_enforcement,
                   waivers=blueprint["spec"]["governance"]["waivers"], today=TODAY)


def test_a_broken_stack_gets_the_same_findings_from_both(checked):
    path, result = checked
    entries = broken(result.plan, load_blueprint(path).model.spec.jurisdiction)
    if not any(e["type"].startswith("aws:") for e in entries):
        pytest.skip(f"{path.name} plans no AWS resource to break (on-prem only)")
    expected = embedded_findings(path, entries, result.plan["source"].get("stackRegion"),
                                 result.plan["source"].get("accounts"))
    # Residency findings depend on the data's class (internal data may go anywhere); a
    # multi-Region key is always one.
    assert "QA-RES-002" in {f["policy"] for f in expected}
    assert pack_reports(entries, config_for(path, result.plan)) == expected_reports(expected)
