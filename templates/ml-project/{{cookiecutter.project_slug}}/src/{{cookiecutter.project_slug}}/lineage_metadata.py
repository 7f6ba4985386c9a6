"""A run's lineage as a model package's metadata (SageMaker `CustomerMetadataProperties`).

The registered model package carries where it came from, so the platform's approvers see it
beside the model. SageMaker limits that map (botocore's service model for CreateModelPackage,
shapes CustomerMetadataMap/Key/Value, read 2026-12-06): at most 50 entries; keys of 1 to 128
and values of 1 to 256 characters, each made of letters, spaces, digits and `_ . : / = + - @`.
A value that does not fit is replaced by `sha256:<digest of the value>`, never cut: a cut
hash or URI would name other data. Data beyond what the map holds is summarised by one
digest over every data hash, so the set read is still named exactly.
"""

from __future__ import annotations

import hashlib
import re

MAX_ENTRIES = 50
MAX_KEY = 128
MAX_VALUE = 256
# The ASCII part of AWS's pattern: a value outside it is recorded by its digest.
ALLOWED = re.compile(r"^[A-Za-z0-9_ .:/=+\-@]+$")
# Entries kept for the run itself; the rest of the map is for the data read.
RUN_FIELDS = (
    ("qantara:run", ("run",)),
    ("qantara:startedBy", ("startedBy",)),
    ("qantara:reason", ("reason",)),
    ("qantara:why", ("why",)),
    ("qantara:codeCommit", ("code", "commit")),
    ("qantara:imageDigest", ("runtime", "imageDigest")),
    ("qantara:executionId", ("runtime", "executionId")),
    ("qantara:engine", ("runtime", "engine")),
    ("qantara:modelVersion", ("model", "modelVersion")),
    ("qantara:modelSha256", ("model", "modelSha256")),
)


def fitted(value: object) -> str | None:
    """`value` as a metadata value SageMaker accepts, or its digest; None when empty."""
    text = "" if value is None else str(value)
    if not text:
        return None
    if len(text) <= MAX_VALUE and ALLOWED.match(text):
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _field(record: dict, path: tuple[str, ...]) -> object:
    value: object = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def customer_metadata_properties(record: dict) -> dict[str, str]:
    """The lineage record (`runs/<run>/lineage.json`) as CustomerMetadataProperties."""
    properties = {key: fitted(_field(record, path)) for key, path in RUN_FIELDS}
    properties = {key: value for key, value in properties.items() if value is not None}
    data = [item for item in record.get("dataRead", []) if isinstance(item, dict)]
    properties["qantara:data:count"] = str(len(data))
    properties["qantara:data:digest"] = hashlib.sha256(
        "\n".join(str(item.get("sha256")) for item in data).encode()).hexdigest()
    room = MAX_ENTRIES - len(properties)
    for index, item in enumerate(data):
        entries = {f"qantara:data:{index}:sha256": fitted(item.get("sha256")),
                   f"qantara:data:{index}:uri": fitted(item.get("uri")),
                   f"qantara:data:{index}:versionId": fitted(item.get("versionId"))}
        entries = {key: value for key, value in entries.items() if value is not None}
        if len(entries) > room:
            break  # the count and digest above still name the whole set
        properties.update(entries)
        room -= len(entries)
    return properties
