"""Which AWS services a plan uses, so that a service-availability warning is shown only for
a service the plan really uses (`policies/data/service_resource_types.yaml`).

Placement warns about every service a blueprint's components could need; a user's own
program (`check --program`) or a real plan may use none of them. A warning about a service
the table does not list is always kept: the table narrows warnings, it never hides an
unknown one.
"""

from __future__ import annotations

AVAILABILITY_PREFIX = "availability of "


def used_services(plan: dict, table: dict) -> set[str]:
    """The services of `table` that some resource of `plan` uses."""
    types = {r.get("type") for r in plan.get("resources", [])}
    flagged = {(r.get("type"), key) for r in plan.get("resources", [])
               for key, value in (r.get("inputs") or {}).items() if value is True}
    used = set()
    for service, rule in (table.get("services") or {}).items():
        if types & set(rule.get("types") or []) or any((i["type"], i["input"]) in flagged for i in rule.get("inputs") or []):
            used.add(service)
    return used


def relevant_warnings(warnings: list[str], plan: dict, catalog: dict) -> list[str]:
    """`warnings` without the availability warnings of listed services the plan does not use."""
    table = catalog.get("service_resource_types") or {}
    titles = {service: catalog["aws_regions"]["services"].get(service, {}).get("title", service)
              for service in table.get("services") or {}}
    unused = set(titles) - used_services(plan, table)
    return [w for w in warnings
            if not any(w.startswith(f"{AVAILABILITY_PREFIX}{titles[s]} in ") for s in unused)]
