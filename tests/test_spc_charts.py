"""spc_charts: the Making Data Count XmR chart and its variation and assurance icons."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lscplan import chartcache, spc, spc_charts

SVG_NS = "{http://www.w3.org/2000/svg}"


def _ae_system() -> spc.SpcResult:
    """The real A&E four-hour series of the four trusts (tests/spc/ae.json)."""
    fixture = json.loads((Path(__file__).parent / "spc" / "ae.json").read_text("utf-8"))
    series = next(s for s in fixture["series"] if s["name"] == "ae-system")
    return spc.xmr(series["periods"], series["values"], direction="increase", target=95.0)


def _chart(result: spc.SpcResult | None = None, chart_id: str = "xmr-ae", **kwargs) -> str:
    result = result or _ae_system()
    trajectory = [None if p.period < "2017-04" else 85.0 if p.period < "2018-04" else 87.0
                  for p in result.points]
    kwargs = {"target": 95.0, "trajectory": trajectory} | kwargs
    return spc_charts.xmr_chart(chart_id, "A&E four-hour standard: delivery", result, "percent",
                            spc_charts.xmr_description(result, "percent", target=95.0),
                            **kwargs)


def _scatter_fills(svg: str) -> list[str]:
    """The fill of each point of the chart's scatter, in drawing (data) order."""
    return re.findall(r'<use xlink:href="#[\w-]*C0_0_[0-9a-f]+"[^>]*\sfill="(#[0-9a-f]+)"', svg)


def test_chart_parses_and_carries_its_text_alternative() -> None:
    svg = _chart()
    root = ET.fromstring(svg.replace("xlink:href", "href"))
    assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img"
    assert root.find(f"{SVG_NS}title").text == "A&E four-hour standard: delivery"
    desc = root.find(f"{SVG_NS}desc").text
    assert desc.startswith("36 points from Apr 2016 to Mar 2019; latest 82.9%, mean 84.1%,")
    assert "process limits 79.2% to 89.0%" in desc
    assert "consistently fail the target" in desc
    for label in ("Mean", "Process limits", "Target", "Plan",
                  "Special cause: improvement", "Special cause: concern"):
        assert f">{label}</text>" in svg
    assert ">Apr 2016</text>" in svg and ">Oct 2018</text>" in svg
    assert ">Mar 2019</text>" in svg  # the latest point is always labelled


def _months(start_year: int, start_month: int, count: int) -> list[str]:
    return [f"{start_year + (start_month - 1 + i) // 12}-{(start_month - 1 + i) % 12 + 1:02d}"
            for i in range(count)]


def test_the_latest_period_is_always_labelled() -> None:
    """Issue 28: the delivery report's axes stopped at Oct 2018, the latest point
    (Mar 2019) unlabelled. Labels run on the financial year's half-years and end on the
    latest period; a regular label too close before it to fit gives way."""
    assert spc_charts._label_positions(_months(2016, 4, 36)) == [0, 6, 12, 18, 24, 30, 35]
    assert spc_charts._label_positions(_months(2016, 4, 37)) == [0, 6, 12, 18, 24, 30, 36]
    assert spc_charts._label_positions(_months(2016, 4, 32)) == [0, 6, 12, 18, 24, 31]
    assert spc_charts._label_positions(_months(2016, 1, 12)) == [0, 2, 4, 6, 8, 11]
    assert spc_charts._label_positions(["2019-04"]) == [0] and spc_charts._label_positions([]) == []
    for count in range(1, 130):
        positions = spc_charts._label_positions(_months(2010, 4, count))
        assert positions[-1] == count - 1 and len(positions) <= spc_charts.MAX_LABELS


def test_chart_is_the_same_bytes_every_time() -> None:
    assert _chart() == _chart()
    assert _chart(chart_id="other") != _chart()


def test_special_cause_points_take_making_data_count_colours() -> None:
    result = _ae_system()
    expected = [spc_charts.POINT_COLOURS[p.point_type] for p in result.points]
    assert _scatter_fills(_chart(result)) == expected
    assert {"improvement", "concern"} <= {p.point_type for p in result.points}
    assert spc_charts.IMPROVEMENT == "#00b0f0" and spc_charts.CONCERN == "#e46c0a"
    neutral = spc.xmr([p.period for p in result.points], [p.value for p in result.points],
                      direction="neutral")
    fills = _scatter_fills(_chart(neutral, target=None, trajectory=()))
    assert set(fills) == {spc_charts.COMMON_CAUSE, spc_charts.NEUTRAL}
    assert ">Special cause: neither improvement nor concern</text>" in _chart(neutral)


def test_rebased_limits_are_drawn_per_segment() -> None:
    result = _ae_system()
    periods = [p.period for p in result.points]
    rebased = spc.xmr(periods, [p.value for p in result.points], direction="increase",
                      rebase=["2018-04"])
    # the mean once for each of the two segments, and once in the legend
    assert _chart(rebased).count(f'stroke="{spc_charts.MEAN_LINE}"') == 2 + 1
    with pytest.raises(ValueError, match="3 trajectory values for 36 points"):
        _chart(rebased, trajectory=(1.0, 2.0, 3.0))


def test_chartcache_keeps_the_chart() -> None:
    result = _ae_system()
    args = ("xmr-cached", "t", result, "percent", "d")
    assert chartcache.svg("xmr_chart", *args) == spc_charts.xmr_chart(*args)


@pytest.mark.parametrize("variation", spc.VARIATIONS)
def test_variation_icons(variation: str) -> None:
    svg = spc_charts.variation_icon_svg(variation)
    root = ET.fromstring(svg)
    text = spc_charts.VARIATION_TEXT[variation]
    assert root.get("role") == "img" and root.get("aria-label") == text
    assert root.find(f"{SVG_NS}title").text == text
    assert " id=" not in svg  # many sit in one page
    assert svg == spc_charts.variation_icon_svg(variation)
    kind = variation.split("_")[0]
    ring = {"common": spc_charts.ICON_GREY, "improvement": spc_charts.ICON_BLUE,
            "concern": spc_charts.ICON_ORANGE, "neutral": spc_charts.ICON_PURPLE}[kind]
    assert root.find(f"{SVG_NS}circle").get("stroke") == ring
    letters = [t.text for t in root.iter(f"{SVG_NS}text")]
    if kind in ("improvement", "concern"):
        assert letters == [{"high": "H", "low": "L"}[variation.rsplit("_", 1)[1]]]
    else:
        assert letters == []


@pytest.mark.parametrize("assurance", [*spc.ASSURANCES, None])
def test_assurance_icons(assurance: str | None) -> None:
    svg = spc_charts.assurance_icon_svg(assurance, size=24)
    root = ET.fromstring(svg)
    text = spc_charts.ASSURANCE_TEXT[assurance]
    assert root.get("aria-label") == text and root.find(f"{SVG_NS}title").text == text
    assert root.get("width") == "24"
    letters = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert letters == ({"pass": ["P"], "fail": ["F"], "inconsistent": ["?"]}.get(assurance, []))


def test_unknown_icons_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown variation"):
        spc_charts.variation_icon_svg("improvement")
    with pytest.raises(ValueError, match="unknown assurance"):
        spc_charts.assurance_icon_svg("consistent_pass")
