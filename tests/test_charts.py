"""charts: deterministic, inlineable, accessible SVG in the NHS style."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from helpers import render_document

from lscplan import chartcache, render, revisions
from lscplan.charts import (
    Line,
    Point,
    Reference,
    bar_chart,
    bar_figure,
    overlaps,
    text_boxes,
    trajectory_chart,
    trajectory_figure,
)
from lscplan.pipeline import check

YEARS = ("2018/19", "2019/20", "2020/21", "2021/22")


@pytest.fixture(autouse=True)
def _figures_closed():
    """The figures a test draws are closed after it (pyplot keeps them, and warns at 20)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


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
    only = trajectory_chart("c", "Activity", YEARS[1:],
                            [Line("North", (1, 2, 3), True), Line("South", (3, 2, 1), True)],
                            "attendances", "d")
    assert ">Illustrative figures</text>" in only and "(illustrative)" not in only
    mixed = trajectory_chart("c", "Activity", YEARS[1:],
                             [Line("North", (1, 2, 3), True), Line("South", (3, 2, 1))],
                             "attendances", "d")
    assert ">North (illustrative)</text>" in mixed and ">South</text>" in mixed
    assert ">Illustrative figures</text>" not in mixed
    assert mixed.count("stroke-dasharray") >= 1


def test_one_function_draws_every_trajectory():
    money = trajectory_chart("fin", "Surplus", YEARS[1:], [Line("Surplus", (-12000, -5000, 0))],
                             "gbp-thousands", "d", reference=Reference(0, "Financial balance"))
    assert re.search(r">−1\d,\d00</text>", money) and ">0</text>" in money
    # ticks in £'000, as its table; the axis says so (issue 28: "−80,000" beside "−£72m")
    drawn = money.split("</desc>")[1]
    assert ">£'000</text>" in drawn and drawn.count("£") == 1
    many = trajectory_chart("wf", "Workforce", YEARS[1:],
                            [Line(f"Staff group {i} with a long name", (i, i + 1, i + 2))
                             for i in range(7)], "wte", "d", zero=True)
    assert many.count("Staff group") == 7


def test_a_chart_is_stamped_illustrative_only_when_every_value_drawn_is():
    """Issue 28: the A&E chart said "Illustrative figures" of its sourced 83.3% baseline
    (and its sourced national standard): the stamp is true of the whole chart or
    absent, and then the label of each illustrative thing drawn says so."""
    mixed = _metric_chart(illustrative=True)  # a sourced baseline and standard
    assert ">Illustrative figures</text>" not in mixed
    assert ">A&amp;E four-hour standard (illustrative)</text>" in mixed
    assert ">Baseline 2018/19</text>" in mixed
    assert ">National standard (95%)</text>" in mixed
    baseline = trajectory_chart(
        "c", "A&E", YEARS, [Line("A&E", (85.0, 87.0, 90.0, 95.0))], "percent", "d",
        point=Point("2018/19", 85.0, "Baseline 2018/19", illustrative=True))
    assert ">Baseline 2018/19 (illustrative)</text>" in baseline
    assert ">Illustrative figures</text>" not in baseline
    every = trajectory_chart(
        "c", "A&E", YEARS, [Line("A&E", (85.0, 87.0, 90.0, 95.0), True)], "percent", "d",
        point=Point("2018/19", 85.0, "Baseline 2018/19", True),
        references=[Reference(95, "Local ambition (95%)", local=True, illustrative=True)])
    assert ">Illustrative figures</text>" in every and "(illustrative)" not in every


def test_a_bar_chart_hatches_and_stamps_only_its_illustrative_bars():
    """Issue 28: the public summary's A&E chart hatched and stamped "Illustrative
    figures" a sourced baseline bar beside an illustrative target bar."""
    from lscplan.charts import bar_stamp

    fig = bar_figure(("Now (2018/19)", "By 2023/24"), (83.3, 95.0), "percent",
                     illustrative=(False, True), width=3.3)
    bars = fig.axes[0].patches
    assert [bool(b.get_hatch()) for b in bars] == [False, True]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Hatched: illustrative" in texts and "Illustrative figures" not in texts
    assert bar_stamp((True, True)) == "Illustrative figures"
    assert bar_stamp((False, False)) is None
    with pytest.raises(ValueError):
        bar_figure(("a", "b"), (1.0, 2.0), "percent", illustrative=(True,))


def test_an_xmr_chart_is_stamped_illustrative_only_when_all_it_draws_is():
    from lscplan.spc_charts import xmr_stamp

    assert xmr_stamp(True, False, None) == "Illustrative figures"
    assert xmr_stamp(True, False, ("plan", True)) == "Illustrative figures"
    assert xmr_stamp(True, True, None) == "Illustrative: values, mean and limits"
    assert xmr_stamp(False, True, ("plan", True)) == "Illustrative: plan"
    assert xmr_stamp(False, False, ("plan", False)) is None


def test_the_public_summary_headline_chart_stamps_only_its_illustrative_bar():
    """The bundled plan's A&E headline: a sourced 83.3% baseline, an illustrative
    figure for the plan's last year."""
    from lscplan.resources import bundled_plan_dir

    plan = check(bundled_plan_dir()).plan
    assert plan is not None
    metric = next(m for m in plan.metrics if m.id == "ae-four-hour")
    assert metric.baseline.provenance != "illustrative" and metric.values.illustrative
    svg = str(render.Figures(plan).headline(metric).svg)
    assert ">Hatched: illustrative</text>" in svg
    assert ">Illustrative figures</text>" not in svg


def test_bar_chart():
    svg = bar_chart("bar", "Seen in four hours", ("Now (2018/19)", "By 2021/22"), (85.0, 95.0),
                    "percent", "d", illustrative=True, width=3.3)
    assert ">Now (2018/19)</text>" in svg and ">95%</text>" in svg
    assert ">Illustrative figures</text>" in svg
    assert svg == bar_chart("bar", "Seen in four hours", ("Now (2018/19)", "By 2021/22"),
                            (85.0, 95.0), "percent", "d", illustrative=True, width=3.3)


# --- charts that cannot mislead ------------------------------------------------------


def _texts(fig) -> list[str]:
    return [t for t, _ in text_boxes(fig)]


def _value_ticks(axis) -> list[float]:
    low, high = sorted(axis.get_view_interval())
    return [t for t in axis.get_majorticklocs() if low <= t <= high]


def test_bar_axis_starts_at_zero_and_ticks_cover_the_data():
    fig = bar_figure(("Now", "Later"), (84.5, 95.0), "percent")
    assert fig.axes[0].get_xlim()[0] == 0
    ticks = _value_ticks(fig.axes[0].xaxis)
    assert ticks[0] == 0 and ticks[-1] >= 95.0
    negative = bar_figure(("Now (2018/19)", "By 2023/24"), (-72_000, 0), "gbp-thousands",
                          width=3.3)
    low, high = negative.axes[0].get_xlim()
    assert low <= -72_000 and high >= 0


def test_line_axis_not_from_zero_says_so():
    steep = trajectory_figure(YEARS[:3], [Line("Staff", (8_560, 9_700, 10_800))], "wte")
    assert "The vertical axis does not start at zero" in _texts(steep)
    ticks = _value_ticks(steep.axes[0].yaxis)
    assert ticks[0] <= 8_560 and ticks[-1] >= 10_800 and ticks[0] > 0
    from_zero = trajectory_figure(YEARS[:3], [Line("Staff", (8_560, 9_700, 10_800))], "wte",
                                  zero=True)
    assert "The vertical axis does not start at zero" not in _texts(from_zero)
    assert from_zero.axes[0].get_ylim()[0] == 0


def test_money_is_in_one_unit():
    """The financial figures tabulate £'000; their charts label ticks and values the same."""
    fig = bar_figure(("Now", "Later"), (-72_000, 0), "gbp-thousands", width=3.3)
    texts = _texts(fig)
    assert "−72,000" in texts
    assert not any("£" in t or t.endswith("m") for t in texts)


def test_crowded_labels_do_not_overlap():
    """Six-digit values on a half-width bar chart, a value below zero beside its row
    label: the cases that printed text on text."""
    for fig in (bar_figure(("Now (2018/19)", "By 2023/24"), (-72_000, 0), "gbp-thousands",
                           width=3.3),
                bar_figure(("Attendances", "Admissions"), (512_345, 498_765), "number",
                           width=3.3),
                bar_figure(("A long row label", "B"), (-5, 40), "percent", width=3.3)):
        assert overlaps(text_boxes(fig)) == []


def test_tick_labels_keep_a_gap_between_them():
    """Fewer ticks rather than labels that run into each other: "−80,000−60,000" on a
    half-width chart read as one number."""
    import matplotlib.pyplot as plt

    from lscplan.charts import _STYLE, TICK_GAP, _tick_label_boxes

    cases = ((lambda: bar_figure(("Now (2018/19)", "By 2023/24"), (-72_000, 0),
                                 "gbp-thousands", width=3.3), "x"),
             (lambda: bar_figure(("Attendances", "Admissions"), (512_345, 498_765),
                                 "number", width=3.3), "x"),
             (lambda: trajectory_figure(YEARS, [Line("Staff", (1.5, 2, 9, 12))], "wte"), "y"))
    for figure, axis in cases:
        with plt.rc_context(_STYLE):  # as bar_chart and trajectory_chart draw them
            fig = figure()
            fig.draw_without_rendering()
        ax = fig.axes[0]
        boxes = sorted((box for _, box in _tick_label_boxes(ax, getattr(ax, axis + "axis"))),
                       key=lambda b: b.x0 if axis == "x" else b.y0)
        assert len(boxes) >= 2
        gaps = [(b.x0 - a.x1) if axis == "x" else (b.y0 - a.y1)
                for a, b in pairwise(boxes)]
        assert min(gaps) >= TICK_GAP - 0.01, gaps


@pytest.mark.slow
def test_no_text_overlaps_in_any_chart_of_the_bundled_plan(monkeypatch, tmp_path):
    """Every chart every document of the bundled plan draws: no two texts overlap,
    and every value axis has ticks at or beyond both ends of its data."""
    from lscplan import charts, documents
    from lscplan.resources import bundled_plan_dir

    drawn = []
    save = charts._svg

    def inspect(fig, chart_id, title, description):
        drawn.append((chart_id, overlaps(text_boxes(fig))))
        return save(fig, chart_id, title, description)

    monkeypatch.setattr(charts, "_svg", inspect)
    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(tmp_path / "cache"))  # every chart drawn
    chartcache.forget()  # charts made earlier in this process
    plan_dir = bundled_plan_dir()
    plan = check(plan_dir).plan
    info = render.build_info(plan, revisions.plan_commit(plan_dir))
    for doc in documents.for_plan(plan):
        render_document(plan, doc, info)
    assert len(drawn) > 30
    assert [(chart, found) for chart, found in drawn if found] == []


def test_a_small_change_is_drawn_on_an_axis_from_zero():
    """ONS and GSS guidance: a line chart may start above zero, but not so that a small
    change reads as steep (the life-expectancy gap, 15 to 14.4 years: -4%)."""
    gap = trajectory_figure(YEARS, [Line("Gap", (15, 14.9, 14.8, 14.4))], "years")
    assert gap.axes[0].get_ylim()[0] == 0
    assert "The vertical axis does not start at zero" not in _texts(gap)
    ae = trajectory_figure(YEARS, [Line("A&E", (83.3, 86, 90, 95))], "percent")
    assert ae.axes[0].get_ylim()[0] > 0  # a change of 12% of the values: zoomed, and said


def test_values_nearer_zero_than_their_spread_are_drawn_from_zero():
    """Issue 28 (the activity charts): non-elective admissions from 10,850 (West
    Lancashire) to 59,640 (Pennine Lancashire) were drawn on an axis from 10,000, the
    smallest place's line on its floor, as if next to nothing."""
    places = trajectory_figure(YEARS[:3], [Line("West", (11_070, 10_960, 10_850)),
                                           Line("Pennine", (59_640, 59_050, 58_460))],
                               "admissions")
    assert places.axes[0].get_ylim()[0] == 0
    assert "The vertical axis does not start at zero" not in _texts(places)
    below = trajectory_figure(YEARS[:3], [Line("Deficit", (-72_000, -40_000, -5_000))],
                              "gbp-thousands")
    assert below.axes[0].get_ylim()[1] >= 0  # the same below zero


def test_a_target_line_on_the_axis_edge_is_drawn_inside_it():
    """A target line at the lowest value (learning disability) lay on the bottom edge,
    hidden by the axis line: the axis goes past it, and the line is drawn over the axis."""
    fig = trajectory_figure(YEARS, [Line("Inpatients", (90, 80, 70, 60))], "number",
                            reference=Reference(60, "Target"))
    ax = fig.axes[0]
    assert ax.get_ylim()[0] < 60
    target = next(line for line in ax.get_lines() if list(line.get_ydata()) == [60, 60])
    assert target.get_zorder() > ax.spines["bottom"].get_zorder()


#: The bundled plan's A&E attendances by place (illustrative): Central Lancashire and
#: Fylde Coast run 7% apart, a line's width on the chart, and their lines overlapped.
PLACES = (("Central Lancashire", (148_200, 149_680, 151_180, 152_690)),
          ("West Lancashire", (40_430, 40_840, 41_240, 41_660)),
          ("Pennine Lancashire", (217_920, 220_100, 222_300, 224_530)),
          ("Fylde Coast", (137_940, 139_320, 140_710, 142_120)),
          ("Morecambe Bay", (127_170, 128_440, 129_720, 131_020)))


def _places_figure(places=PLACES):
    import matplotlib.pyplot as plt

    from lscplan.charts import _STYLE

    with plt.rc_context(_STYLE):  # as trajectory_chart draws it
        fig = trajectory_figure(YEARS, [Line(n, v, True) for n, v in places], "attendances")
        fig.draw_without_rendering()
    return fig


def _end_label_boxes(fig, names):
    return {t: b for t, b in text_boxes(fig) if t.replace("\n", " ") in names}


def test_overlapping_lines_are_told_apart_without_colour():
    """Lines close together (or on top of each other) are told apart by their markers,
    not only their colours, and labelled at their ends (GSS: label lines directly),
    each label beside its line's last point, moved apart where two would collide."""
    fig = _places_figure()
    ax = fig.axes[0]
    drawn = ax.get_lines()[:len(PLACES)]
    assert len({line.get_marker() for line in drawn}) == len(PLACES)
    boxes = _end_label_boxes(fig, {n for n, _v in PLACES})
    assert set(boxes) == {n for n, _v in PLACES}  # every line labelled, no legend needed
    assert fig.legends == []
    assert overlaps(text_boxes(fig)) == []
    central, fylde = boxes["Central Lancashire"], boxes["Fylde Coast"]
    assert central.y0 >= fylde.y1  # nudged apart, in the lines' order
    # each label sits by its line's end: within a label's height of it
    for name, values in PLACES:
        end_y = ax.transData.transform((len(YEARS) - 1, values[-1]))[1]
        box = boxes[name]
        assert box.x0 > ax.transData.transform((len(YEARS) - 1, values[-1]))[0]
        assert abs((box.y0 + box.y1) / 2 - end_y) <= 2 * box.height, name
    # the SVG draws each line with its own marker
    svg = trajectory_chart("act", "A&E attendances", YEARS,
                           [Line(n, v, True) for n, v in PLACES], "attendances", "d")
    from lscplan.charts import PALETTE

    markers: dict[str, set[str]] = {}
    for mark, fill in re.findall(r'<use xlink:href="#(act-m[0-9a-f]+)"[^>]*fill="(#\w+)"',
                                 svg):
        markers.setdefault(fill.lower(), set()).add(mark)
    series = [frozenset(markers[c.lower()]) for c in PALETTE[:len(PLACES)]]
    assert len(set(series)) == len(PLACES)  # each line's marker a shape of its own


def test_lines_with_the_same_figures_say_so():
    """Two places with the same figures: one line would hide the other. The hidden
    line's markers are drawn larger and hollow round the other's, and one end label
    names both and says they are the same."""
    same = (("Central Lancashire", (10, 11, 12, 13)), ("Fylde Coast", (10, 11, 12, 13)),
            ("Morecambe Bay", (12, 12.5, 13, 13.5)))
    fig = _places_figure(same)
    labels = [t.replace("\n", " ") for t, _b in text_boxes(fig)
              if "Lancashire" in t or "Fylde" in t or "Bay" in t]
    assert labels == ["Central Lancashire and Fylde Coast: the same figures",
                      "Morecambe Bay"]
    first, hidden = fig.axes[0].get_lines()[:2]
    assert hidden.get_markersize() > first.get_markersize()
    assert hidden.get_markerfacecolor() == "white"
    assert overlaps(text_boxes(fig)) == []


def test_a_line_without_values_is_not_labelled():
    fig = trajectory_figure(YEARS, [Line("North", (1, 2, 3, 4)),
                                    Line("South", (None, None, None, None))], "number")
    assert [t for t, _b in text_boxes(fig) if t in ("North", "South")] == ["North"]


def test_one_line_or_too_many_labels_keep_the_legend():
    one = trajectory_figure(YEARS, [Line("Staff", (1, 2, 3, 4))], "wte")
    assert len(one.legends) == 1
    many = trajectory_figure(YEARS, [Line(f"Staff group {i}", (i, i + 1, i + 2, i + 3))
                                     for i in range(7)], "wte")
    assert len(many.legends) == 1 and overlaps(text_boxes(many)) == []
