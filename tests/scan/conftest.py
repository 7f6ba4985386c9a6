import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from checkpoints import CONFIG, checkpoint, offline_plan  # noqa: E402


@pytest.fixture(scope="session")
def ae_plan():
    return offline_plan("blueprints/ae-health-cloud.yaml", "prod")


@pytest.fixture(scope="session")
def compliant(ae_plan):
    return checkpoint(ae_plan, stack="prod", config=CONFIG)


@pytest.fixture(scope="session")
def moved_to_frankfurt(ae_plan):
    return checkpoint(ae_plan, stack="prod-eu", config=CONFIG, region_override={"data-lake-raw": "eu-central-1"})
