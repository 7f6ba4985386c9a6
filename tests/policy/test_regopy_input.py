"""regopy 1.5 reads a string's backslashes as escapes: the engine hands it strings that come
back as they were, so a policy reads JSON text holding escaped quotes (a SageMaker pipeline
definition's dataset_format, an IAM condition's pattern) instead of finding it unreadable."""

import json

import pytest

from qantara.engine.rego import RegoEngine, regopy_input


@pytest.fixture(scope="module")
def engine() -> RegoEngine:
    return RegoEngine()


def test_json_text_holding_an_escaped_quote_is_read_as_json(engine):
    text = json.dumps({"Environment": {"dataset_format": json.dumps({"csv": {"header": True}})}})
    assert engine.query("json.is_valid(input.v)", {"v": text}) is True
    assert engine.query("json.unmarshal(input.v).Environment.dataset_format", {"v": text}) == '{"csv": {"header": true}}'


@pytest.mark.parametrize("value", ['a\\b', 'ends with \\', '\\\\server\\share', 'tab\\t not a tab'])
def test_a_string_with_backslashes_arrives_unchanged(engine, value):
    # A raw string (backquoted) holds its backslashes as written.
    assert engine.query(f"input.v == `{value}`", {"v": value}) is True
    assert engine.query('indexof(input.v, "\\\\")', {"v": value}) == value.index("\\")


def test_an_input_without_backslashes_is_passed_as_it_is():
    document = {"plan": {"resources": [{"inputs": {"policy": '{"a": "b"}', "n": 1}}]}}
    assert regopy_input(document) is document
