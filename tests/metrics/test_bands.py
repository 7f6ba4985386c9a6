"""DORA's bands: every row names its source, and DORA's exclusive words are read strictly."""

import pytest

from qantara.metrics.bands import band, band_certain, dora_bands

READ = "2026-12-06"


def rows():
    return [(metric, row) for metric, table in dora_bands()["metrics"].items() for row in table["bands"]]


def test_every_row_names_a_source_that_is_recorded_with_its_date():
    sources = dora_bands()["sources"]
    for metric, row in rows():
        assert row["source"] in sources, (metric, row)
        assert sources[row["source"]]["read"] == READ
        assert row.get("says"), f"{metric} {row['band']}: the source's own words are missing"


def test_a_row_is_certain_only_when_a_primary_dora_publication_states_it():
    sources = dora_bands()["sources"]
    for metric, row in rows():
        primary = sources[row["source"]]["kind"] == "primary"
        assert (row.get("certainty") != "uncertain") == primary, (metric, row)
        if primary:
            assert sources[row["source"]]["url"].startswith("https://dora.dev/")
            assert row["says"] in sources[row["source"]]["quote"]


def test_the_elite_rows_are_dora_2023_and_the_rest_stay_uncertain_with_the_reason():
    assert {metric for metric, row in rows() if row["band"] == "elite" and band_certain(metric, "elite")} == {
        "deploymentFrequency", "leadTime", "mttr", "changeFailureRate"}
    assert not any(band_certain(metric, name) for metric in dora_bands()["metrics"] for name in ("high", "medium", "low"))
    assert "absent" in dora_bands()["unreadable"]


@pytest.mark.parametrize("metric, value, expected", [
    # "On demand (multiple deploys per day)": once a day is not multiple
    ("deploymentFrequency", 1.0, "high"), ("deploymentFrequency", 1.5, "elite"),
    # "less than 1 day": a day exactly is not less than a day
    ("leadTime", 24.0, "high"), ("leadTime", 23.9, "elite"), ("leadTime", 721, "low"),
    # "less than 1 hour"
    ("mttr", 1.0, "high"), ("mttr", 0.5, "elite"), ("mttr", 24.0, "medium"), ("mttr", 169, "low"),
    # "5%"
    ("changeFailureRate", 0.05, "elite"), ("changeFailureRate", 0.0501, "high"), ("changeFailureRate", 0.64, "low"),
])
def test_bounds_read_as_dora_words_them(metric, value, expected):
    assert band(metric, value) == expected


def test_no_value_is_no_band():
    assert band("leadTime", None) is None
