"""What the on-prem builders share: the stack's secret config and what the site stores.

The builders (`build_*` in this package's modules and `outposts_data_lake`) read the stack's
`qantara:` config through `secret_config`, and the resolved platform through the helpers
here, so `qantara.onprem_platform` stays a loop over its target tables.
"""

from __future__ import annotations

import pulumi

from qantara.resolution import ResolvedPlatform
from qantara.sovereignty.onprem_coverage import STORED_COMPONENTS

CONFIG_NAMESPACE = "qantara"
# What a preview stands in for an unset secret: never deployed, since `pulumi up` refuses.
PREVIEW_PLACEHOLDER = "unset-in-preview"
# The object store's buckets: the data lake's zones, and the feature store's.
DATA_BUCKETS = ("raw", "curated", "artifacts")
FEATURES_BUCKET = "features"
# The service user the tracking server reaches the artifacts bucket as.
TRACKING_USER = "mlflow"
# The MinIO user projects' pipelines (Argo artifacts, training data) reach the buckets with.
PIPELINE_USER = "pipeline"
# Components the tracking server on the site serves.
TRACKED_COMPONENTS = ("experimentTracking", "modelRegistry")


def secret_config(config: pulumi.Config, key: str, purpose: str) -> pulumi.Output[str]:
    """A secret config value; a placeholder (and a warning) in a preview, a refusal at `pulumi up`."""
    value = config.get_secret(key)
    if value is not None:
        return value
    command = f"pulumi config set --secret {CONFIG_NAMESPACE}:{key} <value>"
    if not pulumi.runtime.is_dry_run():
        raise pulumi.RunError(f"{CONFIG_NAMESPACE}:{key} ({purpose}) is not set: {command}")
    pulumi.log.warn(f"{CONFIG_NAMESPACE}:{key} ({purpose}) is not set: this preview uses a placeholder "
                    f"and `pulumi up` will refuse to run until it is ({command})")
    return pulumi.Output.secret(PREVIEW_PLACEHOLDER)


def stored(platform: ResolvedPlatform) -> list[str]:
    """The components on the site that keep data in its object store."""
    on_site = platform.on_site()
    return [c for c in STORED_COMPONENTS if c in on_site]


def tracked(platform: ResolvedPlatform) -> list[str]:
    on_site = platform.on_site()
    return [c for c in TRACKED_COMPONENTS if c in on_site]


def serves(platform: ResolvedPlatform) -> bool:
    return "serving" in platform.on_site() and bool(platform.blueprint.spec.components.serving.models)


def site_buckets(platform: ResolvedPlatform) -> list[str]:
    """The object store's buckets: the lake's zones, the features', and artifacts for tracking."""
    on_site = platform.on_site()
    buckets = [*(DATA_BUCKETS if "dataLake" in on_site else ()), *([FEATURES_BUCKET] if "featureStore" in on_site else ())]
    if tracked(platform) and "artifacts" not in buckets:
        buckets.append("artifacts")
    return buckets
