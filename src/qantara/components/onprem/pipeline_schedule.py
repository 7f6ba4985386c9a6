"""When the on-prem pipeline retrains on age: a cron schedule that beats the model age limit.

Cron cannot say "every N days" (a day-of-month step restarts every month), so the schedule is
the coarsest of daily, weekly or every M months (on the 1st) whose longest gap between two runs
stays within the limit minus a margin: a retraining run, then a person's approval, take time.
The schedule does not read the served model's age; it makes sure that a model retrained and
approved on every run is never older than `spec.governance.maxModelAgeDays`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Days a retraining run and its approval may take, at most: a quarter of the limit, capped.
MARGIN_CAP_DAYS = 30
# Runs start at 03:00 UTC, outside office hours in the Gulf (UTC+3, UTC+4).
HOUR = 3
DAYS_IN_LONGEST_MONTH = 31


@dataclass(frozen=True)
class AgeSchedule:
    cron: str
    # The longest time between two runs of `cron`, in days.
    longest_gap_days: int
    margin_days: int


def margin_days(max_age_days: int) -> int:
    return max(1, min(MARGIN_CAP_DAYS, max_age_days // 4))


def age_schedule(max_age_days: int) -> AgeSchedule:
    """The cron schedule retraining runs on for a model age limit of `max_age_days` (>= 1)."""
    if max_age_days < 1:
        raise ValueError(f"max_age_days is {max_age_days}: a model age limit is at least 1 day")
    margin = margin_days(max_age_days)
    budget = max_age_days - margin
    months = min(12, budget // DAYS_IN_LONGEST_MONTH)
    if months >= 2:
        # Months 1, 1+M, ...: every gap, the one over the new year included, is at most M months.
        return AgeSchedule(f"0 {HOUR} 1 */{months} *", months * DAYS_IN_LONGEST_MONTH, margin)
    if months == 1:
        return AgeSchedule(f"0 {HOUR} 1 * *", DAYS_IN_LONGEST_MONTH, margin)
    if budget >= 7:
        return AgeSchedule(f"0 {HOUR} * * 1", 7, margin)
    # Below a week's budget (limits under 9 days): every day, the best a schedule can do.
    return AgeSchedule(f"0 {HOUR} * * *", 1, margin)
