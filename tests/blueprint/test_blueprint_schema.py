"""The exported JSON Schema speaks the file's language and forbids typos."""

from __future__ import annotations

from qantara.blueprint import blueprint_json_schema


def test_schema_uses_camel_case_names():
    schema = blueprint_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    assert set(schema["required"]) == {"apiVersion", "kind", "metadata", "spec"}
    spec = schema["$defs"]["Spec"]["properties"]
    assert {"dataClassification", "onPrem", "environments"} <= set(spec)
    assert "drRegion" in schema["$defs"]["Cloud"]["properties"]
    assert "auditRetentionDays" in schema["$defs"]["Governance"]["properties"]
    assert "data_classification" not in spec


def test_schema_forbids_additional_properties_everywhere():
    schema = blueprint_json_schema()
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        assert definition.get("additionalProperties") is False, name


def test_every_field_has_a_description():
    schema = blueprint_json_schema()
    for name, definition in [("Blueprint", schema), *schema["$defs"].items()]:
        for field, prop in definition["properties"].items():
            assert prop.get("description"), f"{name}.{field}"
