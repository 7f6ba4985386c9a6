"""Placement: where each component of a blueprint lives, and why.

The residency rule itself is Rego (`qantara.lib.residency`); this module asks it for every
region's verdict per data class, adds what only the catalog's service data can say (a
component is never placed in a region that lacks its service), chooses, and explains.
Hybrid: a component goes to the cloud when the chosen region may hold its class and offers
its services, else on-prem; on-prem: everything on-prem. An on-prem site must be able to
take what is placed on it (a Kubernetes cluster with an in-jurisdiction image registry; for
an AWS Outposts site, also a parent region that offers S3 on Outposts and the network the
data lake is reached from), and what its components lack there, or send to the Outpost's
parent region, is reported as a warning. A blueprint whose choices break the rules is refused with located
problems naming the rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qantara.blueprint.loader import LoadedBlueprint
from qantara.blueprint.platform_rules import PlacedPlatform, platform_problems
from qantara.catalog import jurisdiction_codes, load_catalog, regions, sector_names
from qantara.errors import BlueprintError, Problem
from qantara.sovereignty import region_verdicts
from qantara.sovereignty.alternatives import in_country_alternatives, without_endpoint_data
from qantara.sovereignty.onprem_coverage import STORED_COMPONENTS, coverage_warnings

if TYPE_CHECKING:
    from qantara.engine.rego import RegoEngine

# Asks the residency rule for every region's verdict: (context, classes, onprem) -> options.
Asker = Callable[[dict, list, "dict | None"], dict]


@dataclass
class ComponentPlacement:
    """Where one component lives, and why."""

    component: str
    title: str
    data_class: str
    kind: str  # "cloud" or "onprem"
    region: str | None
    country: str | None
    site: str | None
    requirement: str
    reason: str
    allowed_regions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.region if self.kind == "cloud" else f"on-prem site {self.site}"


@dataclass
class DisasterRecovery:
    region: str
    country: str | None
    reason: str


@dataclass
class Placement:
    """The placement of a whole blueprint."""

    jurisdiction: str
    primary_region: str | None
    components: dict[str, ComponentPlacement]
    disaster_recovery: DisasterRecovery | None
    warnings: list[str] = field(default_factory=list)

    def cloud_components(self) -> dict[str, ComponentPlacement]:
        return {name: p for name, p in self.components.items() if p.kind == "cloud"}

    def onprem_components(self) -> dict[str, ComponentPlacement]:
        return {name: p for name, p in self.components.items() if p.kind == "onprem"}

    def to_dict(self) -> dict:
        return {
            "jurisdiction": self.jurisdiction,
            "primaryRegion": self.primary_region,
            "components": {
                name: {
                    "title": p.title,
                    "dataClassification": p.data_class,
                    "kind": p.kind,
                    "region": p.region,
                    "country": p.country,
                    "site": p.site,
                    "requirement": p.requirement,
                    "reason": p.reason,
                    "allowedRegions": p.allowed_regions,
                    "warnings": p.warnings,
                }
                for name, p in self.components.items()
            },
            "disasterRecovery": None
            if self.disaster_recovery is None
            else {
                "region": self.disaster_recovery.region,
                "country": self.disaster_recovery.country,
                "reason": self.disaster_recovery.reason,
            },
            "warnings": self.warnings,
        }


def residency_context(loaded: LoadedBlueprint) -> dict:
    """What the residency rule needs to know about a blueprint."""
    spec = loaded.model.spec
    return {
        "jurisdiction": spec.jurisdiction,
        "sectors": list(spec.sectors),
        "transfers": [
            {"country": t.country, "mechanism": t.mechanism, "reference": t.reference}
            for t in spec.governance.transfers
        ],
    }


def region_options(context: dict, classes: list[str], onprem: dict | None, engine: RegoEngine) -> dict:
    """Every region's residency verdict for each class (from Rego), keyed by class."""
    return region_verdicts.region_options(context, classes, onprem, engine)


def default_asker() -> Asker:
    """Asks the process-wide engine, through the per-revision verdict cache; the engine is
    started only when a verdict is not known yet (a seeded child process never starts one)."""
    from qantara.engine.selection import default_engine, selected_engine

    def ask(context: dict, classes: list, onprem: dict | None) -> dict:
        return region_verdicts.cached_region_options(context, classes, onprem, default_engine, selected_engine())

    return ask


def required_services(catalog: dict, component: str, spec) -> list[str]:
    entry = catalog["components"]["components"][component]
    services = list(entry.get("services", []))
    if getattr(spec, "online", False):
        services += entry.get("onlineServices", [])
    return services


def _service_title(catalog: dict, service: str) -> str:
    return catalog["aws_regions"].get("services", {}).get(service, {}).get("title", service)


def _commercial_regions(catalog: dict) -> list[str]:
    return sorted(code for code, r in regions(catalog).items() if r.get("partition") == "aws")


def _nearby_regions(catalog: dict, context: dict) -> list[str]:
    """The jurisdiction's own regions, then the nearest ones the catalog names."""
    home = catalog["jurisdictions"]["jurisdictions"].get(context["jurisdiction"].split("-")[0], {})
    countries = set(home.get("countries", []))
    nearest = [code for code in home.get("nearestRegions", []) if code in regions(catalog)]
    in_country = [code for code in _commercial_regions(catalog) if regions(catalog)[code].get("country") in countries]
    return in_country + [c for c in nearest if c not in in_country]


def _region_preference(catalog: dict, context: dict) -> list[str]:
    """Regions in the order placement tries them: in-country, then nearest, then the rest.
    A region botocore names but lists no service for yet is never chosen automatically: its
    services are uncertain, so only a blueprint that pins it (spec.cloud.region) uses it."""
    unlisted = set(without_endpoint_data(catalog))
    ordered = [c for c in _nearby_regions(catalog, context) if c not in unlisted]
    return ordered + [c for c in _commercial_regions(catalog) if c not in ordered and c not in unlisted]


class _Placer:
    """One placement run: collects problems instead of stopping at the first."""

    def __init__(self, loaded: LoadedBlueprint, ask: Asker, catalog: dict):
        self.loaded = loaded
        self.spec = loaded.model.spec
        self.ask = ask
        self.catalog = catalog
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        # Components a region refuses for the same reason are reported in one problem.
        self.region_refusals: dict[tuple, list[str]] = {}

    def refuse(self, path: tuple, message: str) -> None:
        self.problems.append(self.loaded.problem(path, message))

    def run(self) -> Placement:
        self._check_names()
        if self.problems:
            raise BlueprintError(self.problems)
        components = self.loaded.model.enabled_components()
        classes = {name: self.loaded.model.component_class(name) for name in components}
        onprem = None
        if self.spec.on_prem is not None:
            onprem = {"site": self.spec.on_prem.site, "country": self.spec.on_prem.country}
        context = residency_context(self.loaded)
        self.options = self.ask(context, list(classes.values()) or [self.spec.data_classification], onprem)
        self.context = context

        modes = {name: self.loaded.model.component_mode(name) for name in components}
        region = self._primary_region(components, classes, modes)
        self._note_unlisted_regions(classes, region)
        placed = {}
        for name, spec in components.items():
            mode = modes[name]
            if mode == "auto":
                mode = "cloud" if region and self._fits(name, spec, classes[name], region) else "onprem"
            if mode == "cloud":
                placed[name] = self._place_cloud(name, spec, classes[name], region)
            else:
                placed[name] = self._place_onprem(name, spec, classes[name])
        self._report_region_refusals()
        self._check_onprem_site(placed)
        dr = self._disaster_recovery(classes, placed)
        if self.spec.deployment != "cloud" and not any(p.kind == "cloud" for p in placed.values()):
            # A hybrid platform whose every component stayed on-prem has no cloud side to name.
            region = None
        if not self.problems:
            self._check_platform(placed, region, dr)
        if self.problems:
            raise BlueprintError(self.problems)
        return Placement(self.spec.jurisdiction, region, placed, dr, self.warnings)

    def _note_unlisted_regions(self, classes: dict, chosen: str | None) -> None:
        """Say so when an in-jurisdiction region could hold the data but was not chosen because
        botocore's endpoint data lists none of its services yet (e.g. me-west-1, Saudi Arabia)."""
        if self.spec.cloud is None or self.spec.cloud.region:
            return
        for code in without_endpoint_data(self.catalog):
            holds = sorted({c for c in classes.values() if self._verdict(c, code)["allowed"]})
            home = regions(self.catalog)[code].get("country") in self._home_countries()
            if holds and home and code != chosen:
                self.warnings.append(
                    f"{code} ({regions(self.catalog)[code].get('name')}) is in {regions(self.catalog)[code]['country']} and may "
                    f"hold {', '.join(holds)} data here, but botocore's endpoint data lists none of its services yet: "
                    f"not chosen automatically; set spec.cloud.region: {code} once its services are confirmed")

    def _home_countries(self) -> set:
        home = self.catalog["jurisdictions"]["jurisdictions"].get(self.spec.jurisdiction.split("-")[0], {})
        return set(home.get("countries", []))

    def _check_platform(self, placed: dict, region: str | None, dr: DisasterRecovery | None) -> None:
        """What the platform program would refuse for this placement (names over AWS limits,
        components that must share a side, regional facts), found here at the blueprint's line."""
        facts = PlacedPlatform(
            cloud=frozenset(n for n, p in placed.items() if p.kind == "cloud"),
            onprem=frozenset(n for n, p in placed.items() if p.kind == "onprem"),
            region=region, dr_region=dr.region if dr else None)
        for path, message in platform_problems(self.loaded.model, facts, self.catalog):
            self.refuse(path, message)

    def _report_region_refusals(self) -> None:
        for (path, region, data_class), names in self.region_refusals.items():
            verdict = self._verdict(data_class, region)
            allowed = self._allowed_regions(data_class)
            pinned = path[-1] == "placement"
            hint = f"allowed: {', '.join(allowed)}" if allowed else self._no_region_hint(pinned)
            unlisted = [r for r in allowed if r in without_endpoint_data(self.catalog)]
            if unlisted:
                hint += (f"; botocore's endpoint data lists no service in {', '.join(unlisted)} yet: pin it only once "
                         "its services are confirmed, or set placement: onprem")
            chosen = "" if path == ("spec", "cloud", "region") or pinned else " (the region placement would choose)"
            self.refuse(path, f"{region!r}{chosen} cannot hold {data_class} data (components: {', '.join(names)}) under "
                              f"{self.spec.jurisdiction} rules ({hint}): {verdict['reason']} [{verdict['because']}]")

    def _no_region_hint(self, pinned: bool) -> str:
        """Why no region can hold the data, and the fix: on-prem."""
        hint = "no AWS region may hold it"
        homeless = self._countries_without_region()
        if homeless:
            hint += f" and no AWS region is in {', '.join(homeless)}"
        others = in_country_alternatives(self.catalog, self.spec.jurisdiction)
        if others:
            hint += "; in-country alternatives: " + "; ".join(others)
        if pinned:
            return hint + ": set placement: onprem (spec.onPrem names the in-country site)"
        return hint + ": place it onprem (deployment: hybrid or on-prem, with spec.onPrem)"

    def _countries_without_region(self) -> list[str]:
        jurisdiction = self.catalog["jurisdictions"]["jurisdictions"].get(self.spec.jurisdiction.split("-")[0], {})
        with_region = {r.get("country") for r in regions(self.catalog).values()}
        return [c for c in jurisdiction.get("countries", []) if c not in with_region]

    def _check_onprem_site(self, placed: dict) -> None:
        """What an on-prem site needs before anything can be provisioned on it, and what it lacks."""
        onprem = sorted(name for name, p in placed.items() if p.kind == "onprem" and p.site)
        if not onprem or self.spec.on_prem is None:
            return
        names = ", ".join(onprem)
        if self.spec.on_prem.kind == "outposts":
            self._check_outpost(placed, onprem)
        if self.spec.on_prem.registry is None:
            self.refuse(("spec", "onPrem", "registry"),
                        f"components placed on-prem ({names}) pull every image from the in-jurisdiction "
                        "registry spec.onPrem.registry names, and it is not set (e.g. registry.example.sa/ml); "
                        "without it images would come from public registries abroad")
        for name, warning in coverage_warnings(onprem, self.spec.on_prem.kind).items():
            placed[name].warnings.append(warning)

    def _check_outpost(self, placed: dict, onprem: list[str]) -> None:
        """An Outposts site: its parent region must be known and, when something is stored on the
        Outpost, offer S3 on Outposts; what crosses the service link is said as a warning."""
        site, facts = self.spec.on_prem, self.catalog["outposts"]
        region, service = site.outpost_region, facts["requiredService"]
        path = ("spec", "onPrem", "outpostArn")
        known = regions(self.catalog)
        if region not in known:
            self.refuse(path, f"the Outpost's parent region {region!r} (in outpostArn) is not an AWS region known to "
                              f"the catalog (generated from botocore's endpoint data); {self._parent_regions(service)}")
            return
        if known[region]["partition"] != site.outpost_partition:
            self.refuse(path, f"outpostArn is in partition {site.outpost_partition!r} but its region {region} is in "
                              f"partition {known[region]['partition']!r}")
            return
        anchor = facts["anchorService"]
        if known[region].get("services", {}).get(anchor, "unavailable") == "unavailable":
            self.refuse(path, f"the Outpost's parent region {region} does not offer {_service_title(self.catalog, anchor)} "
                              f"(per the region catalog), so no Outpost is anchored there; {self._parent_regions(anchor)}")
            return
        for name in onprem:
            if placed[name].requirement == "on-prem":
                # The rule was written for premises the organisation alone operates: say so, do not decide.
                because = self.options[placed[name].data_class]["requirement"]["because"]
                placed[name].warnings.append(
                    f"{placed[name].data_class} data must stay on premises the organisation runs ({because}); "
                    f"AWS operates an Outpost through its service link to {region}: confirm that the rule "
                    "accepts an Outpost before `pulumi up`")
        stored = [name for name in STORED_COMPONENTS if name in onprem]
        if not stored:
            return
        status = known[region].get("services", {}).get(service, "unavailable")
        if status == "unavailable":
            self.refuse(path, f"the Outpost's parent region {region} does not offer {_service_title(self.catalog, service)} "
                              f"(per the region catalog), which the components stored on the Outpost need "
                              f"({', '.join(stored)}); {self._parent_regions(service)}")
            return
        if status == "uncertain":
            self.warnings.append(f"availability of {_service_title(self.catalog, service)} in {region} is uncertain: "
                                 "confirm it before `pulumi up`")
        if site.outpost_network is None:
            self.refuse(("spec", "onPrem", "outpostNetwork"),
                        f"the components stored on the Outpost ({', '.join(stored)}) are reached through an S3 on "
                        "Outposts endpoint and VPC-only access points in the network of the cluster on the Outpost, "
                        "and outpostNetwork is not set (vpcId, subnetId, subnetCidr and securityGroupId of the EKS "
                        "local cluster's subnet on the Outpost)")
        parent_country = known[region].get("country") or "an unknown country"
        for name in stored:
            placed[name].warnings.append(
                f"{name} keeps {facts['staysOnSite']} on the Outpost at site {site.site} in {site.country}; the "
                f"service link carries control-plane metadata ({', '.join(facts['parentRegionMetadata'])}) to the "
                f"parent region {region} in {parent_country}: keep personal data out of names and tags")

    def _parent_regions(self, service: str) -> str:
        """The parent regions to choose from: those offering `service`, in or near the jurisdiction
        when any is, else all of them."""
        offering = sorted(code for code, r in regions(self.catalog).items()
                          if r.get("services", {}).get(service) == "available")
        nearby = [code for code in _nearby_regions(self.catalog, self.context) if code in offering]
        where = f"a region near {self.spec.jurisdiction}" if nearby else "a region"
        return (f"allowed: an Outpost anchored to {where} that offers {_service_title(self.catalog, service)}: "
                f"{', '.join(nearby or offering)}")

    def _check_names(self) -> None:
        codes = jurisdiction_codes(self.catalog)
        if self.spec.jurisdiction not in codes:
            self.refuse(("spec", "jurisdiction"), f"unknown jurisdiction {self.spec.jurisdiction!r} (known: {', '.join(codes)})")
        known_sectors = sector_names(self.catalog)
        for index, sector in enumerate(self.spec.sectors):
            if sector not in known_sectors:
                self.refuse(("spec", "sectors", index), f"unknown sector {sector!r} (known: {', '.join(known_sectors)})")
        cloud = self.spec.cloud
        for key, attribute in (("region", "region"), ("drRegion", "dr_region")):
            code = getattr(cloud, attribute, None) if cloud else None
            if code and code not in regions(self.catalog):
                self.refuse(("spec", "cloud", key),
                            f"{code!r} is not an AWS region known to the catalog (generated from botocore's endpoint data)")

    def _verdict(self, data_class: str, region: str) -> dict:
        return self.options[data_class]["regions"][region]

    def _missing_services(self, name: str, spec, region: str) -> tuple[list[str], list[str]]:
        status = regions(self.catalog)[region].get("services", {})
        needed = required_services(self.catalog, name, spec)
        missing = [s for s in needed if status.get(s, "unavailable") == "unavailable"]
        uncertain = [s for s in needed if status.get(s) == "uncertain"]
        return missing, uncertain

    def _fits(self, name: str, spec, data_class: str, region: str) -> bool:
        return self._verdict(data_class, region)["allowed"] and not self._missing_services(name, spec, region)[0]

    def _primary_region(self, components: dict, classes: dict, modes: dict) -> str | None:
        cloud_bound = [n for n in components if modes[n] in ("cloud", "auto")]
        if not cloud_bound:
            return None
        if self.spec.cloud is None:
            return None
        if self.spec.cloud.region:
            return self.spec.cloud.region
        best, best_score = None, 0
        for region in _region_preference(self.catalog, self.context):
            score = sum(self._fits(n, components[n], classes[n], region) for n in cloud_bound)
            if score == len(cloud_bound):
                return region
            if score > best_score:
                best, best_score = region, score
        if all(modes[n] == "cloud" for n in cloud_bound) or best is None:
            # Name the first region that would have been chosen so the refusals below explain it.
            return _region_preference(self.catalog, self.context)[0]
        return best

    def _allowed_regions(self, data_class: str) -> list[str]:
        return sorted(code for code, v in self.options[data_class]["regions"].items() if v["allowed"])

    def _place_cloud(self, name: str, spec, data_class: str, region: str | None) -> ComponentPlacement:
        title = self.catalog["components"]["components"][name]["title"]
        option = self.options[data_class]
        allowed = self._allowed_regions(data_class)
        if spec.placement == "cloud":
            path = ("spec", "components", name, "placement")
        elif self.spec.cloud is not None and self.spec.cloud.region:
            path = ("spec", "cloud", "region")
        else:
            path = ("spec", "deployment")  # the region was placement's choice, not the file's
        placement = ComponentPlacement(name, title, data_class, "cloud", region, None, None,
                                       option["requirement"]["level"], "", allowed)
        if region is None:
            self.refuse(("spec", "cloud"), f"component {name} is placed in the cloud but no AWS region is set or can be chosen")
            return placement
        verdict = self._verdict(data_class, region)
        placement.country = regions(self.catalog)[region].get("country")
        if not verdict["allowed"]:
            self.region_refusals.setdefault((path, region, data_class), []).append(name)
            return placement
        missing, uncertain = self._missing_services(name, spec, region)
        for service in missing:
            alternatives = [r for r in allowed if not self._missing_services(name, spec, r)[0]]
            fix = f"regions allowed that offer it: {', '.join(alternatives)}" if alternatives else "no allowed region offers it"
            online = (" (set featureStore.online: false for an offline-only store, or place it onprem)"
                      if service == "featurestore-runtime" else "")
            self.refuse(path,
                        f"{region} does not offer {_service_title(self.catalog, service)}, which component {name} needs{online}; {fix}")
        for service in uncertain:
            placement.warnings.append(f"availability of {_service_title(self.catalog, service)} in {region} is uncertain: "
                                      "confirm it before `pulumi up`")
        for condition in option["requirement"].get("conditions", []):
            placement.warnings.append(f"{data_class} data in the cloud needs {condition}")
        placement.reason = f"{verdict['reason']} ({option['requirement']['level']}: {verdict['because']})"
        return placement

    def _place_onprem(self, name: str, spec, data_class: str) -> ComponentPlacement:
        title = self.catalog["components"]["components"][name]["title"]
        option = self.options[data_class]
        placement = ComponentPlacement(name, title, data_class, "onprem", None, None, None,
                                       option["requirement"]["level"], "", self._allowed_regions(data_class))
        if self.spec.on_prem is None:
            self.refuse(("spec", "onPrem"),
                        f"component {name} must be placed on-prem ({data_class} data: {option['requirement']['because']}) but spec.onPrem "
                        f"is not set")
            return placement
        placement.site, placement.country = self.spec.on_prem.site, self.spec.on_prem.country
        verdict = option["onprem"]
        if not verdict["allowed"]:
            self.refuse(("spec", "onPrem", "country"),
                        f"on-prem site {placement.site} in {placement.country} cannot hold {data_class} data of component {name}: "
                        f"{verdict['reason']} [{verdict['because']}]")
            return placement
        listed = [r for r in placement.allowed_regions if r not in without_endpoint_data(self.catalog)]
        if not placement.allowed_regions:
            why_not_cloud = "no AWS region may hold it"
        elif not listed:
            why_not_cloud = (f"only {', '.join(placement.allowed_regions)} may hold it, and botocore's endpoint data "
                             "lists none of its services yet")
        elif spec.placement is None and self.spec.deployment == "hybrid":
            why_not_cloud = "the platform's region cannot hold it or lacks its services"
        else:
            why_not_cloud = f"placed on-prem by the blueprint ({self.spec.deployment})"
        placement.reason = f"{verdict['reason']}; {why_not_cloud} ({option['requirement']['level']}: {verdict['because']})"
        return placement

    def _disaster_recovery(self, classes: dict, placed: dict) -> DisasterRecovery | None:
        cloud = self.spec.cloud
        if cloud is None or not cloud.dr_region:
            return None
        dr = cloud.dr_region
        if dr not in regions(self.catalog):
            return None  # already refused in _check_names
        # The DR region holds replicas of every cloud data store: the strictest cloud class decides.
        cloud_classes = [classes[n] for n, p in placed.items() if p.kind == "cloud"]
        if not cloud_classes:
            self.refuse(("spec", "cloud", "drRegion"), "a DR region is set but no component is placed in the cloud")
            return None
        order = self.catalog["jurisdictions"]["classifications"]
        strictest = max(cloud_classes, key=order.index)
        verdict = self._verdict(strictest, dr)
        if not verdict["allowed"]:
            allowed = [r for r in self._allowed_regions(strictest) if r != (cloud.region or "")]
            hint = f"allowed: {', '.join(allowed)}" if allowed else "no other AWS region may hold it: remove drRegion"
            self.refuse(("spec", "cloud", "drRegion"),
                        f"{dr!r} cannot hold replicas of {strictest} data under {self.spec.jurisdiction} rules ({hint}): "
                        f"{verdict['reason']} [{verdict['because']}]")
            return None
        status = regions(self.catalog)[dr].get("services", {})
        for service in ("s3", "kms"):
            if status.get(service) != "available":
                self.refuse(("spec", "cloud", "drRegion"),
                            f"{dr} does not offer {_service_title(self.catalog, service)}, needed for DR replicas")
        return DisasterRecovery(dr, regions(self.catalog)[dr].get("country"), f"{verdict['reason']} ({verdict['because']})")


# Placement is pure in the blueprint's text: `qantara check` places the blueprint, then the
# platform program it runs in the same process places it again; the second costs nothing.
_PLACEMENTS: dict[tuple[str, str], Placement] = {}


def resolve_placement(loaded: LoadedBlueprint, engine: RegoEngine | None = None, catalog: dict | None = None) -> Placement:
    """Place every enabled component of a loaded blueprint, or raise located problems."""
    if engine is None and catalog is None:
        key = (str(loaded.path.resolve()), hashlib.sha256(loaded.path.read_bytes()).hexdigest())
        if key not in _PLACEMENTS:
            _PLACEMENTS[key] = _Placer(loaded, default_asker(), load_catalog()).run()
        return _PLACEMENTS[key]
    catalog = catalog if catalog is not None else load_catalog()
    return _Placer(loaded, _direct_asker(engine), catalog).run()


def _direct_asker(engine: RegoEngine | None) -> Asker:
    """Asks `engine` (else the process-wide one) every time: for an engine or catalog other
    than the installed ones, whose answers the per-revision cache must not hold."""
    if engine is None:
        from qantara.engine.selection import default_engine

        engine = default_engine()
    return lambda context, classes, onprem: region_options(context, classes, onprem, engine)


@dataclass
class RegionVerdict:
    region: str
    name: str
    country: str | None
    allowed: bool
    reason: str
    warning: str | None = None


def region_report(jurisdiction: str, classification: str, sectors: list[str], engine: RegoEngine | None = None,
                  catalog: dict | None = None) -> tuple[dict, list[RegionVerdict]]:
    """Every AWS region's verdict for one class under one jurisdiction: `qantara regions`."""
    ask = default_asker() if engine is None and catalog is None else _direct_asker(engine)
    catalog = catalog if catalog is not None else load_catalog()
    codes = jurisdiction_codes(catalog)
    if jurisdiction not in codes:
        raise BlueprintError(f"unknown jurisdiction {jurisdiction!r} (known: {', '.join(codes)})")
    order = catalog["jurisdictions"]["classifications"]
    if classification not in order:
        raise BlueprintError(f"unknown classification {classification!r} (allowed: {', '.join(order)})")
    unknown = [s for s in sectors if s not in sector_names(catalog)]
    if unknown:
        raise BlueprintError(f"unknown sector {unknown[0]!r} (known: {', '.join(sector_names(catalog))})")
    options = ask({"jurisdiction": jurisdiction, "sectors": sectors, "transfers": []}, [classification], None)
    option = options[classification]
    unlisted = set(without_endpoint_data(catalog))
    rows = [
        RegionVerdict(code, regions(catalog)[code].get("name", code), regions(catalog)[code].get("country"), v["allowed"], v["reason"],
                      _unlisted_warning(code) if code in unlisted else None)
        for code, v in sorted(option["regions"].items())
    ]
    rows.sort(key=lambda row: (not row.allowed, row.region))
    requirement = dict(option["requirement"])
    if not any(row.allowed for row in rows) and requirement["level"] != "on-prem":
        # No AWS region may hold it: name the in-country regions Qantara does not build yet.
        requirement["alternatives"] = in_country_alternatives(catalog, jurisdiction)
    return requirement, rows


def _unlisted_warning(code: str) -> str:
    return (f"service availability in {code} is uncertain: botocore's endpoint data lists none of its services yet; "
            "confirm each service before `pulumi up`")
