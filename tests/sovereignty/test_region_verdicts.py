"""Region verdicts are asked from Rego once per library revision, and a child process takes
the parent's only when they were computed from the very same policies and catalog."""

from __future__ import annotations

import copy
import json

import pytest

from qantara.engine.rego import default_engine, to_plain
from qantara.sovereignty import region_verdicts
from qantara.sovereignty.region_verdicts import cached_region_options, exported, library_revision, seed

AE_HEALTH = {"jurisdiction": "AE", "sectors": ["health"], "transfers": []}


class CountingEngine:
    """The default engine, counting the questions that reach it."""

    def __init__(self):
        self.asked = 0

    def rule_values(self, rules, input_document):
        self.asked += 1
        return default_engine().rule_values(rules, input_document)


@pytest.fixture(autouse=True)
def empty_cache():
    saved = dict(region_verdicts._VERDICTS)
    region_verdicts.forget()
    yield
    region_verdicts.forget()
    region_verdicts._VERDICTS.update(saved)


def test_a_second_question_for_the_same_context_and_class_does_not_reach_rego():
    engine = CountingEngine()
    first = cached_region_options(AE_HEALTH, ["restricted"], None, lambda: engine, "regopy")
    again = cached_region_options(AE_HEALTH, ["restricted"], None, lambda: engine, "regopy")
    assert engine.asked == 1 and first == again
    assert first["restricted"]["regions"]["me-central-1"]["allowed"] is True
    assert first["restricted"]["regions"]["eu-west-1"]["allowed"] is False


def test_another_sector_transfer_site_or_engine_is_asked_again():
    engine = CountingEngine()
    ask = lambda context, onprem=None, name="regopy": cached_region_options(  # noqa: E731
        context, ["confidential"], onprem, lambda: engine, name)
    ask(AE_HEALTH)
    ask({**AE_HEALTH, "sectors": []})
    ask({**AE_HEALTH, "transfers": [{"country": "US", "mechanism": "safeguards", "reference": "x"}]})
    ask(AE_HEALTH, {"site": "dubai-dc1", "country": "AE"})
    ask(AE_HEALTH, name="regorus")
    assert engine.asked == 5


def test_the_cached_answer_is_what_the_rule_answers_when_asked_directly():
    direct = default_engine().query("data.qantara.lib.residency.region_options",
                                    to_plain({"context": AE_HEALTH, "classes": ["internal", "secret"], "onprem": None}))
    assert cached_region_options(AE_HEALTH, ["secret", "internal"], None, default_engine, "regopy") == direct


def test_a_child_takes_the_verdicts_its_parent_exported():
    cached_region_options(AE_HEALTH, ["restricted"], None, default_engine, "regopy")
    payload = json.loads(json.dumps(exported()))  # as it crosses the pipe
    region_verdicts.forget()
    assert seed(payload) == 1
    engine = CountingEngine()
    cached_region_options(AE_HEALTH, ["restricted"], None, lambda: engine, "regopy")
    assert engine.asked == 0


def test_a_child_is_handed_the_verdicts_used_last_not_everything_the_process_knows():
    engine = CountingEngine()
    for index in range(region_verdicts.EXPORT_LIMIT + 4):
        context = {**AE_HEALTH, "transfers": [{"country": "US", "mechanism": "safeguards", "reference": str(index)}]}
        cached_region_options(context, ["internal"], None, lambda: engine, "regopy")
    cached_region_options(AE_HEALTH, ["restricted"], None, lambda: engine, "regopy")
    cached_region_options(AE_HEALTH, ["restricted"], None, lambda: engine, "regopy")  # used again: still the last
    handed = exported()["verdicts"]
    assert len(handed) == region_verdicts.EXPORT_LIMIT
    assert list(handed)[-1] == region_verdicts._key("regopy", AE_HEALTH, "restricted", None)


def _forged_payload() -> dict:
    """Verdicts saying Frankfurt may hold UAE health data: what a forged seed would claim."""
    cached_region_options(AE_HEALTH, ["restricted"], None, default_engine, "regopy")
    payload = copy.deepcopy(exported())
    region_verdicts.forget()
    for option in payload["verdicts"].values():
        option["regions"]["eu-central-1"]["allowed"] = True
    return payload


@pytest.mark.parametrize("tamper", [
    "another revision", "no revision", "entries keyed for another revision", "an entry missing its regions",
    "verdicts not a mapping", "a key that is not JSON", "not a mapping at all",
])
def test_verdicts_from_another_library_or_of_the_wrong_shape_are_ignored(tamper):
    payload = _forged_payload()
    key, option = next(iter(payload["verdicts"].items()))
    if tamper == "another revision":
        payload["revision"] = "0" * 64
    elif tamper == "no revision":
        del payload["revision"]
    elif tamper == "entries keyed for another revision":
        payload["verdicts"] = {json.dumps(["0" * 64, *json.loads(key)[1:]]): option}
    elif tamper == "an entry missing its regions":
        del option["regions"]
    elif tamper == "verdicts not a mapping":
        payload["verdicts"] = [option]
    elif tamper == "a key that is not JSON":
        payload["verdicts"] = {"[" + key: option}
    else:
        payload = "allowed"
    assert seed(payload) == 0
    verdict = cached_region_options(AE_HEALTH, ["restricted"], None, default_engine, "regopy")
    assert verdict["restricted"]["regions"]["eu-central-1"]["allowed"] is False


def test_the_revision_changes_with_any_policy_or_catalog_file(tmp_path, monkeypatch):
    import shutil

    from qantara.paths import policy_dir

    copy_root = tmp_path / "home"
    shutil.copytree(policy_dir(), copy_root / "policies")
    monkeypatch.setenv("QANTARA_HOME", str(copy_root))
    library_revision.cache_clear()
    try:
        before = library_revision()
        library_revision.cache_clear()
        data = copy_root / "policies" / "data" / "jurisdictions.yaml"
        data.write_text(data.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
        assert library_revision() != before
    finally:
        library_revision.cache_clear()
