"""Python and Rego use the same words: data classes, maturity stages, transfer mechanisms and
enforcement levels are read from the catalog by both, never listed twice."""

from __future__ import annotations

import re

from qantara.blueprint.models import CLASSIFICATION_ORDER
from qantara.blueprint.schema import blueprint_json_schema
from qantara.engine.rego import default_engine
from qantara.paths import project_root
from qantara.policy.library import STAGES
from qantara.vocabulary import classifications, enforcement_levels, maturity_stages, transfer_mechanisms

SRC = project_root() / "src" / "qantara"


def rego(expression: str):
    return default_engine().query(expression, {})


def test_python_and_rego_order_the_data_classes_alike():
    assert list(CLASSIFICATION_ORDER) == list(classifications()) == rego("data.catalog.jurisdictions.classifications")


def test_python_and_rego_name_the_same_maturity_stages_in_the_same_order():
    names = rego("[stage.name | some stage in data.catalog.maturity_stages.stages]")
    assert list(STAGES) == list(maturity_stages()) == names


def test_python_and_rego_accept_the_same_transfer_mechanisms_and_enforcement_levels():
    assert list(transfer_mechanisms()) == rego("data.catalog.jurisdictions.transferMechanisms")
    assert list(enforcement_levels()) == rego("data.catalog.enforcement_levels.levels")


def test_the_blueprint_schema_offers_exactly_the_catalog_words():
    schema = blueprint_json_schema()
    enums = [tuple(d["enum"]) for d in _walk(schema) if isinstance(d, dict) and "enum" in d]
    assert tuple(classifications()) in enums
    assert tuple(maturity_stages()) in enums
    assert tuple(transfer_mechanisms()) in enums
    assert tuple(enforcement_levels()) in enums


def test_the_project_template_offers_exactly_the_catalog_classes():
    # cookiecutter lists its choices itself (the first is the default, so the order differs).
    from qantara.project.generate import TEMPLATE_DIR, template_options

    assert sorted(template_options(TEMPLATE_DIR)["data_classification"]) == sorted(classifications())


def test_no_python_module_lists_a_vocabulary_again():
    # A literal list of the words (in any quoting) is a second home that would drift.
    spelled = {
        "classes": _literal(classifications()),
        "stages": _literal(maturity_stages()),
        "mechanisms": _literal(transfer_mechanisms()),
    }
    repeated = [f"{path.relative_to(SRC)}: {name}" for path in SRC.rglob("*.py")
                for name, pattern in spelled.items() if pattern.search(path.read_text(encoding="utf-8"))]
    assert not repeated


def test_the_literal_check_finds_a_repeated_list():
    assert _literal(("initial", "managed")).search('STAGES = ("initial", "managed")')
    assert _literal(("initial", "managed")).search("Literal['initial', 'managed']")


def _literal(words) -> re.Pattern:
    return re.compile(r"""['"]\s*,\s*['"]""".join(re.escape(w) for w in words))


def _walk(node):
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
