"""`resolve_platform`: a blueprint and an environment, resolved once per process.

Placement (`qantara.sovereignty.placement`) decides where each component lives and keeps
asking Rego for residency; this adds what composition would otherwise re-derive: the
environment's profile and enforcement, each component's size and co-location needs, the
network ranges, the derived names and the partition.
"""

from __future__ import annotations

import hashlib
import json

from qantara.blueprint.derived_names import derived_names
from qantara.blueprint.loader import LoadedBlueprint
from qantara.blueprint.models import Blueprint
from qantara.blueprint.network import subnet_cidrs
from qantara.blueprint.platform_rules import COLOCATION
from qantara.blueprint.profiles import EnvironmentProfile, environment_profile
from qantara.catalog import load_catalog, regions
from qantara.engine.rego import RegoEngine
from qantara.resolution.model import (
    Location,
    NetworkRanges,
    ResolvedComponent,
    ResolvedEnvironment,
    ResolvedPlatform,
)
from qantara.sovereignty.placement import ComponentPlacement, Placement, resolve_placement

# Zone letters every commercial region has; naming them avoids an invoke at program time.
# A /16 VPC gives a /20 per zone: room for endpoints, jobs and ENIs.
ZONE_SUFFIXES = ("a", "b")

# (blueprint file, its content hash, environment, catalog revision) -> the resolved platform.
_RESOLVED: dict[tuple[str, str, str, str], ResolvedPlatform] = {}
_REVISIONS: dict[int, tuple[dict, str]] = {}


def catalog_revision(catalog: dict) -> str:
    """A digest of the catalog's content, computed once per catalog object."""
    known = _REVISIONS.get(id(catalog))
    if known is None or known[0] is not catalog:
        digest = hashlib.sha256(json.dumps(catalog, sort_keys=True, default=str).encode()).hexdigest()
        known = _REVISIONS[id(catalog)] = (catalog, digest)
    return known[1]


def resolve_platform(loaded: LoadedBlueprint, environment: str, *, catalog: dict | None = None,
                     engine: RegoEngine | None = None) -> ResolvedPlatform:
    """The blueprint `loaded` in `environment`, resolved; located problems when placement refuses it,
    `UnknownNameError` (a KeyError) for an environment the blueprint lacks."""
    if engine is not None:  # another engine may judge residency differently: no sharing
        return _resolve(loaded, environment, catalog if catalog is not None else load_catalog(),
                        resolve_placement(loaded, engine=engine, catalog=catalog))
    effective = catalog if catalog is not None else load_catalog()
    key = (str(loaded.path.resolve()), hashlib.sha256(loaded.path.read_bytes()).hexdigest(), environment,
           catalog_revision(effective))
    if key not in _RESOLVED:
        # Placement caches itself when given no catalog; pass one only when the caller did.
        placement = resolve_placement(loaded, catalog=catalog) if catalog is not None else resolve_placement(loaded)
        _RESOLVED[key] = _resolve(loaded, environment, effective, placement)
    return _RESOLVED[key]


def _resolve(loaded: LoadedBlueprint, environment: str, catalog: dict, placement: Placement) -> ResolvedPlatform:
    blueprint = loaded.model
    profile = environment_profile(blueprint, environment, catalog)
    region = placement.primary_region
    partition = regions(catalog)[region]["partition"] if region in regions(catalog) else None
    dr_region = placement.disaster_recovery.region if placement.disaster_recovery is not None else None
    components = {name: _component(blueprint, placed, profile, partition)
                  for name, placed in placement.components.items()}
    cloud = frozenset(n for n, c in components.items() if c.location.kind == "cloud")
    spec_environment = blueprint.environment(environment)
    return ResolvedPlatform(
        name=blueprint.metadata.name,
        owner=blueprint.metadata.owner,
        jurisdiction=placement.jurisdiction,
        data_class=blueprint.spec.data_classification,
        primary_region=region,
        partition=partition,
        dr_region=dr_region,
        environment=ResolvedEnvironment(spec_environment.name, profile.production,
                                        spec_environment.effective_enforcement, profile),
        components=components,
        network=_network(blueprint, region if cloud else None),
        names=tuple(derived_names(blueprint, profile.name, cloud, dr_region is not None)),
        blueprint=blueprint,
        placement=placement,
    )


def _location(blueprint: Blueprint, placed: ComponentPlacement, partition: str | None) -> Location:
    if placed.kind == "cloud":
        return Location("cloud", placed.region, None, placed.country, partition)
    site = blueprint.spec.on_prem
    if site is not None and site.kind == "outposts":
        # The Outpost's resources are AWS resources of its parent region's control plane.
        return Location("outposts", site.outpost_region, site.site, site.country, site.outpost_partition)
    return Location("onprem", None, placed.site, placed.country, None)


def _size(name: str, profile: EnvironmentProfile) -> dict:
    """The profile's sizes that apply to component `name`."""
    if name == "serving":
        return {"instanceCount": profile.instance_count, "maxInstanceCount": profile.max_instance_count}
    if name == "experimentTracking":
        return {"trackingServerSize": profile.tracking_server_size}
    if name == "audit":
        return {"logRetentionDays": profile.log_retention_days}
    if name == "dataLake":
        return {"deletionProtection": profile.deletion_protection}
    return {}


def _component(blueprint: Blueprint, placed: ComponentPlacement, profile: EnvironmentProfile,
               partition: str | None) -> ResolvedComponent:
    settings = blueprint.spec.components.get(placed.component)
    return ResolvedComponent(
        name=placed.component,
        title=placed.title,
        location=_location(blueprint, placed, partition),
        data_class=placed.data_class,
        mode="pinned" if settings.placement is not None else "chosen",
        requirement=placed.requirement,
        reason=placed.reason,
        dependencies=tuple(COLOCATION.get(placed.component, ())),
        size=_size(placed.component, profile),
        settings=settings,
    )


def _network(blueprint: Blueprint, region: str | None) -> NetworkRanges:
    site = blueprint.spec.on_prem
    site_cidrs = tuple(site.connectivity.site_cidrs) if site is not None and site.connectivity is not None else ()
    if region is None:
        return NetworkRanges(None, {}, site_cidrs)
    vpc_cidr = blueprint.spec.vpc_cidr()
    subnets = subnet_cidrs(vpc_cidr, len(ZONE_SUFFIXES))
    return NetworkRanges(vpc_cidr, {f"{region}{zone}": cidr for zone, cidr in zip(ZONE_SUFFIXES, subnets)},
                         site_cidrs)
