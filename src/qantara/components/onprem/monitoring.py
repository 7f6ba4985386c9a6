"""ServingMonitoring: Prometheus Operator scraping and alerting for on-prem model serving.

The metrics are a contract Qantara assumes, not something it can check:
- every model server serves Prometheus metrics at `/metrics` on its serving port, with a
  histogram `qantara_model_request_duration_seconds` and a counter
  `qantara_model_requests_total` carrying the HTTP status in `code`, both labelled `model`;
- the model server exports, at the same `/metrics`, the gauge `qantara_model_drift_score`:
  the population stability index of each feature of its recent requests against the training
  data, labelled `blueprint`, `environment`, `model` and `feature`. The drift rule selects on
  `blueprint` and `environment` (this stack's identity) and groups by `model` and `feature`;
  none of them is a label the ServiceMonitor's scrape sets (`namespace`, `service`, `pod`, ...),
  so the server's own labels say whose it is. A generated project's model server
  (templates/ml-project, `serve.py` and `drift.py`) measures it in process, labelled from
  QANTARA_BLUEPRINT, QANTARA_ENVIRONMENT and QANTARA_MODEL, which its `infra/onprem_serving.py`
  sets; a model the blueprint serves itself needs an image that does the same. No traffic, no
  score: the staleness rule then fires;
- the model server may export, beside it, the gauge `qantara_model_drift_threshold` labelled
  `blueprint`, `environment` and `model`: the PSI above which its project wants the drift alert
  (qantara.yaml's spec.monitoring.drift.threshold, which the generated `infra/onprem_serving.py`
  passes as QANTARA_DRIFT_THRESHOLD). The drift rule compares each model's scores with its own
  threshold, counted at most the catalog's `maxProjectThreshold` (policies/data/drift.yaml), and
  with the catalog's `platformThreshold` where a model exports none, or none above 0: a model's
  threshold can make its alert more sensitive, never silence it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from qantara.catalog import load_catalog
from qantara.components.base import QantaraComponent
from qantara.components.identity import StackIdentity
from qantara.components.onprem.model_serving import MetricsTarget
from qantara.components.onprem.naming import component_labels, label_value
from qantara.components.onprem.objects import metadata
from qantara.errors import CatalogError

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:onprem_monitoring:ServingMonitoring"
MONITORING_API = "monitoring.coreos.com/v1"
LATENCY_METRIC = "qantara_model_request_duration_seconds"
REQUESTS_METRIC = "qantara_model_requests_total"
DRIFT_METRIC = "qantara_model_drift_score"
DRIFT_THRESHOLD_METRIC = "qantara_model_drift_threshold"
DRIFT_CATALOG = "drift"
# A drift measurement older than two schedules means the job is not running.
STALE_AFTER = {"hourly": "2h", "daily": "2d"}


@dataclass
class ServingMonitoringArgs:
    namespace: str
    identity: StackIdentity
    targets: list[MetricsTarget]
    latency_threshold_ms: int = 1000
    error_threshold: int = 10
    schedule: str = "daily"
    # Labels the cluster's Prometheus selects ServiceMonitors and rules by (e.g. release: kube-prometheus).
    prometheus_labels: dict[str, str] = field(default_factory=dict)
    data_classification: str = "restricted"
    labels: dict[str, str] = field(default_factory=dict)
    # False for a project's own endpoint: the platform's rule already alerts on every model of
    # the namespace, so the project adds the ServiceMonitors of its Services only.
    alert_rules: bool = True


@dataclass(frozen=True)
class DriftThresholds:
    """The catalog's drift thresholds (policies/data/drift.yaml), population stability indexes."""
    platform: float  # where a model that exports no threshold alerts
    ceiling: float  # the most a model's own threshold counts for


def drift_thresholds(catalog: dict | None = None) -> DriftThresholds:
    """The thresholds of the catalog's `drift` table; a missing or non-positive one is refused,
    since the drift alert cannot be written without them."""
    table = (catalog if catalog is not None else load_catalog()).get(DRIFT_CATALOG)
    values = {}
    for key in ("platformThreshold", "maxProjectThreshold"):
        value = table.get(key) if isinstance(table, dict) else None
        # bool is an int to Python, and a threshold is never one; NaN fails `> 0`, inf `< inf`.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
            raise CatalogError(f"policies/data/{DRIFT_CATALOG}.yaml: {key} is {value!r} (allowed: a positive finite "
                               f"population stability index)")
        values[key] = float(value)
    if values["platformThreshold"] > values["maxProjectThreshold"]:
        raise CatalogError(f"policies/data/{DRIFT_CATALOG}.yaml: platformThreshold is above maxProjectThreshold: a "
                           f"project's threshold would then count for less than the platform's default")
    return DriftThresholds(platform=values["platformThreshold"], ceiling=values["maxProjectThreshold"])


def drift_expression(selector: str, thresholds: DriftThresholds) -> str:
    """The drift alert's PromQL: each feature's largest score over the model's pods, above the
    model's own threshold (the smallest its pods export, above 0, at most `ceiling`), or above
    the platform's where the model exports none.

    Prometheus's operator semantics (prometheus/prometheus docs/querying/operators.md, commit
    02e0328, read 2026-12-06): a comparison between two vectors filters the left side and keeps
    its labels; `on (model) group_left` matches many features to their model's one threshold;
    `unless on (model)` drops the scores of models that have a threshold; `>` binds tighter than
    `unless`, which binds tighter than `or`, and the parentheses say so anyway.
    `clamp_max(v, max)` caps every sample at `max` (docs/querying/functions.md, commit 0043f1e,
    read 2026-12-06). `> 0` drops a threshold that is not a positive number, NaN included (NaN
    compares false), so such a model falls back to the platform's threshold."""
    score = f"max by (model, feature) ({DRIFT_METRIC}{{{selector}}})"
    own = f"clamp_max(min by (model) ({DRIFT_THRESHOLD_METRIC}{{{selector}}} > 0), {thresholds.ceiling:g})"
    return (f"({score} > on (model) group_left {own}) "
            f"or ({score} > {thresholds.platform:g} unless on (model) {own})")


def alert_rules(args: ServingMonitoringArgs) -> list[dict]:
    """Latency, error and drift alerts for every model of the namespace."""
    serving = f'namespace="{args.namespace}"'
    drift = f'blueprint="{args.identity.blueprint}", environment="{args.identity.environment}"'
    thresholds = drift_thresholds()
    seconds = args.latency_threshold_ms / 1000
    return [
        {
            "alert": "QantaraModelLatencyHigh",
            "expr": f"histogram_quantile(0.99, sum by (model, le) (rate({LATENCY_METRIC}_bucket{{{serving}}}[5m]))) > {seconds:g}",
            "for": "5m",
            "labels": {"severity": "warning"},
            "annotations": {"summary": f"Model {{{{ $labels.model }}}} p99 latency over 5 minutes is above {args.latency_threshold_ms} ms"},
        },
        {
            "alert": "QantaraModelErrorsHigh",
            "expr": f'sum by (model) (increase({REQUESTS_METRIC}{{{serving}, code=~"5.."}}[5m])) > {args.error_threshold}',
            "labels": {"severity": "critical"},
            "annotations": {"summary": f"Model {{{{ $labels.model }}}} returned more than {args.error_threshold} "
                                       "server errors in 5 minutes"},
        },
        {
            "alert": "QantaraModelDrift",
            "expr": drift_expression(drift, thresholds),
            "labels": {"severity": "warning"},
            "annotations": {"summary": f"Feature {{{{ $labels.feature }}}} of model {{{{ $labels.model }}}} drifted: "
                                       f"PSI {{{{ $value }}}}, above the model's threshold (its "
                                       f"qantara_model_drift_threshold, at most {thresholds.ceiling:g}; "
                                       f"{thresholds.platform:g} where it exports none)"},
        },
        {
            "alert": "QantaraDriftJobSilent",
            "expr": f"absent_over_time({DRIFT_METRIC}{{{drift}}}[{STALE_AFTER[args.schedule]}])",
            "labels": {"severity": "warning"},
            "annotations": {"summary": f"No drift measurement for {args.identity.blueprint} ({args.identity.environment}) in "
                                       f"{STALE_AFTER[args.schedule]}: drift is not being watched"},
        },
    ]


class ServingMonitoring(QantaraComponent):
    """A ServiceMonitor per serving Service and one PrometheusRule with the platform's alerts
    (metric names: see the module docstring). Needs the Prometheus Operator's CRDs."""

    def __init__(self, name: str, args: ServingMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        labels = {**component_labels(args.labels, name="qantara-monitoring", instance=name, component="monitoring",
                                     data_classification=args.data_classification), **args.prometheus_labels}
        self.service_monitors = [
            k8s.apiextensions.CustomResource(
                f"{name}-{target.service}",
                api_version=MONITORING_API,
                kind="ServiceMonitor",
                metadata=metadata(target.service, args.namespace, {**labels, "qantara.dev/model": label_value(target.model)}),
                spec={
                    "selector": {"matchLabels": target.match_labels},
                    "namespaceSelector": {"matchNames": [args.namespace]},
                    "endpoints": [{"port": target.port, "path": "/metrics", "interval": "30s"}],
                },
                opts=pulumi.ResourceOptions(parent=self),
            )
            for target in args.targets
        ]
        self.rule = k8s.apiextensions.CustomResource(
            f"{name}-alerts",
            api_version=MONITORING_API,
            kind="PrometheusRule",
            metadata=metadata(f"{name}-alerts", args.namespace, labels),
            spec={"groups": [{"name": f"qantara-{args.identity.blueprint}-{args.identity.environment}-serving",
                              "rules": alert_rules(args)}]},
            opts=pulumi.ResourceOptions(parent=self),
        ) if args.alert_rules else None
        self.register_outputs({"serviceMonitors": [t.service for t in args.targets]})


def build_serving_monitoring(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    """Prometheus rules and ServiceMonitors for the site's served models."""
    spec = component.settings
    ServingMonitoring("monitoring", ServingMonitoringArgs(
        namespace=scope.built["namespace"].name,
        identity=scope.identity,
        targets=scope.built.get("metricsTargets", []),
        latency_threshold_ms=spec.latency_threshold_ms,
        error_threshold=spec.error_threshold,
        schedule=spec.schedule,
        prometheus_labels=scope.config.get_object("prometheusLabels") or {},
        data_classification=component.data_class,
        labels=scope.labels,
    ), opts=scope.built["afterNamespace"])
    return {}
