"""Which program a plan is of (`input.program`): the platform's own or one beside it. Only a
project's plan may lean on the platform's trail (QA-RES-019), so every way of being judged a
project that the plan's author could arrange is tried here."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import qantara.components
from qantara.catalog import load_catalog
from qantara.errors import CatalogError
from qantara.paths import platform_program_dir, project_root
from qantara.plan.program_kind import PLATFORM, PROJECT, program_kind, qantara_program

PLATFORM_TYPES = load_catalog()["platform_program"]["platformComponentTypes"]
# What a project's infra/ builds (templates/ml-project infra/__main__.py, onprem_*.py).
PROJECT_COMPONENTS = {"qantara:ml_pipeline:MlPipeline", "qantara:model_serving:ModelServing",
                      "qantara:drift_monitoring:DriftMonitoring", "qantara:onprem_model_serving:OnPremServing",
                      "qantara:onprem_monitoring:ServingMonitoring", "qantara:onprem_pipeline:OnPremPipeline"}


def plan_of(*types: str, project: str = "qantara") -> dict:
    return {"source": {"kind": "pulumi-preview", "project": project},
            "resources": [{"urn": f"urn:pulumi:prod::{project}::{t}::r{i}", "type": t} for i, t in enumerate(types)]}


def test_qantara_running_its_own_platform_program_makes_a_platform_plan_whatever_it_holds():
    assert program_kind(plan_of("aws:sagemaker/endpoint:Endpoint"), planned_platform_program=True)["kind"] == PLATFORM


def test_a_plan_holding_a_component_only_the_platform_builds_is_the_platforms_however_it_was_produced():
    for token in PLATFORM_TYPES:
        plan = plan_of("aws:sagemaker/endpoint:Endpoint", token, project="readmission-risk-infra")
        kind = program_kind(plan, planned_platform_program=False)
        assert kind["kind"] == PLATFORM, token
        assert token in kind["reason"]


def test_a_users_program_without_the_platforms_components_is_a_project():
    plan = plan_of("aws:sagemaker/endpoint:Endpoint", *sorted(PROJECT_COMPONENTS), project="qantara")
    assert program_kind(plan, planned_platform_program=False)["kind"] == PROJECT


def test_what_the_plan_says_of_itself_does_not_make_it_a_project():
    # A plan file or a stack naming itself a project's (its source, its Pulumi project name)
    # is still the platform's when it holds the platform's key.
    plan = plan_of("qantara:sovereign_keys:SovereignKeys", project="readmission-risk-infra")
    plan["source"].update({"program": "infra", "programKind": PROJECT})
    assert program_kind(plan, planned_platform_program=False)["kind"] == PLATFORM


def test_a_component_type_that_only_looks_like_the_platforms_is_not_taken_for_it():
    # Look-alikes (case, suffix) are not the platform's components; they do not make a plan the
    # platform's either, and the plan stays a project's (judged on its own resources).
    plan = plan_of("qantara:sovereign_keys:sovereignkeys", "qantara:sovereign_keys:SovereignKeys2")
    assert program_kind(plan, planned_platform_program=False)["kind"] == PROJECT


def test_the_platform_program_and_qantaras_other_stacks_are_qantaras_own():
    assert qantara_program(None)
    assert qantara_program(platform_program_dir())
    assert qantara_program(project_root() / "stacks" / "bootstrap")
    # The same program reached through a relative path with .. is still it.
    assert qantara_program(project_root() / "stacks" / "bootstrap" / ".." / "platform")


def test_a_directory_outside_stacks_is_not_qantaras_own_even_when_named_like_it(tmp_path):
    assert not qantara_program(tmp_path / "stacks" / "platform")
    assert not qantara_program(project_root() / "stacks-platform")
    assert not qantara_program(project_root() / "tests" / "redteam" / "programs")


def _component_type_tokens() -> dict[str, str]:
    """Every TYPE_TOKEN of a module of qantara.components, by token."""
    tokens = {}
    for info in pkgutil.walk_packages(qantara.components.__path__, "qantara.components."):
        module = importlib.import_module(info.name)
        token = getattr(module, "TYPE_TOKEN", None)
        if isinstance(token, str):
            tokens[token] = info.name
    return tokens


def test_every_listed_platform_component_is_a_real_component_type():
    tokens = _component_type_tokens()
    missing = [t for t in PLATFORM_TYPES if t not in tokens]
    assert not missing, missing


def test_no_component_a_project_builds_is_listed_as_the_platforms():
    assert not PROJECT_COMPONENTS & set(PLATFORM_TYPES)
    assert PROJECT_COMPONENTS <= set(_component_type_tokens())


def test_the_project_template_builds_none_of_the_platforms_components():
    infra = next((project_root() / "templates" / "ml-project").glob("*/infra"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in Path(infra).glob("*.py"))
    for token in PLATFORM_TYPES:
        module = _component_type_tokens()[token].rsplit(".", 1)[-1]
        assert f"qantara.components.{module} import" not in text, module


def test_without_the_table_of_platform_components_no_plan_is_taken_for_a_project():
    with pytest.raises(CatalogError, match="platformComponentTypes"):
        program_kind(plan_of("aws:sagemaker/endpoint:Endpoint"), planned_platform_program=False, catalog={"platform_program": {}})
