"""Physical names that respect AWS limits and stay unique per blueprint and environment.

Pure (no Pulumi): `qantara validate` derives the same names from a blueprint as the
components do, and checks them against the same limits, so a name the program would
refuse is refused at the blueprint's line first. The limits, with the AWS page that
states each, are data: `policies/data/aws_name_limits.yaml`.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import yaml

from qantara.errors import CatalogError, QantaraError
from qantara.paths import catalog_dir

NAME_LIMITS_FILE = "aws_name_limits.yaml"


@lru_cache(maxsize=1)
def name_limits() -> dict[str, dict]:
    """Every name limit by kind (`iamRoleName`...): min, max, title, source."""
    path = catalog_dir() / NAME_LIMITS_FILE
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))["limits"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise CatalogError(f"{path}: cannot read the AWS name limits: {error}") from None


def name_limit(kind: str) -> int:
    return int(name_limits()[kind]["max"])


def over_limit(kind: str, name: str, reserved: int = 0) -> str | None:
    """Why `name` (plus `reserved` characters Pulumi appends) is too long for `kind`, or starts
    with a prefix AWS reserves for it; None when it is fine."""
    limit = name_limits()[kind]
    taken = [p for p in limit.get("reservedPrefixes", []) if name.startswith(p)]
    if taken:
        return f"{limit['title']} `{name}` starts with '{taken[0]}', a prefix AWS reserves ({limit['source']})"
    length = len(name) + reserved
    if length <= limit["max"]:
        return None
    suffix = f" with Pulumi's {reserved}-character auto-name suffix" if reserved else ""
    return (f"{limit['title']} `{name}` is {length} characters{suffix}, over the {limit['max']} AWS allows "
            f"({limit['source']})")


S3_BUCKET_MAX = name_limit("s3BucketName")
KMS_ALIAS_MAX = name_limit("kmsAliasName")


def slug(text: str) -> str:
    """Lower-case letters, digits and hyphens, as every physical name here is built."""
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")


def _shorten(name: str, max_length: int) -> str:
    """`name` itself when short enough, else a prefix and a stable hash of the whole."""
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: max_length - len(digest) - 1].rstrip('-')}-{digest}"


def bucket_name(blueprint: str, environment: str, purpose: str, region: str) -> str:
    """`<blueprint>-<env>-<purpose>-<region>`, shortened with a stable hash when over 63.

    The region is part of the name because S3 names are global and a DR replica lives
    in another region under the same blueprint and environment.
    """
    return _shorten(slug(f"{blueprint}-{environment}-{purpose}-{region}"), S3_BUCKET_MAX)


# The data lake's zones: the buckets (`bucket_name`, one per zone and region) a platform keeps
# data in, which its projects' pipelines, endpoints and monitors read and write.
DATA_LAKE_ZONES = ("raw", "curated", "artifacts")


def data_lake_bucket_names(blueprint: str, environment: str, regions) -> dict[str, dict[str, str]]:
    """{bucket name: {"region", "zone"}} of the data lake's buckets of `blueprint` and `environment` in each of
    `regions`, named exactly as the components name them (`bucket_name`, shortened when long).

    The policies recognise the platform's buckets by these names (`input.resolved`), not by a
    prefix: a prefix cannot hold once `<blueprint>-<environment>-` passes 54 characters (the
    shortened name keeps 54 and a hash), and a prefix would also take a look-alike that only
    starts like the platform's bucket.
    """
    return {bucket_name(blueprint, environment, zone, region): {"region": region, "zone": zone}
            for region in regions for zone in DATA_LAKE_ZONES}


# S3 on Outposts access point names: 3 to 50 characters (the S3 access point rule).
ACCESS_POINT_MAX = name_limit("s3AccessPointName")


def outposts_bucket_name(blueprint: str, environment: str, purpose: str) -> str:
    """`<blueprint>-<env>-<purpose>`, shortened with a stable hash when over 63.

    No region: S3 on Outposts bucket names are unique per Outpost, not across a partition.
    """
    return _shorten(slug(f"{blueprint}-{environment}-{purpose}"), S3_BUCKET_MAX)


def access_point_name(blueprint: str, environment: str, purpose: str) -> str:
    """`<blueprint>-<env>-<purpose>` within the access point limit of 50 characters."""
    return _shorten(slug(f"{blueprint}-{environment}-{purpose}"), ACCESS_POINT_MAX)


def kms_alias(blueprint: str, environment: str, purpose: str) -> str:
    return f"alias/{slug(blueprint)}/{slug(environment)}/{slug(purpose)}"[:KMS_ALIAS_MAX]


# SageMaker names (endpoints, models, schedules…): `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`.
SAGEMAKER_NAME_MAX = name_limit("sagemakerName")
# Pulumi's auto-naming appends "-" and seven random hex characters to the logical name.
AUTONAME_SUFFIX = 8


def sagemaker_name(*parts: str) -> str:
    """`<part>-<part>-…` as a SageMaker name, shortened with a stable hash when over 63.

    The hash is taken over the full name, so two long names that share their first 54
    characters still differ, and the same inputs always give the same name.
    """
    full = re.sub(r"-{2,}", "-", slug("-".join(parts)))
    if not full:
        raise QantaraError(f"cannot make a SageMaker name from {parts!r}; give at least one letter or digit")
    return _shorten(full, SAGEMAKER_NAME_MAX)


def check_autoname(logical: str, limit: int, shorten: str) -> None:
    """A resource Pulumi names from `logical` must still fit `limit` once the suffix is added."""
    if len(logical) + AUTONAME_SUFFIX > limit:
        raise QantaraError(
            f"`{logical}` is too long to auto-name: with Pulumi's {AUTONAME_SUFFIX}-character suffix it "
            f"exceeds {limit} characters; shorten {shorten}"
        )


def check_name(kind: str, name: str, shorten: str, reserved: int = 0) -> None:
    """Refuse a derived name over its AWS limit, saying which input to shorten."""
    problem = over_limit(kind, name, reserved)
    if problem:
        raise QantaraError(f"{problem}; shorten {shorten}")


# The names the platform derives from the blueprint, one function each, used by the
# components that create them and by `qantara validate` (qantara.blueprint.platform_rules).

def scoped_name(blueprint: str, environment: str, purpose: str) -> str:
    """`<blueprint>-<env>-<purpose>`, lower-case, unshortened: IAM roles, topics, rules, repositories."""
    return f"{blueprint}-{environment}-{purpose}".lower()


def role_name(blueprint: str, environment: str, purpose: str) -> str:
    """An IAM role of the platform: `<blueprint>-<env>-<purpose>` (serving, deploy, monitoring...)."""
    return scoped_name(blueprint, environment, purpose)


def feature_store_database(blueprint: str, environment: str) -> str:
    """The Glue database of the offline feature store (Glue names take '_', not '-')."""
    return f"{blueprint}_{environment}_features".replace("-", "_")


def feature_store_role(database: str) -> str:
    return f"{database}-feature-store"


def tracking_server_name(blueprint: str, environment: str) -> str:
    return f"{blueprint}-{environment}"


def tracking_role(server_name: str) -> str:
    return f"{server_name}-mlflow"


# The model registry's approval checkpoint (EventBridge rule and SNS topic) is `<blueprint>-<env>-model-approval`.
APPROVAL_PURPOSE = "model-approval"


def trail_name(blueprint: str, environment: str, component: str) -> str:
    return f"{blueprint}-{environment}-{component}".lower()


# Logical names of auto-named SageMaker resources: Pulumi derives their physical names
# from these, so they must leave room for its suffix under SageMaker's limit.
SERVING_COMPONENT_PREFIX = "serving-"
DRIFT_MONITORING_COMPONENT = "drift-monitoring"


def serving_component(model: str) -> str:
    """The logical name of the ModelServing component of one served model."""
    return f"{SERVING_COMPONENT_PREFIX}{model}"


def variant_model_logical(component: str, variant: str) -> str:
    """The auto-named SageMaker model of one variant."""
    return f"{component}-{variant}"


def endpoint_config_logical(component: str) -> str:
    return f"{component}-config"


def data_quality_logical(component: str, model: str) -> str:
    """The auto-named data-quality job definition of one monitored model."""
    return f"{component}-{sagemaker_name(model)}-data-quality"
