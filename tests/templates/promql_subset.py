"""A PromQL evaluator for the subset of PromQL the platform's drift alert is written in, so a test
can evaluate the rule the plan holds over what model servers export, at one instant.

It reads: `metric{label="value", ...}`, numbers, `max by (...) (...)`, `min by (...) (...)`,
`clamp_max(v, number)`, `>` (vector and number, or vector and vector with `on (...)` and
`group_left`), `unless` and `or` (with or without `on (...)`), and parentheses. Anything else is a
PromQLError, so an expression outside the subset fails the test instead of being misread.

The semantics are Prometheus's, from its documentation (prometheus/prometheus
docs/querying/operators.md at 02e0328 and docs/querying/functions.md at 0043f1e, read
2026-12-06): precedence from highest `>` then `and`/`unless` then `or`, each left-associative; a
comparison filters its left side and keeps its labels and value; between two vectors an entry
without a match on the other side is dropped; matching is on every label but the metric name
unless `on (...)` names the labels; one-to-one matching refuses two entries with the same
matching labels on either side, and `group_left` allows many on the left, never on the right;
`unless` keeps the left entries that have no match on the right; `or` keeps the left and adds
the right entries without a match on the left; an aggregation `by (...)` keeps only the listed
labels; a function drops the metric name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

NAME = "__name__"
TOKEN = re.compile(r'\s*(?:(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)|(?P<string>"(?:[^"\\]|\\.)*")'
                   r"|(?P<ident>[A-Za-z_][A-Za-z0-9_:]*)|(?P<op>[(){},=>]))")


class PromQLError(ValueError):
    """An expression outside the subset, or one Prometheus would refuse to evaluate."""


Labels = frozenset  # of (name, value) pairs


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    value: float

    def key(self, on: tuple[str, ...] | None) -> Labels:
        """The labels an operation matches on: `on`'s, or every label but the metric name."""
        if on is None:
            return frozenset((k, v) for k, v in self.labels.items() if k != NAME)
        return frozenset((k, self.labels.get(k, "")) for k in on)


def _tokens(expression: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    expression = expression.rstrip()
    while position < len(expression):
        match = TOKEN.match(expression, position)
        if not match or match.end() == position:
            raise PromQLError(f"cannot read {expression[position:position + 20]!r} (position {position})")
        kind = match.lastgroup
        tokens.append((kind, match[kind]))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over the tokens, evaluating as it goes against `samples`."""

    def __init__(self, expression: str, samples: list[Series]):
        self.tokens, self.at, self.samples = _tokens(expression), 0, samples

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        token = self.peek()
        if token is None or (value is not None and token[1] != value) or (kind is not None and token[0] != kind):
            raise PromQLError(f"expected {value or kind} at token {self.at}, found {token}")
        self.at += 1
        return token[1]

    def at_keyword(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token == ("ident", word)

    def labels(self) -> tuple[str, ...]:
        self.take("(")
        names = []
        while not (self.peek() and self.peek()[1] == ")"):
            names.append(self.take(kind="ident"))
            if self.peek() and self.peek()[1] == ",":
                self.take(",")
        self.take(")")
        return tuple(names)

    def on(self) -> tuple[str, ...] | None:
        if self.at_keyword("on"):
            self.take("on")
            return self.labels()
        if self.at_keyword("ignoring"):
            raise PromQLError("ignoring(...) is outside the subset")
        return None

    def expression(self):
        value = self.set_difference()
        while self.at_keyword("or"):
            self.take("or")
            on = self.on()
            value = _or(value, self.set_difference(), on)
        return value

    def set_difference(self):
        value = self.comparison()
        while self.at_keyword("unless") or self.at_keyword("and"):
            if self.take(kind="ident") == "and":
                raise PromQLError("`and` is outside the subset")
            on = self.on()
            value = _unless(value, self.comparison(), on)
        return value

    def comparison(self):
        value = self.primary()
        while self.peek() and self.peek()[1] == ">":
            self.take(">")
            if self.at_keyword("bool"):
                raise PromQLError("`bool` is outside the subset")
            on = self.on()
            group_left = self.at_keyword("group_left")
            if group_left:
                self.take("group_left")
                if self.peek() and self.peek()[1] == "(":
                    raise PromQLError("group_left(<labels>) is outside the subset")
            if self.at_keyword("group_right"):
                raise PromQLError("group_right is outside the subset")
            value = _greater(value, self.primary(), on, group_left)
        return value

    def primary(self):
        kind, token = self.peek() or (None, None)
        if token == "(":
            self.take("(")
            value = self.expression()
            self.take(")")
            return value
        if kind == "number":
            return float(self.take())
        if kind != "ident":
            raise PromQLError(f"unexpected {token!r} at token {self.at}")
        if token in ("max", "min"):
            self.take()
            if not self.at_keyword("by"):
                raise PromQLError(f"{token} without by (...) is outside the subset")
            self.take("by")
            by = self.labels()
            self.take("(")
            inner = self.expression()
            self.take(")")
            return _aggregate(max if token == "max" else min, by, _vector(inner, token))
        if token == "clamp_max":
            self.take()
            self.take("(")
            inner = _vector(self.expression(), "clamp_max")
            self.take(",")
            ceiling = self.expression()
            self.take(")")
            if not isinstance(ceiling, float):
                raise PromQLError("clamp_max takes a number as its second argument")
            return [Series({k: v for k, v in s.labels.items() if k != NAME}, min(s.value, ceiling)) for s in inner]
        if token in ("by", "on", "or", "unless", "and", "group_left", "bool"):
            raise PromQLError(f"unexpected keyword {token!r} at token {self.at}")
        metric = self.take()
        if self.peek() and self.peek()[1] == "(":
            raise PromQLError(f"function {metric} is outside the subset")
        matchers = self.matchers() if self.peek() and self.peek()[1] == "{" else {}
        return [s for s in self.samples if s.labels.get(NAME) == metric
                and all(s.labels.get(k, "") == v for k, v in matchers.items())]

    def matchers(self) -> dict[str, str]:
        self.take("{")
        matchers = {}
        while not (self.peek() and self.peek()[1] == "}"):
            label = self.take(kind="ident")
            self.take("=")  # =~, != and !~ do not tokenise: outside the subset
            matchers[label] = self.take(kind="string")[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            if self.peek() and self.peek()[1] == ",":
                self.take(",")
        self.take("}")
        return matchers


def _vector(value, where: str) -> list[Series]:
    if not isinstance(value, list):
        raise PromQLError(f"{where} needs an instant vector, not the number {value}")
    return value


def _aggregate(function, by: tuple[str, ...], vector: list[Series]) -> list[Series]:
    groups: dict[Labels, list[float]] = {}
    for series in vector:
        groups.setdefault(series.key(by), []).append(series.value)
    return [Series(dict(key), function(values)) for key, values in groups.items()]


def _unique(vector: list[Series], on, side: str) -> dict[Labels, Series]:
    found: dict[Labels, Series] = {}
    for series in vector:
        key = series.key(on)
        if key in found:
            raise PromQLError(f"found duplicate series for the match group {dict(key)} on the {side} hand-side "
                              f"of the operation: many-to-many matching not allowed")
        found[key] = series
    return found


def _greater(left, right, on, group_left: bool):
    if isinstance(left, float) and isinstance(right, float):
        raise PromQLError("comparisons between numbers must use bool")
    if isinstance(right, float):
        return [s for s in left if s.value > right]
    if isinstance(left, float):
        return [s for s in right if left > s.value]
    ones = _unique(right, on, "right")
    if not group_left:
        _unique(left, on, "left")
    return [s for s in left if s.key(on) in ones and s.value > ones[s.key(on)].value]


def _unless(left, right, on) -> list[Series]:
    present = {s.key(on) for s in _vector(right, "unless")}
    return [s for s in _vector(left, "unless") if s.key(on) not in present]


def _or(left, right, on) -> list[Series]:
    left, right = _vector(left, "or"), _vector(right, "or")
    present = {s.key(on) for s in left}
    return left + [s for s in right if s.key(on) not in present]


def evaluate(expression: str, samples: list[Series]) -> list[Series]:
    """The instant vector `expression` evaluates to over `samples` (each with its `__name__`)."""
    parser = _Parser(expression, samples)
    value = parser.expression()
    if parser.peek() is not None:
        raise PromQLError(f"unread tokens from {parser.peek()} on")
    if not isinstance(value, list):
        raise PromQLError("the expression is a number, not an alert")
    if any(math.isnan(s.value) for s in value):
        raise PromQLError(f"NaN in the result: {value}")
    return value


def series(name: str, value: float, **labels: str) -> Series:
    return Series({NAME: name, **labels}, float(value))
