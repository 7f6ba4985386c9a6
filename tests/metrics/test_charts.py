"""SVG charts: well-formed, deterministic, and a hostile name stays text."""

import xml.etree.ElementTree as ET

from qantara.metrics.charts import metric_svg

POINTS = [{"start": "2026-11-02T00:00:00Z", "leadTime": 28.0}, {"start": "2026-11-09T00:00:00Z", "leadTime": None}]


def test_chart_is_well_formed_xml_with_a_bar_and_a_no_data_mark():
    root = ET.fromstring(metric_svg("leadTime", POINTS, "triage / prod"))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "28.0" in texts and "no data" in texts and "2 Nov" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) == 1


def test_hostile_title_is_escaped():
    svg = metric_svg("leadTime", POINTS, '</text><script>alert(1)</script>"')
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


def test_same_series_same_bytes_and_empty_series_still_draws():
    assert metric_svg("mttr", POINTS, "x") == metric_svg("mttr", POINTS, "x")
    assert "no data" in metric_svg("mttr", [], "x")
