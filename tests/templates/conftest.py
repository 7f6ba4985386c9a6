"""Bake the ml-project template through `qantara new`'s library function, once per answer set."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from ml_project_cases import AE_HEALTH

from qantara.project.generate import TEMPLATE_DIR, new_ml_project


@pytest.fixture(scope="session")
def bake(tmp_path_factory) -> Callable[..., Path]:
    """`bake(blueprint=..., **answers)`: the generated project, generated once per session."""
    baked: dict[tuple, Path] = {}

    def _bake(blueprint: Path = AE_HEALTH, **answers: str) -> Path:
        key = (str(blueprint), *sorted(answers.items()))
        if key not in baked:
            out = tmp_path_factory.mktemp("baked")
            baked[key] = new_ml_project(blueprint, answers=answers, no_input=True, output_dir=out)
        return baked[key]

    return _bake


@pytest.fixture
def template_copy(tmp_path) -> Path:
    """A copy of the template that a test may change (an "A" version to update from)."""
    copy = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy
