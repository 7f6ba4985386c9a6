"""Physical names that respect AWS limits and stay unique per blueprint and environment."""

from __future__ import annotations

import hashlib
import re

S3_BUCKET_MAX = 63
KMS_ALIAS_MAX = 256


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")


def bucket_name(blueprint: str, environment: str, purpose: str, region: str) -> str:
    """`<blueprint>-<env>-<purpose>-<region>`, shortened with a stable hash when over 63.

    The region is part of the name because S3 names are global and a DR replica lives
    in another region under the same blueprint and environment.
    """
    full = _slug(f"{blueprint}-{environment}-{purpose}-{region}")
    if len(full) <= S3_BUCKET_MAX:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:8]
    return f"{full[: S3_BUCKET_MAX - len(digest) - 1].rstrip('-')}-{digest}"


def kms_alias(blueprint: str, environment: str, purpose: str) -> str:
    return f"alias/{_slug(blueprint)}/{_slug(environment)}/{_slug(purpose)}"[:KMS_ALIAS_MAX]
