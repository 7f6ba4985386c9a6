"""The embedded engine's compiled entrypoints answer what a plain query answers."""

from __future__ import annotations

from pathlib import Path

from qantara.blueprint.loader import load_blueprint
from qantara.engine.rego import RegoEngine
from qantara.policy.checkpoint import resolved_input
from qantara.policy.evaluate import policy_input
from qantara.policy.library import policy_packages

ROOT = Path(__file__).resolve().parents[2]


def _document() -> dict:
    loaded = load_blueprint(ROOT / "blueprints" / "ae-health-cloud.yaml")
    blueprint = loaded.model.model_dump(mode="json", by_alias=True)
    blueprint["spec"]["environments"][-1]["approvers"] = []  # one QA-BP-001 finding to find
    return policy_input(blueprint=blueprint, resolved=resolved_input(loaded, "prod"))


def test_every_package_s_findings_are_what_a_query_of_them_returns():
    engine, document = RegoEngine(), _document()
    rules = tuple(f"{p.package}.findings" for p in policy_packages())
    assert engine.rule_values(rules, document) == [engine.query(f"data.{rule}", document) for rule in rules]


def test_a_second_selection_of_packages_answers_like_a_first():
    # regopy keeps adding entrypoints to an interpreter that builds twice; its second bundle
    # then answered nothing, so a narrower check after a wider one found no findings.
    engine, document = RegoEngine(), _document()
    blueprint_rules = tuple(f"{p.package}.findings" for p in policy_packages() if p.subject == "blueprint")
    every_rule = tuple(f"{p.package}.findings" for p in policy_packages())
    first = engine.rule_values(blueprint_rules, document)
    engine.rule_values(every_rule, document)
    again = engine.rule_values(blueprint_rules, document)
    fresh = RegoEngine().rule_values(blueprint_rules, document)
    assert first == again == fresh
    assert any(f["policy"] == "QA-BP-001" for findings in again for f in findings)


def test_an_undefined_rule_is_none():
    engine = RegoEngine()
    assert engine.rule_values(("qantara.lib.plan.no_such_rule",), _document()) == [None]
