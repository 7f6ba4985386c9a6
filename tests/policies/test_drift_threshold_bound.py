"""QA-PRJ-006's drift threshold bound is read from the catalog (policies/data/drift.yaml), the
table the platform's on-site drift alert is written from, and a missing bound is a finding."""

from __future__ import annotations

import copy

import pytest
import yaml
from test_policy_samples import ROOT, package_findings, sample_input

from qantara.catalog import load_catalog
from qantara.engine.rego import RegoEngine

SAMPLES = yaml.safe_load((ROOT / "project" / "monitoring" / "samples.yaml").read_text())


def findings_with(drift_table, threshold: float) -> list[dict]:
    catalog = copy.deepcopy(load_catalog())
    if drift_table is None:
        catalog.pop("drift")
    else:
        catalog["drift"] = drift_table
    sample = {"project": {"manifest": {"spec": {"monitoring": {"drift": {"enabled": True, "threshold": threshold}}}}}}
    return package_findings(RegoEngine(catalog=catalog), "qantara.project.monitoring", sample_input(SAMPLES, sample))


def test_the_bound_is_the_catalogs_not_a_number_in_the_policy():
    looser = {"platformThreshold": 0.25, "maxProjectThreshold": 0.5}
    assert findings_with(looser, 0.3) == []
    [finding] = findings_with(looser, 0.6)
    assert "0.6 is above 0.5" in finding["message"]


@pytest.mark.parametrize("table", [None, {"platformThreshold": 0.25}, {"maxProjectThreshold": "0.25"}])
def test_without_a_bound_in_the_catalog_every_threshold_is_a_finding(table):
    [finding] = findings_with(table, 0.1)
    assert finding["policy"] == "QA-PRJ-006" and finding["resource"] == "spec.monitoring.drift.threshold"
    assert "no bound in the catalog" in finding["message"]
