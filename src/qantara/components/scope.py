"""What every builder of one stack shares: the `PlatformScope`, and the builder's shape.

A builder (`build_<component>` in its component's module) takes the scope and its resolved
component (None for the platform's own parts: key, network, site link, deploy access, DR),
creates its ComponentResource and returns its stack outputs. It leaves what a later builder
reads (the key, the lake's buckets, the network...) in `scope.built`, under its kind: the
target tables (`qantara.aws_platform`, `qantara.onprem_platform`) list builders in
dependency order, so a builder only reads kinds listed above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi

from qantara.blueprint.platform_rules import colocation_message
from qantara.components.identity import StackIdentity
from qantara.errors import QantaraError
from qantara.resolution import ResolvedComponent, ResolvedPlatform
from qantara.tagging import component_tags, platform_tags

Outputs = dict[str, pulumi.Input]


@dataclass
class PlatformScope:
    """One stack's identity (blueprint, environment, region, account, partition), its provider
    and options, the platform's tags, and what the builders before have built."""

    platform: ResolvedPlatform
    identity: StackIdentity
    provider: pulumi.ProviderResource | None
    opts: pulumi.ResourceOptions
    base_tags: dict[str, str]
    # On a site: the labels every Kubernetes object carries, and the stack's `qantara:` config.
    labels: dict[str, str] = field(default_factory=dict)
    config: pulumi.Config | None = None
    built: dict[str, Any] = field(default_factory=dict)

    @property
    def profile(self):
        return self.platform.environment.profile

    @property
    def key_arn(self) -> pulumi.Input[str]:
        """The platform key's ARN (the `platformKey` builder runs first)."""
        return self.built["platformKey"].key_arn

    def platform_class(self) -> str:
        """The class of the strictest component in the cloud: what the platform's shared parts
        (key, network, deploy access) hold."""
        return self.platform.strictest_class(self.platform.cloud())

    def tags(self, component: str, data_class: str) -> dict[str, str]:
        return component_tags(self.base_tags, component=component, data_classification=data_class)


def platform_identity(platform: ResolvedPlatform, region: str | None = None,
                      account_id: str | None = None) -> StackIdentity:
    """The identity of one of the platform's stacks: in `region` and `account_id` on the cloud
    side, neither on a site's cluster."""
    return StackIdentity(blueprint=platform.name, environment=platform.environment.name, region=region,
                         account_id=account_id, partition=platform.partition)


def base_tags(platform: ResolvedPlatform) -> dict[str, str]:
    """The tags every AWS resource of the platform carries (the providers' default tags)."""
    blueprint = platform.blueprint
    return platform_tags(blueprint.spec.tags, blueprint=platform.name, environment=platform.environment.name,
                         owner=blueprint.metadata.owner)


def require_colocated(platform: ResolvedPlatform, component: str) -> None:
    """The co-location rule placement already checked, read from the resolved dependencies:
    kept as a guard for callers that build a platform without placing the blueprint."""
    cloud = platform.cloud()
    for needed, why in platform.components[component].dependencies:
        if needed not in cloud:
            where = platform.components[needed].location.where if needed in platform.components else "disabled"
            raise QantaraError(colocation_message(component, needed, why, platform.primary_region, where))


Builder = Callable[[PlatformScope, ResolvedComponent | None], Outputs]
