"""Pulumi DIY-backend checkpoints for the scan tests and benchmark, made from Qantara's offline plan.

A checkpoint (apitype.CheckpointV3) holds `stack`, `config` (the stack's config: where
`qantara:blueprint` and `qantara:environment` live) and `latest` (a deployment: manifest and
resources with urn, custom, type, inputs, outputs, parent, provider, dependencies).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from qantara.blueprint.loader import load_blueprint
from qantara.plan.builder import plan_blueprint

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {"qantara:blueprint": "blueprints/ae-health-cloud.yaml", "qantara:environment": "prod", "aws:region": "me-central-1"}


def offline_plan(blueprint: str, environment: str) -> dict:
    loaded = load_blueprint(ROOT / blueprint)
    return plan_blueprint(loaded, environment)


def checkpoint(plan: dict, *, stack: str, config: dict, region_override: dict[str, str] | None = None) -> dict:
    # A deployed stack records the ARNs AWS gave its resources; a role's names the account the
    # stack runs in (the one the offline plan's invokes answered), and that is how a checkpoint
    # shows its own account (qantara.plan.accounts): without it, QA-RES-060 rightly refuses the
    # roles and policies that trust that account as undeclared.
    account = plan["source"]["accounts"][0]
    resources = []
    for r in plan["resources"]:
        inputs = copy.deepcopy(r.get("inputs") or {})
        if region_override and r["name"] in region_override:
            inputs["region"] = region_override[r["name"]]
        outputs = copy.deepcopy(inputs)
        if r["type"] == "aws:iam/role:Role":
            outputs["arn"] = f"arn:aws:iam::{account}:role/{inputs.get('name') or r['name']}"
        record = {"urn": r["urn"], "custom": r.get("custom", True), "type": r["type"], "inputs": inputs,
                  "outputs": outputs, "dependencies": r.get("dependencies", []),
                  "propertyDependencies": r.get("propertyDependencies", {})}
        if r.get("parent"):
            record["parent"] = r["parent"]
        if r.get("provider"):  # a provider reference is "<provider urn>::<provider id>"
            record["provider"] = r["provider"] + "::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
        if r.get("custom", True) and not r["type"].startswith("pulumi:"):
            record["id"] = f"{r['name']}-0a1b2c"
        resources.append(record)
    return {"version": 3, "checkpoint": {
        "stack": stack, "config": config,
        "latest": {"manifest": {"time": "2026-12-01T10:00:00Z", "magic": "", "version": "v3.200.0"},
                   "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:AAAA"}}, "resources": resources}}}


def write_backend(root: Path, stacks: dict[str, dict], *, legacy: tuple[str, ...] = ()) -> None:
    """`stacks`: "<project>/<stack>" -> checkpoint; names in `legacy` go in the pre-3.61 layout."""
    (root / ".pulumi").mkdir(parents=True, exist_ok=True)
    (root / ".pulumi" / "meta.yaml").write_text("version: 1\n")
    for name, document in stacks.items():
        path = root / ".pulumi" / "stacks" / (name.split("/")[-1] if name in legacy else name)
        path = path.with_name(path.name + ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
