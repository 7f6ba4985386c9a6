"""The blueprint's JSON Schema, generated from the models, for editors and `qantara schema`."""

from __future__ import annotations

from typing import Any

from qantara.blueprint.models import API_VERSION, Blueprint

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def blueprint_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a blueprint file, with its YAML (camelCase) names."""
    schema = Blueprint.model_json_schema(by_alias=True)
    schema.pop("title", None)
    return {"$schema": JSON_SCHEMA_DIALECT, "title": f"Qantara Blueprint ({API_VERSION})", **schema}
