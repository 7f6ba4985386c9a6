"""A bundle compiles only the modules its rules can reach (`qantara.engine.rego.modules_for`):
never fewer, so a rule never loses a helper it refers to and answers differently."""

from __future__ import annotations

import regopy

from qantara.engine.rego import RegoEngine, modules_for
from qantara.policy.evaluate import findings_rules
from qantara.sovereignty.region_verdicts import RESIDENCY_OPTIONS

LIB = {
    "lib/a.rego": "package qantara.lib.a\nimport data.qantara.lib.b\nx := b.y\n",
    "lib/b.rego": "package qantara.lib.b\n# data.qantara.lib.c in a comment reaches nothing\ny := \"data.qantara.lib.c\"\n",
    "lib/c.rego": "package qantara.lib.c\nz := 1\n",
    "res/one.rego": "package qantara.res.one\nimport data.qantara.lib.a\nfindings := [a.x]\n",
    "res/two.rego": "package qantara.res.two\nfindings := []\n",
}


def test_a_rule_reaches_its_package_and_what_it_imports_transitively():
    assert sorted(modules_for(LIB, ("qantara.res.one.findings",))) == ["lib/a.rego", "lib/b.rego", "res/one.rego"]


def test_a_reference_to_a_path_above_packages_reaches_every_package_below_it():
    modules = {**LIB, "all.rego": "package qantara.all\nimport rego.v1\nn := count(data.qantara.res)\n"}
    assert sorted(modules_for(modules, ("qantara.all.n",))) == sorted(
        ["all.rego", "res/one.rego", "res/two.rego", "lib/a.rego", "lib/b.rego"])


def test_data_used_whole_or_indexed_by_a_value_compiles_the_whole_library():
    for body in ("d := data\n", "p := data[\"qantara\"]\n", "q := object.get(data, [\"qantara\"], {})\n"):
        modules = {**LIB, "dyn.rego": "package qantara.dyn\n" + body}
        assert modules_for(modules, ("qantara.dyn.q",)) == modules


def test_a_module_without_a_package_line_compiles_the_whole_library():
    modules = {**LIB, "odd.rego": "# no package here\n"}
    assert modules_for(modules, ("qantara.res.two.findings",)) == modules


def test_the_installed_findings_reach_every_library_module_they_name():
    engine = RegoEngine()
    chosen = modules_for(engine.modules, findings_rules(("blueprint", "resources")))
    assert {"lib/plan.rego", "lib/residency.rego", "lib/text.rego", "lib/destinations.rego"} <= set(chosen)
    assert not any(name.startswith("project/") for name in chosen)


def test_the_residency_rule_alone_answers_as_it_does_in_the_whole_library():
    engine = RegoEngine()
    assert sorted(modules_for(engine.modules, (RESIDENCY_OPTIONS,))) == ["lib/residency.rego", "lib/text.rego"]
    entrypoint = RESIDENCY_OPTIONS.replace(".", "/")
    whole = engine._new_interpreter(engine.modules).build(None, [entrypoint])
    alone = engine._new_interpreter(modules_for(engine.modules, (RESIDENCY_OPTIONS,))).build(None, [entrypoint])
    contexts = [
        {"context": {"jurisdiction": "AE-DIFC", "sectors": ["health"], "transfers": []},
         "classes": ["restricted", "public"], "onprem": {"site": "dxb-dc1", "country": "AE"}},
        {"context": {"jurisdiction": "EU", "sectors": ["finance"],
                     "transfers": [{"country": "US", "mechanism": "adequacy", "reference": "DPF"}]},
         "classes": ["confidential"], "onprem": None},
    ]
    for query_input in contexts:
        answers = []
        for bundle in (whole, alone):
            runner = regopy.Interpreter()
            runner.set_input(query_input)
            answers.append(runner.query_bundle_entrypoint(bundle, entrypoint).results[0].expressions[0])
        assert answers[0] == answers[1]
        assert set(answers[0]) == set(query_input["classes"])
