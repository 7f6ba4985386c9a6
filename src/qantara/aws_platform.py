"""The cloud side of a platform: every component placement put in an AWS region.

`stacks/platform` calls `provision_aws` once per stack with the resolved platform
(`qantara.resolution`). It is a loop over `AWS_BUILDERS`, the target's table of builders,
each in its component's module: a component is built when it is placed in the cloud, a
platform part (key, network, site link, deploy access, DR) when its row in `AWS_PARTS` says
so. Everything goes through an explicit provider in the placed region, so a missing or wrong
`aws:region` in the stack config can never move data. Sizes, retention and protection come
from the environment's profile, through the resolved platform.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_aws as aws

from qantara.components.audit_trail import build_audit_trail, build_replica_audit_trail
from qantara.components.data_lake import build_data_lake
from qantara.components.deploy_access import build_deploy_access
from qantara.components.disaster_recovery import build_disaster_recovery
from qantara.components.drift_monitoring import build_drift_monitoring
from qantara.components.experiment_tracking import build_experiment_tracking
from qantara.components.feature_store import build_feature_store
from qantara.components.model_registry import build_model_registry
from qantara.components.model_serving import build_serving
from qantara.components.private_network import build_network
from qantara.components.scope import Builder, Outputs, PlatformScope, base_tags, platform_identity
from qantara.components.site_link import build_site_link
from qantara.components.sovereign_keys import build_platform_key
from qantara.resolution import ResolvedPlatform

# Components whose workloads run in the platform's private subnets.
NETWORKED_COMPONENTS = {"serving", "monitoring"}


def site_link_wanted(platform: ResolvedPlatform) -> bool:
    """A link to the site when something is on it and the blueprint describes the link."""
    site = platform.blueprint.spec.on_prem
    return bool(platform.on_site()) and site is not None and site.connectivity is not None


def network_wanted(platform: ResolvedPlatform) -> bool:
    return bool(platform.cloud().keys() & NETWORKED_COMPONENTS) or site_link_wanted(platform)


# Kind -> builder, in dependency order: a builder reads only what the rows above it built
# (scope.built). A kind that is a blueprint component is built when placed in the cloud.
AWS_BUILDERS: dict[str, Builder] = {
    "platformKey": build_platform_key,
    "network": build_network,
    "siteLink": build_site_link,
    "dataLake": build_data_lake,
    "audit": build_audit_trail,
    "featureStore": build_feature_store,
    "experimentTracking": build_experiment_tracking,
    "modelRegistry": build_model_registry,
    "serving": build_serving,
    "monitoring": build_drift_monitoring,
    "deployAccess": build_deploy_access,
    "disasterRecovery": build_disaster_recovery,
    "auditReplica": build_replica_audit_trail,
}

# The platform's own parts, not blueprint components: when each is built.
AWS_PARTS: dict[str, Callable[[ResolvedPlatform], bool]] = {
    "platformKey": lambda platform: True,
    "network": network_wanted,
    "siteLink": lambda platform: network_wanted(platform) and site_link_wanted(platform),
    "deployAccess": lambda platform: platform.blueprint.spec.deploy_access is not None,
    "disasterRecovery": lambda platform: platform.dr_region is not None and "dataLake" in platform.cloud(),
    "auditReplica": lambda platform: (platform.dr_region is not None
                                      and {"dataLake", "audit"} <= platform.cloud().keys()),
}
# The blueprint component a part's resources belong to (its class and tags), when it has one.
PART_COMPONENTS = {"auditReplica": "audit"}


def aws_scope(platform: ResolvedPlatform, tags: dict[str, str] | None = None) -> PlatformScope:
    """The scope of the cloud side: an explicit provider in the placed region, and its account."""
    tags = tags if tags is not None else base_tags(platform)
    region = platform.primary_region
    provider = aws.Provider(f"aws-{region}", region=region, default_tags={"tags": tags})
    # A plain account id: ARNs in policies and names are built before anything exists.
    account_id = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=provider)).account_id
    return PlatformScope(platform=platform, identity=platform_identity(platform, region, account_id),
                         provider=provider, opts=pulumi.ResourceOptions(provider=provider), base_tags=tags)


def _wanted(platform: ResolvedPlatform, kind: str) -> bool:
    return AWS_PARTS[kind](platform) if kind in AWS_PARTS else kind in platform.cloud()


def provision_aws(platform: ResolvedPlatform, tags: dict[str, str] | None = None) -> Outputs:
    """Create the cloud components placement chose; returns the stack outputs."""
    scope = aws_scope(platform, tags)
    outputs: Outputs = {"region": scope.identity.region}
    for kind, build in AWS_BUILDERS.items():
        if _wanted(platform, kind):
            outputs.update(build(scope, platform.components.get(PART_COMPONENTS.get(kind, kind))))
    return outputs
