"""Run a Pulumi Python program offline, under Pulumi's own mocks, and record what it declares.

The program runs as the Pulumi language host runs it (`runpy.run_path` inside
`pulumi.runtime.run_in_stack`, with the program's directory as working directory), against a
mock monitor in preview mode. `qantara.plan.child` does so in a fresh process of its own, so
that nothing a program does stays behind in Qantara's interpreter. The mock behaves like a
provider's preview: a new resource's outputs are its inputs and everything else, its id
included, is unknown. So the plan shows what a real `pulumi preview` of a new stack would
show, no more.

The monitor is called from the SDK's executor threads. It never turns the wire format back
into Python objects there: deserialising a resource reference (a resource passed where a
value is expected) constructs a Resource, whose futures then belong to that thread's event
loop, and the program hangs or fails with "attached to a different loop" depending on thread
timing. Registrations are echoed in wire form instead, and the SDK deserialises the response
on the program's own loop, as it does with the real engine's.

Lookups (invokes) are answered by `qantara.plan.offline_invokes`; transforms are applied by
`qantara.plan.transforms`. What could not be answered or applied is recorded in `Outcome`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi.runtime
from google.protobuf import struct_pb2
from google.protobuf.json_format import MessageToDict
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import resource_pb2

from qantara.catalog import load_catalog
from qantara.plan.document import PULUMI_RESOURCE_REFERENCE_SIG, PULUMI_SIGNATURE_KEY, plan_resource
from qantara.plan.offline_invokes import OFFLINE_ACCOUNT_ID, PLACEHOLDER_TOKENS, answers, unanswered_result
from qantara.plan.transforms import apply_transforms

__all__ = ["OFFLINE_ACCOUNT_ID", "Outcome", "run_under_mocks"]

GET_RESOURCE = "pulumi:pulumi:getResource"


@dataclass
class Outcome:
    """What an offline run could not see, besides the resources it recorded."""

    unanswered_invokes: list[dict] = field(default_factory=list)
    placeholder_invokes: list[str] = field(default_factory=list)
    unapplied_transforms: list[str] = field(default_factory=list)

    def to_source(self) -> dict:
        return {"unansweredInvokes": self.unanswered_invokes, "offlinePlaceholders": sorted(set(self.placeholder_invokes)),
                "unappliedTransforms": self.unapplied_transforms}


def _wire(struct) -> dict:
    """A protobuf Struct as wire-format data: unknowns, secrets and references kept as markers."""
    return MessageToDict(struct) if struct is not None else {}


def _plain(value):
    """Wire data for a lookup's answer: a resource reference becomes its URN, never a Resource."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if value.get(PULUMI_SIGNATURE_KEY) == PULUMI_RESOURCE_REFERENCE_SIG:
            return value.get("urn", "")
        return {k: _plain(v) for k, v in value.items()}
    return value


def _struct(data: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct


class _PreviewMocks(Mocks):
    """A new resource echoes its inputs; its id and computed outputs stay unknown, except
    the outputs `known_outputs` gives per type (what an update of an existing stack knows):
    a mapping, or a function of the resource's inputs returning one."""

    def __init__(self, known_outputs: dict[str, dict] | None = None):
        self.known_outputs = known_outputs or {}

    def new_resource(self, args):
        inputs = dict(args.inputs)
        known = self.known_outputs.get(args.typ, {})
        return "", {**inputs, **(known(inputs) if callable(known) else known)}

    def call(self, args):  # lookups are answered by the monitor (offline_invokes), never here
        return {}


class _RecordingMonitor(MockMonitor):
    """A mock monitor that keeps every registration, with URNs as the real engine forms them,
    answers lookups offline and applies transforms as the engine does."""

    def __init__(self, mocks: Mocks, stack_region: str):
        super().__init__(mocks)
        self.stack_region = stack_region
        self.answers = answers(load_catalog())
        self.registrations: dict[str, dict] = {}
        self.outcome = Outcome()
        self.parents: dict[str, str] = {}
        self.own_transforms: dict[str, list[str]] = {}
        self.stack_transforms: list[str] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a child's type with its parent's, except under the root stack.
        if parent and not parent.split("::")[2].endswith("pulumi:pulumi:Stack"):
            type_ = parent.split("::")[2] + "$" + type_
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    # --- lookups --------------------------------------------------------------------------

    def _region_of(self, args: dict, provider_ref: str) -> str:
        provider = self.registrations.get(provider_ref.rpartition("::")[0] or provider_ref, {})
        return args.get("region") or provider.get("inputs", {}).get("region") or self.stack_region

    def Invoke(self, request):
        args = _plain(_wire(request.args))
        if request.tok == GET_RESOURCE:
            found = self.resources.get(args.get("urn"))
            if found is None:
                raise Exception(f"unknown resource {args.get('urn')}")
            result = {"urn": found.urn, "id": found.id, "state": found.state}
        else:
            answer = self.answers.get(request.tok)
            result = answer(args, self._region_of(args, request.provider)) if answer else None
            if result is None:
                lookup = {"token": request.tok, "args": sorted(args)}
                if lookup not in self.outcome.unanswered_invokes:
                    self.outcome.unanswered_invokes.append(lookup)
                result = unanswered_result(request.tok)
            elif request.tok in PLACEHOLDER_TOKENS:
                self.outcome.placeholder_invokes.append(request.tok)
        return resource_pb2.ResourceInvokeResponse(failures=None, **{"return": _struct(result)})

    def ReadResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        # An existing resource read by id (`X.get`, a StackReference): its state is what the
        # mocks know of that type (known_outputs), else its inputs, as for a new resource.
        _, state = self.mocks.new_resource(_MockArgs(request.type, request.name, _wire(request.properties),
                                                     request.provider, True))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, request.id, state)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=_struct(state))

    # --- transforms and registrations -----------------------------------------------------

    def RegisterStackTransform(self, request):
        self.stack_transforms.append(request.token)
        return super().RegisterStackTransform(request)

    def RegisterStackInvokeTransform(self, request):
        self.outcome.unapplied_transforms.append("an invoke transform registered for the stack is not applied offline")
        return super().RegisterStackInvokeTransform(request)

    def _transform_tokens(self, request) -> list[tuple[str, str]]:
        """The engine's order: the resource's own transforms, its ancestors', then the stack's."""
        tokens = [(c.token, "its own") for c in request.transforms]
        parent = request.parent
        while parent:
            tokens += [(t, f"parent `{parent.rsplit('::', 1)[-1]}`'s") for t in self.own_transforms.get(parent, [])]
            parent = self.parents.get(parent, "")
        return tokens + [(t, "a stack") for t in self.stack_transforms]

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            self.registrations[urn] = plan_resource(urn=urn, type_=request.type, name=request.name, custom=False)
            return resource_pb2.RegisterResourceResponse(urn=urn)
        self.parents[urn] = request.parent
        self.own_transforms[urn] = [c.token for c in request.transforms]
        properties, provider = request.object, request.provider
        tokens = self._transform_tokens(request)
        if tokens:
            result = apply_transforms(request, tokens)
            properties, provider = result.properties, result.provider
            self.outcome.unapplied_transforms += result.unapplied
        inputs = _wire(properties)
        id_, state = self.mocks.new_resource(_MockArgs(request.type, request.name, inputs, provider, request.custom))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        self.registrations[urn] = plan_resource(
            urn=urn, type_=request.type, name=request.name, parent=request.parent, provider=provider,
            # The SDK gathers dependencies in sets: sorted, so that one program gives one plan.
            inputs=_whole_numbers(inputs), custom=bool(request.custom), dependencies=sorted(request.dependencies),
            property_dependencies={k: sorted(v.urns) for k, v in sorted(request.propertyDependencies.items())},
        )
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=_struct(state))


@dataclass
class _MockArgs:
    typ: str
    name: str
    inputs: dict
    provider: str
    custom: bool


def _whole_numbers(value):
    """Whole numbers back as ints (a protobuf Struct has only doubles)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    return value


@contextlib.contextmanager
def working_directory(path: Path):
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


class _WarningCollector(logging.Handler):
    """Keeps what the program logs at warning level or above, as `pulumi up` would show it."""

    def __init__(self, sink: list[str]):
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


def run_under_mocks(body: Callable[[], object], *, project: str, stack: str, config: dict[str, str],
                    warnings: list[str] | None = None, known_outputs: dict[str, dict] | None = None,
                    outcome: Outcome | None = None, preview: bool = True) -> list[dict]:
    """Run `body` as a Pulumi program in preview (or, `preview=False`, as `pulumi up` runs it)
    under the recording mocks; return its resources.

    What could not be answered or applied goes to `outcome` when given. The component tests
    use this directly: build a component inside `body`, then look its children up by (type,
    name) in the result.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config(dict(config), [])
    monitor = _RecordingMonitor(_PreviewMocks(known_outputs), config.get("aws:region", ""))
    # set_mocks creates a root stack of its own; run_in_stack makes the program's, as the host does.
    settings.set_root_resource(None)
    # The mock engine sends pulumi.log messages to this logger: collect them, print nothing.
    program_log = logging.Logger("qantara.offline.program")
    program_log.addHandler(_WarningCollector(warnings if warnings is not None else []))
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor,
                             logger=program_log)
    settings.set_root_resource(None)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(body))
    finally:
        # A program that fails inside an apply leaves the SDK's pending tasks behind, bound to
        # this loop; the next run in the process would wait on them ("Event loop is closed").
        settings.SETTINGS.outputs.clear()
        settings.SETTINGS.rpc_manager.clear()
        loop.close()
        asyncio.set_event_loop(None)
        settings.set_root_resource(None)
        if outcome is not None:
            outcome.unanswered_invokes += monitor.outcome.unanswered_invokes
            outcome.placeholder_invokes += monitor.outcome.placeholder_invokes
            outcome.unapplied_transforms += monitor.outcome.unapplied_transforms
    return list(monitor.registrations.values())
