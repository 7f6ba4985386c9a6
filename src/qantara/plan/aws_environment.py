"""The environment variables the AWS provider reads its region from, and hiding them.

The AWS provider reads `AWS_REGION` / `AWS_DEFAULT_REGION` (pulumi-aws's Python SDK even copies
them into an explicit provider's `region` input when the program sets none). The environment
Qantara runs in is not the deployer's, so the offline run hides them (docs/decisions.md).
Apart from `stack_settings` so that a planning child can be started before this process
imports the blueprint models (`qantara.plan.early`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


def region_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The region variables set in `environ` (the process's by default), for messages."""
    environ = os.environ if environ is None else environ
    return {name: environ[name][:40] for name in REGION_VARIABLES if environ.get(name)}


@contextlib.contextmanager
def without_region_environment() -> Iterator[dict[str, str]]:
    """Hide AWS_REGION / AWS_DEFAULT_REGION while a program runs offline, so that an explicit
    provider's `region` input is what the program set, not this machine's environment."""
    saved = {name: os.environ.pop(name) for name in REGION_VARIABLES if name in os.environ}
    try:
        yield dict(saved)
    finally:
        os.environ.update(saved)
