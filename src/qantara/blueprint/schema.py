"""The blueprint's JSON Schema, generated from the models, for editors and `qantara schema`.

Pydantic carries the field rules (types, patterns, bounds, enums, formats). The rules that
compare fields live in the models' validators; those a JSON Schema can say are added here
as `if`/`then` so an editor shows the same errors as `qantara validate` (sections the
deployment needs or ignores, the link's and the site's kind-specific fields, the retention
periods CloudWatch accepts). What a schema cannot say (weights adding up to 100, derived
names over AWS limits, residency) only `qantara validate` finds; the schema never refuses
what validate accepts (tests/blueprint/test_blueprint_schema.py).
"""

from __future__ import annotations

from typing import Any

from qantara.blueprint.models import API_VERSION, LOG_RETENTION_DAYS, Blueprint, Components

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
FORBIDDEN = False  # the JSON Schema that no value satisfies


def _when(prop: str, values: list[str], then: dict[str, Any], *, default: str | None = None) -> dict[str, Any]:
    """`if` `prop` is one of `values` `then` ...; `default` counts as present when `prop` is absent."""
    condition: dict[str, Any] = {"properties": {prop: {"enum": values}}}
    if default is None or default not in values:
        condition["required"] = [prop]
    return {"if": condition, "then": then}


def _placed(where: str) -> dict[str, Any]:
    """Some component's placement is `where`."""
    names = [info.alias for info in Components.model_fields.values()]
    return {"required": ["components"], "properties": {"components": {"anyOf": [
        {"required": [name], "properties": {name: {"required": ["placement"],
                                                   "properties": {"placement": {"const": where}}}}}
        for name in names]}}}


def _spec_rules() -> list[dict[str, Any]]:
    no_cloud_placement = {"properties": {"components": {"properties": {
        info.alias: {"properties": {"placement": {"not": {"const": "cloud"}}}}
        for info in Components.model_fields.values()}}}}
    return [
        _when("deployment", ["cloud", "hybrid"], {"required": ["cloud"]}),
        _when("deployment", ["on-prem", "hybrid"], {"required": ["onPrem"]}),
        # Sections an on-prem deployment would ignore, and cloud placements it cannot honour.
        _when("deployment", ["on-prem"], {
            "properties": {"cloud": FORBIDDEN, "deployAccess": FORBIDDEN,
                           "onPrem": {"properties": {"connectivity": FORBIDDEN}}},
            "allOf": [no_cloud_placement]}),
        # A cloud deployment uses onPrem only for components placed there.
        {"if": {"properties": {"deployment": {"const": "cloud"}}, "required": ["deployment", "onPrem"]},
         "then": _placed("onprem")},
    ]


def _add_rules(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    defs["Spec"]["allOf"] = _spec_rules()
    defs["Connectivity"]["allOf"] = [
        _when("kind", ["vpn"], {"required": ["customerGatewayIp"]}),
        _when("kind", ["direct-connect"], {"required": ["directConnectGatewayId"]}),
    ]
    defs["OnPrem"]["allOf"] = [
        _when("kind", ["outposts"], {"required": ["outpostArn"]}),
        _when("kind", ["kubernetes"], {"properties": {"outpostArn": FORBIDDEN, "outpostNetwork": FORBIDDEN}},
              default="kubernetes"),
    ]
    retention = defs["Environment"]["properties"]["logRetentionDays"]
    retention["anyOf"] = [{"enum": list(LOG_RETENTION_DAYS)}, {"type": "null"}]


def blueprint_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a blueprint file, with its YAML (camelCase) names."""
    schema = Blueprint.model_json_schema(by_alias=True)
    schema.pop("title", None)
    _add_rules(schema)
    return {"$schema": JSON_SCHEMA_DIALECT, "title": f"Qantara Blueprint ({API_VERSION})", **schema}
