"""The resolved platform: one blueprint, one environment, every fact composition needs, as plain data.

`resolve_platform` computes it once per process (placement asks Rego for residency; this
adds the environment's profile, the network ranges, the names and the dependencies);
composition, the offline plan and the Rego input read it instead of re-deriving.
"""

from qantara.resolution.facts import blueprint_facts
from qantara.resolution.model import (
    Location,
    NetworkRanges,
    ResolvedComponent,
    ResolvedEnvironment,
    ResolvedPlatform,
)
from qantara.resolution.resolve import resolve_platform

__all__ = ["blueprint_facts", "Location", "NetworkRanges", "ResolvedComponent", "ResolvedEnvironment", "ResolvedPlatform",
           "resolve_platform"]
