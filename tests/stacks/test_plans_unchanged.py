"""Every example's plan is the one recorded before composition was redesigned (issue 14).

The recording (tests/fixtures/recorded_plans/, made by scripts/record_plans.py) holds each
blueprint × environment's resources: type, URN, parent, provider, inputs, dependencies,
location and class. A refactoring that changes any of them fails here with a diff; a change
that is meant (a fix) is re-recorded with the script and explained in its commit.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _recorder():
    spec = importlib.util.spec_from_file_location("record_plans", ROOT / "scripts" / "record_plans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORDER = _recorder()
EXAMPLES = RECORDER.examples()


def test_every_example_environment_has_a_recorded_plan():
    recorded = {p.name for p in RECORDER.RECORDINGS.glob("*.json.gz")}
    expected = {RECORDER.recording_path(stem, env).name for stem, env in EXAMPLES}
    assert expected - recorded == set(), "record them: python scripts/record_plans.py"
    assert recorded - expected == set(), "recordings of examples that no longer exist"


@pytest.mark.parametrize(("stem", "environment"), EXAMPLES, ids=[f"{s}-{e}" for s, e in EXAMPLES])
def test_the_plan_of_every_example_environment_is_unchanged(stem, environment):
    planned = RECORDER.stable_plan(stem, environment)
    recorded = RECORDER.read_recording(stem, environment)
    diff = RECORDER.difference(recorded, planned, f"{stem}/{environment}")
    assert not diff, f"the plan of {stem}/{environment} changed:\n{diff}"


def test_the_comparison_sees_a_changed_property():
    """The comparison is not vacuous: one property changed in one resource is a difference."""
    recorded = RECORDER.read_recording(*EXAMPLES[0])
    changed = RECORDER.read_recording(*EXAMPLES[0])
    bucket = next(r for r in changed["resources"] if r["type"] == "aws:s3/bucket:Bucket")
    bucket["inputs"]["forceDestroy"] = not bucket["inputs"].get("forceDestroy")
    assert "forceDestroy" in RECORDER.difference(recorded, changed, "x")
