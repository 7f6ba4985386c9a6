"""The evidence pack as plain data: what `qantara report` renders to HTML and Markdown.

Everything here comes from the same library functions the other commands use:
`check_blueprint` for the verdict, findings and maturity; `resolve_placement` (inside it)
for where each component lives; the catalog for the law behind it; the project manifest and
model card for each project; the event history for delivery metrics; `scan_backend` for the
live stacks. The time is the only input that varies between runs, and it can be pinned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import qantara
from qantara.catalog import load_catalog
from qantara.check import check_blueprint
from qantara.evidence.laws import rules_for


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def plan_digest(plan: dict) -> str:
    """SHA-256 of the plan's canonical JSON: keys sorted, resources by URN, dependencies sorted.

    The offline planner registers resources asynchronously, so two runs of the same program
    list the same resources in different orders; order is not content, so it is normalised.
    """
    resources = []
    for resource in sorted(plan.get("resources", []), key=lambda r: str(r.get("urn", ""))):
        resource = dict(resource)
        if isinstance(resource.get("dependencies"), list):
            resource["dependencies"] = sorted(map(str, resource["dependencies"]))
        resources.append(resource)
    canonical = {**plan, "resources": resources}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def policy_revision() -> str:
    from qantara.policy.bundle import bundle_entries, revision

    return revision(bundle_entries())


def _components(result, blueprint: dict, catalog: dict) -> list[dict]:
    spec = blueprint["spec"]
    rows = []
    for name, p in result.placement.components.items():
        rows.append({
            "name": name, "title": p.title, "dataClass": p.data_class, "kind": p.kind,
            "where": p.region if p.kind == "cloud" else f"on-premises site {p.site}",
            "country": p.country, "requirement": p.requirement, "reason": p.reason,
            "rules": rules_for(catalog, spec["jurisdiction"], p.data_class, spec.get("sectors", []), p.requirement),
        })
    return rows


def _jurisdiction_name(catalog: dict, code: str) -> str | None:
    record = catalog["jurisdictions"].get("jurisdictions", {}).get(code.split("-")[0], {})
    zone = record.get("zones", {}).get(code, {}) if "-" in code else {}
    return zone.get("name") or record.get("name")


def _rules_applied(components: list[dict]) -> list[dict]:
    """Each rule once, with the components it governs: the law section reads without repetition."""
    rules: dict[str, dict] = {}
    for component in components:
        for rule in component["rules"]:
            entry = rules.setdefault(rule["id"], {**rule, "components": []})
            entry["components"].append(component["title"])
            entry["decisive"] = entry["decisive"] or rule["decisive"]
    # the law before Qantara's own defaults, then by id: what an auditor looks for first
    return sorted(rules.values(), key=lambda r: (r["scope"] == "Qantara baseline", r["id"] or ""))


def _waivers(blueprint: dict, findings: list[dict]) -> list[dict]:
    used = {(f["policy"], f["resource"]) for f in findings if f.get("enforcement") == "waived"}
    rows = []
    for waiver in blueprint["spec"]["governance"].get("waivers", []):
        rows.append({**waiver, "used": any(policy == waiver.get("policy") for policy, _ in used)})
    return rows


def platform_evidence(blueprint_path: Path, environment: str, today: dt.date, result=None) -> tuple[dict, object]:
    """The platform section; `result` is the environment's `check_blueprint` result when the
    caller already has it (the benchmark times the pack apart from the check it includes)."""
    result = result or check_blueprint(blueprint_path, environment, today=today)
    from qantara.blueprint.loader import load_blueprint

    blueprint = load_blueprint(blueprint_path).model.model_dump(mode="json", by_alias=True)
    catalog = load_catalog()
    spec = blueprint["spec"]
    section = {
        "name": blueprint["metadata"]["name"], "owner": blueprint["metadata"].get("owner"),
        "description": blueprint["metadata"].get("description"),
        "jurisdiction": spec["jurisdiction"],
        "jurisdictionName": _jurisdiction_name(catalog, spec["jurisdiction"]), "classification": spec["dataClassification"],
        "sectors": spec.get("sectors", []), "deployment": spec["deployment"],
        "components": (components := _components(result, blueprint, catalog)),
        "rules": _rules_applied(components),
        "check": {"environment": result.environment, "enforcement": result.enforcement, "verdict": result.verdict,
                  "resources": len(result.plan["resources"]), "findings": result.findings, "warnings": result.warnings},
        "waivers": _waivers(blueprint, result.findings),
        "maturity": result.maturity,
    }
    return section, result


def build_evidence(blueprint_path: Path, environment: str, *, projects: list[Path] = (), events: Path | None = None,
                   window_days: int = 90, scan_url: str | None = None, scan_root: Path | None = None,
                   time: dt.datetime | None = None, check_result=None) -> dict:
    """The whole evidence pack as plain data."""
    time = (time or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    platform, result = platform_evidence(blueprint_path, environment, time.date(), check_result)
    from qantara.evidence.projects import project_evidence

    history = None
    if events is not None:
        from qantara.metrics.events import read_events

        history = read_events(events)
    evidence = {
        "title": f"Evidence pack: {platform['name']} ({environment})",
        "platform": platform,
        "projects": [project_evidence(p, environment, history, time, window_days) for p in projects],
        "scan": None,
        "integrity": {
            "blueprint": str(blueprint_path), "blueprintSha256": sha256_file(blueprint_path),
            "policyRevision": policy_revision(), "planDigest": plan_digest(result.plan),
            "qantaraVersion": qantara.__version__, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }
    if scan_url:
        from qantara.scan.run import scan_backend

        evidence["scan"] = scan_backend(scan_url, root=scan_root, today=time.date()).to_dict()
    return evidence


def report_time(pinned: str | None, source_date_epoch: str | None) -> dt.datetime:
    """The report's time: `--time`, else SOURCE_DATE_EPOCH (reproducible builds), else now."""
    from qantara.errors import InputError
    from qantara.metrics.events import parse_time

    if pinned:
        try:
            return parse_time(pinned)
        except ValueError as error:
            raise InputError(f"--time {pinned[:40]!r}: {error} (expected ISO 8601 with a zone, e.g. 2026-12-06T12:00:00Z)") from None
    if source_date_epoch:
        if not source_date_epoch.strip().isdigit():
            raise InputError(f"SOURCE_DATE_EPOCH={source_date_epoch[:40]!r}: expected whole seconds since 1970-01-01 UTC")
        return dt.datetime.fromtimestamp(int(source_date_epoch), tz=dt.UTC)
    return dt.datetime.now(dt.UTC)
