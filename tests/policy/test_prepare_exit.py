"""A check that stops before evaluating (bad input) exits with its own code, never with an abort
of the policy engine whose compilation `prepare` started in the background."""

from __future__ import annotations

import subprocess
import sys
import threading

from qantara.policy.evaluate import prepare

# What `check` does before it plans, then a planning failure that ends the process at once.
STOP_EARLY = """
import sys
from qantara.policy.evaluate import prepare
from qantara.policy.maturity import PREREQUISITES
prepare(("blueprint", "resources"), also=(PREREQUISITES,))
sys.exit(2)
"""


def test_the_preparation_is_waited_for_at_exit_not_abandoned():
    # A daemon thread would be abandoned at interpreter exit while it starts the native compilation:
    # the process then aborted (134) about one run in eight on a program that failed to plan.
    before = set(threading.enumerate())
    prepare(("blueprint",))
    started = [t for t in threading.enumerate() if t not in before and t.name.startswith("qantara-policy")]
    assert started and not [t.name for t in started if t.daemon]
    for thread in started:
        thread.join()


def test_a_process_that_exits_right_after_preparing_exits_with_its_own_code():
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", STOP_EARLY], capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 2, done.stderr[-2000:]
        assert "terminate called" not in done.stderr
