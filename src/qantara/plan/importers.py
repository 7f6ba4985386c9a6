"""Import real Pulumi output as a Plan document (DESIGN §4.3).

`load_plan_file` recognises a file by its content, never by its name:

- `pulumi stack export`: ``{"version": 3, "deployment": {"resources": [...]}}``;
- a local-backend checkpoint (``.pulumi/stacks/<stack>.json``):
  ``{"version": 3, "checkpoint": {"latest": {"resources": [...]}}}``;
- an engine event log (`--event-log`), one JSON event per line;
- `pulumi preview --json`: ``{"config", "steps": [{"op", "urn", "newState"}], "changeSummary"}``.

Every format becomes the Plan the offline planner produces: resources built by
`plan_resource` (secrets masked, unknowns marked), then located and classified by the
same functions. A state file gives the stack as it is; an event log or a preview gives
the *planned* stack: what it holds once every step has been applied.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

from qantara.catalog import load_catalog
from qantara.errors import InputError, PlanError, Problem
from qantara.input_file import read_regular_file, shorten
from qantara.plan.accounts import accounts_in_outputs
from qantara.plan.classification import classify_resources
from qantara.plan.document import SECRET, UNKNOWN, clean_value, plan_document, plan_resource
from qantara.plan.location import locate_resources
from qantara.plan.stack_settings import StackConfig

MAX_PLAN_BYTES = 100 * 1024 * 1024

# Deployment and checkpoint versions 1 and 2 hold the same fields as 3, fewer of them
# (apitype ResourceV1/V2, sdk/go/common/apitype/core.go), so one reader serves all three.
# Version 4 marks deployments that use engine "features" this reader does not know.
STATE_VERSIONS = (1, 2, 3)

# Step ops (pkg/resource/deploy/step.go) after which a resource is gone from the stack, and
# those that only retire the old copy of a resource that is replaced (its new copy stays).
REMOVING_OPS = frozenset({"delete", "discard"})
OLD_COPY_OPS = frozenset({"delete-replaced", "discard-replaced", "remove-pending-replace"})

# The events of an event log that carry a step (apitype/events.go): before it, and with its outputs.
STEP_EVENTS = ("resourcePreEvent", "resOutputsEvent")

EXPECTED = ("expected `pulumi stack export` output, a local-backend checkpoint (.pulumi/stacks/*.json), "
            "an engine event log (JSON lines, `--event-log`) or `pulumi preview --json` output")


def load_plan_file(path: Path | str, *, stack_region: str | None = None, onprem: dict | None = None) -> dict:
    """Read one file of Pulumi output and return its Plan document.

    `stack_region` (the stack's `aws:region`) is used only when the file does not say it
    (in its config or its default aws provider); `onprem` is where Kubernetes resources live.
    """
    path = Path(path)
    kind, content = _parse(path, _read_text(path))
    if kind == "events":
        resources, source, file_config = _from_events(path, content)
    elif "deployment" in content:
        resources, source, file_config = _from_state(path, content, "pulumi-stack-export")
    elif "checkpoint" in content:
        resources, source, file_config = _from_state(path, content, "pulumi-checkpoint")
    else:
        resources, source, file_config = _from_preview(path, content)
    source["file"] = str(path)
    source.update(_stack_region(resources, file_config.get("aws:region"), stack_region))
    catalog = load_catalog()
    source["defaultProvidersNotInFile"] = _locate(resources, _stack_config(file_config, source), catalog, onprem)
    classify_resources(resources, catalog["jurisdictions"]["classifications"])
    source["resources"] = len(resources)
    return plan_document(resources, source)


# Reading and recognising the file.

def _fail(path: Path, message: str, *, line: int | None = None, field: str = "") -> PlanError:
    return PlanError(str(Problem(str(path), line, None, field, message)))


def _read_text(path: Path) -> str:
    # Regular files only, never a pipe: a FIFO nobody writes to would block for ever, so
    # `--plan <(pulumi preview --json)` is refused; `pulumi preview --json > plan.json` works
    # (docs/decisions.md, "Inputs are regular files").
    try:
        data = read_regular_file(path, MAX_PLAN_BYTES, "plan file")
    except InputError as error:
        message = error.problems[0].message.removeprefix("cannot read file: ")
        hint = " (for a preview: `pulumi preview --json > plan.json`, then --plan plan.json)" \
            if "FIFO" in message else ""
        raise _fail(path, f"{message}{hint}; {EXPECTED}") from None
    # PowerShell's `>` writes UTF-16 with a byte-order mark; everything else writes UTF-8.
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        expected_encoding = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise _fail(path, f"not {expected_encoding} text (byte {error.start}); {EXPECTED}") from None


def _json_kind(value) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(type(value), "number")


def _is_event(value) -> bool:
    return isinstance(value, dict) and any(key.endswith("Event") for key in value)


def _parse(path: Path, text: str) -> tuple[str, object]:
    """("document", the JSON object) or ("events", [(line number, event), ...])."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return "events", _json_lines(path, text, error)
    except RecursionError:
        raise _fail(path, f"JSON nested too deeply to be Pulumi output; {EXPECTED}") from None
    except ValueError as error:  # an integer of thousands of digits (Python refuses past 4,300)
        raise _fail(path, f"not JSON Qantara can read ({shorten(str(error))}); {EXPECTED}") from None
    if _is_event(document):
        return "events", [(1, document)]
    if not isinstance(document, dict):
        raise _fail(path, f"a JSON {_json_kind(document)}, not an object; {EXPECTED}")
    if "version" in document and ("deployment" in document or "checkpoint" in document):
        return "document", document
    if "steps" in document or "changeSummary" in document:
        return "document", document
    keys = ", ".join(shorten(key, 40) for key in sorted(document)[:8]) or "none"
    raise _fail(path, f"not a Pulumi plan file (top-level keys: {keys}); {EXPECTED}")


def _json_lines(path: Path, text: str, whole_error: json.JSONDecodeError) -> list[tuple[int, dict]]:
    """The events of a JSON-lines event log, or the error of a file that is not JSON at all."""
    lines = text.splitlines()
    numbered = [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
    try:
        first = json.loads(numbered[0][1]) if numbered else None
    except (ValueError, RecursionError):  # ValueError: not JSON, or an integer of thousands of digits
        first = None
    if not _is_event(first):
        raise _fail(path, f"not valid JSON ({whole_error.msg}, column {whole_error.colno}); {EXPECTED}",
                    line=whole_error.lineno)
    events = []
    for number, line in numbered:
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            raise _fail(path, f"not valid JSON ({error.msg}, column {error.colno}); an engine event log "
                              "holds one JSON object per line", line=number) from None
        except RecursionError:
            raise _fail(path, "JSON nested too deeply to be an engine event", line=number) from None
        except ValueError as error:
            raise _fail(path, f"not JSON Qantara can read ({shorten(str(error))})", line=number) from None
        if not isinstance(event, dict):
            raise _fail(path, f"a JSON {_json_kind(event)}, not an event object; an engine event log "
                              "holds one JSON object per line", line=number)
        events.append((number, event))
    return events


# One resource, whatever the format.

def urn_parts(urn: str) -> tuple[str, str, str, str]:
    """(stack, project, qualified type, name) of a URN; the name is everything after the type."""
    head, *rest = urn.split("::", 3)
    if not head.startswith("urn:pulumi:") or len(rest) != 3 or not all(rest[1:]):
        raise ValueError(urn)
    return head.removeprefix("urn:pulumi:"), rest[0], rest[1], rest[2]


def _field(record: dict, key: str, kind: type, default, fail):
    value = record.get(key)
    if value is None:
        return default
    if not isinstance(value, kind):
        raise fail(f"`{key}` must be {_KINDS[kind]}")
    return value


_KINDS = {str: "a string", dict: "an object", list: "an array", bool: "a boolean"}


def _resource(record, fail, *, provider: str = "") -> dict:
    """A Plan resource from a Pulumi state record (apitype ResourceV1-3 or StepEventStateMetadata)."""
    if not isinstance(record, dict):
        raise fail("a resource must be an object with `urn` and `type`")
    urn, type_ = record.get("urn"), record.get("type")
    if not isinstance(urn, str) or not urn or not isinstance(type_, str) or not type_:
        missing = " and ".join(k for k in ("urn", "type") if not isinstance(record.get(k), str) or not record.get(k))
        raise fail(f"a resource without `{missing}`; every resource needs its `urn` and `type` strings")
    try:
        name = urn_parts(urn)[3]
    except ValueError:
        raise fail(f"`urn` {urn!r} is not a Pulumi URN (urn:pulumi:STACK::PROJECT::TYPE::NAME)") from None
    # A resource a provider has not read back yet has no inputs recorded: its outputs stand in.
    inputs = record.get("inputs")
    if inputs is None:
        inputs = _field(record, "outputs", dict, {}, fail)
    elif not isinstance(inputs, dict):
        raise fail("`inputs` must be an object")
    dependencies = _field(record, "dependencies", list, [], fail)
    # Go writes an empty list as null: `{"assumeRolePolicy": null}` is a property without dependencies.
    property_dependencies = {k: v or [] for k, v in _field(record, "propertyDependencies", dict, {}, fail).items()}
    if not all(isinstance(d, str) for d in dependencies) or not all(
            isinstance(v, list) and all(isinstance(d, str) for d in v) for v in property_dependencies.values()):
        raise fail("`dependencies` and `propertyDependencies` must hold URN strings")
    resource = plan_resource(
        urn=urn,
        type_=type_,
        name=name,
        parent=_field(record, "parent", str, "", fail),
        provider=_field(record, "provider", str, "", fail) or provider,
        inputs=inputs,
        custom=_field(record, "custom", bool, False, fail),
        dependencies=dependencies,
        property_dependencies=property_dependencies,
    )
    # Where the resource really is, by its outputs; `_locate` takes it out of the plan again.
    resource[_OBSERVED] = observed_region(clean_value(record.get("outputs")))
    return resource


def _stack_and_project(resources: list[dict]) -> dict:
    if not resources:
        return {"project": None, "stack": None}
    stack, project, _, _ = urn_parts(resources[0]["urn"])
    return {"project": project, "stack": stack}


# The formats.

def _version(path: Path, document: dict) -> int:
    version = document.get("version")
    if type(version) is not int or version not in STATE_VERSIONS:
        raise _fail(path, f"version {version!r} is not one this reader knows (allowed: versions "
                          f"{', '.join(map(str, STATE_VERSIONS))})", field="version")
    return version


def _from_state(path: Path, document: dict, kind: str) -> tuple[list[dict], dict, dict]:
    """A stack export or a checkpoint: the stack as the engine last recorded it."""
    version = _version(path, document)
    if kind == "pulumi-stack-export":
        prefix, deployment, config = "deployment", document.get("deployment"), {}
    else:
        checkpoint = document.get("checkpoint")
        if not isinstance(checkpoint, dict):
            raise _fail(path, "`checkpoint` must be an object holding `latest`", field="checkpoint")
        prefix, deployment = "checkpoint.latest", checkpoint.get("latest")
        config = checkpoint.get("config") if isinstance(checkpoint.get("config"), dict) else {}
    if deployment is None:
        deployment = {}  # a stack that was never deployed
    if not isinstance(deployment, dict):
        raise _fail(path, "must be an object holding `resources`", field=prefix)
    records = deployment.get("resources") or []
    if not isinstance(records, list):
        raise _fail(path, "must be an array of resources", field=f"{prefix}.resources")
    resources, pending_deletes = [], []
    for index, record in enumerate(records):
        resource = _resource(record, lambda message, i=index: _fail(path, message, field=f"{prefix}.resources[{i}]"))
        # A resource marked `delete` is the old copy of a replaced resource, awaiting deletion.
        if record.get("delete") is True:
            pending_deletes.append(resource["urn"])
        else:
            resources.append(resource)
    manifest = deployment.get("manifest") if isinstance(deployment.get("manifest"), dict) else {}
    source = {
        "kind": kind,
        "version": version,
        **_stack_and_project(resources),
        "pulumiVersion": manifest.get("version") or None,
        "resourcesInFile": len(records),
        # The accounts the stack's own resources live in (their recorded ARNs).
        "accounts": accounts_in_outputs(records),
        "pendingDeletes": pending_deletes,
        # Operations the engine had begun when it stopped: their resources may exist unrecorded.
        "pendingOperations": len(operations) if isinstance(operations := deployment.get("pending_operations"), list) else 0,
    }
    return resources, source, config


def _planned_state(steps, fail_at) -> tuple[dict[str, dict], list[str], dict[str, int]]:
    """The resources a sequence of steps leaves in the stack, by URN, in first-seen order.

    `steps` yields (where, op, urn, provider, new state, old state). A later step for the same
    URN (outputs resolved, the replacement created) refines the state an earlier one gave.
    """
    planned: dict[str, dict] = {}
    removed: list[str] = []
    ops: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for where, op, urn, provider, new, old in steps:
        fail = fail_at(where)
        if not isinstance(urn, str) or not urn:
            raise fail("a step without `urn`; every step names the resource it changes")
        if not isinstance(op, str) or not op:
            raise fail(f"step for {urn} without `op`")
        if (urn, op) not in seen:  # an event log reports a step twice: before it and with its outputs
            seen.add((urn, op))
            ops[op] = ops.get(op, 0) + 1
        if op in OLD_COPY_OPS:
            continue
        if op in REMOVING_OPS:
            planned.pop(urn, None)
            if urn not in removed:
                removed.append(urn)
            continue
        state = new if new is not None else old
        if state is None:
            continue
        if isinstance(state, dict) and "urn" not in state:
            state = {**state, "urn": urn}
        # Assigning keeps the first-seen position; the later state is the more complete one.
        planned[urn] = _resource(state, fail, provider=provider if isinstance(provider, str) else "")
        if urn in removed:
            removed.remove(urn)
    return planned, removed, ops


def _from_events(path: Path, events: list[tuple[int, dict]]) -> tuple[list[dict], dict, dict]:
    """An engine event log (apitype EngineEvent): the stack once its steps are applied."""
    config, changes, planning = {}, None, False
    for _, event in events:
        if isinstance(event.get("preludeEvent"), dict):
            config = event["preludeEvent"].get("config") or {}
        if isinstance(event.get("summaryEvent"), dict):
            changes = event["summaryEvent"].get("resourceChanges")
        planning = planning or any(isinstance(event.get(k), dict) and event[k].get("planning") for k in STEP_EVENTS)

    def steps():
        for number, event in events:
            for key in STEP_EVENTS:
                if key not in event:
                    continue
                metadata = event[key].get("metadata") if isinstance(event[key], dict) else None
                if not isinstance(metadata, dict):
                    raise _fail(path, f"`{key}` without `metadata`", line=number)
                new = metadata.get("new")
                if isinstance(new, dict) and not new.get("type"):
                    new = {**new, "type": metadata.get("type")}
                yield number, metadata.get("op"), metadata.get("urn"), metadata.get("provider"), new, metadata.get("old")

    planned, removed, ops = _planned_state(steps(), lambda number: lambda message: _fail(
        path, message, line=number, field="metadata"))
    resources = list(planned.values())
    source = {
        "kind": "pulumi-engine-events",
        **_stack_and_project(resources),
        "accounts": accounts_in_outputs(
            event[key].get("metadata", {}).get("new") for _, event in events for key in STEP_EVENTS
            if isinstance(event.get(key), dict) and isinstance(event[key].get("metadata"), dict)),
        "preview": planning,
        "events": len(events),
        "ops": ops,
        "removed": removed,
        "changeSummary": changes,
    }
    return resources, source, config if isinstance(config, dict) else {}


def _from_preview(path: Path, digest: dict) -> tuple[list[dict], dict, dict]:
    """`pulumi preview --json` (PreviewDigest in pulumi's pkg/display/json.go).

    The digest lists unchanged resources only when the preview ran with `--show-sames`;
    without it, the plan holds what the preview changes.
    """
    records = digest.get("steps") or []
    if not isinstance(records, list):
        raise _fail(path, "must be an array of steps", field="steps")

    def steps():
        for index, step in enumerate(records):
            if not isinstance(step, dict):
                raise _fail(path, "a step must be an object with `op` and `urn`", field=f"steps[{index}]")
            yield index, step.get("op"), step.get("urn"), step.get("provider"), step.get("newState"), step.get("oldState")

    planned, removed, ops = _planned_state(steps(), lambda index: lambda message: _fail(
        path, message, field=f"steps[{index}]"))
    resources = list(planned.values())
    config = digest.get("config") if isinstance(digest.get("config"), dict) else {}
    source = {
        "kind": "pulumi-preview",
        **_stack_and_project(resources),
        "accounts": accounts_in_outputs(step.get("newState") for step in records if isinstance(step, dict)),
        "preview": True,
        "steps": len(records),
        "ops": ops,
        "removed": removed,
        "changeSummary": digest.get("changeSummary"),
    }
    return resources, source, config


# Where the resources are.

def _region(value) -> str | None:
    return value if isinstance(value, str) and value not in ("", SECRET, UNKNOWN) else None


def _stack_region(resources: list[dict], file_region, argument: str | None) -> dict:
    """The stack's `aws:region`: the file's own record wins over what the caller supplies."""
    defaults = {_region(r["inputs"].get("region")) for r in resources
                if r["type"] == "pulumi:providers:aws" and ENGINE_DEFAULT_PROVIDER.match(r["name"])} - {None}
    if _region(file_region):
        region, origin = file_region, "file config"
    elif len(defaults) == 1:
        region, origin = defaults.pop(), "default aws provider"
    elif argument:
        return {"stackRegion": argument, "stackRegionFrom": "argument"}
    else:
        return {"stackRegion": None, "stackRegionFrom": None}
    result = {"stackRegion": region, "stackRegionFrom": origin}
    if argument and argument != region:
        result["warnings"] = [f"the file records aws:region {region} ({origin}); the region given, {argument}, is not used"]
    return result


def _stack_config(file_config: dict, source: dict) -> StackConfig:
    """What the stack's default providers were configured with: the file's own config (its
    `aws:*` values), the region `_stack_region` settled on filling a missing `aws:region`."""
    values = {k: v for k, v in file_config.items() if isinstance(k, str) and k.startswith("aws:")}
    config = StackConfig.of(values, "the file's config")
    # A region the file records as a secret stays one: what the caller supplies does not replace it.
    if values.get("aws:region") in (None, "") and source.get("stackRegion"):
        config = config.updated({"aws:region": source["stackRegion"]}, source.get("stackRegionFrom") or "argument")
    return StackConfig(config.values, config.sources, "the file's config or --config")


# The engine names the default provider of a package `default` or `default_<version>` (6_0_0).
ENGINE_DEFAULT_PROVIDER = re.compile(r"^default(?:_\d+_\d+_\d+[0-9A-Za-z_.-]*)?$")

# arn:<partition>:<service>:<region>:… (global services leave the region empty).
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):")
_REGION_CODE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")
_OBSERVED = "_observedRegion"


def observed_region(outputs) -> str | None:
    """The region a resource's outputs show: its `arn`, else its `region` output (an S3
    bucket's ARN names no region)."""
    if not isinstance(outputs, dict):
        return None
    arn, region = outputs.get("arn"), outputs.get("region")
    match = _ARN_REGION.match(arn) if isinstance(arn, str) else None
    if match:
        return match["region"]
    return region if isinstance(region, str) and _REGION_CODE.match(region) else None


def _locate(resources: list[dict], config: StackConfig, catalog: dict, onprem: dict | None) -> list[str]:
    """Locate every resource; return the default providers they use that the file does not list.

    A preview or an event log shows only the providers it touches. A default provider takes
    the stack's configuration, so a stand-in for it (not added to the plan) configured as the
    stack is lets `locate_resources` locate its resources. A provider listed in the file is
    located by its own record, whatever its name; when that record has no region, a resource
    is where its outputs say (`observed_region`), or unknown.
    """
    observed = {r["urn"]: r.pop(_OBSERVED) for r in resources if r.get(_OBSERVED)}
    for resource in resources:
        resource.pop(_OBSERVED, None)
    listed = {r["urn"] for r in resources}
    missing = sorted({r["provider"] for r in resources if r["provider"]} - listed)
    stand_ins = []
    for urn in missing:
        try:
            _, _, type_, name = urn_parts(urn)
        except ValueError:
            continue
        package = type_.rsplit("$", 1)[-1].rsplit(":", 1)[-1]
        if ENGINE_DEFAULT_PROVIDER.match(name):
            stand_ins.append(plan_resource(urn=urn, type_=type_.rsplit("$", 1)[-1], name=name,
                                           inputs=config.package_settings(package)))
    locate_resources(resources + stand_ins, stack_config=config, catalog=catalog, onprem=onprem,
                     observed_regions=observed)
    return [r["urn"] for r in stand_ins]
