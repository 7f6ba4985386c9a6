"""Fixtures for the on-prem components."""

from __future__ import annotations

import pytest

from qantara.plan.offline import run_under_mocks


@pytest.fixture
def build():
    """Build components under Pulumi's mocks (preview); returns resources by (type, name)."""

    def _build(body, config: dict[str, str] | None = None):
        resources = run_under_mocks(body, project="qantara", stack="test", config=config or {})
        return {(r["type"], r["name"]): r for r in resources}

    return _build
