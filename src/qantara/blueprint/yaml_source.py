"""Load untrusted YAML safely and remember where every value came from.

PyYAML composes the node tree (no object construction, so no code runs); this module
builds plain Python data from it with YAML 1.2 core-schema scalars, and records the
1-based line and column of each value and key so later errors can point at the file.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qantara.errors import InputError, Problem
from qantara.input_file import ECHO_LIMIT, read_regular_file, short_repr

MAX_BYTES = 1024 * 1024
MAX_NODES = 10_000
MAX_DEPTH = 64
# No field holds a number beyond a signed 64-bit integer; Python would parse thousands of
# digits slowly (or refuse past 4,300), so longer integers are refused before they are parsed.
MAX_INT = 2**63 - 1
_MAX_DIGITS = {10: len(str(MAX_INT)), 16: 16, 8: 21}

FieldPath = tuple[str | int, ...]
Position = tuple[int, int]

_PLAIN = "tag:qantara.dev,2025:plain"  # untagged plain scalar, resolved by the core schema
_YAML = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_YAML + t for t in ("str", "null", "bool", "int", "float"))
_SEQ, _MAP = _YAML + "seq", _YAML + "map"
_ALLOWED_TAGS = "!!str, !!int, !!float, !!bool, !!null, !!seq, !!map"

_INT_RE = re.compile(r"[-+]?[0-9]+")
_OCT_RE = re.compile(r"0o[0-7]+")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF_RE = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN_RE = re.compile(r"\.(nan|NaN|NAN)")
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def format_field_path(path: FieldPath) -> str:
    """`("spec", "environments", 1, "name")` -> `spec.environments[1].name`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER_RE.fullmatch(part) and len(part) <= ECHO_LIMIT:
            out += f".{part}" if out else part
        else:
            out += f"[{short_repr(part)}]"
    return out


@dataclass(frozen=True)
class SourceDocument:
    """A YAML file's plain data and the position of each value and key in it."""

    path: Path
    data: dict[str, Any]
    values: dict[FieldPath, Position] = field(repr=False, default_factory=dict)
    keys: dict[FieldPath, Position] = field(repr=False, default_factory=dict)

    def position(self, path: FieldPath) -> Position:
        """Line and column of the value at `path`, or of its deepest known ancestor
        (so a missing field points at the mapping that lacks it)."""
        path = tuple(path)
        for end in range(len(path), -1, -1):
            if path[:end] in self.values:
                return self.values[path[:end]]
        return (1, 1)

    def key_position(self, path: FieldPath) -> Position:
        """Line and column of the key naming `path`; the value's position for list items."""
        return self.keys.get(tuple(path)) or self.position(path)


def load_yaml_with_positions(path: str | os.PathLike[str]) -> SourceDocument:
    """Load one YAML mapping from `path`; every refusal is an `InputError` with one problem."""
    name = os.fspath(path)
    text = _read_text(name)
    root = _compose_single(name, text)
    if not isinstance(root, MappingNode):
        # The kind only, never the value: a file named by mistake (or by an attacker) is not echoed.
        found = "a list" if isinstance(root, SequenceNode) else _kind_of_scalar(_Builder(name).build(root, (), 0))
        raise _problem(name, root, (), f"the top level must be a mapping (key: value), found {found}")
    builder = _Builder(name)
    data = builder.build(root, (), 0)
    return SourceDocument(Path(name), data, builder.values, builder.keys)


def _read_text(name: str) -> str:
    # Regular files only: a FIFO would block the open, a device would never end (input_file.py).
    raw = read_regular_file(name, MAX_BYTES, "YAML input")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError(Problem(name, line, None, "", "binary file (contains NUL bytes); expected UTF-8 YAML text"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x}); expected UTF-8 YAML text"
        raise InputError(Problem(name, line, None, "", message)) from None


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark):
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """SafeLoader's composer with our own scalar resolution and a nesting bound."""

    _depth = 0

    def resolve(self, kind, value, implicit):  # noqa: ANN001 - PyYAML's signature
        # Leave untagged plain scalars for the YAML 1.2 core schema: SafeLoader's YAML 1.1
        # resolvers would turn the country code NO into False and 2025-06-30 into a date.
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        # PyYAML's composer recurses per level; bound it before Python's stack gives out.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose_single(name: str, text: str) -> Node:
    loader = None
    try:
        loader = _Loader(text)  # checks for unprintable characters first
        if not loader.check_node():
            raise InputError(Problem(name, None, None, "", "file is empty (no YAML document in it)"))
        root = loader.get_node()
        if loader.check_node():
            mark = loader.peek_event().start_mark
            message = "more than one YAML document in the file (allowed: one; remove the extra '---')"
            raise InputError(Problem(name, mark.line + 1, mark.column + 1, "", message))
        return root
    except _TooDeep as exc:
        message = f"nesting deeper than {MAX_DEPTH} levels"
        raise InputError(Problem(name, exc.mark.line + 1, exc.mark.column + 1, "", message)) from None
    except yaml.MarkedYAMLError as exc:
        raise InputError(_syntax_problem(name, exc)) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise InputError(Problem(name, line, None, "", f"not YAML text: {exc.reason}")) from None
    finally:
        if loader is not None:
            loader.dispose()


def _syntax_problem(name: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    message = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.problem and exc.context:
        where = f" at line {exc.context_mark.line + 1}" if exc.context_mark else ""
        message += f" ({exc.context}{where})"
    return Problem(name, line, column, "", message)


class _Builder:
    """Turns a composed node tree into plain data, counting nodes as aliases expand."""

    def __init__(self, name: str):
        self.name = name
        self.count = 0
        self.values: dict[FieldPath, Position] = {}
        self.keys: dict[FieldPath, Position] = {}

    def build(self, node: Node, path: FieldPath, depth: int) -> Any:
        # An alias is the same node object reached twice, so counting visits bounds the
        # expansion: a "billion laughs" document stops here after MAX_NODES visits.
        self.count += 1
        if self.count > MAX_NODES:
            raise _problem(self.name, node, path, f"alias expansion exceeds {MAX_NODES} nodes")
        if depth > MAX_DEPTH:  # only a recursive alias (`&a [*a]`) gets here; its path is endless
            raise _problem(self.name, node, (), f"nesting deeper than {MAX_DEPTH} levels (recursive alias?)")
        self.values[path] = _position(node)
        if isinstance(node, ScalarNode):
            return _scalar(self.name, node, path)
        if node.tag not in (_SEQ, _MAP):
            raise _problem(self.name, node, path, _tag_message(node.tag))
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._mapping(node, path, depth)

    def _mapping(self, node: MappingNode, path: FieldPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            key_path = path + (key,)
            if key in result:
                first_line = self.keys[key_path][0]
                raise _problem(self.name, key_node, key_path,
                               f"duplicate key {short_repr(key)} (first at line {first_line})")
            self.keys[key_path] = _position(key_node)
            result[key] = self.build(value_node, key_path, depth + 1)
        return result

    def _key(self, node: Node, path: FieldPath) -> str:
        # Keys are names here, kept as written: `NO:` or `1:` stays the string "NO" / "1".
        if not isinstance(node, ScalarNode) or node.tag not in (_PLAIN, _STR):
            raise _problem(self.name, node, path, "mapping keys must be plain strings")
        if node.value == "<<" and node.tag == _PLAIN:
            raise _problem(self.name, node, path, "merge keys ('<<') are not YAML 1.2; write the fields out")
        return node.value


class _OutOfRange(Exception):
    pass


def _scalar(name: str, node: ScalarNode, path: FieldPath) -> Any:
    try:
        return _typed_scalar(name, node, path)
    except _OutOfRange:
        digits = len(node.value.lstrip("+-"))
        raise _problem(name, node, path, f"an integer of {digits} digits is out of range "
                                         f"(allowed: integers from -{MAX_INT} to {MAX_INT})") from None


def _typed_scalar(name: str, node: ScalarNode, path: FieldPath) -> Any:
    if node.tag == _PLAIN:
        return _core_scalar(node.value)
    if node.tag == _STR:
        return node.value
    expected = {_NULL: type(None), _BOOL: bool, _INT: int, _FLOAT: float}.get(node.tag)
    if expected is None:
        raise _problem(name, node, path, _tag_message(node.tag))
    value = _core_scalar(node.value)
    if expected is float and type(value) is int:
        value = float(value)
    if type(value) is not expected:
        raise _problem(name, node, path, f"{short_repr(node.value)} is not a valid {_short_tag(node.tag)}")
    return value


def _core_scalar(text: str) -> Any:
    """A plain scalar under the YAML 1.2 core schema; anything unrecognised is a string."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INT_RE.fullmatch(text):
        return _integer(text.lstrip("+-"), 10, -1 if text.startswith("-") else 1)
    if _OCT_RE.fullmatch(text):
        return _integer(text[2:], 8, 1)
    if _HEX_RE.fullmatch(text):
        return _integer(text[2:], 16, 1)
    if _FLOAT_RE.fullmatch(text):
        return float(text)
    if _INF_RE.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN_RE.fullmatch(text):
        return math.nan
    return text


def _integer(digits: str, base: int, sign: int) -> int:
    digits = digits.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS[base] or int(digits, base) > MAX_INT:
        raise _OutOfRange()
    return sign * int(digits, base)


def _kind_of_scalar(value: Any) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    return kinds.get(type(value), "null")


def describe_value(value: Any) -> str:
    """A value as a message names it: `string '365'`, `integer 3`, `null`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    kinds = {str: "string", int: "integer", float: "number"}
    return f"{kinds.get(type(value), type(value).__name__)} {short_repr(value)}"


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag


def _tag_message(tag: str) -> str:
    return f"tag '{_short_tag(tag)}' is not allowed (allowed: {_ALLOWED_TAGS})"


def _position(node: Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _problem(name: str, node: Node, path: FieldPath, message: str) -> InputError:
    line, column = _position(node)
    return InputError(Problem(name, line, column, format_field_path(path), message))
