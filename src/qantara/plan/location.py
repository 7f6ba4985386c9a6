"""Where each planned resource lives: the `location` of DESIGN §4.3.

A location is where `pulumi up` would put the resource; when the plan cannot establish it,
the resource is `{"kind": "unknown", "reason": ...}`, never the stack's or a provider's
region by default (docs/decisions.md, "Location fails closed").

- An AWS resource's own `region` input (pulumi-aws v7) wins when known; a secret or an
  output not known before deployment (a StackReference, an apply) leaves it unknown.
- Otherwise its provider decides: an explicit provider by its own `region` input, the
  default provider by the stack config (`StackConfig`: `Pulumi.<stack>.yaml`, `--config`, or
  Qantara's placed region for its own programs). A provider without a region takes it from
  the deployer's environment or AWS profile: unknown. A provider's name means nothing.
- `endpoints` overrides send a service where their host is (`qantara.plan.endpoints`).
- Real Pulumi output: when nothing above locates a resource, the region its outputs show
  (`observed_regions`, from an `arn:aws:<svc>:<region>:` ARN or a `region` output) does.
- Global services (catalog `aws_global_services`) have no region.
- Kubernetes objects are where their provider's cluster is: an EKS cluster of the plan (the
  provider's kubeconfig comes from it) or named in the kubeconfig is a cloud region; any other
  cluster is the blueprint's on-prem site, unknown when the blueprint has none.
- Components and the pure-logic types of `policies/data/logical_types.yaml` (random, tls…)
  are logical. Every other package (aws-native, gcp, azure-native, dynamic providers…) is
  unknown: it may hold data somewhere Qantara does not model.

An AWS resource on an Outpost lives on the blueprint's on-prem site, as its Kubernetes
resources do: `{kind: onprem, site, country, outpost, parentRegion}`. It is on an Outpost
when its own inputs say so (a known `outpostId` or `outpostArn`, or a `bucket` that is an S3
on Outposts ARN) or when its `bucket` comes from a resource on an Outpost (a preview does not
know that ARN yet). Without an on-prem site in the blueprint it keeps its region's location.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from qantara.catalog import regions
from qantara.plan.clusters import EksClusters, eks_region_named
from qantara.plan.document import SECRET, UNKNOWN
from qantara.plan.endpoints import endpoint_overrides, endpoint_region, shown_url
from qantara.plan.stack_settings import StackConfig, region_environment

# arn:<partition>:outposts:<region>:<account>:outpost/op-… and
# arn:<partition>:s3-outposts:<region>:<account>:outpost/op-…/bucket/…
_OUTPOST_ARN = re.compile(r"^arn:aws[a-z-]*:(?:s3-)?outposts:(?P<region>[a-z0-9-]+):\d{12}:outpost/(?P<id>op-[0-9a-f]+)")
_OUTPOST_ID = re.compile(r"^op-[0-9a-f]{17}$")
LOGICAL = {"kind": "logical"}


def unknown_location(reason: str, **extra) -> dict:
    """The location of a resource the plan cannot place: what made it unknown, in words."""
    return {"kind": "unknown", "reason": reason, **extra}


def _known(value) -> bool:
    return isinstance(value, str) and value not in ("", UNKNOWN, SECRET)


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


def logical_type(type_token: str, catalog: dict) -> bool:
    """Whether `policies/data/logical_types.yaml` lists the type (or its package) as pure logic."""
    package = type_token.split(":", 1)[0]
    for row in (catalog.get("logical_types") or {}).get("types", []):
        if (row["match"] == "package" and row["value"] == package) or (row["match"] == "type" and row["value"] == type_token):
            return True
    return False


def locate_resources(resources: list[dict], *, catalog: dict, stack_region: str | None = None,
                     stack_config: StackConfig | None = None, onprem: dict | None = None,
                     observed_regions: Mapping[str, str] | None = None,
                     environ: Mapping[str, str] | None = None) -> list[dict]:
    """Add `location` to every resource (in place) and return the list.

    `stack_config` is what default providers are configured with; `stack_region` is the
    shorthand for a config holding only `aws:region`. `observed_regions` maps a URN to the
    region real Pulumi output shows for it. `environ` (the process's by default) only feeds
    messages: a region from the environment is never used.
    """
    config = stack_config or StackConfig.of({"aws:region": stack_region}, "the stack config")
    locator = _Locator(resources, catalog, config, onprem, dict(observed_regions or {}), region_environment(environ))
    for resource in resources:
        resource["location"] = locator.location(resource)
    if onprem:
        _follow_outpost_buckets(resources)
    return resources


class _Locator:
    """Locates resources on demand (a resource may need its provider's, a provider its cluster's)."""

    def __init__(self, resources, catalog, config: StackConfig, onprem, observed, environment):
        self.by_urn = {r["urn"]: r for r in resources}
        self.catalog = catalog
        self.regions = regions(catalog)
        self.global_prefixes = tuple(catalog.get("aws_global_services", {}).get("typePrefixes", []))
        self.onprem = onprem
        self.observed = observed
        self.environment = environment
        self.memo: dict[str, dict] = {}
        self.endpoints: dict[str, tuple[str | None, dict[str, str]]] = {}
        self.clusters = EksClusters(self.by_urn.values())
        missing = f"no aws:region in {config.searched}"
        if config.esc_environments:
            missing += f", which imports Pulumi ESC environment {', '.join(config.esc_environments)} that Qantara cannot read"
        self.default_aws = self._aws_provider(config.package_settings("aws"), "the default aws provider", missing)

    def location(self, resource: dict) -> dict:
        urn = resource["urn"]
        if urn not in self.memo:
            self.memo[urn] = unknown_location("its location depends on itself")  # a cycle in a hand-made file
            self.memo[urn] = self._locate(resource)
        return dict(self.memo[urn])

    def _locate(self, resource: dict) -> dict:
        type_token = resource["type"]
        if type_token.startswith("pulumi:providers:"):
            package = type_token.rsplit(":", 1)[1]
            if package == "aws":
                location, self.endpoints[resource["urn"]] = self._aws_provider(
                    resource.get("inputs") or {}, f"provider `{resource['name']}`", "no region set in the program")
                return location
            return self._cluster(resource) if package == "kubernetes" else dict(LOGICAL)
        if not resource.get("custom", True) or logical_type(type_token, self.catalog):
            return dict(LOGICAL)
        package = type_token.split(":", 1)[0]
        if package == "aws":
            return self._aws(resource)
        if package == "kubernetes":
            return self._kubernetes(resource)
        if ":dynamic:" in type_token:
            return unknown_location("it is a dynamic provider resource: its own code decides where its data goes",
                                    package=package)
        return unknown_location(f"package {package} is not modelled: Qantara cannot tell where its resources "
                                "keep data", package=package)

    def cloud(self, region: str) -> dict:
        return {"kind": "cloud", "cloud": "aws", "region": region, "country": self.regions.get(region, {}).get("country")}

    # AWS.

    def _aws_provider(self, settings: dict, who: str, missing: str) -> tuple[dict, tuple[str | None, dict[str, str]]]:
        """A provider's location from its settings, and what its endpoints do: (why they make
        it unknown or None, {service: region} for AWS endpoints in another region)."""
        region = settings.get("region")
        if region == SECRET:
            location = unknown_location(f"{who}'s region is a secret, so where it puts data cannot be read", cloud="aws")
        elif region == UNKNOWN:
            location = unknown_location(f"{who}'s region is an output not known before deployment (a StackReference, "
                                        "an apply, another resource's attribute)", cloud="aws")
        elif _known(region):
            location = self.cloud(region)
        else:
            here = "; ".join(f"{k}={v}" for k, v in self.environment.items())
            location = unknown_location(
                f"provider region comes from the environment: {who} has {missing}, so pulumi up takes AWS_REGION, "
                "AWS_DEFAULT_REGION or the AWS profile of whoever deploys"
                + (f" (here {here}, which need not be the deployer's)" if here else ""), cloud="aws")
        return location, self._endpoints(settings.get("endpoints"), location)

    def _endpoints(self, value, location: dict) -> tuple[str | None, dict[str, str]]:
        elsewhere: dict[str, str] = {}
        for service, url in endpoint_overrides(value):
            region = endpoint_region(url, self.regions) if _known(url) else None
            if region is None:
                return (f"endpoints override sends {service} to {shown_url(url)}, not to an AWS endpoint of a "
                        "known region"), {}
            if region != location.get("region"):
                elsewhere[service] = region
        return None, elsewhere

    def _aws(self, resource: dict) -> dict:
        type_token, inputs = resource["type"], resource.get("inputs") or {}
        if type_token.startswith(self.global_prefixes):
            return {"kind": "global", "cloud": "aws"}
        region, reference = inputs.get("region"), resource.get("provider") or ""
        endpoints: tuple[str | None, dict[str, str]] = (None, {})
        if reference in self.by_urn:
            provider_location = self.location(self.by_urn[reference])
            endpoints = self.endpoints.get(reference, endpoints)
        elif reference:
            name = reference.rsplit("::", 1)[-1]
            provider_location = unknown_location(f"its provider `{name}` is not in the plan, so its region is not known",
                                                 cloud="aws")
        else:
            provider_location, endpoints = self.default_aws
        if region == SECRET:
            location = unknown_location("its own region is a secret, so where it puts data cannot be read", cloud="aws")
        elif region == UNKNOWN:
            location = unknown_location("its own region is an output not known before deployment (a StackReference, "
                                        "an apply, another resource's attribute)", cloud="aws")
        else:
            location = self.cloud(region) if _known(region) else dict(provider_location)
        if location["kind"] == "unknown" and _known(self.observed.get(resource["urn"])):
            location = self.cloud(self.observed[resource["urn"]])  # real output: where the resource is
        elif location["kind"] == "unknown" and region is None:
            location = self._with_its_bucket(resource) or location
        return self._after_endpoints(type_token, inputs, location, endpoints)

    def _with_its_bucket(self, resource: dict) -> dict | None:
        """A bucket's configuration (policy, versioning…) through the same provider lives where
        its bucket is: S3 keeps it with the bucket. Real output shows the bucket's region (its
        `region` output) but not the configuration's, which has no ARN."""
        for urn in (resource.get("propertyDependencies") or {}).get("bucket", []):
            bucket = self.by_urn.get(urn)
            if bucket is not None and bucket["type"].startswith("aws:s3") and bucket.get("provider") == resource.get("provider"):
                location = self.location(bucket)
                if location["kind"] == "cloud":
                    return location
        return None

    def _after_endpoints(self, type_token: str, inputs: dict, location: dict, endpoints) -> dict:
        refused, elsewhere = endpoints
        if refused:
            return unknown_location(refused, cloud="aws")
        service = type_token.split(":")[1].split("/")[0].lower() if type_token.count(":") >= 2 else ""
        if service in elsewhere:
            location = self.cloud(elsewhere[service])
        outpost = _outpost(inputs, location.get("region"))
        if outpost is not None and self.onprem:
            return {**self.site(), "outpost": outpost[0], "parentRegion": outpost[1]}
        return location

    # Kubernetes.

    def site(self) -> dict:
        return {"kind": "onprem", "site": (self.onprem or {}).get("site"), "country": (self.onprem or {}).get("country")}

    def _site_or_unknown(self, why: str) -> dict:
        if self.onprem:
            return self.site()  # the blueprint's own cluster: the trust docs/decisions.md describes
        return unknown_location(f"{why}, and the blueprint has no on-prem site for a cluster", package="kubernetes")

    def _kubernetes(self, resource: dict) -> dict:
        reference = resource.get("provider") or ""
        if reference in self.by_urn:
            return self.location(self.by_urn[reference])
        if reference:
            return self._site_or_unknown(f"its Kubernetes provider `{reference.rsplit('::', 1)[-1]}` is not in the plan")
        return self._site_or_unknown("it uses the default Kubernetes provider (whatever kubeconfig the deployer has)")

    def _cluster(self, provider: dict) -> dict:
        """Where a Kubernetes provider's cluster runs: an EKS cluster its kubeconfig comes from
        or names, else the blueprint's site."""
        cluster = self.clusters.source_of(provider)
        if cluster is not None:
            return self.location(cluster)
        region = eks_region_named(provider.get("inputs") or {})
        if region in self.regions:
            return self.cloud(region)
        return self._site_or_unknown(f"the cluster of Kubernetes provider `{provider['name']}` is not an EKS cluster "
                                     "the plan or its kubeconfig names")


def _follow_outpost_buckets(resources: list[dict]) -> None:
    """A resource whose `bucket` a preview cannot read yet (an access point, a bucket policy)
    is where the bucket it was given is, when that bucket is on an Outpost."""
    by_urn = {r["urn"]: r for r in resources}
    for resource in resources:
        if resource["location"].get("kind") not in ("cloud", "unknown") or _known((resource.get("inputs") or {}).get("bucket")):
            continue
        if not resource["type"].startswith("aws:"):
            continue
        sources = [by_urn[urn] for urn in (resource.get("propertyDependencies") or {}).get("bucket", []) if urn in by_urn]
        on_outposts = [s["location"] for s in sources if s["location"].get("outpost")]
        if on_outposts:
            resource["location"] = dict(on_outposts[0])
