"""Where a generated project's pipeline runs, read from the resolved placement.

The pipeline reads the platform's data lake (its training data), writes experiment tracking
(runs, metrics, the model) and feeds serving (what it registers is what serving serves). It runs
where the data it reads is: the data lake's place, a cloud region or an on-prem site. Anywhere
else the training data would leave the place the platform's rules put it (sa-health-hybrid keeps
its data lake on site and experiment tracking in me-south-1: a pipeline placed with tracking would
train in the region on the site's data). What it writes to tracking elsewhere is the project's own
class, which `component_use` already keeps within tracking's class.

A project's workloads (pipeline, and its endpoint or batch scoring) run in one place: the infra
program declares them on one side, cloud or site. So it fails closed, refusing at `new`: a platform
without a placed data lake (nothing says where its training data may be processed), and a project
that serves from a place other than the data lake's (its pipeline could not be beside both).
"""

from __future__ import annotations

from dataclasses import dataclass

LAKE = "dataLake"
SERVING = "serving"
RULE = ("allowed: a platform whose data lake and serving are placed in the same region or on the same site; "
        "or serving=none, whose pipeline runs where the data lake is")


@dataclass(frozen=True)
class PipelinePlace:
    """The place (a region, or `onprem:<site>`), or why there is none and the blueprint field to blame."""

    where: str | None
    problem: str = ""
    field: tuple[str, ...] = ()


def where(located) -> str:
    """A component placement as the project records it: its region, or `onprem:<site>`."""
    return located.region if located.kind == "cloud" else f"onprem:{located.site}"


def pipeline_place(placement, serving: str) -> PipelinePlace:
    """Where the project's pipeline (and so its workloads) run: the data lake's place."""
    lake = placement.components.get(LAKE)
    if lake is None:
        return PipelinePlace(None, "the project's pipeline reads its training data from the platform's data lake, "
                                   "which this platform does not enable, so no place is known where that data may be "
                                   f"processed ({RULE})", ("spec", "components", LAKE))
    here = where(lake)
    served = placement.components.get(SERVING)
    if serving != "none" and served is not None and where(served) != here:
        return PipelinePlace(None, f"the project's pipeline must run where the data lake is ({here}), which it "
                                   f"trains from, but serving={serving} puts its model's workloads where serving is "
                                   f"({where(served)}): one project runs its workloads in one place, and training "
                                   f"beside serving would move the training data out of {here} ({RULE})",
                             ("spec", "components", SERVING))
    return PipelinePlace(here)
