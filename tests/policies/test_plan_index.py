"""The plan index Python hands to the policies, and findings that do not depend on it.

policies/lib/plan.rego takes the by-type and reverse-dependency indexes from the input when
they are there (fast) and builds what it needs from the plan alone otherwise (an OPA user's
own input). Both ways must reach the same findings (on the benchmark's synthetic platform
too: tests/benchmarks/test_synthetic.py).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from qantara.blueprint.loader import load_blueprint
from qantara.plan.importers import load_plan_file
from qantara.policy.evaluate import evaluate, plan_index, policy_input

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "fixtures" / "reference" / "pulumi-json"


def _blueprint(name: str = "ae-health-cloud.yaml") -> dict:
    return load_blueprint(ROOT / "blueprints" / name).model.model_dump(mode="json", by_alias=True)


def _findings_both_ways(plan: dict, blueprint: dict) -> tuple[list[dict], list[dict]]:
    indexed = policy_input(blueprint=blueprint, plan=plan)
    bare = copy.deepcopy(indexed)
    del bare["planIndex"]
    return evaluate(indexed, ("blueprint", "resources")), evaluate(bare, ("blueprint", "resources"))


def _resource(urn_name: str, type_: str, inputs: dict, deps: dict | None = None) -> dict:
    return {"urn": f"urn:pulumi:s::p::{type_}::{urn_name}", "type": type_, "name": urn_name, "provider": "",
            "inputs": inputs, "propertyDependencies": deps or {},
            "location": {"kind": "cloud", "cloud": "aws", "region": "me-central-1", "country": "AE"}}


BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"


def test_index_lists_positions_by_type_and_who_depends_on_each_resource_through_what():
    bucket = _resource("raw", BUCKET, {"bucket": "raw-bucket"})
    block = _resource("raw-block", BLOCK, {"bucket": "[unknown]"}, {"bucket": [bucket["urn"]]})
    other = _resource("logs", BUCKET, {"bucket": "logs-bucket"})
    index = plan_index({"resources": [bucket, block, other]})
    assert index["byType"] == {BUCKET: [0, 2], BLOCK: [1]}
    assert index["referrers"] == [["1/bucket"], [], []]


def test_index_ignores_dependencies_on_resources_outside_the_plan():
    block = _resource("raw-block", BLOCK, {"bucket": "x"}, {"bucket": ["urn:pulumi:s::p::aws:s3/bucket:Bucket::elsewhere"]})
    assert plan_index({"resources": [block]})["referrers"] == [[]]


def test_a_bucket_named_only_by_name_is_joined_the_same_way_with_and_without_the_index():
    # No dependency links the block to its bucket, only the bucket's physical name: the fast
    # path cannot see that link, so the policies must take the join by name.
    bucket = _resource("raw", BUCKET, {"bucket": "raw-bucket", "tags": {}})
    block = _resource("raw-block", BLOCK, {"bucket": "raw-bucket", "blockPublicAcls": True, "blockPublicPolicy": False,
                                           "ignorePublicAcls": True, "restrictPublicBuckets": True})
    indexed, bare = _findings_both_ways({"resources": [bucket, block]}, _blueprint())
    assert indexed == bare
    qa_004 = [f["message"] for f in indexed if f["policy"] == "QA-RES-004"]
    assert qa_004 == ["Bucket `raw` has a public access block with blockPublicPolicy not set to true"]


@pytest.mark.parametrize("export", sorted(p.name for p in REFERENCE.glob("stack-export_*.json")))
def test_real_stack_exports_give_the_same_findings_with_and_without_the_index(export):
    plan = load_plan_file(REFERENCE / export)
    indexed, bare = _findings_both_ways(plan, _blueprint())
    assert indexed == bare
