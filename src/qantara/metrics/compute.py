"""DORA's four metrics and model freshness over a window, per project and environment.

Definitions (each a choice, written down so an auditor can recompute it by hand):
- deployment frequency: deployments in the window per day of the window;
- lead time: for each deployment, from the first `commit` or `run` event of the same project,
  model and version (at any earlier time) to the deployment; the median, in hours. A deployment
  with no such event has no lead time (counted in `deploymentsWithoutStart`);
- MTTR: an incident opens at an `alarm` or `rollback` (when none is open) and closes at the
  next `recovery`; the mean duration, in hours, of the incidents opened in the window and
  closed by its end (`openIncidents` counts the others);
- change failure rate: the share of the window's deployments followed by an `alarm` or a
  `rollback` before the next deployment (or the window's end);
- model freshness: per model deployed by the window's end, the age of its production version
  (days since that deployment) and the gap to the newest approved version (how many versions
  were approved after the deployed one, and days between their approvals).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from qantara.metrics.bands import band
from qantara.metrics.events import Event, format_time

HOUR = 3600.0
DAY = 86400.0
INCIDENT_STARTS = ("alarm", "rollback")


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime

    def __contains__(self, time: dt.datetime) -> bool:
        return self.start <= time < self.end

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / DAY


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def deployment_frequency(events: list[Event], window: Window) -> float | None:
    if window.days <= 0:
        return None
    return len([e for e in events if e.kind == "deployment" and e.time in window]) / window.days


def lead_times(events: list[Event], window: Window) -> tuple[list[float], int]:
    """Lead times in hours of the window's deployments, and how many had no start event."""
    starts: dict[tuple, dt.datetime] = {}
    for e in events:
        if e.kind in ("commit", "run"):
            key = (e.model, e.version)
            starts[key] = min(starts.get(key, e.time), e.time)
    leads, unpaired = [], 0
    for e in events:
        if e.kind == "deployment" and e.time in window:
            start = starts.get((e.model, e.version))
            if start is None or start > e.time:
                unpaired += 1
            else:
                leads.append((e.time - start).total_seconds() / HOUR)
    return leads, unpaired


def incidents(events: list[Event], window: Window) -> tuple[list[float], int]:
    """Durations in hours of the incidents opened in the window and closed by its end; open ones."""
    durations, still_open, opened = [], 0, None
    for e in events:
        if e.time >= window.end:
            break
        if e.kind in INCIDENT_STARTS and opened is None:
            opened = e.time
        elif e.kind == "recovery" and opened is not None:
            if opened in window:
                durations.append((e.time - opened).total_seconds() / HOUR)
            opened = None
    if opened is not None and opened in window:
        still_open = 1
    return durations, still_open


def change_failures(events: list[Event], window: Window) -> tuple[int, int]:
    """(failed deployments, deployments) in the window."""
    failed = total = 0
    deployment_seen = False
    current_failed = False
    for e in events:
        if e.time >= window.end:
            break
        if e.kind == "deployment":
            if deployment_seen and current_failed:
                failed += 1
            deployment_seen = e.time in window
            total += deployment_seen
            current_failed = False
        elif e.kind in INCIDENT_STARTS and deployment_seen:
            current_failed = True
    if deployment_seen and current_failed:
        failed += 1
    return failed, total


def freshness(events: list[Event], end: dt.datetime) -> list[dict]:
    """Age and approval gap of each model's production version at `end`."""
    deployed: dict[str, Event] = {}
    approvals: dict[str, dict[str, dt.datetime]] = {}
    for e in events:
        if e.time >= end:
            break
        if e.kind == "deployment" or (e.kind == "rollback" and e.model and e.version):
            deployed[e.model] = e  # a rollback naming its version puts that version back in production
        elif e.kind == "approval":
            approvals.setdefault(e.model, {}).setdefault(e.version, e.time)
    rows = []
    for model in sorted(deployed):
        current = deployed[model]
        approved = approvals.get(model, {})
        own = approved.get(current.version, current.time)
        newer = sorted(t for v, t in approved.items() if t > own and v != current.version)
        rows.append({
            "model": model, "version": current.version, "deployed": format_time(current.time),
            "ageDays": _round((end - current.time).total_seconds() / DAY),
            "versionsBehind": len(newer),
            "gapDays": _round((newer[-1] - own).total_seconds() / DAY) if newer else 0.0,
        })
    return rows


def summarise(events: list[Event], window: Window) -> dict:
    """Every metric of one project/environment's events (sorted by time) over the window."""
    leads, unpaired = lead_times(events, window)
    durations, still_open = incidents(events, window)
    failed, total = change_failures(events, window)
    values = {
        "deploymentFrequency": deployment_frequency(events, window),
        "leadTime": statistics.median(leads) if leads else None,
        "mttr": statistics.fmean(durations) if durations else None,
        "changeFailureRate": failed / total if total else None,
    }
    return {
        "deployments": total,
        "metrics": {name: {"value": _round(value), "band": band(name, value)} for name, value in values.items()},
        "deploymentsWithoutStart": unpaired,
        "incidents": len(durations) + still_open,
        "openIncidents": still_open,
        "failedDeployments": failed,
        "freshness": freshness(events, window.end),
    }


def series(events: list[Event], window: Window, step_days: int = 7) -> list[dict]:
    """The metrics per period of `step_days` across the window, for charts."""
    points, start = [], window.start
    while start < window.end:
        end = min(start + dt.timedelta(days=step_days), window.end)
        summary = summarise(events, Window(start, end))
        points.append({"start": format_time(start), **{k: v["value"] for k, v in summary["metrics"].items()}})
        start = end
    return points


def compute_metrics(events: list[Event], window: Window, *, project: str | None = None,
                    environment: str | None = None, step_days: int = 7) -> list[dict]:
    """One entry per (project, environment) present in the events, optionally filtered."""
    groups: dict[tuple[str, str], list[Event]] = {}
    for e in sorted(events):
        if (project is None or e.project == project) and (environment is None or e.environment == environment):
            groups.setdefault((e.project, e.environment), []).append(e)
    return [{"project": p, "environment": env, "window": {"start": format_time(window.start), "end": format_time(window.end)},
             **summarise(group, window), "series": series(group, window, step_days), "sources": event_sources(group)}
            for (p, env), group in sorted(groups.items())]


def event_sources(events: list[Event]) -> dict[str, int]:
    """How many of the events each source gave (`unspecified` where a file names none): the
    reader of a figure sees what it was computed from."""
    counts: dict[str, int] = {}
    for e in events:
        counts[e.source or "unspecified"] = counts.get(e.source or "unspecified", 0) + 1
    return dict(sorted(counts.items()))
