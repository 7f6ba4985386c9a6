"""Plain-text renderings for people: placement, plan tables, regions and check results."""

from __future__ import annotations

from qantara.sovereignty.placement import Placement


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)] if rows else [len(h) for h in headers]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def placement_text(placement: Placement, blueprint: str) -> str:
    rows = [[name, p.data_class, p.where, p.country or "?", p.requirement] for name, p in placement.components.items()]
    out = [f"Placement of {blueprint} under {placement.jurisdiction} rules", "",
           _table(["component", "class", "where", "country", "requirement"], rows), "", "Why:"]
    for name, p in placement.components.items():
        out.append(f"  {name}: {p.reason}")
        out += [f"    warning: {w}" for w in p.warnings]
    if placement.disaster_recovery:
        dr = placement.disaster_recovery
        out.append(f"  disaster recovery: {dr.region} ({dr.country}): {dr.reason}")
    return "\n".join(out)


def _component_of(resource: dict, by_urn: dict) -> str:
    """The nearest Qantara component above a resource, for grouping."""
    parent = by_urn.get(resource.get("parent") or "")
    while parent is not None:
        if parent["type"].startswith("qantara:"):
            return parent["name"]
        parent = by_urn.get(parent.get("parent") or "")
    return "(stack)"


def _where(location: dict) -> tuple[str, str]:
    kind = location.get("kind")
    if kind == "cloud":
        return location.get("region") or "?", location.get("country") or "?"
    if kind == "onprem":
        return f"on-prem {location.get('site')}", location.get("country") or "?"
    return kind or "?", "-"


def short_type(type_token: str) -> str:
    """`aws:s3/bucketPolicy:BucketPolicy` as `aws:s3:BucketPolicy`, for tables."""
    parts = type_token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        return f"{parts[0]}:{parts[1].split('/')[0]}:{parts[2]}"
    return type_token


def plan_table(plan: dict) -> str:
    by_urn = {r["urn"]: r for r in plan["resources"]}
    rows = []
    for resource in plan["resources"]:
        if resource["location"].get("kind") == "logical":
            continue
        where, country = _where(resource["location"])
        rows.append([_component_of(resource, by_urn), short_type(resource["type"]), resource["name"], where, country])
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    source = plan.get("source", {})
    header = f"Plan of {source.get('blueprint', '?')} / {source.get('environment', '?')} ({source.get('program', '?')}): {len(rows)} resources"
    return header + "\n\n" + _table(["component", "type", "name", "region", "country"], rows)


def check_text(result) -> str:
    out = [f"Check of {result.blueprint} / {result.environment} (enforcement: {result.enforcement}), "
           f"{len(result.plan['resources'])} planned resources"]
    for warning in result.warnings:
        out.append(f"  warning: {warning}")
    if not result.findings:
        out.append("  no findings")
    for f in result.findings:
        out.append(f"  [{f['enforcement']}] {f['policy']} ({f['severity']}) {f['message']}")
        out.append(f"      resource: {f['resource']}")
        out.append(f"      fix: {f['remediation']}")
        if f.get("waiver"):
            out.append(f"      {f['waiver']}")
    mandatory = sum(f["enforcement"] == "mandatory" for f in result.findings)
    out.append(f"Verdict: {result.verdict.upper()} ({mandatory} mandatory, {len(result.findings) - mandatory} other findings)")
    return "\n".join(out)


def regions_text(jurisdiction: str, classification: str, sectors: list[str], requirement: dict, rows) -> str:
    scope = f"{classification} data under {jurisdiction} rules" + (f" (sectors: {', '.join(sectors)})" if sectors else "")
    out = [scope, f"requirement: {requirement['level']} ({requirement['because']})", ""]
    table_rows = [["allowed" if r.allowed else "refused", r.region, r.name, r.country or "?", r.reason] for r in rows]
    out.append(_table(["verdict", "region", "name", "country", "reason"], table_rows))
    return "\n".join(out)
