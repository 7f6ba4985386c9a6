"""Run a Pulumi Python program offline, under Pulumi's own mocks, and record what it declares.

The program runs exactly as the Pulumi language host runs it (`runpy.run_path` inside
`pulumi.runtime.run_in_stack`, with the program's directory as working directory), but
against a mock monitor in preview mode. The mock behaves like a provider's preview: a new
resource's outputs are its inputs and everything else, its id included, is unknown. So
the plan shows what a real `pulumi preview` of a new stack would show, no more.

Invokes (e.g. `aws.get_caller_identity`) cannot reach AWS here: they return the
placeholders in `OFFLINE_INVOKE_RESULTS`, and the plan's `source` says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import runpy
import traceback
from collections.abc import Callable
from pathlib import Path

import pulumi
import pulumi.runtime
from google.protobuf.json_format import MessageToDict
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockMonitor, Mocks

from qantara.errors import PlanError
from qantara.plan.document import plan_resource

OFFLINE_ACCOUNT_ID = "000000000000"

OFFLINE_INVOKE_RESULTS = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": OFFLINE_ACCOUNT_ID,
        "arn": f"arn:aws:iam::{OFFLINE_ACCOUNT_ID}:user/qantara-offline",
        "userId": "QANTARAOFFLINE",
        "id": OFFLINE_ACCOUNT_ID,
    },
    "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
}


class _PreviewMocks(Mocks):
    """A new resource echoes its inputs; its id and computed outputs stay unknown, except
    the outputs `known_outputs` gives per type (what an update of an existing stack knows):
    a mapping, or a function of the resource's inputs returning one."""

    def __init__(self, stack_region: str, known_outputs: dict[str, dict] | None = None):
        self.stack_region = stack_region
        self.known_outputs = known_outputs or {}

    def new_resource(self, args):
        inputs = dict(args.inputs)
        known = self.known_outputs.get(args.typ, {})
        return "", {**inputs, **(known(inputs) if callable(known) else known)}

    def call(self, args):
        result = OFFLINE_INVOKE_RESULTS.get(args.token)
        if result is not None:
            return result
        if args.token == "aws:index/getRegion:getRegion":
            region = args.args.get("region") or self.stack_region
            return {"name": region, "region": region, "id": region}
        return {}


class _RecordingMonitor(MockMonitor):
    """A mock monitor that keeps every registration, with URNs as the real engine forms them."""

    def __init__(self, mocks: Mocks):
        super().__init__(mocks)
        self.registrations: dict[str, dict] = {}
        # The SDK calls the monitor from executor threads, each of which gets an event loop
        # of its own; they are closed after the run, or their finalisers complain at exit.
        self.thread_loops: set[asyncio.AbstractEventLoop] = set()

    def _note_thread_loop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.thread_loops.add(asyncio.get_event_loop())

    def Invoke(self, request):
        response = super().Invoke(request)
        self._note_thread_loop()
        return response

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a child's type with its parent's, except under the root stack.
        if parent and not parent.split("::")[2].endswith("pulumi:pulumi:Stack"):
            type_ = parent.split("::")[2] + "$" + type_
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        self._note_thread_loop()
        inputs = _struct_to_data(request.object) if request.object else {}
        self.registrations[response.urn] = plan_resource(
            urn=response.urn,
            type_=request.type,
            name=request.name,
            parent=request.parent,
            provider=request.provider,
            inputs=inputs,
            custom=bool(request.custom),
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
        )
        return response


def _struct_to_data(struct) -> dict:
    """A protobuf Struct as plain data, with whole numbers back as ints (Struct has only doubles)."""
    return _whole_numbers(MessageToDict(struct))


def _whole_numbers(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    return value


@contextlib.contextmanager
def _working_directory(path: Path):
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def run_program(program_dir: Path, *, project: str, stack: str, config: dict[str, str],
                warnings: list[str] | None = None) -> list[dict]:
    """Run the program in `program_dir` offline and return its resources in registration order;
    the program's `pulumi.log.warn` messages are appended to `warnings`."""
    program_dir = program_dir.resolve()
    if not (program_dir / "__main__.py").is_file():
        raise PlanError(f"{program_dir}: not a Pulumi Python program (no __main__.py)")
    try:
        with _working_directory(program_dir):
            return run_under_mocks(lambda: runpy.run_path(str(program_dir), run_name="__main__"),
                                   project=project, stack=stack, config=config, warnings=warnings)
    except pulumi.RunError as error:
        raise PlanError(f"{program_dir}: the program stopped: {error}") from None
    except Exception as error:  # noqa: BLE001 - a user program can raise anything; report where
        where = traceback.extract_tb(error.__traceback__)[-1]
        raise PlanError(
            f"{program_dir}: the program raised {type(error).__name__}: {error} ({where.filename}:{where.lineno})"
        ) from None


class _WarningCollector(logging.Handler):
    """Keeps what the program logs at warning level or above, as `pulumi up` would show it."""

    def __init__(self, sink: list[str]):
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


def run_under_mocks(body: Callable[[], object], *, project: str, stack: str, config: dict[str, str],
                    warnings: list[str] | None = None, known_outputs: dict[str, dict] | None = None) -> list[dict]:
    """Run `body` as a Pulumi program in preview under the recording mocks; return its resources.

    The component tests use this directly: build a component inside `body`, then look its
    children up by (type, name) in the result.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config(dict(config), [])
    monitor = _RecordingMonitor(_PreviewMocks(config.get("aws:region", ""), known_outputs))
    # set_mocks creates a root stack of its own; run_in_stack makes the program's, as the host does.
    settings.set_root_resource(None)
    # The mock engine sends pulumi.log messages to this logger: collect them, print nothing.
    program_log = logging.Logger("qantara.offline.program")
    program_log.addHandler(_WarningCollector(warnings if warnings is not None else []))
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor,
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
        for thread_loop in monitor.thread_loops - {loop}:
            if not thread_loop.is_running():
                thread_loop.close()
        asyncio.set_event_loop(None)
        settings.set_root_resource(None)
    return list(monitor.registrations.values())
