"""DriftTrigger: the platform's drift alert submits the project's pipeline, through Argo Events.

Alertmanager (the platform team's, see docs/onprem.md) posts the `QantaraModelDrift` alert
(components/onprem/monitoring.py) to a webhook EventSource in the platform namespace, with a
bearer token from a Secret. A Sensor keeps firing alerts of this project's model and submits a
Workflow from the project's WorkflowTemplate with `trigger=drift`, at most once an hour. The
Sensor's service account may create Workflows in the namespace and read WorkflowTemplates,
nothing else; the EventSource's mounts no token. The submitted run only registers its model
(PendingManualApproval): nothing deploys on drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from qantara.components.base import QantaraComponent
from qantara.components.onprem import hardening
from qantara.components.onprem.hardening import Size
from qantara.components.onprem.naming import k8s_name, label_value
from qantara.components.onprem.objects import metadata, opaque_secret

TYPE_TOKEN = "qantara:onprem_pipeline_drift:DriftTrigger"
ARGO_API = "argoproj.io/v1alpha1"
DRIFT_ALERT = "QantaraModelDrift"
EVENT_NAME = "alertmanager"
WEBHOOK_PORT = 12000
WEBHOOK_PATH = "/drift"
TOKEN_KEY = "token"
# Argo Events' pods: the sensor runs the argo CLI for each submission; the event source serves HTTP.
EVENTS_POD = Size("50m", "64Mi", "250m", "256Mi")
# What the Sensor's argo CLI needs to submit a Workflow from a template: create the Workflow,
# read the template it refers to (the CLI validates the reference before submitting).
SENSOR_RULES = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create"]},
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "verbs": ["get"]},
]
KUBE_API_PORTS = (443, 6443)
KUBE_API_LABEL = "qantara.dev/kube-api-client"


@dataclass
class DriftTriggerArgs:
    # The `model` label the model server gives this project's model (QANTARA_MODEL: the project's name).
    model: str
    # The bearer token Alertmanager sends (secret config); the EventSource refuses other requests.
    webhook_token: pulumi.Input[str]


def kube_api_egress(logical: str, object_name: str, namespace: pulumi.Input[str], labels: dict[str, str],
                    pod_labels: dict[str, str], cidrs: list[str], parent: pulumi.Resource) -> k8s.networking.v1.NetworkPolicy:
    """Let the pods with `pod_labels` reach the Kubernetes API server at `cidrs`: the platform
    namespace denies every other egress, and Argo's executor and the Sensor talk to the API."""
    return k8s.networking.v1.NetworkPolicy(
        logical,
        metadata=metadata(object_name, namespace, labels),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=pod_labels),
            policy_types=["Egress"],
            egress=[k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                to=[k8s.networking.v1.NetworkPolicyPeerArgs(ip_block=k8s.networking.v1.IPBlockArgs(cidr=cidr))
                    for cidr in sorted(set(cidrs))],
                ports=[k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=port) for port in KUBE_API_PORTS],
            )],
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def events_pod(service_account: str, labels: dict[str, str]) -> dict:
    """An Argo Events pod template under the namespace's restrictions (its image is the
    controller's, which the platform team points at the site registry)."""
    return {
        "serviceAccountName": service_account,
        "metadata": {"labels": labels},
        "securityContext": hardening.pod_security_context(),
        "container": {
            "securityContext": hardening.container_security_context(),
            "resources": EVENTS_POD.resources(),
        },
    }


def alert_filters(model: str) -> dict:
    """Only a firing drift alert of this project's model: Alertmanager groups by alertname and
    model (docs/onprem.md), so both are in the group's common labels."""
    return {"data": [
        {"path": "body.status", "type": "string", "value": ["firing"]},
        {"path": "body.commonLabels.alertname", "type": "string", "value": [DRIFT_ALERT]},
        {"path": "body.commonLabels.model", "type": "string", "value": [model]},
    ]}


def drift_workflow(template_name: str, labels: dict[str, str]) -> dict:
    """The Workflow the Sensor submits: the project's template, started by drift."""
    return {
        "apiVersion": ARGO_API,
        "kind": "Workflow",
        "metadata": {"generateName": f"{template_name}-drift-", "labels": labels},
        "spec": {
            "workflowTemplateRef": {"name": template_name},
            "arguments": {"parameters": [{"name": "trigger", "value": "drift"},
                                         {"name": "why", "value": "drift alert"}]},
        },
    }


class DriftTrigger(QantaraComponent):
    """A webhook EventSource, a Sensor submitting the pipeline on drift, their accounts and Role."""

    def __init__(self, name: str, args: DriftTriggerArgs, *, project: str, namespace: pulumi.Input[str],
                 template_name: str, labels: dict[str, str], opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": labels.get("qantara.dev/data-classification")}, opts)
        self._name, self._namespace, self._labels = name, namespace, labels
        base = project
        self.event_source_name = k8s_name(base, "drift")
        self.sensor_name = k8s_name(base, "drift")
        self.token_secret_name = k8s_name(base, "drift-webhook")
        child = pulumi.ResourceOptions(parent=self)
        self.token_secret = opaque_secret(f"{name}-webhook-token", self._meta(self.token_secret_name),
                                          {TOKEN_KEY: args.webhook_token}, child)
        self.event_source = self._event_source(base, child)
        self.sensor = self._sensor(base, args.model, template_name)
        self.register_outputs({"eventSource": self.event_source_name, "sensor": self.sensor_name,
                               "webhookUrl": self.webhook_url})

    def _meta(self, object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
        return metadata(object_name, self._namespace, self._labels)

    def _custom(self, logical: str, kind: str, object_name: str, spec, depends_on) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(logical, api_version=ARGO_API, kind=kind, metadata=self._meta(object_name),
                                                spec=spec, opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on))

    def _account(self, suffix: str, object_name: str, automount: bool) -> k8s.core.v1.ServiceAccount:
        return k8s.core.v1.ServiceAccount(f"{self._name}-{suffix}", metadata=self._meta(object_name),
                                          automount_service_account_token=automount,
                                          opts=pulumi.ResourceOptions(parent=self))

    def _event_source(self, base: str, child: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
        # The event source needs no Kubernetes API: its account mounts no token.
        account = self._account("event-source-account", k8s_name(base, "drift-events"), automount=False)
        # Argo Events names the event source's Service `<name>-eventsource-svc`.
        self.webhook_url = pulumi.Output.concat("http://", self.event_source_name, "-eventsource-svc.", self._namespace,
                                                f".svc:{WEBHOOK_PORT}{WEBHOOK_PATH}")
        spec = {
            "template": events_pod(k8s_name(base, "drift-events"), self._labels),
            "service": {"ports": [{"port": WEBHOOK_PORT, "targetPort": WEBHOOK_PORT}]},
            "webhook": {EVENT_NAME: {
                "port": str(WEBHOOK_PORT),
                "endpoint": WEBHOOK_PATH,
                "method": "POST",
                "url": self.webhook_url,
                "authSecret": {"name": self.token_secret_name, "key": TOKEN_KEY},
            }},
        }
        return self._custom(f"{self._name}-event-source", "EventSource", self.event_source_name, spec,
                            [account, self.token_secret])

    def _sensor_rbac(self, account_name: str) -> list[pulumi.Resource]:
        account = self._account("sensor-account", account_name, automount=True)
        role = k8s.rbac.v1.Role(f"{self._name}-sensor-role", metadata=self._meta(f"{account_name}-submit"),
                                rules=SENSOR_RULES, opts=pulumi.ResourceOptions(parent=self))
        binding = k8s.rbac.v1.RoleBinding(
            f"{self._name}-sensor-binding", metadata=self._meta(f"{account_name}-submit"),
            role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role",
                                             name=f"{account_name}-submit"),
            subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=account_name, namespace=self._namespace)],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account, role]))
        return [account, role, binding]

    def _sensor(self, base: str, model: str, template_name: str) -> k8s.apiextensions.CustomResource:
        account_name = k8s_name(base, "drift-sensor")
        rbac = self._sensor_rbac(account_name)
        dependency = "drift-alert"
        spec = {
            "template": events_pod(account_name, {**self._labels, KUBE_API_LABEL: label_value(base)}),
            "dependencies": [{"name": dependency, "eventSourceName": self.event_source_name, "eventName": EVENT_NAME,
                              "filters": alert_filters(model)}],
            "triggers": [{
                "template": {"name": "retrain-on-drift", "argoWorkflow": {
                    "operation": "submit",
                    "source": {"resource": drift_workflow(template_name, self._labels)},
                    "parameters": [{
                        "src": {"dependencyName": dependency, "value": "drift alert",
                                "dataTemplate": "drift alert on model {{ .Input.body.commonLabels.model }}"},
                        "dest": "spec.arguments.parameters.1.value",
                    }],
                }},
                # A drift alert repeats while it fires: one retraining an hour at most.
                "rateLimit": {"unit": "Hour", "requestsPerUnit": 1},
            }],
        }
        return self._custom(f"{self._name}-sensor", "Sensor", self.sensor_name, spec, [*rbac, self.event_source])
