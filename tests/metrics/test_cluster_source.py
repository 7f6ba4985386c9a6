"""The cluster source against recorded Kubernetes API responses.

A fake ApiClient answers the kubernetes client's real requests (URL, query) with recorded
JSON bodies of the real apps/v1 shapes, so the client's own request building and
deserialization run; no cluster is contacted.
"""

import datetime as dt
import json
from urllib.parse import parse_qsl, urlsplit

import pytest

kubernetes = pytest.importorskip("kubernetes")
from kubernetes.client import ApiClient, AppsV1Api, rest  # noqa: E402

from qantara.errors import InputError  # noqa: E402
from qantara.metrics.compute import Window, compute_metrics  # noqa: E402
from qantara.metrics.sources.cluster import ClusterTarget, collect_cluster  # noqa: E402

UTC = dt.UTC
NS = "ml-platform"
TARGET = ClusterTarget("triage", "prod", NS, "triage-predictor", "triage-model")
DEPLOYMENT_UID = "6f1c7a2e-0000-4000-8000-000000000001"
LABELS = {"app": "triage-predictor"}


def stamp(day, hour=0):
    return f"2026-11-{day:02d}T{hour:02d}:00:00Z"


def deployment_body(match_labels=LABELS):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "triage-predictor", "namespace": NS, "uid": DEPLOYMENT_UID,
                         "annotations": {"deployment.kubernetes.io/revision": "3"}, "creationTimestamp": stamp(3, 12)},
            "spec": {"selector": {"matchLabels": match_labels},
                     "template": {"metadata": {"labels": LABELS}, "spec": {"containers": [{"name": "kserve-container", "image": "x"}]}}}}


def replica_set(name, revision, created, version=None, image="registry.ml.local/triage/server:1.4", history=None,
                controller_update=None, owner=DEPLOYMENT_UID):
    annotations = {"deployment.kubernetes.io/revision": str(revision), "deployment.kubernetes.io/desired-replicas": "2"}
    if history:
        annotations["deployment.kubernetes.io/revision-history"] = history
    labels = {**LABELS, "pod-template-hash": name.rsplit("-", 1)[-1]}
    template_labels = {**labels, **({"app.kubernetes.io/version": version} if version else {})}
    managed = [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                "time": controller_update or created, "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}},
               {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                "time": stamp(28), "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}, "subresource": "status"}]
    return {"metadata": {"name": name, "namespace": NS, "uid": f"rs-{name}", "creationTimestamp": created,
                         "labels": labels, "annotations": annotations, "managedFields": managed,
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "triage-predictor",
                                              "uid": owner, "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"replicas": 0, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": template_labels},
                                  "spec": {"containers": [{"name": "kserve-container", "image": image}]}}},
            "status": {"replicas": 0, "observedGeneration": 2}}


def rs_list(items, token=None):
    return {"apiVersion": "apps/v1", "kind": "ReplicaSetList",
            "metadata": {"resourceVersion": "81234", **({"continue": token} if token else {})}, "items": items}


class RecordedApiClient(ApiClient):
    """Answers each request from `responses[(path, frozenset(query))]`; records what was asked."""

    def __init__(self, responses):
        super().__init__()
        self.responses, self.asked = responses, []

    def call_api(self, method, url, header_params=None, body=None, post_params=None, _request_timeout=None):
        parts = urlsplit(url)
        key = (parts.path, frozenset(parse_qsl(parts.query)))
        self.asked.append(key)
        body = self.responses[key]

        class Http:
            status, reason, data = 200, "OK", json.dumps(body).encode()
            headers = {"content-type": "application/json"}

        return rest.RESTResponse(Http())


DEPLOYMENT_PATH = f"/apis/apps/v1/namespaces/{NS}/deployments/triage-predictor"
RS_PATH = f"/apis/apps/v1/namespaces/{NS}/replicasets"


def api(pages, deployment=None):
    responses = {(DEPLOYMENT_PATH, frozenset()): deployment or deployment_body()}
    for number, page in enumerate(pages):
        query = {("labelSelector", "app=triage-predictor"), ("limit", "100")}
        if number:
            query.add(("continue", f"page-{number}"))
        responses[(RS_PATH, frozenset(query))] = page
    client = RecordedApiClient(responses)
    return AppsV1Api(client), client


def rolled_back_history():
    """v1 deployed on the 3rd, v2 on the 10th, and `kubectl rollout undo` back to v1 on the 11th."""
    return [
        rs_list([replica_set("triage-predictor-5d8f9c7b4a", 3, stamp(3, 12), "1", history="1", controller_update=stamp(11, 2)),
                 # same labels, another Deployment's ReplicaSet: not this model's history
                 replica_set("triage-predictor-canary-77c9", 1, stamp(9), "9", owner="someone-else")], token="page-1"),
        rs_list([replica_set("triage-predictor-6b7c8d9e0f", 2, stamp(10, 20), "2", controller_update=stamp(11, 3))]),
    ]


def test_a_revision_returning_to_an_earlier_template_is_a_rollback():
    apps, client = api(rolled_back_history())
    history = collect_cluster(TARGET, apps=apps)
    assert [(e.time.strftime("%d %H"), e.kind, e.version) for e in history.events] == [
        ("03 12", "deployment", "1"), ("10 20", "deployment", "2"), ("11 02", "rollback", "1")]
    assert history.untimed == []
    assert history.events[-1].ref == f"{NS}/triage-predictor-5d8f9c7b4a#3"
    assert len(client.asked) == 3  # the Deployment, then both pages of ReplicaSets


def test_a_template_returned_to_twice_keeps_no_time_for_the_first_return():
    pages = [rs_list([
        replica_set("triage-predictor-5d8f9c7b4a", 5, stamp(3, 12), "1", history="1,3", controller_update=stamp(14, 9)),
        replica_set("triage-predictor-6b7c8d9e0f", 2, stamp(10, 20), "2"),
        replica_set("triage-predictor-7a1b2c3d4e", 4, stamp(12, 10), "3"),
    ])]
    apps, _ = api(pages)
    history = collect_cluster(TARGET, apps=apps)
    assert [(e.kind, e.version, e.time.strftime("%d %H")) for e in history.events] == [
        ("deployment", "1", "03 12"), ("deployment", "2", "10 20"), ("deployment", "3", "12 10"), ("rollback", "1", "14 09")]
    assert history.untimed == ["revision 3 (triage-predictor-5d8f9c7b4a)"]


def test_without_a_version_label_the_image_tag_is_the_version():
    pages = [rs_list([replica_set("triage-predictor-5d8f9c7b4a", 1, stamp(3, 12), image="registry.ml.local:5000/triage/server:2.0.1")])]
    apps, _ = api(pages)
    [event] = collect_cluster(TARGET, apps=apps).events
    assert event.version == "2.0.1"


def test_a_deployment_with_no_replica_sets_has_no_events():
    apps, _ = api([rs_list([])])
    history = collect_cluster(TARGET, apps=apps)
    assert (history.events, history.untimed) == ([], [])
    assert compute_metrics(history.events, Window(dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 11, 29, tzinfo=UTC))) == []


def test_a_replica_set_without_a_readable_revision_is_refused():
    broken = replica_set("triage-predictor-5d8f9c7b4a", 1, stamp(3, 12), "1")
    broken["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "three"
    apps, _ = api([rs_list([broken])])
    with pytest.raises(InputError, match="triage-predictor-5d8f9c7b4a.*revision"):
        collect_cluster(TARGET, apps=apps)


def test_a_deployment_without_a_selector_is_refused_rather_than_reading_every_replica_set():
    apps, _ = api([], deployment=deployment_body(match_labels={}))
    with pytest.raises(InputError, match="no matchLabels"):
        collect_cluster(TARGET, apps=apps)


def test_metrics_from_the_rollout_history():
    apps, _ = api(rolled_back_history())
    [group] = compute_metrics(collect_cluster(TARGET, apps=apps).events,
                              Window(dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 11, 29, tzinfo=UTC)))
    assert (group["deployments"], group["failedDeployments"]) == (2, 1)
    # the rollback put v1 back in production on the 11th at 02:00: 18 days before the window's end
    assert group["freshness"][0]["version"] == "1" and group["freshness"][0]["ageDays"] == 17.9167


def test_a_continue_token_that_repeats_is_refused_rather_than_paged_forever():
    apps, _ = api([rs_list([], token="page-1"), rs_list([], token="page-1")])
    with pytest.raises(InputError, match="continue token repeated"):
        collect_cluster(TARGET, apps=apps)
