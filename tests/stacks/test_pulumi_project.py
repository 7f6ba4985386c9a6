import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "fixtures" / "reference" / "pulumi-project.schema.json"


def test_platform_project_file_is_valid_against_pulumis_own_schema():
    schema = json.loads(SCHEMA.read_text())
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    jsonschema.validate(project, schema)


def test_platform_project_runs_the_platform_program_and_declares_its_config():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert (ROOT / project["main"] / "__main__.py").is_file()
    assert project["runtime"]["name"] == "python"
    # Project-namespaced keys: `pulumi config set qantara:blueprint ...` works because the project is `qantara`.
    assert project["name"] == "qantara"
    assert {"blueprint", "environment"} <= set(project["config"])
