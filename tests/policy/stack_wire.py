"""A stack as the Pulumi engine sends it to a policy pack, received by pulumi-policy itself.

The engine's AnalyzeStack (pulumi pkg/resource/deploy/step_generator.go `AnalyzeResources`,
sdk/go/common/resource/plugin/analyzer_plugin.go) sends each resource's properties
marshalled with unknowns and secrets kept, its provider (URN, type, name, inputs), its
parent, its dependencies and its non-empty property dependencies. pulumi-policy's own
servicer turns that request into the `PolicyResource`s a stack validation receives, so
running it here means receiving the resources exactly as the pack does, without starting
the pack's gRPC server.
"""

from __future__ import annotations

from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, StackValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def wire_value(value, secret_plaintext: str = "plaintext-behind-a-secret"):
    """A plan value in the engine's wire form: `[unknown]` and `[secret]` become markers again."""
    if value == "[unknown]":
        return UNKNOWN_STRING
    if value == "[secret]":
        return {SIG_KEY: SECRET_SIG, "value": secret_plaintext}
    if isinstance(value, dict):
        return {k: wire_value(v, secret_plaintext) for k, v in value.items()}
    if isinstance(value, list):
        return [wire_value(v, secret_plaintext) for v in value]
    return value


def _struct(values: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def analyzer_resource(entry: dict, by_urn: dict, *, secret_outputs=()) -> proto.AnalyzerResource:
    """One Plan resource as an AnalyzerResource of an AnalyzeStackRequest."""
    message = proto.AnalyzerResource(
        urn=entry["urn"],
        type=entry["type"],
        name=entry["name"],
        properties=_struct(wire_value(entry.get("inputs") or {})),
        parent=entry.get("parent") or "",
        dependencies=list(entry.get("dependencies") or []),
        options=proto.AnalyzerResourceOptions(additionalSecretOutputs=list(secret_outputs)),
    )
    for key, urns in (entry.get("propertyDependencies") or {}).items():
        if urns:  # the engine skips properties without dependencies
            message.propertyDependencies[key].urns.extend(urns)
    provider = by_urn.get(entry.get("provider") or "")
    if provider is not None:
        message.provider.CopyFrom(proto.AnalyzerProviderResource(
            urn=provider["urn"], type=provider["type"], name=provider["name"],
            properties=_struct(wire_value(provider.get("inputs") or {}))))
    return message


def analyze_stack(entries: list[dict], policy: StackValidationPolicy,
                  level: EnforcementLevel = EnforcementLevel.MANDATORY, *, secret_outputs=None) -> list:
    """Run `policy` through pulumi-policy's servicer on `entries`; return its diagnostics."""
    by_urn = {e["urn"]: e for e in entries}
    secret_outputs = secret_outputs or {}
    request = proto.AnalyzeStackRequest(resources=[
        analyzer_resource(e, by_urn, secret_outputs=secret_outputs.get(e["urn"], ())) for e in entries])
    servicer = _PolicyAnalyzerServicer("qantara", "0.1.0", [policy], level)
    return list(servicer.AnalyzeStack(request, None).diagnostics)


def received_resources(entries: list[dict], **kwargs) -> list:
    """The PolicyResources a stack validation receives for `entries`."""
    received = []

    def capture(args, report_violation):
        received.extend(args.resources)

    analyze_stack(entries, StackValidationPolicy(name="capture", description="capture", validate=capture), **kwargs)
    return received
