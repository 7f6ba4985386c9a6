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
    out += [f"  warning: {w}" for w in placement.warnings]
    return "\n".join(out)


COMPONENT_TAG = "qantara-component"


def _outermost_component(resource: dict, by_urn: dict) -> dict | None:
    """The outermost Qantara component above (or at) a resource."""
    found = resource if resource["type"].startswith("qantara:") else None
    parent = by_urn.get(resource.get("parent") or "")
    while parent is not None:
        if parent["type"].startswith("qantara:"):
            found = parent
        parent = by_urn.get(parent.get("parent") or "")
    return found


def _component_labels(resources: list[dict], by_urn: dict) -> dict[str, str]:
    """Blueprint component name (`dataLake`) per outermost component URN, from the
    `qantara-component` tag its resources carry; the component's own name otherwise."""
    tags_seen: dict[str, set[str]] = {}
    for resource in resources:
        component = _outermost_component(resource, by_urn)
        tags = (resource.get("inputs") or {}).get("tags")
        if component is not None and isinstance(tags, dict) and isinstance(tags.get(COMPONENT_TAG), str):
            tags_seen.setdefault(component["urn"], set()).add(tags[COMPONENT_TAG])
    return {urn: names.pop() if len(names) == 1 else by_urn[urn]["name"] for urn, names in tags_seen.items()}


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


def resource_summary(resources: list[dict]) -> str:
    """The count `plan` and `check` both print for a plan: every resource, and how many are
    logical (components, the stack, engine-only resources), which the plan table does not list."""
    logical = sum(1 for resource in resources if resource["location"].get("kind") == "logical")
    return f"{len(resources)} resources ({logical} logical: components, the stack, engine-only)"


def plan_table(plan: dict) -> str:
    """Resources grouped by the blueprint component they belong to, each with its region and
    country; then why each component is where it is (when the plan carries placement)."""
    resources = plan["resources"]
    by_urn = {r["urn"]: r for r in resources}
    labels = _component_labels(resources, by_urn)
    rows = []
    for resource in resources:
        if resource["location"].get("kind") == "logical":
            continue
        component = _outermost_component(resource, by_urn)
        label = "(stack)" if component is None else labels.get(component["urn"], component["name"])
        where, country = _where(resource["location"])
        rows.append([label, short_type(resource["type"]), resource["name"], where, country])
    rows.sort(key=lambda row: (row[0] == "(stack)", row[0], row[1], row[2]))
    source = plan.get("source", {})
    header = (f"Plan of {source.get('blueprint', '?')} / {source.get('environment', '?')} ({source.get('program', '?')}): "
              f"{resource_summary(resources)}; the table lists the {len(rows)} that are placed")
    out = [header, "", _table(["component", "type", "name", "region", "country"], rows)]
    placement = source.get("placement") or {}
    if placement:
        out += ["", "Why each component is where it is:"]
        for name, where in placement.items():
            place = where["region"] if where["kind"] == "cloud" else f"on-prem {where['site']}"
            out.append(f"  {name} ({where['dataClassification']}) -> {place} ({where['country'] or '?'}): {where['reason']}")
    return "\n".join(out)


def check_text(result) -> str:
    subject = f"project {result.project} on {result.blueprint}" if result.project else result.blueprint
    planned = "" if result.project else f", {resource_summary(result.plan['resources'])} planned"
    out = [f"Check of {subject} / {result.environment} (enforcement: {result.enforcement}){planned}"]
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
    if result.maturity:
        maturity = result.maturity
        out.append(f"Maturity: {maturity['reached'] or 'below initial'} reached, target {maturity['target']}")
        out += [f"  gap ({g['stage']}) {g['policy']} {g['resource']}: {g['message']}" for g in maturity["gaps"]]
    # The verdict comes last: it is what a reader (and CI log) looks for.
    out.append(f"Verdict: {result.verdict.upper()} ({mandatory} mandatory, {len(result.findings) - mandatory} other findings)")
    return "\n".join(out)


def regions_text(jurisdiction: str, classification: str, sectors: list[str], requirement: dict, rows) -> str:
    scope = f"{classification} data under {jurisdiction} rules" + (f" (sectors: {', '.join(sectors)})" if sectors else "")
    out = [scope, f"requirement: {requirement['level']} ({requirement['because']})"]
    out += [f"condition on any cloud use: {condition}" for condition in requirement.get("conditions", [])]
    if "alternatives" in requirement:
        out.append("no AWS region may hold it" + (": in-country alternatives:" if requirement["alternatives"]
                                                  else "; no other provider's in-country region is known"))
        out += [f"  {sentence}" for sentence in requirement["alternatives"]]
    out.append("")
    table_rows = [["allowed" if r.allowed else "refused", r.region, r.name, r.country or "?",
                   r.reason + (f" (warning: {r.warning})" if r.warning else "")] for r in rows]
    out.append(_table(["verdict", "region", "name", "country", "reason"], table_rows))
    return "\n".join(out)
