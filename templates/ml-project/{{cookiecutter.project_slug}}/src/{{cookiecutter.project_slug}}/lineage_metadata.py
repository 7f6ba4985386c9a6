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


def _data(record: dict) -> list[dict]:
    return [item for item in record.get("dataRead", []) if isinstance(item, dict)]


def _data_summary(data: list[dict]) -> dict[str, str]:
    # The count and one digest over every data hash name the whole set read, however long.
    return {"qantara:data:count": str(len(data)),
            "qantara:data:digest": hashlib.sha256("\n".join(str(item.get("sha256")) for item in data).encode()).hexdigest()}


def customer_metadata_properties(record: dict) -> dict[str, str]:
    """The lineage record (`runs/<run>/lineage.json`) as CustomerMetadataProperties."""
    properties = {key: fitted(_field(record, path)) for key, path in RUN_FIELDS}
    properties = {key: value for key, value in properties.items() if value is not None}
    data = _data(record)
    properties.update(_data_summary(data))
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


# The SageMaker pipeline's RegisterModel step reads the package's metadata from a property file
# the evaluate step writes (pipeline_steps.py): one JsonGet per key, and a JsonGet on a path the
# file lacks fails the execution. So that file has a FIXED set of keys, every one always present:
# the run's fields, the data's count and digest, and the first DATA_ENTRIES data entries, with
# ABSENT where the run has no value. Qantara's pipeline definition
# (qantara.components.ml_pipeline_definition) names the same keys; a test of Qantara's bakes
# this project and compares the two.
DATA_FIELDS = ("sha256", "uri", "versionId")
DATA_ENTRIES = (MAX_ENTRIES - len(RUN_FIELDS) - 2) // len(DATA_FIELDS)
ABSENT = "absent"
PROPERTY_FILE = "model_package_properties.json"


def package_metadata_keys() -> tuple[str, ...]:
    """The CustomerMetadataProperties keys the SageMaker pipeline registers, in order."""
    return (*(key for key, _ in RUN_FIELDS), "qantara:data:count", "qantara:data:digest",
            *(f"qantara:data:{index}:{field}" for index in range(DATA_ENTRIES) for field in DATA_FIELDS))


def json_name(key: str) -> str:
    """The key's name in the property file: JsonGet takes a JSON path, where `:` is not a plain
    name character, so the file names each key with `_` for `:` (a plain path in any dialect)."""
    return key.replace(":", "_")


def _present(value: str | None) -> str:
    if value is None:
        return ABSENT
    # A real value spelled like the placeholder is recorded by its digest: never read as absent.
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest() if value == ABSENT else value


def package_property_file(record: dict) -> dict[str, str]:
    """The lineage record as the property file the RegisterModel step reads: every key of
    package_metadata_keys(), by its json_name, each value 1 to 256 allowed characters."""
    data = _data(record)
    values = {key: fitted(_field(record, path)) for key, path in RUN_FIELDS}
    values.update(_data_summary(data))
    for index in range(DATA_ENTRIES):
        item = data[index] if index < len(data) else {}
        for field in DATA_FIELDS:
            values[f"qantara:data:{index}:{field}"] = fitted(item.get(field))
    return {json_name(key): _present(values[key]) for key in package_metadata_keys()}
