"""The stack config `pulumi up` would give a program: its own Pulumi.<stack>.yaml, read
safely, secrets kept secret, and the environment never taken for the deployer's."""

from __future__ import annotations

import json
import os

import pytest

from qantara.errors import EXIT_BAD_INPUT, InputError
from qantara.plan.document import SECRET
from qantara.plan.stack_settings import read_stack_settings, stack_config_for, without_region_environment


def project(tmp_path, stack_file: str | None = None, *, project_file: str = "name: patient-platform\nruntime: python\n",
            stack: str = "prod"):
    (tmp_path / "Pulumi.yaml").write_text(project_file, encoding="utf-8")
    if stack_file is not None:
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(stack_file, encoding="utf-8")
    program = tmp_path / "infra"
    program.mkdir()
    return program


def test_the_stack_file_beside_the_nearest_project_file_is_read_with_keys_in_the_projects_namespace(tmp_path):
    program = project(tmp_path, "config:\n  aws:region: me-central-1\n  bucketRegion: me-central-1\n")
    config = read_stack_settings(program, "prod")
    assert config.values == {"aws:region": "me-central-1", "patient-platform:bucketRegion": "me-central-1"}
    assert config.sources["aws:region"] == "Pulumi.prod.yaml" and config.searched == "Pulumi.prod.yaml"
    assert config.package_settings("aws") == {"region": "me-central-1"}


def test_secure_values_are_secret_markers_and_their_ciphertext_is_not_kept(tmp_path):
    program = project(tmp_path, "config:\n  aws:region:\n    secure: v1:c2VjcmV0\n"
                                "  aws:assumeRole:\n    roleArn: arn:aws:iam::1:role/x\n    externalId:\n      secure: v1:eA==\n")
    config = read_stack_settings(program, "prod")
    assert config.values == {"aws:region": SECRET, "aws:assumeRole": SECRET}
    assert "c2VjcmV0" not in repr(config)


def test_structured_values_reach_the_program_as_json(tmp_path):
    program = project(tmp_path, "config:\n  aws:endpoints:\n    - s3: https://storage.example.net\n")
    config = read_stack_settings(program, "prod")
    assert json.loads(config.program_config()["aws:endpoints"]) == [{"s3": "https://storage.example.net"}]


def test_project_level_config_applies_unless_the_stack_sets_the_key(tmp_path):
    program = project(tmp_path, "config:\n  aws:profile: prod\n",
                      project_file="name: p\nruntime: python\nconfig:\n  aws:region: me-central-1\n"
                                   "  tier:\n    type: string\n    default: gold\n")
    config = read_stack_settings(program, "prod")
    assert config.values == {"aws:region": "me-central-1", "p:tier": "gold", "aws:profile": "prod"}
    assert config.sources["aws:region"] == "Pulumi.yaml"


def test_stack_config_dir_is_honoured(tmp_path):
    program = project(tmp_path, project_file="name: p\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.prod.yaml").write_text("config:\n  aws:region: me-south-1\n", encoding="utf-8")
    assert read_stack_settings(program, "prod").values == {"aws:region": "me-south-1"}


def test_esc_environments_the_stack_imports_are_named(tmp_path):
    program = project(tmp_path, "environment:\n  - dubai-care/aws-prod\nconfig: {}\n")
    assert read_stack_settings(program, "prod").esc_environments == ("dubai-care/aws-prod",)


def test_without_a_stack_file_qantara_says_where_it_looked(tmp_path):
    config = read_stack_settings(project(tmp_path), "prod")
    assert config.values == {} and "no Pulumi.prod.yaml" in config.searched


@pytest.mark.parametrize("text, words", [
    ("config:\n  aws:region: me-central-1\n  aws:region: us-east-1\n", "duplicate key"),
    ("config:\n  aws:region: !!python/object:os.system x\n", "is not allowed"),
    ("config: [aws:region]\n", "must be a mapping"),
    ("a: &a [*a, *a]\nconfig: {}\n", "recursive"),
])
def test_a_bad_stack_file_is_refused_naming_file_and_line(tmp_path, text, words):
    with pytest.raises(InputError) as error:
        read_stack_settings(project(tmp_path, text), "prod")
    assert error.value.exit_code == EXIT_BAD_INPUT
    assert "Pulumi.prod.yaml:" in error.value.message and words in error.value.message


def test_qantaras_own_programs_use_the_placed_region_and_config_overrides_win(tmp_path):
    program = project(tmp_path, "config:\n  aws:region: us-east-1\n")
    own = stack_config_for(program, "prod", placed_region="me-central-1")
    assert own.values == {"aws:region": "me-central-1"}
    users = stack_config_for(program, "prod", placed_region=None, overrides={"aws:region": "me-south-1"})
    assert users.values == {"aws:region": "me-south-1"} and users.sources["aws:region"] == "--config"


def test_the_region_environment_is_hidden_while_a_program_runs_and_restored_after(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with without_region_environment() as hidden:
        assert "AWS_REGION" not in os.environ and hidden == {"AWS_REGION": "us-east-1"}
    assert os.environ["AWS_REGION"] == "us-east-1"


def test_an_empty_setting_sets_nothing(tmp_path):
    config = read_stack_settings(project(tmp_path, "config:\n  aws:region:\n"), "prod")
    assert config.values == {}
