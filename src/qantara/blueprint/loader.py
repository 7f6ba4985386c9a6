"""The one way a blueprint gets in: YAML file -> validated `Blueprint`, or a `BlueprintError`
whose every line names the file, line, column and field path."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from qantara.blueprint.models import PATTERN_HINTS, RULE_ERROR, Blueprint
from qantara.blueprint.yaml_source import (
    FieldPath,
    SourceDocument,
    describe_value,
    format_field_path,
    load_yaml_with_positions,
)
from qantara.errors import BlueprintError, InputError, Problem
from qantara.input_file import ECHO_LIMIT, short_repr, shorten

# What a wrong-typed value should have been, by pydantic error type.
_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class LoadedBlueprint:
    """A validated blueprint and the source it came from, to locate later problems."""

    path: Path
    model: Blueprint
    source: SourceDocument

    def problem(self, field_path: FieldPath, message: str) -> Problem:
        """A problem located at `field_path` (YAML names, e.g. `("spec", "cloud", "region")`)."""
        line, column = self.source.position(field_path)
        return Problem(str(self.path), line, column, format_field_path(field_path), message)


def load_blueprint(path: str | os.PathLike[str]) -> LoadedBlueprint:
    """Load and validate a blueprint file; any failure is a `BlueprintError`."""
    model, source = load_model(path, Blueprint, BlueprintError)
    return LoadedBlueprint(Path(os.fspath(path)), model, source)


M = TypeVar("M", bound=BaseModel)


def load_model(path: str | os.PathLike[str], model_class: type[M],
               error_class: type[InputError] = InputError) -> tuple[M, SourceDocument]:
    """Load a YAML file safely and validate it as `model_class`; every problem is located."""
    name = os.fspath(path)
    try:
        source = load_yaml_with_positions(name)
    except InputError as exc:
        raise error_class(exc.problems or exc.message) from None
    try:
        # By alias only: the file must use the documented camelCase names.
        model = model_class.model_validate(source.data, by_alias=True, by_name=False)
    except ValidationError as exc:
        raise error_class(_problems(name, source, exc, model_class)) from None
    return model, source


def _problems(name: str, source: SourceDocument, exc: ValidationError, root: type[BaseModel]) -> list[Problem]:
    problems: set[Problem] = set()
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if error["type"] == RULE_ERROR:
            for relative, message in error["ctx"]["violations"]:
                problems.add(_located(name, source.position(loc + relative), loc + relative, message))
        elif loc and loc[-1] == "[key]":  # a bad mapping key, e.g. a tag named aws:...
            problems.add(_located(name, source.key_position(loc[:-1]), loc[:-1], f"key {_message(error, loc, root)}"))
        elif error["type"] == "extra_forbidden":
            problems.add(_located(name, source.key_position(loc), loc, _message(error, loc, root)))
        else:
            problems.add(_located(name, source.position(loc), loc, _message(error, loc, root)))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.field))


def _located(name: str, position: tuple[int, int], loc: FieldPath, message: str) -> Problem:
    return Problem(name, position[0], position[1], format_field_path(loc), message)


def _message(error: Any, loc: FieldPath, root: type[BaseModel]) -> str:
    kind, value, ctx = error["type"], error["input"], error.get("ctx", {})
    if kind == "extra_forbidden":
        return _unknown_field(loc, root)
    if kind == "missing":
        return f"required field '{loc[-1]}' is missing"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx["expected"])
        return f"{short_repr(value)} is not allowed (allowed: {', '.join(allowed)})"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {describe_value(value)}"
    if kind == "string_pattern_mismatch":
        return f"{short_repr(value)} is not {PATTERN_HINTS.get(ctx['pattern'], 'matching ' + ctx['pattern'])}"
    if kind == "string_too_long":
        return f"{short_repr(value)} is longer than {ctx['max_length']} characters"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"has {len(value)} items; at most {ctx['max_length']} are allowed"
    if kind == "too_short":
        return f"needs at least {ctx['min_length']} item(s), got {len(value)}"
    if kind == "greater_than_equal":
        return f"{short_repr(value)} is below the minimum ({ctx['ge']})"
    if kind == "less_than_equal":
        return f"{short_repr(value)} is above the maximum ({ctx['le']})"
    if kind == "greater_than":
        return f"{short_repr(value)} must be above {ctx['gt']}"
    return _echoes_cut(error["msg"], value, ctx)


# A message whose echoed values are cut may still be this long (its explanation is ours); the
# bound only catches text echoed from somewhere the error's input and context do not say.
_MESSAGE_LIMIT = 1000


def _echoes_cut(message: str, value: Any, ctx: dict[str, Any]) -> str:
    """`message` with each value it echoes (the input, a context value) cut like `shorten`.

    Only the echoed values are cut: the explanation, such as which characters are allowed,
    is kept whole whatever the length of the value it follows.
    """
    echoed = {text for text in (value, *ctx.values()) if isinstance(text, str) and len(text) > ECHO_LIMIT}
    for text in sorted(echoed, key=len, reverse=True):
        message = message.replace(text, shorten(text))
    return shorten(message, _MESSAGE_LIMIT)


def _unknown_field(loc: FieldPath, root: type[BaseModel]) -> str:
    allowed = _allowed_fields(loc[:-1], root)
    if not allowed:
        return f"unknown field {short_repr(loc[-1])}"
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown field {short_repr(loc[-1])} ({hint}allowed: {', '.join(allowed)})"


def _allowed_fields(loc: FieldPath, root: type[BaseModel]) -> list[str]:
    """The YAML names the model at `loc` accepts, found by walking the model classes."""
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue  # a list index: the item model was already unwrapped from list[...]
        fields = {info.alias or field: info for field, info in model.model_fields.items()}
        model = _model_in(fields[part].annotation) if part in fields else None
    return [info.alias or field for field, info in model.model_fields.items()] if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside `Model`, `Model | None` or `list[Model]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None

