"""A project repository written by an attacker, checked with `qantara check --project` (issue 13 §1, §3)."""

from __future__ import annotations

import os

import pytest
from test_project_check import TODAY, write_project

from qantara.errors import InputError, ProjectError
from qantara.project.check import check_project


@pytest.mark.parametrize("target", [".env", "/proc/self/environ", "../platform/blueprint.json"])
def test_a_manifest_cannot_make_check_read_a_file_that_is_not_yaml(tmp_path, target):
    secret = tmp_path / "project" / ".env"
    project = write_project(tmp_path, manifest={"spec": {"blueprint": target}})
    secret.write_text("TOKEN=supersecret\n")
    with pytest.raises(ProjectError) as raised:
        check_project(project, today=TODAY)
    message = raised.value.message
    assert "spec.blueprint" in message and "not a .yaml or .yml file" in message
    assert "supersecret" not in message


def test_a_yaml_file_that_is_not_a_blueprint_is_named_not_echoed(tmp_path):
    project = write_project(tmp_path, manifest={"spec": {"blueprint": "secrets.yaml"}})
    (project / "secrets.yaml").write_text("TOKEN=supersecret\n")
    with pytest.raises(InputError) as raised:
        check_project(project, today=TODAY)
    assert "found a string" in raised.value.message and "supersecret" not in raised.value.message


def test_a_model_card_that_is_a_fifo_is_not_waited_for(tmp_path):
    project = write_project(tmp_path, card="missing")
    os.mkfifo(project / "model_card.yaml")
    result = check_project(project, today=TODAY)  # reported as a missing card, never read
    assert "QA-PRJ" in " ".join(f["policy"] for f in result.findings)
    assert (project / "model_card.yaml").is_fifo()
