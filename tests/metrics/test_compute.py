"""Delivery metrics computed from a recorded event history, against values checked by hand.

tests/metrics/history.jsonl, project triage, environment prod, window 2026-11-02 to 2026-11-30
(28 days): deployments of v1 (11-03 12:00), v2 (11-10 20:00), v3 (11-17 00:00).
- frequency 3 / 28 = 0.1071 a day (medium: at least monthly, less than weekly);
- lead times 28 h (commit 11-02 08:00), 36 h (11-09 08:00), 24 h (11-16 00:00): median 28 h;
- incidents: alarm 11-11 00:00 (the rollback at 02:00 is the same incident) to recovery 04:00 = 4 h;
  alarm 11-22 00:00 to recovery 08:00 = 8 h: MTTR 6 h;
- failures: v2 (alarm after it) and v3 (alarm 11-22): 2 / 3;
- freshness at 11-30: v3 deployed 13 days ago; v4 approved 11-20, 3 days after v3 went out.
"""

import datetime as dt
from pathlib import Path

import pytest

from qantara.errors import InputError
from qantara.metrics.compute import Window, compute_metrics
from qantara.metrics.events import Event, events_jsonl, read_events

HISTORY = Path(__file__).parent / "history.jsonl"
UTC = dt.UTC
WINDOW = Window(dt.datetime(2026, 11, 2, tzinfo=UTC), dt.datetime(2026, 11, 30, tzinfo=UTC))


def _prod():
    [group] = compute_metrics(read_events(HISTORY), WINDOW, project="triage", environment="prod")
    return group


def test_four_dora_metrics_match_the_hand_checked_values():
    metrics = _prod()["metrics"]
    assert metrics["deploymentFrequency"] == {"value": round(3 / 28, 4), "band": "medium"}
    assert metrics["leadTime"] == {"value": 28.0, "band": "high"}
    assert metrics["mttr"] == {"value": 6.0, "band": "high"}
    assert metrics["changeFailureRate"] == {"value": round(2 / 3, 4), "band": "low"}


def test_a_rollback_during_an_open_alarm_is_one_incident_not_two():
    group = _prod()
    assert (group["incidents"], group["openIncidents"], group["failedDeployments"]) == (2, 0, 2)


def test_freshness_gives_age_and_gap_to_the_newest_approved_version():
    assert _prod()["freshness"] == [{"model": "triage-model", "version": "3", "deployed": "2026-11-17T00:00:00Z",
                                     "ageDays": 13.0, "versionsBehind": 1, "gapDays": 3.0}]


def test_environments_are_measured_apart():
    [staging] = compute_metrics(read_events(HISTORY), WINDOW, environment="staging")
    # prod's alarms do not make staging's deployment a failure, and it has no commit to start a lead time
    assert staging["metrics"]["changeFailureRate"]["value"] == 0.0
    assert staging["metrics"]["leadTime"] == {"value": None, "band": None}
    assert staging["deploymentsWithoutStart"] == 1


def test_empty_history_gives_no_groups_and_no_invented_values():
    assert compute_metrics([], WINDOW) == []


def test_single_deployment_has_frequency_but_no_lead_time_mttr_or_failure():
    event = Event(dt.datetime(2026, 11, 10, tzinfo=UTC), "deployment", "p", "prod", "m", "1")
    [group] = compute_metrics([event], WINDOW)
    assert group["metrics"]["deploymentFrequency"]["value"] == round(1 / 28, 4)
    assert group["metrics"]["leadTime"]["value"] is None
    assert group["metrics"]["mttr"]["value"] is None
    assert group["metrics"]["changeFailureRate"] == {"value": 0.0, "band": "elite"}
    assert group["freshness"][0]["ageDays"] == 20.0


def test_single_alarm_never_recovered_is_an_open_incident_not_a_zero_mttr():
    event = Event(dt.datetime(2026, 11, 10, tzinfo=UTC), "alarm", "p", "prod")
    [group] = compute_metrics([event], WINDOW)
    assert group["openIncidents"] == 1
    assert group["metrics"]["mttr"] == {"value": None, "band": None}
    assert group["metrics"]["changeFailureRate"]["value"] is None  # no deployment: no rate


def test_events_after_the_window_do_not_count():
    late = Event(dt.datetime(2026, 12, 1, tzinfo=UTC), "deployment", "triage", "prod", "triage-model", "9")
    [group] = compute_metrics(read_events(HISTORY) + [late], WINDOW, environment="prod")
    assert group["deployments"] == 3


def test_weekly_series_covers_the_window():
    series = _prod()["series"]
    assert [p["start"][:10] for p in series] == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert [round(p["deploymentFrequency"] * 7) for p in series] == [1, 1, 1, 0]


def test_export_format_round_trips(tmp_path):
    events = read_events(HISTORY)
    path = tmp_path / "events.jsonl"
    path.write_text(events_jsonl(events))
    assert read_events(path) == events


@pytest.mark.parametrize("line, field", [
    ('{"time": "2026-11-02T08:00:00", "kind": "run", "project": "p", "environment": "e", "model": "m", "version": "1"}', "time"),
    ('{"time": "2026-11-02T08:00:00Z", "kind": "deploy", "project": "p", "environment": "e"}', "kind"),
    ('{"time": "2026-11-02T08:00:00Z", "kind": "deployment", "project": "p", "environment": "e", "model": "m"}', "version"),
    ('{"time": "2026-11-02T08:00:00Z", "kind": "alarm", "project": "p", "environment": "e", "severity": "x"}', "severity"),
    ('{"time": 5, "kind": "alarm", "project": "p", "environment": "e"}', "time"),
])
def test_bad_event_lines_are_refused_with_file_line_and_field(tmp_path, line, field):
    path = tmp_path / "events.jsonl"
    path.write_text("\n" + line + "\n")
    with pytest.raises(InputError) as caught:
        read_events(path)
    assert f"{path}:2: {field}:" in caught.value.lines()[0]
