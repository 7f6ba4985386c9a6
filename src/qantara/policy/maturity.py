"""Maturity assessment: which stage a platform has reached, and what stands before its target.

The stages and their prerequisites are Qantara's own model (`policies/data/
maturity_stages.yaml`). A stage is reached when no unwaived finding of a policy of that
stage or below remains (each policy's metadata names its stage) and the prerequisites of
that stage and of every stage below hold. Prerequisites are judged once, in Rego
(`qantara.blueprint.maturity.prerequisites`); QA-BP-006 findings, which report the same
prerequisites, are therefore not counted twice. A waiver excuses a finding, but it does not
make a missing prerequisite hold.
"""

from __future__ import annotations

import copy
import json

from qantara.blueprint.models import Blueprint
from qantara.catalog import load_catalog
from qantara.engine.rego import RegoEngine
from qantara.engine.selection import default_engine
from qantara.policy.library import policy_index
from qantara.resolution import blueprint_facts

PREREQUISITES = "qantara.blueprint.maturity.prerequisites"
PREREQUISITE_POLICY = "QA-BP-006"


def stage_names() -> list[str]:
    """The stages in order, least mature first."""
    return [stage["name"] for stage in load_catalog()["maturity_stages"]["stages"]]


def _model_and_data(blueprint: dict | Blueprint) -> tuple[Blueprint, dict]:
    if isinstance(blueprint, Blueprint):
        return blueprint, blueprint.model_dump(mode="json", by_alias=True)
    return Blueprint.model_validate(blueprint, by_alias=True, by_name=False), blueprint


def prerequisites(blueprint: dict | Blueprint, engine: RegoEngine | None = None) -> list[dict]:
    """Every prerequisite of every stage: {stage, id, description, held, resource, message}.
    The environments' production flags and enforcement are the resolved facts
    (`qantara.resolution.facts`), which need no placement."""
    engine = engine or default_engine()
    model, blueprint = _model_and_data(blueprint)
    # Asked through a compiled entrypoint (a plain query compiles the policy library each
    # time, about 0.5 s on regopy 1.5; `check` prepares this one with its policies); the
    # answer depends on the blueprint alone, so `qantara scan`, which checks many stacks of
    # a few blueprints in one process, asks once per blueprint and engine.
    # The answers live on the engine itself, so an engine over other policies never sees them.
    answers = engine.__dict__.setdefault("_maturity_prerequisites", {})
    key = json.dumps(blueprint, sort_keys=True, default=str)
    if key not in answers:
        if len(answers) >= 64:
            answers.clear()
        document = {"blueprint": blueprint, "resolved": blueprint_facts(model, None)}
        answers[key] = engine.rule_values((PREREQUISITES,), document)[0] or []
    return copy.deepcopy(answers[key])


def assess_maturity(findings: list[dict], blueprint: dict | Blueprint, engine: RegoEngine | None = None) -> dict:
    """{reached, target, gaps}: the highest stage reached (None when not even the first),
    the blueprint's target stage, and what stands between them, stage by stage:
    [{stage, policy, title, resource, message}]."""
    model, blueprint = _model_and_data(blueprint)
    stages = stage_names()
    index = policy_index()
    blocking: dict[str, list[dict]] = {stage: [] for stage in stages}
    for finding in findings:
        if finding.get("enforcement") == "waived" or finding["policy"] == PREREQUISITE_POLICY:
            continue
        meta = index[finding["policy"]]
        blocking[meta.stage].append({"stage": meta.stage, "policy": meta.id, "title": meta.title,
                                     "resource": finding["resource"], "message": finding["message"]})
    prerequisite_title = index[PREREQUISITE_POLICY].title
    for status in prerequisites(model, engine):
        if not status["held"]:
            blocking[status["stage"]].append({
                "stage": status["stage"], "policy": PREREQUISITE_POLICY, "title": prerequisite_title,
                "resource": status["resource"], "message": f"needs {status['description']}: {status['message']}",
            })
    reached = None
    for stage in stages:
        if blocking[stage]:
            break
        reached = stage
    target = blueprint["spec"]["governance"]["stage"]
    start = 0 if reached is None else stages.index(reached) + 1
    gaps = [gap for stage in stages[start:stages.index(target) + 1] for gap in blocking[stage]]
    return {"reached": reached, "target": target, "gaps": gaps}
