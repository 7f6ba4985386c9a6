"""Delivery events of a KServe InferenceService in Serverless mode: its Knative Revisions.

In Serverless mode (the mode Qantara's on-prem serving uses for a champion and a challenger)
KServe serves the predictor through a Knative Service, and every change of the predictor
creates a new, immutable Revision (`serving.knative.dev/v1`), labelled with the
InferenceService (`serving.kserve.io/inferenceservice`) and the component (`component:
predictor`), numbered by `serving.knative.dev/configurationGeneration`, created at its
`creationTimestamp`, and annotated with who created it (`serving.knative.dev/creator`: with
KServe, usually KServe's controller). Going back to an earlier predictor makes a new Revision
with the same containers as an earlier one: that Revision is a `rollback`, any other a
`deployment`. The version is the first container's image tag or digest (or `version_label`
on the Revision, as for Deployments). Revisions Knative has garbage-collected are gone: the
history is as long as the cluster keeps it.
"""

from __future__ import annotations

import datetime as dt
import json

from qantara.errors import InputError
from qantara.metrics.events import Event, parse_time
from qantara.metrics.sources.cluster import PAGE_SIZE, ClusterHistory, ClusterTarget

GROUP, API_VERSION, PLURAL = "serving.knative.dev", "v1", "revisions"
GENERATION = "serving.knative.dev/configurationGeneration"
CREATOR = "serving.knative.dev/creator"


def revisions(custom, target: ClusterTarget) -> list[dict]:
    """Every Revision of the InferenceService's predictor, all pages (plain JSON objects)."""
    selector = f"component=predictor,serving.kserve.io/inferenceservice={target.workload}"
    found, token, tokens = [], None, set()
    while True:
        page = custom.list_namespaced_custom_object(GROUP, API_VERSION, target.namespace, PLURAL, label_selector=selector,
                                                    limit=PAGE_SIZE, **({"_continue": token} if token else {}))
        found.extend(page.get("items") or [])
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return found
        if token in tokens:
            raise InputError(f"Revisions of {target.namespace}/{target.workload}: continue token repeated")
        tokens.add(token)


def _generation(revision: dict) -> int:
    meta = revision.get("metadata") or {}
    try:
        return int((meta.get("labels") or {})[GENERATION])
    except (KeyError, ValueError):
        raise InputError(f"Revision {meta.get('namespace')}/{meta.get('name')}: label {GENERATION} missing or not a number") from None


def _created(revision: dict) -> dt.datetime:
    meta = revision["metadata"]
    try:
        return parse_time(meta["creationTimestamp"])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"Revision {meta.get('namespace')}/{meta.get('name')}: creationTimestamp missing or malformed") from None


def _version(revision: dict, label: str) -> str:
    labels = revision["metadata"].get("labels") or {}
    if labels.get(label):
        return labels[label]
    containers = (revision.get("spec") or {}).get("containers") or [{}]
    name = (containers[0].get("image") or "").rsplit("/", 1)[-1]
    if "@" in name:
        return name.split("@", 1)[1]
    return name.split(":", 1)[1] if ":" in name else "latest"


def timeline(items: list[dict], target: ClusterTarget) -> ClusterHistory:
    """Deployment and rollback events of the Revisions, in generation order."""
    events, seen = [], set()
    for revision in sorted(items, key=_generation):
        # The containers are the predictor as served (image, arguments, environment, resources):
        # the same containers again is the same model server again.
        template = json.dumps((revision.get("spec") or {}).get("containers"), sort_keys=True)
        meta = revision["metadata"]
        events.append(Event(_created(revision), "rollback" if template in seen else "deployment", target.project,
                            target.environment, target.model, _version(revision, target.version_label), "knative",
                            f"{target.namespace}/{meta.get('name')}", (meta.get("annotations") or {}).get(CREATOR)))
        seen.add(template)
    return ClusterHistory(sorted(events), [])


def collect_revisions(target: ClusterTarget, *, custom=None, context: str | None = None) -> ClusterHistory:
    """The revision history of one InferenceService's predictor (`target.workload` is its name)."""
    if custom is None:
        from kubernetes import client

        from qantara.metrics.sources.cluster import api_client

        custom = client.CustomObjectsApi(api_client(context))
    return timeline(revisions(custom, target), target)
