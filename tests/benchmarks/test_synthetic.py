"""The benchmark's synthetic platform: one resource set, written for Qantara and for checkov."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path

import pytest

from qantara.blueprint.loader import load_blueprint
from qantara.policy.evaluate import evaluate, policy_input
from qantara.resolution import blueprint_facts

ROOT = Path(__file__).resolve().parents[2]


def _load_synthetic():
    # benchmarks/ is not a package; load the generator the way the benchmark script does.
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic", module)
    spec.loader.exec_module(module)
    return module


synthetic = _load_synthetic()


@pytest.fixture(scope="module")
def platform():
    return synthetic.platform(50)


@pytest.fixture(scope="module")
def qantara(platform):
    return synthetic.qantara_plan(platform)


@pytest.fixture(scope="module")
def terraform(platform):
    return synthetic.terraform_plan(platform)


def test_both_shapes_hold_exactly_n_resources(qantara, terraform):
    assert len(qantara["resources"]) == 50
    assert len(terraform["planned_values"]["root_module"]["resources"]) == 50
    assert len(terraform["resource_changes"]) == 50
    assert len(terraform["configuration"]["root_module"]["resources"]) == 50


def test_both_shapes_describe_the_same_resources(qantara, terraform):
    pulumi = sorted((synthetic.TERRAFORM_TYPES[r["type"]], r["name"].replace("-", "_")) for r in qantara["resources"])
    planned = sorted((r["type"], r["name"]) for r in terraform["planned_values"]["root_module"]["resources"])
    changed = sorted((r["type"], r["name"]) for r in terraform["resource_changes"])
    assert pulumi == planned == changed
    assert len(set(pulumi)) == 50


def test_same_seed_gives_the_same_platform():
    assert synthetic.terraform_plan(synthetic.platform(40)) == synthetic.terraform_plan(synthetic.platform(40))
    assert synthetic.platform(2000, seed=1).violations() != synthetic.platform(2000, seed=2).violations()


def test_terraform_plan_has_the_keys_checkov_reads(terraform):
    assert terraform["format_version"].startswith("1.")
    assert terraform["configuration"]["provider_config"]["aws"]["expressions"]["region"]["constant_value"]
    for resource in terraform["planned_values"]["root_module"]["resources"]:
        assert {"address", "mode", "type", "name", "provider_name", "values"} <= resource.keys()
        assert resource["mode"] == "managed"
        assert resource["address"] == f"{resource['type']}.{resource['name']}"
    for change in terraform["resource_changes"]:
        assert change["change"]["actions"] == ["create"]
        assert {"before", "after", "after_unknown"} <= change["change"].keys()
    addresses = {r["address"] for r in terraform["resource_changes"]}
    for configured in terraform["configuration"]["root_module"]["resources"]:
        assert configured["address"] in addresses
        assert "expressions" in configured


def test_terraform_references_connect_a_bucket_to_its_public_access_block(terraform):
    block = next(r for r in terraform["configuration"]["root_module"]["resources"]
                 if r["type"] == "aws_s3_bucket_public_access_block")
    assert block["expressions"]["bucket"]["references"] == ["aws_s3_bucket.w00000_raw.bucket", "aws_s3_bucket.w00000_raw"]


def test_values_known_only_after_apply_are_unknown_in_both_shapes(qantara, terraform):
    sse = next(r for r in qantara["resources"] if r["name"] == "w00000-raw-encryption")
    assert sse["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == "[unknown]"
    assert sse["propertyDependencies"]["rules"] == ["urn:pulumi:bench::synthetic::aws:kms/key:Key::w00000-key"]
    change = next(r for r in terraform["resource_changes"] if r["name"] == "w00000_raw_encryption")["change"]
    default = change["after"]["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert "kms_master_key_id" not in default
    assert change["after_unknown"]["rule"][0]["apply_server_side_encryption_by_default"][0]["kms_master_key_id"] is True


def test_violations_change_values_not_the_resource_set():
    clean = synthetic.Platform(synthetic._workload(0, None))
    for kind in synthetic.VIOLATIONS:
        broken = synthetic.Platform(synthetic._workload(0, kind))
        assert [r.name for r in broken.resources] == [r.name for r in clean.resources]
        assert {v for v, _ in broken.violations()} == {kind}


def test_qantara_plan_evaluates_without_engine_error(qantara):
    model = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml").model
    findings = evaluate(policy_input(blueprint=model.model_dump(mode="json", by_alias=True), plan=qantara,
                                     resolved=blueprint_facts(model, "prod")), ("blueprint", "resources"))
    assert isinstance(findings, list)


def test_planted_violations_are_found_by_qantara():
    kinds = ("bucket-sse-s3", "public-access-block-off", "outside-jurisdiction")
    platform = synthetic.Platform([r for index, kind in enumerate(kinds) for r in synthetic._workload(index, kind)])
    blueprint = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml").model.model_dump(mode="json", by_alias=True)
    found = {f["policy"] for f in evaluate(policy_input(blueprint=blueprint, plan=synthetic.qantara_plan(platform)),
                                           ("resources",))}
    assert {"QA-RES-001", "QA-RES-003", "QA-RES-004"} <= found


def test_findings_do_not_depend_on_the_plan_index_on_any_planted_violation():
    # policies/lib/plan.rego builds what input.planIndex holds when an input lacks it.
    platform = synthetic.Platform([r for index, kind in enumerate(synthetic.VIOLATIONS)
                                   for r in synthetic._workload(index, kind)])
    model = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml").model
    indexed = policy_input(blueprint=model.model_dump(mode="json", by_alias=True), plan=synthetic.qantara_plan(platform),
                           resolved=blueprint_facts(model, "prod"))
    bare = copy.deepcopy(indexed)
    del bare["planIndex"]
    findings = evaluate(indexed, ("blueprint", "resources"))
    assert findings == evaluate(bare, ("blueprint", "resources"))
    assert {"QA-RES-001", "QA-RES-003", "QA-RES-004", "QA-RES-005"} <= {f["policy"] for f in findings}
