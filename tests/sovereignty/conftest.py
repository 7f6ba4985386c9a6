"""What the placement and correction tests share: example blueprints rewritten in place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
# Pin sa-health-hybrid's cloud side to the Saudi region, me-west-1.
SAUDI_REGION = ("  cloud:\n    provider: aws\n", "  cloud:\n    provider: aws\n    region: me-west-1\n")
# Model Monitor's analyzer image has no registry account recorded for me-west-1
# (policies/data/sagemaker_model_monitor_images.yaml), so monitoring stays on the site.
MONITORING_ON_PREM = ("    monitoring:\n      schedule", "    monitoring:\n      placement: onprem\n      schedule")

Rewrite = Callable[..., Path]


@pytest.fixture
def rewritten(tmp_path: Path) -> Rewrite:
    """`rewritten(example, (old, new), ...)`: the example blueprint with each exact text
    replaced (each must occur once), written to a temporary file; returns its path."""

    def rewrite(example: str, *edits: tuple[str, str]) -> Path:
        text = (BLUEPRINTS / example).read_text(encoding="utf-8")
        for old, new in edits:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path = tmp_path / example
        path.write_text(text, encoding="utf-8")
        return path

    return rewrite


@pytest.fixture
def saudi_pinned(rewritten: Rewrite) -> Callable[[bool], Path]:
    """`saudi_pinned(monitoring_on_prem)`: sa-health-hybrid with its cloud side in me-west-1."""

    def pinned(monitoring_on_prem: bool) -> Path:
        return rewritten("sa-health-hybrid.yaml", SAUDI_REGION, *([MONITORING_ON_PREM] if monitoring_on_prem else []))

    return pinned
