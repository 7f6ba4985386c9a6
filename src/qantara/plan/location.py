"""Where each planned resource lives: the `location` of DESIGN §4.3.

An AWS resource's region is its own `region` input (pulumi-aws v7), else its provider's
`region` input, else the stack's `aws:region`. Global services (catalog
`aws_global_services`) have no region. Kubernetes resources live on the blueprint's
on-prem site. Components, the stack and engine-only resources (random, tls) are logical.
"""

from __future__ import annotations

from qantara.plan.document import SECRET, UNKNOWN
from qantara.sovereignty.catalog import regions


def _known(value) -> bool:
    return isinstance(value, str) and value not in ("", UNKNOWN, SECRET)


def _package(type_token: str) -> str:
    if type_token.startswith("pulumi:providers:"):
        return type_token.rsplit(":", 1)[1]
    return type_token.split(":", 1)[0]


def locate_resources(resources: list[dict], *, stack_region: str | None, catalog: dict,
                     onprem: dict | None = None) -> list[dict]:
    """Add `location` to every resource (in place) and return the list."""
    providers = {r["urn"]: r for r in resources if r["type"].startswith("pulumi:providers:")}
    global_prefixes = tuple(catalog.get("aws_global_services", {}).get("typePrefixes", []))
    known_regions = regions(catalog)

    def cloud(region) -> dict:
        if not _known(region):
            return {"kind": "cloud", "cloud": "aws", "region": UNKNOWN, "country": None}
        return {"kind": "cloud", "cloud": "aws", "region": region,
                "country": known_regions.get(region, {}).get("country")}

    # Providers first: a resource's location may be its provider's.
    for resource in sorted(resources, key=lambda r: not r["type"].startswith("pulumi:providers:")):
        type_token, inputs = resource["type"], resource.get("inputs") or {}
        package = _package(type_token)
        if package == "aws" and type_token.startswith("pulumi:providers:"):
            # An explicit provider without a region takes it from the environment, not the stack.
            fallback = stack_region if resource["name"].startswith("default") else None
            location = cloud(inputs.get("region") if _known(inputs.get("region")) else fallback)
        elif not resource.get("custom", True) or type_token.startswith("pulumi:"):
            location = {"kind": "logical"}
        elif package == "aws" and type_token.startswith(global_prefixes):
            location = {"kind": "global", "cloud": "aws"}
        elif package == "aws":
            region = inputs.get("region")
            reference = resource.get("provider") or ""
            if _known(region):
                location = cloud(region)
            elif reference in providers:
                location = dict(providers[reference]["location"])
            elif reference:
                location = cloud(None)  # a provider the plan does not show: its region is not known
            else:
                location = cloud(stack_region)
        elif package == "kubernetes":
            location = {"kind": "onprem", "site": (onprem or {}).get("site"), "country": (onprem or {}).get("country")}
        else:
            location = {"kind": "logical"}
        resource["location"] = location
    return resources
