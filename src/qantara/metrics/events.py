"""The event history metrics are computed from, and its JSON Lines file format.

One JSON object a line (UTF-8), written by `qantara metrics export`, read by `qantara metrics`:

    {"time": "2026-11-02T09:00:00Z", "kind": "deployment", "project": "triage",
     "environment": "prod", "model": "triage-model", "version": "3", "source": "sagemaker", "ref": "...",
     "actor": "arn:aws:sts::111122223333:assumed-role/ml-release/layla"}

- `time`: ISO 8601 with a zone (UTC `Z` or an offset); naive times are refused.
- `kind`: `commit` or `run` (work on a model version starts), `approval` (a version is approved
  for production), `deployment` (a version reaches the environment), `rollback` (a deployment
  undone), `alarm` (an incident starts: a CloudWatch alarm enters ALARM), `recovery` (it ends).
- `project`, `environment`: required strings; `model`, `version`: required for commit, run,
  approval and deployment (lead time and freshness pair them); `source` and `ref` say where
  the event was read (an ARN, a run id, a CloudTrail EventId) and are kept as given;
- `actor`: who made the change, where the source records it (the caller's ARN in the audit
  trail, the Kubernetes field manager); optional, shown in the evidence pack.
Unknown keys are refused, so a typo cannot silently drop an event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from qantara.errors import InputError, Problem

KINDS = ("commit", "run", "approval", "deployment", "rollback", "alarm", "recovery")
VERSIONED = ("commit", "run", "approval", "deployment")
FIELDS = ("time", "kind", "project", "environment", "model", "version", "source", "ref", "actor")


@dataclass(frozen=True, order=True)
class Event:
    time: dt.datetime
    kind: str
    project: str
    environment: str
    model: str | None = None
    version: str | None = None
    source: str | None = None
    ref: str | None = None
    actor: str | None = None

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if v is not None}
        data["time"] = format_time(self.time)
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


def format_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> dt.datetime:
    """An aware datetime in UTC; ValueError for a naive or malformed time."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("no time zone (write Z or an offset such as +04:00)")
    return value.astimezone(dt.UTC)


def event_from_dict(data, where: str, line: int) -> Event:
    def bad(field: str, message: str) -> InputError:
        return InputError(Problem(where, line, None, field, message))

    if not isinstance(data, dict):
        raise bad("", "expected a JSON object per line")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise bad(unknown[0], f"unknown field (allowed: {', '.join(FIELDS)})")
    for key in FIELDS:
        if key in data and not isinstance(data[key], str):
            raise bad(key, "must be a string")
    for key in ("time", "kind", "project", "environment"):
        if not data.get(key):
            raise bad(key, "required")
    if data["kind"] not in KINDS:
        raise bad("kind", f"{data['kind']!r} is not an event kind (allowed: {', '.join(KINDS)})")
    if data["kind"] in VERSIONED and not (data.get("model") and data.get("version")):
        raise bad("model" if not data.get("model") else "version", f"required for a {data['kind']} event")
    try:
        time = parse_time(data["time"])
    except ValueError as error:
        raise bad("time", f"{data['time'][:40]!r}: {error}") from None
    return Event(time, data["kind"], data["project"], data["environment"], data.get("model"),
                 data.get("version"), data.get("source"), data.get("ref"), data.get("actor"))


def read_events(path: Path) -> list[Event]:
    """Every event of a JSON Lines file, sorted by time; blank lines are skipped."""
    from qantara.input_file import read_regular_file

    text = read_regular_file(path, 64 * 1024 * 1024, "event file").decode("utf-8-sig")
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            raise InputError(Problem(str(path), number, None, "", f"not JSON ({error})")) from None
        events.append(event_from_dict(data, str(path), number))
    return sorted(events)


def events_jsonl(events: list[Event]) -> str:
    return "".join(event.to_json() + "\n" for event in sorted(events))
