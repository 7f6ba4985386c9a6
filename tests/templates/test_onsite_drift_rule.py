"""The platform's on-site drift alert, evaluated over the series model servers could export.

The expression is the one the PrometheusRule carries (monitoring.drift_expression); the
evaluator is promql_subset, Prometheus's semantics for exactly the operators the expression
uses. test_onsite_drift.py evaluates the same expression over a real model server's /metrics.
"""

from __future__ import annotations

import pytest
from promql_subset import PromQLError, evaluate, series

from qantara.components.onprem.monitoring import (
    DRIFT_METRIC,
    DRIFT_THRESHOLD_METRIC,
    DriftThresholds,
    drift_expression,
    drift_thresholds,
)

IDENTITY = {"blueprint": "gov-analytics-ml", "environment": "prod"}
SELECTOR = 'blueprint="gov-analytics-ml", environment="prod"'
EXPRESSION = drift_expression(SELECTOR, drift_thresholds())


def score(model: str, feature: str, value: float, pod: str = "a", **identity: str):
    return series(DRIFT_METRIC, value, **{**IDENTITY, **identity}, model=model, feature=feature, pod=pod)


def threshold(model: str, value: float, pod: str = "a", **identity: str):
    return series(DRIFT_THRESHOLD_METRIC, value, **{**IDENTITY, **identity}, model=model, pod=pod)


def firing(samples) -> dict[tuple[str, str], float]:
    return {(s.labels["model"], s.labels["feature"]): s.value for s in evaluate(EXPRESSION, samples)}


def test_a_model_alerts_above_its_own_threshold_and_the_others_above_the_platforms():
    samples = [score("triage", "x2", 0.22), threshold("triage", 0.2),
               score("claims", "x2", 0.22), score("claims", "x3", 0.3)]
    assert firing(samples) == {("triage", "x2"): 0.22, ("claims", "x3"): 0.3}


def test_below_its_threshold_a_model_does_not_alert():
    assert firing([score("triage", "x1", 0.19), score("triage", "x2", 0.2), threshold("triage", 0.2)]) == {}


def test_a_model_without_a_threshold_is_still_watched_at_the_platforms():
    assert firing([score("claims", "x1", 0.26), score("claims", "x2", 0.25)]) == {("claims", "x1"): 0.26}


@pytest.mark.parametrize("value", [0.3, 50.0, float("inf")])
def test_a_threshold_above_the_ceiling_counts_as_the_ceiling(value):
    # A server (or an image the platform did not build) cannot switch its drift alert off.
    assert firing([score("triage", "x2", 0.26), threshold("triage", value)]) == {("triage", "x2"): 0.26}


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan")])
def test_a_threshold_that_is_not_a_positive_number_falls_back_to_the_platforms(value):
    samples = [score("triage", "x1", 0.22), score("triage", "x2", 0.26), threshold("triage", value)]
    assert firing(samples) == {("triage", "x2"): 0.26}


def test_pods_that_disagree_on_the_threshold_alert_at_the_smallest():
    # During a rollout two pods of a model may carry different thresholds: the stricter one counts.
    samples = [score("triage", "x2", 0.16, pod="a"), score("triage", "x2", 0.12, pod="b"),
               threshold("triage", 0.2, pod="a"), threshold("triage", 0.15, pod="b")]
    assert firing(samples) == {("triage", "x2"): 0.16}


def test_another_stacks_threshold_does_not_change_this_ones_alert():
    samples = [score("triage", "x2", 0.22), threshold("triage", 0.1, environment="dev")]
    assert firing(samples) == {}
    samples = [score("triage", "x2", 0.3), threshold("triage", 5, blueprint="other-ml")]
    assert firing(samples) == {("triage", "x2"): 0.3}


def test_another_stacks_scores_do_not_alert_here():
    assert firing([score("triage", "x2", 0.9, environment="dev"), threshold("triage", 0.2)]) == {}


def test_the_thresholds_are_the_catalogs():
    raised = drift_expression(SELECTOR, DriftThresholds(platform=0.3, ceiling=0.4))
    samples = [score("claims", "x1", 0.28), score("triage", "x1", 0.35), threshold("triage", 9)]
    assert {s.labels["model"] for s in evaluate(raised, samples)} == set()
    samples.append(score("claims", "x2", 0.31))
    assert {(s.labels["model"], s.labels["feature"]) for s in evaluate(raised, samples)} == {("claims", "x2")}


# --- the evaluator is Prometheus's semantics, not whatever makes the rule pass ------------------

def test_the_evaluator_refuses_many_to_one_matching_without_group_left():
    samples = [score("triage", "x1", 0.3), score("triage", "x2", 0.3), threshold("triage", 0.2)]
    bare = f"max by (model, feature) ({DRIFT_METRIC}) > on (model) min by (model) ({DRIFT_THRESHOLD_METRIC})"
    with pytest.raises(PromQLError, match="many-to-many"):
        evaluate(bare, samples)


def test_the_evaluator_refuses_two_thresholds_for_one_model_on_the_one_side():
    samples = [score("triage", "x1", 0.3), threshold("triage", 0.2, pod="a"), threshold("triage", 0.1, pod="b")]
    unaggregated = f"max by (model, feature) ({DRIFT_METRIC}) > on (model) group_left {DRIFT_THRESHOLD_METRIC}"
    with pytest.raises(PromQLError, match="right hand-side"):
        evaluate(unaggregated, samples)


def test_the_evaluator_binds_comparison_tighter_than_unless_and_unless_tighter_than_or():
    samples = [series("a", 1, model="m"), series("b", 5, model="m"), series("c", 3, model="n")]
    # (a > 0.5) unless on (model) b: a's model has a b, so nothing; then `or` adds c.
    assert [s.labels.get("__name__") for s in evaluate("a > 0.5 unless on (model) b or c", samples)] == ["c"]
    assert evaluate("a > 2", samples) == []


@pytest.mark.parametrize("expression", [
    f'{DRIFT_METRIC}{{model=~"t.*"}}', f"sum by (model) ({DRIFT_METRIC})", f"{DRIFT_METRIC} and {DRIFT_METRIC}",
    f"{DRIFT_METRIC} > bool 0.2", f"max by (model) ({DRIFT_METRIC}) > ignoring (feature) {DRIFT_THRESHOLD_METRIC}",
    "0.2 > 0.1", f"{DRIFT_METRIC} >= 0.2",
])
def test_the_evaluator_refuses_what_it_does_not_implement(expression):
    with pytest.raises(PromQLError):
        evaluate(expression, [score("triage", "x1", 0.3)])
