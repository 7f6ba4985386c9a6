"""The resolved platform's data: frozen dataclasses, no Pulumi, no Rego.

Built by `qantara.resolution.resolve.resolve_platform`; read by composition
(`qantara.aws_platform`, `qantara.onprem_platform`), the offline plan and, through
`to_input()`, the blueprint checkpoint's Rego input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qantara.blueprint.derived_names import DerivedName
from qantara.blueprint.models import CLASSIFICATION_ORDER, Blueprint, ComponentSpec
from qantara.blueprint.profiles import EnvironmentProfile
from qantara.resolution.facts import blueprint_facts
from qantara.sovereignty.placement import Placement

# Where a component runs: an AWS region, a Kubernetes cluster on the site, or the EKS local
# cluster and S3 on Outposts of an Outposts rack on the site.
LOCATION_KINDS = ("cloud", "onprem", "outposts")


@dataclass(frozen=True)
class Location:
    kind: str  # one of LOCATION_KINDS
    region: str | None  # the cloud region, or the Outpost's parent region
    site: str | None
    country: str | None
    partition: str | None

    @property
    def where(self) -> str:
        return self.region if self.kind == "cloud" else f"on-prem site {self.site}"

    @property
    def on_site(self) -> bool:
        return self.kind != "cloud"


@dataclass(frozen=True)
class ResolvedComponent:
    """One enabled component: where it runs, what it holds, what it needs beside it."""

    name: str  # the blueprint's key: dataLake, serving, ...
    title: str
    location: Location
    data_class: str
    # `pinned` when the blueprint fixes its placement, else `chosen` by placement.
    mode: str
    # The residency requirement placement applied (e.g. in-country), and why it chose so.
    requirement: str
    reason: str
    # Components that must be in the same location: (needed, why), from platform_rules.COLOCATION.
    dependencies: tuple[tuple[str, str], ...]
    # The environment profile's sizes that apply to this component (camelCase keys).
    size: dict[str, Any]
    # The blueprint's own settings of the component (its spec.components entry).
    settings: ComponentSpec

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "location": {"kind": self.location.kind, "region": self.location.region, "site": self.location.site,
                         "country": self.location.country, "partition": self.location.partition},
            "dataClassification": self.data_class,
            "mode": self.mode,
            "requirement": self.requirement,
            "dependencies": [needed for needed, _ in self.dependencies],
            "size": dict(self.size),
            "settings": self.settings.model_dump(mode="json", by_alias=True, exclude_none=True),
        }


@dataclass(frozen=True)
class ResolvedEnvironment:
    name: str
    production: bool
    enforcement: str  # advisory or mandatory, in force
    profile: EnvironmentProfile

    def to_dict(self) -> dict:
        p = self.profile
        return {"name": self.name, "production": self.production, "enforcement": self.enforcement,
                "profile": {"instanceCount": p.instance_count, "maxInstanceCount": p.max_instance_count,
                            "trackingServerSize": p.tracking_server_size, "logRetentionDays": p.log_retention_days,
                            "deletionProtection": p.deletion_protection}}


@dataclass(frozen=True)
class NetworkRanges:
    vpc_cidr: str | None  # None when nothing is in the cloud
    subnet_cidrs: dict[str, str]  # availability zone -> range
    site_cidrs: tuple[str, ...]  # routed over the site link

    def to_dict(self) -> dict:
        return {"vpcCidr": self.vpc_cidr, "subnetCidrs": dict(self.subnet_cidrs), "siteCidrs": list(self.site_cidrs)}


@dataclass(frozen=True)
class ResolvedPlatform:
    """A blueprint in one environment, resolved: what composition builds, where and how big."""

    name: str  # metadata.name
    owner: str
    jurisdiction: str
    data_class: str  # the platform's highest class
    primary_region: str | None
    partition: str | None  # the primary region's partition
    dr_region: str | None
    environment: ResolvedEnvironment
    components: dict[str, ResolvedComponent]  # enabled ones, in the blueprint's order
    network: NetworkRanges
    names: tuple[DerivedName, ...]
    blueprint: Blueprint = field(repr=False)
    placement: Placement = field(repr=False)

    def located(self, *kinds: str) -> dict[str, ResolvedComponent]:
        """The components whose location is one of `kinds`."""
        return {name: c for name, c in self.components.items() if c.location.kind in kinds}

    def cloud(self) -> dict[str, ResolvedComponent]:
        return self.located("cloud")

    def on_site(self) -> dict[str, ResolvedComponent]:
        return self.located("onprem", "outposts")

    def strictest_class(self, names) -> str:
        """The highest class among the named components."""
        return max((self.components[n].data_class for n in names), key=CLASSIFICATION_ORDER.index)

    def to_dict(self) -> dict:
        return {
            "blueprint": self.name,
            "owner": self.owner,
            "jurisdiction": self.jurisdiction,
            "dataClassification": self.data_class,
            "primaryRegion": self.primary_region,
            "partition": self.partition,
            "drRegion": self.dr_region,
            "environment": self.environment.to_dict(),
            "components": {name: c.to_dict() for name, c in self.components.items()},
            "network": self.network.to_dict(),
            "names": [{"kind": n.kind, "value": n.value, "what": n.what} for n in self.names],
        }

    def to_input(self) -> dict:
        """The resolved facts for a Rego input (`input.resolved`): plain JSON values only. The facts
        the policies judge (production, enforcement, class, placement mode) come from
        `qantara.resolution.facts`, the same function a check that cannot be placed uses."""
        resolved = self.to_dict()
        facts = blueprint_facts(self.blueprint, self.environment.name)
        resolved["environment"].update(facts["environment"])
        resolved["environments"] = facts["environments"]
        resolved["dataLakeBuckets"] = facts["dataLakeBuckets"]
        for name, component in resolved["components"].items():
            component.update(facts["components"][name])
        return resolved
