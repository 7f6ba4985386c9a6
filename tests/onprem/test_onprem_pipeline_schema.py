"""The Argo objects the on-prem pipeline writes are valid against Argo's published JSON schemas
(tests/fixtures/schemas/argo), as published and with every object closed to unknown keys."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest
from pipeline_build import build, manifest, one

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "argo"
WORKFLOWS = "io.argoproj.workflow.v1alpha1"
EVENTS = "io.argoproj.events.v1alpha1"


def _prune_module():
    spec = importlib.util.spec_from_file_location("prune_schema", SCHEMAS / "prune_schema.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def closed(published: dict) -> dict:
    """Every object that lists its properties refuses others: a misspelt field is an error."""
    strict = copy.deepcopy(published)
    for definition in strict["definitions"].values():
        if "properties" in definition and "additionalProperties" not in definition:
            definition["additionalProperties"] = False
    return strict


def validator(published: dict, definition: str):
    root = {**published, "$ref": f"#/definitions/{definition}"}
    root.pop("oneOf", None)
    return jsonschema.Draft202012Validator(root)


def errors(published: dict, definition: str, document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(published, definition).iter_errors(document)]


CASES = [
    ("argo-workflows.schema.json", f"{WORKFLOWS}.WorkflowTemplate", "WorkflowTemplate"),
    ("argo-workflows.schema.json", f"{WORKFLOWS}.CronWorkflow", "CronWorkflow"),
    ("argo-events.schema.json", f"{EVENTS}.Sensor", "Sensor"),
    ("argo-events.schema.json", f"{EVENTS}.EventSource", "EventSource"),
]


@pytest.fixture(scope="module")
def resources():
    return build()


@pytest.mark.parametrize(("file", "definition", "kind"), CASES, ids=[c[2] for c in CASES])
def test_each_generated_argo_object_is_valid_against_argos_published_schema(resources, file, definition, kind):
    document = manifest(one(resources, kind))
    assert errors(schema(file), definition, document) == []
    assert errors(closed(schema(file)), definition, document) == []


def test_the_workflow_the_drift_sensor_submits_is_a_valid_workflow(resources):
    sensor = one(resources, "Sensor")
    workflow = sensor["inputs"]["spec"]["triggers"][0]["template"]["argoWorkflow"]["source"]["resource"]
    assert errors(closed(schema("argo-workflows.schema.json")), f"{WORKFLOWS}.Workflow", workflow) == []


def test_a_misspelt_field_is_refused_by_the_closed_schema_not_ignored(resources):
    document = manifest(one(resources, "WorkflowTemplate"))
    document["spec"]["automountServiceAcountToken"] = False
    published = schema("argo-workflows.schema.json")
    assert errors(published, f"{WORKFLOWS}.WorkflowTemplate", document) == []
    assert any("automountServiceAcountToken" in e for e in errors(closed(published), f"{WORKFLOWS}.WorkflowTemplate", document))


def test_a_wrongly_typed_field_is_refused_by_the_published_schema(resources):
    document = manifest(one(resources, "CronWorkflow"))
    document["spec"]["schedules"] = "0 3 1 */4 *"
    assert errors(schema("argo-workflows.schema.json"), f"{WORKFLOWS}.CronWorkflow", document)


def test_a_webhook_without_its_required_url_is_refused(resources):
    document = manifest(one(resources, "EventSource"))
    for webhook in document["spec"]["webhook"].values():
        del webhook["url"]
    assert errors(schema("argo-events.schema.json"), f"{EVENTS}.EventSource", document)


@pytest.mark.parametrize("file", ["argo-workflows.schema.json", "argo-events.schema.json"])
def test_each_vendored_schema_is_what_the_prune_script_makes_of_it(file):
    prune = _prune_module()
    text = (SCHEMAS / file).read_text(encoding="utf-8")
    pruned = json.loads(text)
    assert prune.dumps(prune.prune(pruned, prune.roots_of(pruned))) == text
    unresolved = prune.references(pruned) - set(pruned["definitions"])
    assert unresolved == set()


def test_the_prune_script_keeps_only_what_the_named_definitions_reach():
    prune = _prune_module()
    published = {"definitions": {"A": {"properties": {"b": {"$ref": "#/definitions/B"}}}, "B": {"type": "string"},
                                 "Unused": {"type": "object"}}, "oneOf": []}
    pruned = prune.prune(published, ["A"])
    assert set(pruned["definitions"]) == {"A", "B"}
    assert pruned["oneOf"] == [{"$ref": "#/definitions/A"}]
    with pytest.raises(KeyError, match="Missing"):
        prune.prune(published, ["Missing"])
