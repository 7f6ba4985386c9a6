"""Delivery events of the on-prem cluster: a Deployment's rollout history (read, never written).

KServe in raw deployment mode serves each InferenceService from a Deployment
(`<name>-predictor`); any model server deployed as a Deployment reads the same way. Kubernetes
keeps the rollout history in the Deployment's ReplicaSets (through the kubernetes client):
- each ReplicaSet is one pod template (`pod-template-hash`), owned by the Deployment, with its
  revision in the `deployment.kubernetes.io/revision` annotation;
- a rollback (`kubectl rollout undo`, or re-applying an earlier template) does not create a
  ReplicaSet: the controller gives the earlier template's ReplicaSet the next revision and
  moves its former revisions to `deployment.kubernetes.io/revision-history`.
So a revision whose template already had an earlier revision is a `rollback`, any other a
`deployment`. Times: a template's first revision is its ReplicaSet's `creationTimestamp`. The
API keeps no time for a later revision; the nearest it has is the last time the controller
updated that ReplicaSet (its `managedFields` entry of kube-controller-manager), which a
rollback sets but a later scale of the same ReplicaSet also moves, so the rollback time read
is the latest possible. Revisions older than a template's latest return have no time left at
all: they are listed in `untimed`, never placed at a guessed time.
The version of a revision is its pod template's `version_label` (default
`app.kubernetes.io/version`), else its first container's image tag or digest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from qantara.errors import InputError
from qantara.metrics.events import Event

REVISION = "deployment.kubernetes.io/revision"
HISTORY = "deployment.kubernetes.io/revision-history"
CONTROLLER = "kube-controller-manager"
PAGE_SIZE = 100


@dataclasses.dataclass(frozen=True)
class ClusterTarget:
    project: str
    environment: str
    namespace: str
    workload: str  # the Deployment's name (`cluster`), or the InferenceService's (`kserve`)
    model: str
    version_label: str = "app.kubernetes.io/version"


@dataclasses.dataclass
class ClusterHistory:
    events: list[Event]
    untimed: list[str]  # "revision N (ReplicaSet name)": a rollout whose time Kubernetes no longer keeps


def _continue_token(meta) -> str | None:
    # The client names the field `_continue` before its pydantic models (v34) and `var_continue` after.
    return getattr(meta, "var_continue", None) or getattr(meta, "_continue", None) if meta else None


def replica_sets(apps, target: ClusterTarget) -> list:
    """The Deployment's own ReplicaSets (selected by its labels, owned by it), all pages."""
    deployment = apps.read_namespaced_deployment(target.workload, target.namespace)
    labels = (deployment.spec.selector.match_labels or {}) if deployment.spec and deployment.spec.selector else {}
    if not labels:
        raise InputError(f"Deployment {target.namespace}/{target.workload}: no matchLabels selector to find its ReplicaSets")
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    found, token, tokens = [], None, set()
    while True:
        page = apps.list_namespaced_replica_set(target.namespace, label_selector=selector, limit=PAGE_SIZE,
                                                **({"_continue": token} if token else {}))
        found.extend(rs for rs in page.items or [] if _owned_by(rs, deployment))
        token = _continue_token(page.metadata)
        if not token:
            return found
        if token in tokens:  # a continue token given twice would page forever
            raise InputError(f"ReplicaSets of {target.namespace}/{target.workload}: continue token repeated")
        tokens.add(token)


def _owned_by(rs, deployment) -> bool:
    # Labels can match another Deployment's pods; ownership by uid cannot.
    return any(ref.kind == "Deployment" and ref.uid == deployment.metadata.uid for ref in rs.metadata.owner_references or [])


def _revisions(rs) -> list[int]:
    annotations = rs.metadata.annotations or {}
    try:
        history = [int(r) for r in annotations.get(HISTORY, "").split(",") if r.strip()]
        return sorted(history + [int(annotations[REVISION])])
    except (KeyError, ValueError):
        raise InputError(f"ReplicaSet {rs.metadata.namespace}/{rs.metadata.name}: annotation {REVISION} "
                         f"missing or not a number ({annotations.get(REVISION)!r})") from None


def _version(rs, label: str) -> str:
    template = rs.spec.template
    labels = (template.metadata.labels or {}) if template.metadata else {}
    if labels.get(label):
        return labels[label]
    image = template.spec.containers[0].image or ""
    name = image.rsplit("/", 1)[-1]
    if "@" in name:
        return name.split("@", 1)[1]
    return name.split(":", 1)[1] if ":" in name else "latest"


def _last_controller_update(rs) -> dt.datetime | None:
    times = [entry.time for entry in rs.metadata.managed_fields or []
             if entry.manager == CONTROLLER and entry.operation == "Update" and not entry.subresource and entry.time]
    return max(times) if times else None


def timeline(sets: list, target: ClusterTarget) -> ClusterHistory:
    """Deployment and rollback events of the ReplicaSets' revisions, in revision order."""
    owner: dict[int, object] = {}
    for rs in sets:
        for revision in _revisions(rs):
            owner[revision] = rs
    events, untimed, seen = [], [], set()
    for revision in sorted(owner):
        rs = owner[revision]
        revisions = _revisions(rs)
        rollback = rs.metadata.uid in seen
        seen.add(rs.metadata.uid)
        if revision == revisions[0]:
            when = rs.metadata.creation_timestamp
        elif revision == revisions[-1]:
            when = _last_controller_update(rs)
        else:
            when = None
        if when is None:
            untimed.append(f"revision {revision} ({rs.metadata.name})")
            continue
        events.append(Event(when.astimezone(dt.UTC), "rollback" if rollback else "deployment", target.project,
                            target.environment, target.model, _version(rs, target.version_label), "kubernetes",
                            f"{target.namespace}/{rs.metadata.name}#{revision}"))
    return ClusterHistory(sorted(events), untimed)


def collect_cluster(target: ClusterTarget, *, apps=None, context: str | None = None) -> ClusterHistory:
    """The rollout history of one Deployment (kubeconfig `context`, or in-cluster credentials)."""
    if apps is None:
        apps = _apps_api(context)
    return timeline(replica_sets(apps, target), target)


def _apps_api(context: str | None):
    from kubernetes import client

    return client.AppsV1Api(api_client(context))


def api_client(context: str | None):
    """A kubernetes ApiClient from the kubeconfig (its `context`), else the pod's service account."""
    try:
        from kubernetes import client, config
    except ImportError:
        raise InputError("reading the cluster needs the kubernetes client: pip install 'qantara[cluster]'") from None
    try:
        return config.new_client_from_config(context=context)
    except Exception:  # no kubeconfig: running inside the cluster, with the pod's service account
        try:
            config.load_incluster_config()
        except config.ConfigException as error:
            raise InputError(f"no kubeconfig{f' context {context!r}' if context else ''} and not inside a cluster "
                             f"({str(error)[:160]})") from None
    return client.ApiClient()
