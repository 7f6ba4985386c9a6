"""Evaluate policy packages against one input document and enrich their findings."""

from __future__ import annotations

import datetime as dt
import threading

from qantara.engine.rego import RegoEngine
from qantara.engine.selection import default_engine
from qantara.errors import PolicyEngineError
from qantara.plan.addresses import ingress_exposure
from qantara.policy.library import PolicyPackage, policy_index, policy_packages


def policy_input(*, blueprint: dict | None, plan: dict | None = None, project: dict | None = None,
                 environment: dict | None = None, today: dt.date | None = None, resolved: dict | None = None,
                 program: dict | None = None) -> dict:
    """The input every policy reads (docs/architecture.md); the date makes expiry checks
    reproducible. `resolved` is the resolved platform's facts (`qantara.policy.checkpoint.
    resolved_input`): the policies judging production, enforcement, a component's class or
    mode read them there, and report a finding when they are missing. `program` says which
    program the plan is of (`qantara.plan.program_kind`); a policy that needs it and finds
    none judges the plan as the platform's own (fail closed)."""
    plan = plan or {"resources": []}
    return {
        "blueprint": blueprint,
        "resolved": resolved,
        "program": program,
        "plan": plan,
        "planIndex": plan_index(plan),
        # Facts Rego cannot work out on regopy (address arithmetic), by resource position.
        "derived": {"ingress": ingress_exposure(plan.get("resources") or [])},
        "project": project,
        "environment": environment,
        "context": {"date": (today or dt.date.today()).isoformat()},
    }


def plan_index(plan: dict) -> dict:
    """Where the plan's resources are, for policies to find them without searching.

    {"byType": {type: [position, ...]},
     "referrers": [["<position>/<property>", ...] for each resource]}: who depends on each
    resource, through which property (from propertyDependencies). It is structure only, no
    judgement: policies/lib/plan.rego builds the same from the plan when an input lacks it,
    but regopy 1.5 scans an object or set on every lookup and sorts slowly (about 0.12 ms a
    resource for the type index alone), while here it is one pass.
    """
    resources = plan.get("resources") or []
    by_type: dict[str, list[int]] = {}
    position_of: dict[str, int] = {}
    for position, resource in enumerate(resources):
        by_type.setdefault(str(resource.get("type", "")), []).append(position)
        position_of.setdefault(str(resource.get("urn", "")), position)
    referrers: list[list[str]] = [[] for _ in resources]
    for position, resource in enumerate(resources):
        for prop, urns in (resource.get("propertyDependencies") or {}).items():
            for urn in urns if isinstance(urns, list) else []:
                target = position_of.get(urn)
                if target is not None:
                    referrers[target].append(f"{position}/{prop}")
    return {"byType": by_type, "referrers": referrers}


def findings_rules(subjects: tuple[str, ...], packages: tuple[PolicyPackage, ...] | None = None) -> tuple[str, ...]:
    """The `findings` rule of every package of the given subjects, in evaluation order."""
    return tuple(f"{p.package}.findings" for p in (packages or policy_packages()) if p.subject in subjects)


def prepare(subjects: tuple[str, ...], also: tuple[str, ...] = (), engine: RegoEngine | None = None) -> None:
    """Start compiling what `evaluate(..., subjects)` (and the rules `also`) will ask, in the
    background: `check` calls it before the plan's child process runs, so the compilation
    overlaps the plan instead of following it. An engine with nothing to compile ignores it."""
    engine = engine or default_engine()
    if hasattr(engine, "prepare"):
        # Reading the packages' metadata (a YAML file each) is part of the head start too. Not a
        # daemon: a check that stops early (a program that fails to plan, exit 2) must not end the
        # interpreter while this thread starts the compilation, whose native code then aborts the
        # process (exit 134) instead of letting it exit with its own code.
        threading.Thread(target=lambda: engine.prepare(findings_rules(subjects) + tuple(also)),
                         name="qantara-policy-prepare").start()


def evaluate(input_document: dict, subjects: tuple[str, ...], engine: RegoEngine | None = None,
             packages: tuple[PolicyPackage, ...] | None = None) -> list[dict]:
    """Raw findings of every package of the given subjects, enriched with their metadata."""
    engine = engine or default_engine()
    index = policy_index()
    selected = [p for p in (packages or policy_packages()) if p.subject in subjects]
    if not selected:
        return []
    results = engine.rule_values(tuple(f"{p.package}.findings" for p in selected), input_document)
    undefined = [p.package for p, raw in zip(selected, results) if raw is None]
    if undefined:
        raise PolicyEngineError(f"policy packages without a findings list: {', '.join(undefined)}")
    findings: list[dict] = []
    for package, raw in zip(selected, results):
        for finding in raw:
            meta = index.get(finding.get("policy"))
            if meta is None:
                raise PolicyEngineError(f"policy package {package.package} reported {finding.get('policy')!r}, which has no metadata")
            findings.append({
                "policy": meta.id,
                "title": meta.title,
                "severity": meta.severity,
                "resource": finding.get("resource", ""),
                # Enforcement needs it for policies whose waivability depends on the class.
                **({"dataClass": finding["dataClass"]} if "dataClass" in finding else {}),
                # Informational: reported, never fails a check (e.g. a document not checked on
                # data whose class does not require it to be read).
                **({"advisory": True} if finding.get("advisory") is True else {}),
                "message": finding.get("message", ""),
                "remediation": meta.remediation,
            })
    findings.sort(key=lambda f: (f["policy"], f["resource"]))
    return findings
