"""charts: deterministic, inlineable, accessible SVG in the NHS style."""

from __future__ import annotations

import re

from lscplan.charts import Line, Point, Reference, bar_chart, trajectory_chart

YEARS = ("2018/19", "2019/20", "2020/21", "2021/22")


def _metric_chart(chart_id: str = "chart-metric-ae", illustrative: bool = True) -> str:
    return trajectory_chart(
        chart_id, "A&E four-hour standard", YEARS,
        [Line("A&E four-hour standard", (85.0, 87.0, 90.0, 95.0), illustrative)],
        "percent", "Rises from 85% in 2018/19 to 95% in 2021/22.",
        reference=Reference(95, "National standard (95%)"),
        point=Point("2018/19", 85.0, "Baseline 2018/19"))


def test_same_chart_same_bytes():
    assert _metric_chart() == _metric_chart()


def test_inlineable_svg():
    svg = _metric_chart()
    assert svg.startswith("<svg ")
    for gone in ("<?xml", "<!DOCTYPE", "<metadata", "<style", "Matplotlib v", "dc:date"):
        assert gone not in svg
    assert not re.search(r'<svg[^>]*\swidth="', svg)  # scales to its container
    assert 'viewBox="' in svg


def test_accessible_title_and_description():
    svg = _metric_chart()
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-metric-ae-title"' in svg
    assert '<title id="chart-metric-ae-title">A&amp;E four-hour standard</title>' in svg
    assert '<desc id="chart-metric-ae-desc">Rises from 85%' in svg


def test_text_stays_text():
    svg = _metric_chart()
    assert ">2019/20</text>" in svg and ">National standard (95%)</text>" in svg
    # the bundled typeface first (PDFs), then the stylesheet's fallbacks; no spaces
    # after commas, which WeasyPrint's SVG reader needs
    assert "font-family=\"'lscplan Sans',Frutiger,Arial,'Liberation Sans'," in svg


def test_ids_are_prefixed_and_unique_per_chart():
    a, b = _metric_chart("chart-a"), _metric_chart("chart-b")
    ids_a = re.findall(r'\bid="([^"]+)"', a)
    ids_b = re.findall(r'\bid="([^"]+)"', b)
    assert len(ids_a) == len(set(ids_a))
    assert all(i.startswith("chart-a-") for i in ids_a)
    assert not set(ids_a) & set(ids_b)
    for ref in re.findall(r'(?:url\(#|href="#)([^)"]+)', a):
        assert ref in ids_a


def test_nhs_style():
    svg = _metric_chart(illustrative=False).lower()
    assert "#005eb8" in svg  # NHS Blue for the first series
    assert "stroke-dasharray" in svg  # only the national standard line is dotted
    assert "illustrative" not in svg


def test_illustrative_series_are_dashed_and_say_so():
    only = _metric_chart(illustrative=True)
    assert ">Illustrative figures</text>" in only
    mixed = trajectory_chart("c", "Activity", YEARS[1:],
                             [Line("North", (1, 2, 3), True), Line("South", (3, 2, 1))],
                             "attendances", "d")
    assert ">North (illustrative)</text>" in mixed and ">South</text>" in mixed
    assert ">Illustrative figures</text>" not in mixed
    assert mixed.count("stroke-dasharray") >= 1


def test_one_function_draws_every_trajectory():
    money = trajectory_chart("fin", "Surplus", YEARS[1:], [Line("Surplus", (-12000, -5000, 0))],
                             "gbp-thousands", "d", reference=Reference(0, "Financial balance"))
    assert "−£12.0m" in money or "−£10.0m" in money
    assert ">£0</text>" in money
    many = trajectory_chart("wf", "Workforce", YEARS[1:],
                            [Line(f"Staff group {i} with a long name", (i, i + 1, i + 2))
                             for i in range(7)], "wte", "d", zero=True)
    assert many.count("Staff group") == 7


def test_bar_chart():
    svg = bar_chart("bar", "Seen in four hours", ("Now (2018/19)", "By 2021/22"), (85.0, 95.0),
                    "percent", "d", illustrative=True, width=3.3)
    assert ">Now (2018/19)</text>" in svg and ">95%</text>" in svg
    assert ">Illustrative figures</text>" in svg
    assert svg == bar_chart("bar", "Seen in four hours", ("Now (2018/19)", "By 2021/22"),
                            (85.0, 95.0), "percent", "d", illustrative=True, width=3.3)
