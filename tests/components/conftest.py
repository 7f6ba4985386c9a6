import pytest

from qantara.plan.offline import run_under_mocks


@pytest.fixture
def build():
    """Build components under Pulumi's mocks (preview); returns resources by (type, name)."""

    def _build(body, region="me-central-1"):
        resources = run_under_mocks(body, project="qantara", stack="test", config={"aws:region": region})
        return {(r["type"], r["name"]): r for r in resources}

    return _build
