"""The safe, line-aware YAML loader."""

from __future__ import annotations

import math
import time

import pytest
from blueprint_samples import alias_bomb, single_problem

from qantara.blueprint.yaml_source import MAX_BYTES, format_field_path, load_yaml_with_positions


def refusal(path) -> str:
    return single_problem(load_yaml_with_positions, path)


def test_scalars_follow_yaml_1_2_core_schema(write):
    doc = load_yaml_with_positions(write(
        "strings: [NO, yes, on, off, y, 2025-06-30, 12:30, 1_000, '365', \"true\"]\n"
        "bools: [true, False, TRUE]\n"
        "nulls: [~, null, '']\n"
        "empty:\n"
        "numbers: [12, -3, 0o17, 0x1f, 1.5, 1e3, -.inf]\n"
    ))
    assert doc.data["strings"] == ["NO", "yes", "on", "off", "y", "2025-06-30", "12:30", "1_000", "365", "true"]
    assert doc.data["bools"] == [True, False, True]
    assert doc.data["nulls"] == [None, None, ""]
    assert doc.data["empty"] is None
    assert doc.data["numbers"] == [12, -3, 15, 31, 1.5, 1000.0, -math.inf]


def test_country_code_no_stays_a_string(write):
    assert load_yaml_with_positions(write("onPrem:\n  country: NO\n")).data == {"onPrem": {"country": "NO"}}


def test_standard_explicit_tags_are_honoured(write):
    doc = load_yaml_with_positions(write("a: !!str 12\nb: !!int '12'\nc: !!float 1\n"))
    assert doc.data == {"a": "12", "b": 12, "c": 1.0}


def test_positions_of_values_and_keys_are_one_based(write):
    doc = load_yaml_with_positions(write("spec:\n  cloud:\n    region: me-central-1\n  envs:\n    - name: dev\n"))
    assert doc.position(("spec", "cloud", "region")) == (3, 13)
    assert doc.key_position(("spec", "cloud", "region")) == (3, 5)
    assert doc.position(("spec", "envs", 0, "name")) == (5, 13)


def test_position_of_a_missing_field_is_its_parent_mapping(write):
    doc = load_yaml_with_positions(write("spec:\n  cloud:\n    region: me-central-1\n"))
    assert doc.position(("spec", "cloud", "drRegion")) == (3, 5)


def test_aliases_expand_to_plain_data(write):
    doc = load_yaml_with_positions(write("base: &b {x: 1}\ncopy: *b\n"))
    assert doc.data == {"base": {"x": 1}, "copy": {"x": 1}}


def test_alias_bomb_is_refused_without_expanding_it(write):
    path = write(alias_bomb())
    started = time.perf_counter()
    line = refusal(path)
    assert time.perf_counter() - started < 1.0
    assert "alias expansion exceeds 10000 nodes" in line


def test_recursive_alias_is_refused(write):
    assert "nesting deeper than" in refusal(write("a: &x [*x]\n"))


def test_deep_nesting_is_refused(write):
    assert "nesting deeper than 64 levels" in refusal(write("a: " + "[" * 200 + "]" * 200 + "\n"))


def test_python_tags_are_refused_and_never_run(write, tmp_path):
    marker = tmp_path / "ran"
    line = refusal(write(f"a: !!python/object/apply:os.system ['touch {marker}']\n"))
    assert "tag '!!python/object/apply:os.system' is not allowed" in line
    assert not marker.exists()


@pytest.mark.parametrize("text", ["a: !custom 3\n", "a: !!set {x, y}\n", "a: !!binary aGk=\n"])
def test_non_standard_tags_are_refused(write, text):
    assert "is not allowed (allowed: !!str" in refusal(write(text))


def test_duplicate_key_points_at_the_second(write):
    line = refusal(write("a: 1\nb:\n  c: 1\n  c: 2\n"))
    assert line.endswith(":4:3: b.c: duplicate key 'c' (first at line 3)")


def test_more_than_one_document_is_refused(write):
    assert ":3:1: more than one YAML document" in refusal(write("a: 1\n\n---\nb: 2\n"))


def test_file_over_the_size_cap_is_refused(write):
    assert "larger than 1 MiB" in refusal(write("x: " + "a" * MAX_BYTES + "\n"))


def test_missing_file_is_an_input_error(tmp_path):
    assert "cannot read file" in refusal(tmp_path / "nope.yaml")


def test_field_paths_read_like_the_yaml():
    assert format_field_path(("spec", "environments", 1, "name")) == "spec.environments[1].name"
    assert format_field_path(("spec", "tags", "aws:x")) == "spec.tags['aws:x']"
