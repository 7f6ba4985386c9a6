"""Where a generated project's pipeline can run: never on, nor from, an AWS Outposts site.

A project's pipeline, and so its workloads, run where the data lake it reads its training data
from is (`pipeline_place`, the place `new` writes into the project). In a cloud region it is a
SageMaker pipeline; on an on-prem site, an Argo workflow whose artifacts live in the site's MinIO.
An Outposts site has neither: no MinIO (its object store is S3 on Outposts), and SageMaker jobs
take no Outpost placement (policies/data/outposts.yaml, fact `sagemaker-jobs-not-on-outpost`),
so training would process the site's data in the parent region. `qantara new` refuses such a
project with that reason instead of generating one whose pipeline `pulumi up` would refuse
later, or would train off the site.
"""

from __future__ import annotations

from qantara.catalog import load_catalog

FACT = "sagemaker-jobs-not-on-outpost"


def pipeline_site_problems(platform, placement, placed_in: str) -> list[str]:
    """Why the project's pipeline cannot run: its workloads (at `placed_in`, a region or `onprem:<site>`)
    or its training data (the data lake) are on an Outposts site; empty when neither is."""
    site = platform.spec.on_prem
    if site is None or site.kind != "outposts":
        return []
    lake = placement.components.get("dataLake")
    on_site = [what for what, here in (
        ("workloads", placed_in == f"onprem:{site.site}"),
        ("training data (the data lake)", lake is not None and lake.kind == "onprem"),
    ) if here]
    if not on_site:
        return []
    fact = next((f for f in load_catalog()["outposts"]["facts"] if f["id"] == FACT), None)
    if fact is None:  # the reason is a sourced fact; without it, refuse all the same
        reason = "no pipeline engine is known to run on an Outposts site"
    else:
        reason = (f"SageMaker training and processing jobs take no Outpost placement ({', '.join(fact['sources'][:2])}), "
                  f"so they would process the site's data in the parent region")
    return [f"the project's {' and '.join(on_site)} are on site `{site.site}`, an AWS Outposts rack (spec.onPrem.kind: "
            f"outposts), so its pipeline would have to train there: the on-prem pipeline keeps its artifacts in the "
            f"site's MinIO, which an Outposts site does not have (its object store is S3 on Outposts), and {reason} "
            f"(policies/data/outposts.yaml, fact `{FACT}`). Allowed: a platform whose data lake, serving and "
            f"experiment tracking are placed in a cloud region of the jurisdiction, or an on-prem site of kind "
            f"kubernetes"]
