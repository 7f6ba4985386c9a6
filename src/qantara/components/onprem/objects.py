"""Small builders of Kubernetes objects the on-prem components share."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s


def metadata(name: str, namespace: str, labels: Mapping[str, str],
             annotations: Mapping[str, str] | None = None) -> k8s.meta.v1.ObjectMetaArgs:
    return k8s.meta.v1.ObjectMetaArgs(name=name, namespace=namespace, labels=dict(labels),
                                      annotations=dict(annotations) if annotations else None)


def secret_env(variable: str, secret: str, key: str) -> k8s.core.v1.EnvVarArgs:
    """An environment variable read from a Secret: its value never enters the pod spec."""
    return k8s.core.v1.EnvVarArgs(name=variable, value_from=k8s.core.v1.EnvVarSourceArgs(
        secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(name=secret, key=key)))


def env(variables: Mapping[str, str]) -> list[k8s.core.v1.EnvVarArgs]:
    return [k8s.core.v1.EnvVarArgs(name=name, value=value) for name, value in variables.items()]


def opaque_secret(logical: str, meta: k8s.meta.v1.ObjectMetaArgs, values: Mapping[str, pulumi.Input[str]],
                  opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
    """A Secret whose values are Pulumi secrets: the plan and the state show `[secret]`."""
    return k8s.core.v1.Secret(
        logical,
        metadata=meta,
        type="Opaque",
        string_data={key: pulumi.Output.secret(value) for key, value in values.items()},
        opts=opts,
    )


def cluster_service(logical: str, meta: k8s.meta.v1.ObjectMetaArgs, selector: Mapping[str, str], port_name: str,
                    port: int, target_port: int | str, opts: pulumi.ResourceOptions) -> k8s.core.v1.Service:
    """A ClusterIP Service with one port: reachable inside the cluster only."""
    return k8s.core.v1.Service(
        logical,
        metadata=meta,
        spec=k8s.core.v1.ServiceSpecArgs(
            type="ClusterIP",
            selector=dict(selector),
            ports=[k8s.core.v1.ServicePortArgs(name=port_name, port=port, target_port=target_port)],
        ),
        opts=opts,
    )


def http_probe(path: str, port: int | str) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port=port), period_seconds=10)
