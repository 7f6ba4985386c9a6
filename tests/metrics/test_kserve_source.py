"""The KServe (Serverless) source against recorded Knative Revision lists.

The same fake ApiClient as the cluster source: the kubernetes client builds the real
request (group, version, plural, label selector, limit, continue) and reads the recorded JSON.
"""

import datetime as dt

import pytest

pytest.importorskip("kubernetes")
from kubernetes.client import CustomObjectsApi  # noqa: E402
from test_cluster_source import RecordedApiClient  # noqa: E402

from qantara.errors import InputError  # noqa: E402
from qantara.metrics.compute import Window, compute_metrics  # noqa: E402
from qantara.metrics.sources.cluster import ClusterTarget  # noqa: E402
from qantara.metrics.sources.knative import collect_revisions  # noqa: E402

UTC = dt.UTC
NS = "ae-health-cloud-prod"
TARGET = ClusterTarget("triage", "prod", NS, "triage", "triage-model")
PATH = f"/apis/serving.knative.dev/v1/namespaces/{NS}/revisions"
SELECTOR = "component=predictor,serving.kserve.io/inferenceservice=triage"
CONTROLLER = "system:serviceaccount:kserve:kserve-controller-manager"


def revision(generation, created, image, env_value="triage"):
    name = f"triage-predictor-{generation:05d}"
    return {
        "apiVersion": "serving.knative.dev/v1", "kind": "Revision",
        "metadata": {"name": name, "namespace": NS, "creationTimestamp": created, "generation": 1,
                     "labels": {"serving.knative.dev/configuration": "triage-predictor",
                                "serving.knative.dev/configurationGeneration": str(generation),
                                "serving.knative.dev/service": "triage-predictor",
                                "serving.kserve.io/inferenceservice": "triage", "component": "predictor"},
                     "annotations": {"serving.knative.dev/creator": CONTROLLER, "autoscaling.knative.dev/min-scale": "1"},
                     "ownerReferences": [{"apiVersion": "serving.knative.dev/v1", "kind": "Configuration",
                                          "name": "triage-predictor", "uid": "c0ffee00-0000-4000-8000-000000000001",
                                          "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"containerConcurrency": 0, "timeoutSeconds": 300,
                 "containers": [{"name": "kserve-container", "image": image,
                                 "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                 "env": [{"name": "QANTARA_MODEL", "value": env_value}],
                                 "readinessProbe": {"successThreshold": 1, "tcpSocket": {"port": 0}}}]},
        "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]},
    }


def page(items, token=None):
    return {"apiVersion": "serving.knative.dev/v1", "kind": "RevisionList", "items": items,
            "metadata": {"resourceVersion": "5512", **({"continue": token} if token else {})}}


def api(pages):
    responses = {}
    for number, body in enumerate(pages):
        query = {("labelSelector", SELECTOR), ("limit", "100")}
        if number:
            query.add(("continue", f"page-{number}"))
        responses[(PATH, frozenset(query))] = body
    client = RecordedApiClient(responses)
    return CustomObjectsApi(client), client


IMAGE = "registry.ml.local/triage/server:{}"


def test_a_revision_with_an_earlier_revisions_containers_is_a_rollback():
    # listed out of order across two pages: generation order decides, not the list's
    custom, client = api([
        page([revision(3, "2026-11-11T02:00:00Z", IMAGE.format(1)), revision(1, "2026-11-03T12:00:00Z", IMAGE.format(1))], "page-1"),
        page([revision(2, "2026-11-10T20:00:00Z", IMAGE.format(2))]),
    ])
    history = collect_revisions(TARGET, custom=custom)
    assert [(e.time.strftime("%d %H"), e.kind, e.version, e.actor) for e in history.events] == [
        ("03 12", "deployment", "1", CONTROLLER), ("10 20", "deployment", "2", CONTROLLER), ("11 02", "rollback", "1", CONTROLLER)]
    assert len(client.asked) == 2


def test_the_same_image_with_other_settings_is_a_new_deployment_not_a_rollback():
    custom, _ = api([page([revision(1, "2026-11-03T12:00:00Z", IMAGE.format(1)),
                           revision(2, "2026-11-04T12:00:00Z", IMAGE.format(1), env_value="triage-v1b")])])
    assert [e.kind for e in collect_revisions(TARGET, custom=custom).events] == ["deployment", "deployment"]


def test_a_revision_without_its_generation_is_refused():
    broken = revision(1, "2026-11-03T12:00:00Z", IMAGE.format(1))
    del broken["metadata"]["labels"]["serving.knative.dev/configurationGeneration"]
    custom, _ = api([page([broken])])
    with pytest.raises(InputError, match="triage-predictor-00001.*configurationGeneration"):
        collect_revisions(TARGET, custom=custom)


def test_no_revisions_no_events():
    custom, _ = api([page([])])
    assert collect_revisions(TARGET, custom=custom).events == []


def test_metrics_from_the_revision_history():
    custom, _ = api([page([revision(1, "2026-11-03T12:00:00Z", IMAGE.format(1)), revision(2, "2026-11-10T20:00:00Z", IMAGE.format(2)),
                           revision(3, "2026-11-11T02:00:00Z", IMAGE.format(1))])])
    [group] = compute_metrics(collect_revisions(TARGET, custom=custom).events,
                              Window(dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 11, 29, tzinfo=UTC)))
    assert (group["deployments"], group["failedDeployments"], group["sources"]) == (2, 1, {"knative": 3})
