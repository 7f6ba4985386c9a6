"""The Plan document (DESIGN §4.3): what policies evaluate, whatever produced it.

A plan is plain JSON-able data:
``{"apiVersion": "qantara.dev/v1", "kind": "Plan", "source": {...}, "resources": [...]}``.
Each resource carries ``urn``, ``type``, ``name``, ``parent``, ``provider``, ``inputs``,
``location`` and, where the producer knows them, ``dependencies`` and
``propertyDependencies`` (URNs), which let policies join a bucket to its encryption
configuration even when the bucket's id is not known yet (a preview).

Secret values never appear: they are replaced by ``SECRET``. Values a preview cannot
know are replaced by ``UNKNOWN``, never guessed.
"""

from __future__ import annotations

from typing import Any

API_VERSION = "qantara.dev/v1"
SECRET = "[secret]"
UNKNOWN = "[unknown]"

# Pulumi's wire format markers (sdk/go/common/resource/sig and plugin/rpc.go).
PULUMI_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
PULUMI_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
PULUMI_RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
PULUMI_OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
PULUMI_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
PULUMI_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def clean_value(value: Any) -> Any:
    """Turn a value in Pulumi's wire or state format into plan data.

    Secrets become ``SECRET`` (whatever they wrap, plaintext or ciphertext), unknowns
    ``UNKNOWN``, resource references their URN, assets and archives a short marker.
    """
    if isinstance(value, str):
        return UNKNOWN if value == PULUMI_UNKNOWN else value
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        signature = value.get(PULUMI_SIGNATURE_KEY)
        if signature == PULUMI_SECRET_SIG:
            return SECRET
        if signature == PULUMI_RESOURCE_REFERENCE_SIG:
            return value.get("urn", UNKNOWN)
        if signature == PULUMI_OUTPUT_VALUE_SIG:
            if value.get("secret"):
                return SECRET
            return clean_value(value["value"]) if "value" in value else UNKNOWN
        if signature == PULUMI_ASSET_SIG:
            return "[asset]"
        if signature == PULUMI_ARCHIVE_SIG:
            return "[archive]"
        return {k: clean_value(v) for k, v in value.items()}
    return value


def provider_urn(reference: str | None) -> str:
    """The provider URN in a Pulumi provider reference (``<urn>::<id>``), or ``""``."""
    if not reference:
        return ""
    urn, _, _ = reference.rpartition("::")
    return urn or reference


def plan_resource(
    *,
    urn: str,
    type_: str,
    name: str,
    parent: str = "",
    provider: str = "",
    inputs: dict | None = None,
    custom: bool = True,
    dependencies: list[str] | None = None,
    property_dependencies: dict[str, list[str]] | None = None,
) -> dict:
    """One resource of a plan, before its location is derived."""
    return {
        "urn": urn,
        "type": type_,
        "name": name,
        "parent": parent or "",
        "provider": provider_urn(provider),
        "custom": custom,
        "inputs": clean_value(inputs or {}),
        "dependencies": list(dependencies or []),
        "propertyDependencies": {k: list(v) for k, v in (property_dependencies or {}).items()},
    }


def plan_document(resources: list[dict], source: dict) -> dict:
    """Wrap located resources into a Plan document."""
    return {"apiVersion": API_VERSION, "kind": "Plan", "source": source, "resources": resources}
