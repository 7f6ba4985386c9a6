"""Resource transforms applied offline as the Pulumi engine applies them.

A program's `transforms` (in `ResourceOptions(transforms=...)`, or for the whole stack by
`pulumi.runtime.register_resource_transform`) are not run by the SDK: the engine calls them
back, over the callback service the SDK starts, before it registers each resource. Pulumi's
mock monitor does not (its docs say so). Offline, Qantara does what the engine does: for each
registration it calls the resource's own transforms, then its ancestors', then the stack's,
each on the previous one's result, through the very callbacks the engine would call, and
registers the transformed properties. (The older `transformations` run inside the SDK and
need nothing here.)

What cannot be applied is said, not dropped: a transform whose callback is gone, or one that
changes an option the plan does not model (only `provider` is applied), is recorded in the
plan's `source.unappliedTransforms` and the plan cannot pass (policy QA-RES-070).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.proto import resource_pb2

# Seconds to wait for a transform to run on the program's event loop.
TRANSFORM_TIMEOUT = 120


class TransformFailed(Exception):
    """A program's transform raised: the program's fault, as under `pulumi up`."""


@dataclass
class TransformResult:
    properties: object  # a protobuf Struct
    provider: str
    unapplied: list[str] = field(default_factory=list)


def _callback(token: str):
    for servicer in list(_CallbackServicer._servicers):
        callback = servicer._callbacks.get(token)
        if callback is not None:
            return callback, servicer._loop
    return None, None


def _options(request) -> resource_pb2.TransformResourceOptions:
    """The options the engine hands a transform, from the registration."""
    return resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies), protect=request.protect, ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges), version=request.version, provider=request.provider,
        plugin_download_url=request.pluginDownloadURL, retain_on_delete=request.retainOnDelete,
        deleted_with=request.deletedWith, additional_secret_outputs=list(request.additionalSecretOutputs),
        providers=dict(request.providers),
    )


def apply_transforms(request, tokens: list[tuple[str, str]]) -> TransformResult:
    """Run the transforms `tokens` ([(token, whose)], in the engine's order) on one registration."""
    properties, options = request.object, _options(request)
    unapplied: list[str] = []
    label = f"{request.type} `{request.name}`"
    for token, whose in tokens:
        callback, loop = _callback(token)
        if callback is None:
            unapplied.append(f"{label}: {whose} transform could not be called offline")
            continue
        transform_request = resource_pb2.TransformRequest(type=request.type, name=request.name, custom=request.custom,
                                                          parent=request.parent, properties=properties, options=options)
        future = asyncio.run_coroutine_threadsafe(callback(transform_request.SerializeToString()), loop)
        try:
            response = future.result(timeout=TRANSFORM_TIMEOUT)
        except Exception as error:  # noqa: BLE001 - whatever the program's transform raised
            raise TransformFailed(f"{whose} transform on {label} raised {type(error).__name__}: {error}") from None
        properties = response.properties
        if response.HasField("options"):
            changed = _changed_options(options, response.options)
            if changed:
                unapplied.append(f"{label}: {whose} transform changed {', '.join(changed)}, which the offline "
                                 "plan does not model")
            options = response.options
    return TransformResult(properties, options.provider, unapplied)


def _changed_options(before, after) -> list[str]:
    """Option fields a transform changed, other than `provider` (applied)."""
    return sorted(f.name for f in before.DESCRIPTOR.fields
                  if f.name != "provider" and getattr(before, f.name) != getattr(after, f.name))
