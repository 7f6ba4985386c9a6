"""Where each planned resource lives: the `location` of DESIGN §4.3.

An AWS resource's region is its own `region` input (pulumi-aws v7), else its provider's
`region` input, else the stack's `aws:region`. Global services (catalog
`aws_global_services`) have no region. Kubernetes resources live on the blueprint's
on-prem site. Components, the stack and engine-only resources (random, tls) are logical.

An AWS resource on an Outpost lives on the blueprint's on-prem site too, as its Kubernetes
resources do: `{kind: onprem, site, country, outpost, parentRegion}`, the last two saying
which Outpost and which region its control plane is in. A resource is on an Outpost when its
own inputs say so (a known `outpostId` or `outpostArn`, or a `bucket` that is an S3 on
Outposts ARN) or when its `bucket` comes from a resource on an Outpost (a preview does not
know that ARN yet). Without an on-prem site in the blueprint its country is not known, and
it keeps the location of its region.
"""

from __future__ import annotations

import re

from qantara.plan.document import SECRET, UNKNOWN
from qantara.sovereignty.catalog import regions

# arn:<partition>:outposts:<region>:<account>:outpost/op-… and
# arn:<partition>:s3-outposts:<region>:<account>:outpost/op-…/bucket/…
_OUTPOST_ARN = re.compile(r"^arn:aws[a-z-]*:(?:s3-)?outposts:(?P<region>[a-z0-9-]+):\d{12}:outpost/(?P<id>op-[0-9a-f]+)")
_OUTPOST_ID = re.compile(r"^op-[0-9a-f]{17}$")


def _known(value) -> bool:
    return isinstance(value, str) and value not in ("", UNKNOWN, SECRET)


def _package(type_token: str) -> str:
    if type_token.startswith("pulumi:providers:"):
        return type_token.rsplit(":", 1)[1]
    return type_token.split(":", 1)[0]


def _outpost(inputs: dict, region) -> tuple[str, str] | None:
    """(Outpost id, parent region) when the inputs place the resource on an Outpost."""
    for key in ("outpostArn", "bucket"):
        match = _OUTPOST_ARN.match(inputs.get(key) or "") if _known(inputs.get(key)) else None
        if match:
            return match["id"], match["region"]
    outpost_id = inputs.get("outpostId")
    if _known(outpost_id) and _OUTPOST_ID.match(outpost_id) and _known(region):
        return outpost_id, region
    return None


def locate_resources(resources: list[dict], *, stack_region: str | None, catalog: dict,
                     onprem: dict | None = None) -> list[dict]:
    """Add `location` to every resource (in place) and return the list."""
    providers = {r["urn"]: r for r in resources if r["type"].startswith("pulumi:providers:")}
    global_prefixes = tuple(catalog.get("aws_global_services", {}).get("typePrefixes", []))
    known_regions = regions(catalog)
    site = {"kind": "onprem", "site": (onprem or {}).get("site"), "country": (onprem or {}).get("country")}

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
            outpost = _outpost(inputs, location.get("region"))
            if outpost is not None and onprem:
                location = {**site, "outpost": outpost[0], "parentRegion": outpost[1]}
        elif package == "kubernetes":
            location = dict(site)
        else:
            location = {"kind": "logical"}
        resource["location"] = location
    if onprem:
        _follow_outpost_buckets(resources)
    return resources


def _follow_outpost_buckets(resources: list[dict]) -> None:
    """A resource whose `bucket` a preview cannot read yet (an access point, a bucket policy)
    is where the bucket it was given is, when that bucket is on an Outpost."""
    by_urn = {r["urn"]: r for r in resources}
    for resource in resources:
        if resource["location"].get("kind") != "cloud" or _known((resource.get("inputs") or {}).get("bucket")):
            continue
        sources = [by_urn[urn] for urn in (resource.get("propertyDependencies") or {}).get("bucket", []) if urn in by_urn]
        on_outposts = [s["location"] for s in sources if s["location"].get("outpost")]
        if on_outposts:
            resource["location"] = dict(on_outposts[0])
