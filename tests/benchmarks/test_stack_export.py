"""The large-export path of `qantara check --plan FILE`, on a small file: a `pulumi stack
export` written by benchmarks/stack_export.py ends in a verdict with the findings the
synthetic platform's deliberate violations cause. The 30,000 and 50,000-resource runs are a
benchmark (`python benchmarks/stack_export.py --size 50000 --out FILE --check`), not a test."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

from qantara.check import check_blueprint

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def test_a_stack_export_of_the_synthetic_platform_is_checked_to_a_verdict(tmp_path):
    stack_export = _load("stack_export")
    path = tmp_path / "export.json"
    path.write_text(json.dumps(stack_export.stack_export(600)), encoding="utf-8")
    result = check_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml", "prod", plan_file=path,
                             today=dt.date(2026, 12, 6))
    assert len(result.plan["resources"]) == 602  # the stack, the provider and 600 resources
    assert result.verdict == "fail"
    urns = {r["urn"] for r in result.plan["resources"]}
    on_resources = [f for f in result.findings if f["resource"].startswith("urn:")]
    assert on_resources and all(f["resource"] in urns for f in on_resources)
