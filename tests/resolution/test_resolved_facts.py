"""Each fact the policies judge has one home: change the rule there, and both the Python
answer (placement, profiles, the checkpoint's enforcement) and the Rego answer (the
policies, reading `input.resolved`) change with it. A policy that still re-derived the
fact would keep its old answer and fail these tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from qantara.blueprint.loader import load_blueprint
from qantara.blueprint.models import Blueprint, Environment
from qantara.blueprint.profiles import environment_profile
from qantara.catalog import load_catalog
from qantara.errors import BlueprintError
from qantara.paths import policy_dir, project_root
from qantara.policy.checkpoint import BLUEPRINT_SUBJECTS, run_checkpoint
from qantara.policy.evaluate import evaluate, policy_input
from qantara.policy.library import policy_packages
from qantara.resolution import blueprint_facts
from qantara.sovereignty.placement import resolve_placement

TODAY = dt.date(2026, 12, 6)
EXAMPLE = project_root() / "blueprints" / "ae-health-cloud.yaml"


def example(tmp_path: Path, **spec) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["spec"].update(spec)
    path = tmp_path / "blueprint.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def package_findings(model: Blueprint, environment: str, package: str) -> list[dict]:
    document = policy_input(blueprint=model.model_dump(mode="json", by_alias=True), today=TODAY,
                            resolved=blueprint_facts(model, environment))
    return evaluate(document, BLUEPRINT_SUBJECTS, packages=tuple(p for p in policy_packages() if p.package == package))


def test_the_production_rule_has_one_home_that_sizes_the_platform_and_decides_the_policies(tmp_path, monkeypatch):
    model = load_blueprint(example(tmp_path, environments=[{"name": "dev"}, {"name": "staging"},
                                                           {"name": "prod", "approvers": ["board"]}])).model
    assert package_findings(model, "staging", "qantara.blueprint.environments") == []
    assert environment_profile(model, "staging", load_catalog()).production is False

    # The one home says staging is production (and prod not): the profile and the policy follow.
    monkeypatch.setattr(Environment, "is_production", property(lambda self: self.name == "staging"))
    assert environment_profile(model, "staging", load_catalog()).production is True
    found = package_findings(model, "staging", "qantara.blueprint.environments")
    assert [(f["policy"], f["resource"]) for f in found] == [("QA-BP-001", "spec.environments[1]")]


def test_the_enforcement_default_has_one_home_that_the_checkpoint_enforces_and_the_policies_judge(tmp_path, monkeypatch):
    loaded = load_blueprint(example(tmp_path))
    monkeypatch.setattr(Environment, "effective_enforcement", property(lambda self: self.enforcement or "advisory"))
    result = run_checkpoint(BLUEPRINT_SUBJECTS, loaded, "prod", today=TODAY)
    assert result.enforcement == "advisory"
    assert [f["resource"] for f in result.findings if f["policy"] == "QA-BP-002"] == ["spec.environments[2].enforcement"]


def test_the_class_rule_has_one_home_that_placement_and_the_residency_policy_both_read(tmp_path, monkeypatch):
    # Restricted UAE health data pinned to us-east-1: placement refuses it, QA-BP-003 finds it.
    path = example(tmp_path, cloud={"provider": "aws", "region": "us-east-1"})
    loaded = load_blueprint(path)
    with pytest.raises(BlueprintError):
        resolve_placement(loaded, catalog=load_catalog())
    assert {f["policy"] for f in package_findings(loaded.model, "prod", "qantara.blueprint.residency")} == {"QA-BP-003"}

    # The one home says every component holds public data: both now allow us-east-1.
    monkeypatch.setattr(Blueprint, "component_class", lambda self, name: "public")
    placement = resolve_placement(loaded, catalog=load_catalog())
    assert {p.data_class for p in placement.components.values()} == {"public"}
    assert package_findings(loaded.model, "prod", "qantara.blueprint.residency") == []


def test_the_mode_rule_has_one_home_that_placement_and_the_residency_policy_both_read(tmp_path, monkeypatch):
    # A hybrid platform whose every component placement leaves to itself: nothing for the policy
    # to judge in the region, and placement chooses. The home pins them to the cloud: the region
    # named (us-east-1) is then where they are, and both refuse it.
    path = example(tmp_path, deployment="hybrid", cloud={"provider": "aws", "region": "us-east-1"},
                   onPrem={"site": "dubai-dc1", "country": "AE", "registry": "registry.example.ae/ml"})
    loaded = load_blueprint(path)
    assert blueprint_facts(loaded.model, "prod")["components"]["dataLake"]["placement"] == "auto"
    assert [f for f in package_findings(loaded.model, "prod", "qantara.blueprint.residency")
            if f["resource"].startswith("spec.components.")] == []

    monkeypatch.setattr(Blueprint, "component_mode", lambda self, name: "cloud")
    with pytest.raises(BlueprintError, match="us-east-1"):
        resolve_placement(loaded, catalog=load_catalog())
    found = package_findings(loaded.model, "prod", "qantara.blueprint.residency")
    assert "spec.components.dataLake" in {f["resource"] for f in found if f["policy"] == "QA-BP-003"}


def test_no_policy_writes_the_production_or_enforcement_default_again():
    # The defaults (prod/prd by name; advisory for dev) live in Environment only.
    sources = {path.relative_to(policy_dir()): path.read_text(encoding="utf-8") for path in policy_dir().rglob("*.rego")}
    assert [str(p) for p, text in sources.items() if 'startswith(name, "prod")' in text or '"prd"' in text] == []
    assert [str(p) for p, text in sources.items() if '"advisory" if' in text] == []
