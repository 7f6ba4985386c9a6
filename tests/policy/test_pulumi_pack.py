"""The Pulumi policy pack's validation, fed resources exactly as pulumi-policy hands them over.

Never constructs a `PolicyPack` (it starts a gRPC server and blocks, DESIGN §5): stacks are
sent through pulumi-policy's own servicer (`stack_wire`), which builds the `PolicyResource`
objects and the `report_violation` callback a real `pulumi preview` would.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, StackValidationArgs, StackValidationPolicy
from pulumi_policy import policy as pulumi_policy_module
from pulumi_policy.proxy import UnknownValueError
from stack_wire import SECRET_SIG, SIG_KEY, analyze_stack, received_resources

from qantara.paths import policy_dir, project_root
from qantara.policy import pulumi_pack
from qantara.policy.pulumi_pack import (
    governance_policy,
    keep_secret_markers,
    pack_enforcement_level,
    pack_settings,
    plain_props,
    plan_entry,
    plan_from_resources,
    stack_config,
    validate_stack,
)

TODAY = dt.date(2026, 11, 23)
BLUEPRINT = project_root() / "blueprints" / "ae-health-cloud.yaml"
PROD = {"qantara:blueprint": str(BLUEPRINT), "qantara:environment": "prod"}

STACK = "urn:pulumi:prod::qantara::pulumi:pulumi:Stack::qantara-prod"
PROVIDER = "urn:pulumi:prod::qantara::pulumi:providers:aws::aws-main"
LAKE = "urn:pulumi:prod::qantara::qantara:data_lake:DataLake::lake"
KEY = "urn:pulumi:prod::qantara::qantara:data_lake:DataLake$aws:kms/key:Key::lake-key"
BUCKET = "urn:pulumi:prod::qantara::qantara:data_lake:DataLake$aws:s3/bucket:Bucket::lake-raw"
SSE = ("urn:pulumi:prod::qantara::qantara:data_lake:DataLake$aws:s3/bucketServerSideEncryptionConfiguration:"
       "BucketServerSideEncryptionConfiguration::lake-raw-sse")
BLOCK = "urn:pulumi:prod::qantara::qantara:data_lake:DataLake$aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::lake-raw-block"


def _entry(urn, type_, inputs=None, *, parent=STACK, provider=PROVIDER, property_dependencies=None):
    property_dependencies = property_dependencies or {}
    return {"urn": urn, "type": type_, "name": urn.rsplit("::", 1)[1], "parent": parent, "provider": provider,
            "inputs": inputs or {}, "propertyDependencies": property_dependencies,
            "dependencies": sorted({u for urns in property_dependencies.values() for u in urns})}


# The pack's plumbing is tested on a minimal hand-made stack (a bucket, its key, encryption
# and access block), so only the policies that stack is about are evaluated here; the whole
# library runs through the pack on real plans in test_engine_equivalence.py.
PLUMBING_PACKAGES = {"qantara.resources.residency", "qantara.resources.encryption", "qantara.resources.public_access"}


@pytest.fixture(autouse=True)
def plumbing_policies_only(monkeypatch):
    from qantara.policy import evaluate as evaluate_module

    every = evaluate_module.policy_packages()
    selected = tuple(p for p in every if p.subject == "blueprint" or p.package in PLUMBING_PACKAGES)
    assert {p.package for p in selected} >= PLUMBING_PACKAGES
    monkeypatch.setattr(evaluate_module, "policy_packages", lambda: selected)


def stack(region="me-central-1", *, encrypted=True, blocked=True) -> list[dict]:
    """A data lake as `pulumi preview` sends it: one bucket, its key, its encryption and access block."""
    entries = [
        _entry(STACK, "pulumi:pulumi:Stack", parent="", provider=""),
        _entry(PROVIDER, "pulumi:providers:aws", {"region": region, "version": "7.51.1"}, provider=""),
        # A component's props are its registered outputs.
        _entry(LAKE, "qantara:data_lake:DataLake", {"dataClassification": "restricted", "bucketName": "[unknown]"},
               provider=""),
        _entry(KEY, "aws:kms/key:Key", {"multiRegion": False, "enableKeyRotation": True, "deletionWindowInDays": 30,
                                        "arn": "[unknown]"}, parent=LAKE),
        _entry(BUCKET, "aws:s3/bucket:Bucket", {"bucket": "[unknown]", "forceDestroy": False}, parent=LAKE),
    ]
    if encrypted:
        entries.append(_entry(SSE, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", {
            "bucket": "[unknown]",
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "[unknown]"},
                       "bucketKeyEnabled": True}],
        }, parent=LAKE, property_dependencies={"bucket": [BUCKET], "rules": [KEY]}))
    if blocked:
        entries.append(_entry(BLOCK, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
            "bucket": "[unknown]", "blockPublicAcls": True, "blockPublicPolicy": True,
            "ignorePublicAcls": True, "restrictPublicBuckets": True,
        }, parent=LAKE, property_dependencies={"bucket": [BUCKET]}))
    return entries


def reports(entries, config=PROD, **kwargs) -> list[tuple[str | None, str]]:
    """(urn or None, message) of every violation the pack's validation reports."""
    received = received_resources(entries, **kwargs)
    reported = []
    validate_stack(StackValidationArgs(received), lambda message, urn=None: reported.append((urn, message)),
                   config=config, today=TODAY)
    return reported


def policies_reported(reported) -> list[tuple[str | None, str]]:
    return sorted(((urn, message.split(" ", 1)[0]) for urn, message in reported), key=lambda r: (r[0] or "", r[1]))


def on_resources(reported) -> list[tuple[str, str]]:
    """The reports on resources (blueprint findings are reported on the stack, urn None)."""
    return [(urn, policy) for urn, policy in policies_reported(reported) if urn is not None]


def write_blueprint(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(BLUEPRINT.read_text(encoding="utf-8"))
    change(data["spec"])
    path = tmp_path / "blueprint.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --- values as pulumi-policy hands them over ----------------------------------------------------

def test_unknown_values_are_marked_without_reading_them():
    entries = stack()
    received = {r.urn: r for r in received_resources(entries)}
    bucket = received[BUCKET]
    with pytest.raises(UnknownValueError):  # what a policy reading the value directly gets
        bucket.props["bucket"]
    sse = plain_props(received[SSE].props)
    assert sse["bucket"] == "[unknown]"
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "[unknown]"}


def test_whole_numbers_come_back_as_integers_as_in_offline_plans():
    received = {r.urn: r for r in received_resources(stack())}
    props = plain_props(received[KEY].props)
    assert props["deletionWindowInDays"] == 30 and isinstance(props["deletionWindowInDays"], int)
    assert props["multiRegion"] is False


def test_pulumi_policy_alone_hands_secrets_over_as_plaintext():
    """The premise of keep_secret_markers (pulumi/pulumi-policy#241)."""
    entries = stack()
    entries[3]["inputs"]["description"] = "[secret]"
    received = {r.urn: r for r in received_resources(entries)}
    assert received[KEY].props["description"] == "plaintext-behind-a-secret"


def test_with_secret_markers_kept_a_secret_becomes_the_marker_and_never_reaches_a_report(secret_markers_kept):
    entries = stack(encrypted=False)
    entries[4]["inputs"]["bucket"] = "[secret]"  # the bucket's name, which messages may quote
    received = {r.urn: r for r in received_resources(entries)}
    assert plan_entry(received[BUCKET])["inputs"]["bucket"] == "[secret]"
    reported = reports(entries)
    assert reported and not any("plaintext-behind-a-secret" in message for _, message in reported)


def test_secret_markers_are_kept_in_nested_values(secret_markers_kept):
    entries = stack()
    entries[5]["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] = "[secret]"
    received = {r.urn: r for r in received_resources(entries)}
    rule = plain_props(received[SSE].props)["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == "[secret]"


def test_keeping_secret_markers_twice_wraps_the_deserializer_once(secret_markers_kept):
    wrapped = pulumi_policy_module.deserialize_properties
    assert keep_secret_markers()
    assert pulumi_policy_module.deserialize_properties is wrapped
    props = wrapped({"password": {SIG_KEY: SECRET_SIG, "value": "hunter2"}})
    assert plain_props(props) == {"password": "[secret]"}


def test_outputs_the_program_declared_secret_are_masked_even_without_markers():
    entries = stack()
    received = {r.urn: r for r in received_resources(entries, secret_outputs={KEY: ["arn", "enableKeyRotation"]})}
    inputs = plan_entry(received[KEY])["inputs"]
    assert inputs["arn"] == "[secret]" and inputs["enableKeyRotation"] == "[secret]"
    assert inputs["multiRegion"] is False


# --- resources -> plan --------------------------------------------------------------------------

def test_resources_keep_their_links_as_urns():
    received = {r.urn: r for r in received_resources(stack())}
    sse = plan_entry(received[SSE])
    assert sse["parent"] == LAKE
    assert sse["provider"] == PROVIDER  # the whole URN: a provider resource carries no `::id`
    assert sse["dependencies"] == sorted([BUCKET, KEY])
    assert sse["propertyDependencies"] == {"bucket": [BUCKET], "rules": [KEY]}
    assert sse["custom"] is True
    assert plan_entry(received[LAKE])["custom"] is False
    assert plan_entry(received[STACK])["custom"] is False
    assert plan_entry(received[PROVIDER])["custom"] is True


def test_a_resource_lives_in_its_providers_region_and_holds_its_components_class():
    plan = plan_from_resources(received_resources(stack("me-central-1")), stack_region=None)
    by_urn = {r["urn"]: r for r in plan["resources"]}
    assert by_urn[BUCKET]["location"] == {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}
    assert by_urn[LAKE]["location"] == {"kind": "logical"}
    assert by_urn[BUCKET]["dataClassification"] == "restricted"
    assert plan["kind"] == "Plan" and plan["source"]["kind"] == "pulumi-policy-pack"


def test_a_component_that_registers_no_class_leaves_its_children_to_the_blueprints_class():
    entries = stack()
    del entries[2]["inputs"]["dataClassification"]
    plan = plan_from_resources(received_resources(entries), stack_region=None)
    assert {r["urn"]: r for r in plan["resources"]}[BUCKET]["dataClassification"] is None


# --- validation and reporting -------------------------------------------------------------------

def test_a_compliant_stack_reports_nothing():
    assert reports(stack()) == []


def test_each_failing_finding_is_reported_on_its_resource():
    reported = reports(stack("us-east-1", encrypted=False, blocked=False))
    assert on_resources(reported) == sorted([
        (BUCKET, "QA-RES-001"), (BUCKET, "QA-RES-003"), (BUCKET, "QA-RES-004"), (KEY, "QA-RES-001")])
    message = dict((m.split(" ", 1)[0], m) for u, m in reported if u == BUCKET)["QA-RES-003"]
    assert message.startswith("QA-RES-003 (high): Bucket `lake-raw` has no server-side encryption")
    assert "\nfix: Add an aws.s3.BucketServerSideEncryptionConfiguration" in message


def test_a_residency_finding_names_the_region_and_the_rule():
    reported = reports(stack("eu-west-1"))
    messages = [m for u, m in reported if u == BUCKET]
    assert len(messages) == 1 and "eu-west-1" in messages[0] and "AE" in messages[0]


def test_waived_findings_are_not_reported_and_expired_waivers_are(tmp_path):
    def waive(spec, expires):
        spec.setdefault("governance", {})["waivers"] = [{
            "policy": "QA-RES-003", "resources": "lake-*", "reason": "migration to the platform key",
            "approvedBy": "ciso@dubai-care.example", "expires": expires}]

    current = write_blueprint(tmp_path, lambda spec: waive(spec, "2027-06-30"))
    config = {"qantara:blueprint": str(current), "qantara:environment": "prod"}
    assert on_resources(reports(stack(encrypted=False), config=config)) == []

    expired = write_blueprint(tmp_path, lambda spec: waive(spec, "2026-01-31"))
    config = {"qantara:blueprint": str(expired), "qantara:environment": "prod"}
    reported = reports(stack(encrypted=False), config=config)
    assert on_resources(reported) == [(BUCKET, "QA-RES-003")]
    message = next(m for u, m in reported if u == BUCKET)
    assert "note: waiver by ciso@dubai-care.example expired on 2026-01-31" in message


def test_non_waivable_findings_are_reported_despite_a_waiver(tmp_path):
    path = write_blueprint(tmp_path, lambda spec: spec.setdefault("governance", {}).update(waivers=[{
        "policy": "QA-RES-004", "reason": "public website bucket", "approvedBy": "cto@dubai-care.example",
        "expires": "2027-06-30"}]))
    reported = reports(stack(blocked=False), config={"qantara:blueprint": str(path), "qantara:environment": "prod"})
    assert on_resources(reported) == [(BUCKET, "QA-RES-004")]
    assert "can never be waived" in next(m for u, m in reported if u == BUCKET)


def test_blueprint_findings_are_reported_on_the_stack(tmp_path):
    path = write_blueprint(tmp_path, lambda spec: spec["environments"][2].pop("approvers"))
    reported = reports(stack(), config={"qantara:blueprint": str(path), "qantara:environment": "prod"})
    assert (None, "QA-BP-001") in policies_reported(reported)
    assert all(urn is None and message.startswith("QA-BP-") for urn, message in reported)


def test_a_stack_without_qantara_config_fails_closed():
    reported = reports(stack(), config={"aws:region": "me-central-1"})
    assert len(reported) == 1
    urn, message = reported[0]
    assert urn is None
    assert "qantara:blueprint and qantara:environment not set" in message
    assert pack_enforcement_level({}) is EnforcementLevel.MANDATORY


def test_a_blueprint_that_does_not_load_is_reported_with_its_location(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: qantara.dev/v1\nkind: Blueprint\nmetadata: {name: x}\n", encoding="utf-8")
    reported = reports(stack(), config={"qantara:blueprint": str(broken), "qantara:environment": "prod"})
    assert len(reported) == 1 and reported[0][0] is None
    assert reported[0][1].startswith("Qantara could not check this stack: ") and str(broken) in reported[0][1]
    assert pack_enforcement_level({"qantara:blueprint": str(broken), "qantara:environment": "prod"}) is EnforcementLevel.MANDATORY


def test_an_unknown_environment_is_reported_with_the_declared_ones():
    reported = reports(stack(), config={**PROD, "qantara:environment": "production"})
    assert len(reported) == 1 and "no environment named 'production' (declared: dev, staging, prod)" in reported[0][1]


def test_the_pack_enforces_at_the_environments_level():
    dev = {**PROD, "qantara:environment": "dev"}
    assert pack_enforcement_level(dev) is EnforcementLevel.ADVISORY
    assert pack_enforcement_level(PROD) is EnforcementLevel.MANDATORY

    failing = stack(encrypted=False)
    for config, level in ((dev, EnforcementLevel.ADVISORY), (PROD, EnforcementLevel.MANDATORY)):
        policy = governance_policy(config=config, today=TODAY)
        diagnostics = analyze_stack(failing, policy, pack_enforcement_level(config))
        assert [d.urn for d in diagnostics] == [BUCKET]
        assert {d.enforcementLevel for d in diagnostics} == {proto.MANDATORY if level is EnforcementLevel.MANDATORY else proto.ADVISORY}
        assert diagnostics[0].message.startswith(pulumi_pack.POLICY_DESCRIPTION + "\nQA-RES-003 (high): ")


@pytest.fixture
def engine_passes_config(monkeypatch):
    """Set PULUMI_CONFIG as the engine does; pulumi-policy copies it into the process's config,
    which is put back after the test."""
    before = dict(pulumi_config.CONFIG.get())
    yield lambda config: monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))
    pulumi_config.CONFIG.get().clear()
    pulumi_config.CONFIG.get().update(before)


def test_the_pack_reads_the_stack_config_the_engine_passes(engine_passes_config):
    engine_passes_config({**PROD, "aws:region": "me-central-1", "qantara:other": "x"})
    assert stack_config()["qantara:environment"] == "prod"
    diagnostics = analyze_stack(stack(encrypted=False), governance_policy(today=TODAY))
    assert [d.urn for d in diagnostics] == [BUCKET]


def test_a_relative_blueprint_path_is_relative_to_the_checkout():
    settings = pack_settings({"qantara:blueprint": "blueprints/ae-health-cloud.yaml", "qantara:environment": "prod",
                              "aws:region": "me-central-1"})
    assert settings.blueprint == BLUEPRINT and settings.stack_region == "me-central-1"


# --- the pack directory -------------------------------------------------------------------------

PACK = policy_dir() / "pulumi"


def test_the_pack_is_a_python_policy_pack_in_the_repositorys_virtualenv():
    project = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python" and project["description"]
    # pulumi-analyzer-policy-python resolves a relative virtualenv against the pack directory.
    venv = (PACK / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == (project_root() / ".venv").resolve()
    assert policy_dir().resolve() not in venv.parents, "a virtualenv under policies/ would be loaded as policy"
    requirements = (PACK / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "-e ../.." in requirements and any(r.startswith("pulumi-policy") for r in requirements)


def test_the_packs_main_is_thin_and_calls_only_what_the_library_offers():
    tree = ast.parse((PACK / "__main__.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
                and node.module == "qantara.policy.pulumi_pack" for alias in node.names}
    assert imported and all(hasattr(pulumi_pack, name) for name in imported)
    code = [node for node in tree.body[1:] if not isinstance(node, (ast.Import, ast.ImportFrom))]
    assert ast.get_docstring(tree) and len(code) <= 2


def test_the_governance_policy_is_a_stack_validation():
    policy = governance_policy()
    assert isinstance(policy, StackValidationPolicy) and policy.name == pulumi_pack.POLICY_NAME


# --- which program the stack is of ---------------------------------------------------------------

ENDPOINT = "urn:pulumi:prod::readmission-risk-infra::aws:sagemaker/endpoint:Endpoint::readmission-risk"


def trail_reports(monkeypatch, *extra) -> list[tuple[str | None, str]]:
    """QA-RES-019's reports on a stack holding a SageMaker endpoint in the AE blueprint's audit
    region (and `extra` entries), through the pack."""
    from qantara.policy import evaluate as evaluate_module
    from qantara.policy.library import policy_packages

    monkeypatch.setattr(evaluate_module, "policy_packages",
                        lambda: tuple(p for p in policy_packages() if p.package == "qantara.resources.audit_trail"))
    entries = [_entry(STACK, "pulumi:pulumi:Stack", parent="", provider=""),
               _entry(PROVIDER, "pulumi:providers:aws", {"region": "me-central-1", "version": "7.51.1"}, provider=""),
               _entry(ENDPOINT, "aws:sagemaker/endpoint:Endpoint", {"name": "dubai-care-ml-prod-readmission-risk",
                                                                    "endpointConfigName": "[unknown]"}),
               *extra]
    return [(urn, policy) for urn, policy in policies_reported(reports(entries)) if policy == "QA-RES-019"]


def test_a_projects_stack_with_an_endpoint_and_no_trail_leans_on_the_platforms_trail(monkeypatch):
    assert trail_reports(monkeypatch) == []


def test_the_platforms_stack_with_an_endpoint_and_its_trail_removed_fails_at_the_pack(monkeypatch):
    # The stack holds the platform's key component: it is the platform's, whatever it is named.
    key = _entry("urn:pulumi:prod::readmission-risk-infra::qantara:sovereign_keys:SovereignKeys::platform-key",
                 "qantara:sovereign_keys:SovereignKeys", {"dataClassification": "restricted"}, provider="")
    assert trail_reports(monkeypatch, key) == [(ENDPOINT, "QA-RES-019")]
