"""OnPremServing: the blueprint's served models on the platform's own cluster.

How a model's variant weights become traffic, per engine:

KServe (`onPrem.serving: kserve`, one or two variants). An InferenceService describes one
predictor, its latest revision; `canaryTrafficPercent` sends that share of the traffic to
the latest ready revision and the rest to the revision KServe last rolled out at 100%.
So with two variants (champion and challenger) the predictor is the variant with the
smaller weight (on a tie, the one listed second) and `canaryTrafficPercent` is its
weight: the other variant must be the previously rolled-out revision, i.e. have been
deployed alone before. On a new InferenceService there is no previous revision and the
one revision gets all the traffic. Canary rollout needs KServe's Serverless mode.

Plain Deployments (`onPrem.serving: deployment`, or KServe with more than two variants).
Each variant is a Deployment with a Service of its own; the model's Service selects the
pods of every variant with a weight above 0, and kube-proxy spreads connections evenly
over ready pods, so traffic follows the replica ratio. Replicas are chosen to approach
the weights within twice the profile's instance count; the split actually obtained is
written on the model's Service and reported when it differs. The ratio holds per
connection, not per request, and only while every pod is ready; there is no autoscaling,
which would change it. A variant of weight 0 runs one replica outside the rotation,
reachable through its own Service only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from qantara.blueprint.models import ServedModel, Variant
from qantara.components.base import QantaraComponent
from qantara.components.model_registry import image_repository_name
from qantara.components.onprem import hardening, sizing
from qantara.components.onprem.naming import LABEL_PREFIX, component_labels, k8s_name, label_value, selector_labels
from qantara.components.onprem.objects import cluster_service, env, http_probe, metadata

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:onprem_model_serving:OnPremServing"
PORT = 8080
# Open Inference Protocol readiness, which KServe's runtimes serve too.
READY_PATH = "/v2/health/ready"
KSERVE_API = "serving.kserve.io/v1beta1"
KSERVE_MODEL_LABEL = "serving.kserve.io/inferenceservice"
IN_ROTATION = f"{LABEL_PREFIX}in-rotation"


@dataclass(frozen=True)
class MetricsTarget:
    """A Service whose pods serve Prometheus metrics on `port`, for ServingMonitoring."""

    model: str
    service: str
    match_labels: dict[str, str]
    port: str = "http"


@dataclass
class OnPremServingArgs:
    namespace: str
    registry: str
    # Model images are `<registry>/<image_repository>:<variant image tag>`.
    image_repository: str
    models: list[ServedModel]
    engine: str = "kserve"
    instance_count: int = 1
    max_instance_count: int = 2
    production: bool = False
    data_classification: str = "restricted"
    labels: dict[str, str] = field(default_factory=dict)
    # More environment for the model server (e.g. a project's drift labels); QANTARA_MODEL and
    # QANTARA_VARIANT are always the served model's and variant's.
    environment: dict[str, str] = field(default_factory=dict)


def champion_and_challenger(model: ServedModel) -> tuple[Variant, Variant]:
    """The variant with the larger weight (the first on a tie), then the other one."""
    first, second = model.variants
    return (second, first) if second.weight > first.weight else (first, second)


def replica_split(weights: dict[str, int], per_variant: int) -> dict[str, int]:
    """Replicas per variant whose ratio best approaches the weights, using between
    `per_variant` and twice that per weighted variant (fewest pods on a tie)."""
    weighted = {name: w for name, w in weights.items() if w > 0}
    base = per_variant * len(weighted)
    best, best_error = None, None
    for total in range(base, 2 * base + 1):
        replicas = {name: max(1, round(total * w / 100)) for name, w in weighted.items()}
        if sum(replicas.values()) > 2 * base:
            continue  # rounding small weights up to one replica overshot the bound
        error = max(abs(share - weighted[n]) for n, share in traffic_shares(replicas).items())
        if best_error is None or error < best_error - 1e-9:
            best, best_error = replicas, error
    return {name: best.get(name, 1) for name in weights}


def traffic_shares(replicas: dict[str, int]) -> dict[str, float]:
    total = sum(replicas.values())
    return {name: 100 * count / total for name, count in replicas.items()}


class OnPremServing(QantaraComponent):
    """Every served model of the blueprint, as a KServe InferenceService or as Deployments
    and Services (see the module docstring for how weights become traffic)."""

    metrics_targets: list[MetricsTarget]

    def __init__(self, name: str, args: OnPremServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name, self._args = name, args
        self.metrics_targets = []
        self.inference_services: dict[str, k8s.apiextensions.CustomResource] = {}
        self.deployments: dict[tuple[str, str], k8s.apps.v1.Deployment] = {}
        for model in args.models:
            for variant in model.variants:
                if variant.model_data:
                    pulumi.log.warn(f"model {model.name} variant {variant.name}: modelData is not fetched on-prem; "
                                    "the image must hold the model", resource=self)
            if args.engine == "kserve" and len(model.variants) <= 2:
                self._inference_service(model)
            else:
                if args.engine == "kserve":
                    pulumi.log.warn(f"model {model.name} has {len(model.variants)} variants: KServe splits traffic "
                                    "between two revisions only, so it is served by Deployments", resource=self)
                self._deployments(model)
        self.register_outputs({"metricsServices": [t.service for t in self.metrics_targets]})

    def _labels(self, model: str, instance: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        labels = component_labels(self._args.labels, name=model, instance=instance, component="serving",
                                  data_classification=self._args.data_classification)
        return {**labels, f"{LABEL_PREFIX}model": label_value(model), **(extra or {})}

    def _container(self, container_name: str, model: ServedModel, variant: Variant, **fields) -> k8s.core.v1.ContainerArgs:
        args = self._args
        return hardening.container(
            container_name,
            hardening.image(args.registry, args.image_repository, variant.image),
            sizing.MODEL_SERVER[args.production],
            env=env({**args.environment, "QANTARA_MODEL": model.name, "QANTARA_VARIANT": variant.name, "HOME": "/tmp"}),
            **fields,
        )

    def _service(self, logical: str, service: str, labels: dict[str, str], selector: dict[str, str],
                 annotations: dict[str, str] | None = None, depends_on=None) -> k8s.core.v1.Service:
        return cluster_service(logical, metadata(service, self._args.namespace, labels, annotations), selector,
                               "http", PORT, PORT, pulumi.ResourceOptions(parent=self, depends_on=depends_on or []))

    def _inference_service(self, model: ServedModel) -> None:
        args = self._args
        labels = self._labels(model.name, model.name)
        predictor: dict = {
            "minReplicas": args.instance_count,
            "maxReplicas": args.max_instance_count,
            "automountServiceAccountToken": False,
            "securityContext": hardening.pod_security_context(),
            "volumes": [hardening.tmp_volume()],
        }
        annotations = {}
        if len(model.variants) == 1:
            latest = model.variants[0]
        else:
            champion, latest = champion_and_challenger(model)
            predictor["canaryTrafficPercent"] = latest.weight
            annotations = {
                # Canary rollout exists only in Serverless mode.
                "serving.kserve.io/deploymentMode": "Serverless",
                f"{LABEL_PREFIX}champion": f"{champion.name} ({champion.image}, {champion.weight}%)",
                f"{LABEL_PREFIX}challenger": f"{latest.name} ({latest.image}, {latest.weight}%)",
            }
            pulumi.log.warn(
                f"model {model.name}: KServe sends {latest.weight}% to {latest.name} (the latest revision) and the "
                f"rest to the revision rolled out before it, which must be {champion.name} ({champion.image}): "
                f"deploy {champion.name} alone first, or a new InferenceService sends {latest.name} all traffic",
                resource=self)
        # A custom predictor: the model server image is the variant's own, from the registry.
        predictor["containers"] = [self._container(
            "kserve-container", model, latest,
            ports=[k8s.core.v1.ContainerPortArgs(container_port=PORT, protocol="TCP")])]
        service = k8s_name(model.name)
        self.inference_services[model.name] = k8s.apiextensions.CustomResource(
            f"{self._name}-{model.name}",
            api_version=KSERVE_API,
            kind="InferenceService",
            metadata=metadata(service, args.namespace, labels, annotations or None),
            spec={"predictor": predictor},
            opts=pulumi.ResourceOptions(parent=self),
        )
        # KServe's own Services change with its mode; this one reaches every predictor pod's metrics.
        metrics = k8s_name(model.name, "metrics")
        self._service(f"{self._name}-{model.name}-metrics", metrics, self._labels(model.name, metrics),
                      {KSERVE_MODEL_LABEL: service}, depends_on=[self.inference_services[model.name]])
        self.metrics_targets.append(MetricsTarget(model.name, metrics, selector_labels(self._labels(model.name, metrics))))

    def _deployments(self, model: ServedModel) -> None:
        args = self._args
        weights = {v.name: v.weight for v in model.variants}
        replicas = replica_split(weights, args.instance_count)
        rotation = {n: r for n, r in replicas.items() if weights[n] > 0}
        shares = traffic_shares(rotation)
        split = ", ".join(f"{n}={round(shares[n])}%" for n in rotation)
        if any(abs(shares[n] - weights[n]) >= 0.5 for n in rotation):
            declared = ", ".join(f"{n}={w}%" for n, w in weights.items() if w > 0)
            pulumi.log.warn(f"model {model.name}: replicas {rotation} give about {split} of connections "
                            f"(declared {declared})", resource=self)
        deployments = []
        for variant in model.variants:
            instance = k8s_name(model.name, variant.name)
            in_rotation = "true" if weights[variant.name] > 0 else "false"
            labels = self._labels(model.name, instance, {f"{LABEL_PREFIX}variant": label_value(variant.name),
                                                         IN_ROTATION: in_rotation})
            probe = http_probe(READY_PATH, "http")
            deployment = k8s.apps.v1.Deployment(
                f"{self._name}-{model.name}-{variant.name}",
                metadata=metadata(instance, args.namespace, labels),
                spec=k8s.apps.v1.DeploymentSpecArgs(
                    replicas=replicas[variant.name],
                    selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector_labels(labels)),
                    template=k8s.core.v1.PodTemplateSpecArgs(
                        metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                        spec=hardening.pod_spec([self._container(
                            "model-server", model, variant,
                            ports=[k8s.core.v1.ContainerPortArgs(name="http", container_port=PORT)],
                            readiness_probe=probe)]),
                    ),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.deployments[(model.name, variant.name)] = deployment
            deployments.append(deployment)
            self._service(f"{self._name}-{model.name}-{variant.name}-service", instance, labels,
                          selector_labels(labels), depends_on=[deployment])
            self.metrics_targets.append(MetricsTarget(model.name, instance, selector_labels(labels)))
        service = k8s_name(model.name)
        self._service(
            f"{self._name}-{model.name}-service", service, self._labels(model.name, service),
            {"app.kubernetes.io/name": label_value(model.name), f"{LABEL_PREFIX}model": label_value(model.name),
             IN_ROTATION: "true"},
            annotations={f"{LABEL_PREFIX}traffic-split": f"{split} of connections, by replica ratio"},
            depends_on=deployments,
        )


def build_onprem_serving(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    """The served models on the site's cluster, images from its in-jurisdiction registry."""
    site = scope.platform.blueprint.spec.on_prem
    served = OnPremServing("serving", OnPremServingArgs(
        namespace=scope.built["namespace"].name,
        registry=site.registry,
        image_repository=image_repository_name(scope.identity),
        models=component.settings.models,
        engine=site.serving,
        instance_count=component.size["instanceCount"],
        max_instance_count=component.size["maxInstanceCount"],
        production=scope.profile.production,
        data_classification=component.data_class,
        labels=scope.labels,
    ), opts=scope.built["afterNamespace"])
    scope.built["metricsTargets"] = served.metrics_targets
    return {}
