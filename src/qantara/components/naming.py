"""Physical names that respect AWS limits and stay unique per blueprint and environment."""

from __future__ import annotations

import hashlib
import re

from qantara.errors import QantaraError

S3_BUCKET_MAX = 63
KMS_ALIAS_MAX = 256


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


# S3 on Outposts access point names: 3 to 50 characters (the S3 access point rule).
ACCESS_POINT_MAX = 50


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
SAGEMAKER_NAME_MAX = 63
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
