"""Stage 4b, render charts: matplotlib to SVG strings that can be inlined in HTML.

One function draws every trajectory (a metric with its baseline and national
standard, the financial trajectory, activity per ICP, workforce per staff group);
``bar_chart`` draws the few simple comparisons. The output is deterministic: text
stays text (``svg.fonttype: none``), no date in the metadata, ids derived from the
chart's own id (unique within a document, identical run to run). Illustrative
series are drawn dashed and say "(illustrative)" in the legend.

matplotlib is imported on first use, so ``lscplan --help`` and ``check`` never pay
for it.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from . import formatting
from .resources import fonts_dir

if TYPE_CHECKING:  # matplotlib itself is imported when a chart is drawn
    from matplotlib.transforms import Bbox

NHS_BLUE = "#005EB8"
PALETTE = (  # ordered so neighbouring series contrast; each also has its own marker
    "#005EB8",  # NHS Blue
    "#00A499",  # NHS Aqua Green
    "#425563",  # NHS Dark Grey
    "#FFB81C",  # NHS Warm Yellow
    "#003087",  # NHS Dark Blue
    "#41B6E6",  # NHS Light Blue
    "#768692",  # NHS Mid Grey
    "#0072CE",  # NHS Bright Blue
)
MARKERS = ("o", "^", "D", "v", "P", "X", "h", "*")
DARK_GREY = "#425563"
MID_GREY = "#768692"
TARGET_COLOUR = "#00A499"  # NHS Aqua Green: a local ambition's line or mark
#: matplotlib measures text in the bundled Liberation Sans (Arial's metrics) on every
#: machine; the SVG then asks for the same family list as the stylesheet: the bundled
#: face in PDFs, Frutiger or Arial (or Liberation Sans) in a browser.
FONTS = ["Liberation Sans", "DejaVu Sans"]
SVG_FONTS = "'lscplan Sans',Frutiger,Arial,'Liberation Sans',Arimo,sans-serif"
WIDTH, HEIGHT = 6.6, 2.2  # inches: the A4 text width, with room for three charts a page
LEGEND_ROW = 0.2  # inches of height added per row of legend
DPI = 72  # SVG's own: the layout measured is the one saved
TICK_GAP = 4  # points at least between neighbouring tick labels
ILLUSTRATIVE_TEXT = "#8A5A00"
ILLUSTRATIVE = " (illustrative)"

_STYLE = {
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "figure.autolayout": False,
    "figure.constrained_layout.use": False,
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 9,
    "axes.edgecolor": MID_GREY,
    "axes.labelcolor": DARK_GREY,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#D8DDE0",
    "grid.linewidth": 0.6,
    "xtick.color": DARK_GREY,
    "ytick.color": DARK_GREY,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "lines.linewidth": 2.2,
    "lines.markersize": 5,
}


@dataclass(frozen=True)
class Line:
    """One series: a value (or ``None``) for each x label of the chart."""

    label: str
    values: Sequence[float | None]
    illustrative: bool = False


@dataclass(frozen=True)
class Reference:
    """A reference the series is read against: a horizontal line (a national standard,
    break-even), or with ``x`` a mark at that x label only (a target due that year).
    ``local`` draws it in the style of a local ambition rather than a standard."""

    value: float
    label: str
    x: str | None = None
    local: bool = False
    illustrative: bool = False


@dataclass(frozen=True)
class Point:
    """A single marked point, such as a metric's baseline."""

    x: str
    value: float
    label: str
    illustrative: bool = False


def warm() -> None:
    """Import matplotlib and load the typeface ahead of the first chart (a worker
    process's start)."""
    _pyplot()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    _use_bundled_typeface()
    return plt


@cache
def _use_bundled_typeface() -> None:
    """Make matplotlib's "Liberation Sans" the bundled files, whatever the machine
    has installed under that name, so charts are laid out the same everywhere."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if f.name != "Liberation Sans"]
    for path in sorted(fonts_dir().glob("*.ttf")):
        manager.addfont(str(path))


def _axis_formatter(unit: str, places: int | None = None) -> Callable[[float, int], str]:
    """Tick and value labels in the unit the figure's data table uses (money in
    £'000, as published), so a figure never shows one unit and tabulates another."""
    declared = formatting.as_unit(unit)
    if declared.declared:  # a unit of the plan's own: its decimals and symbol
        def own(v: float, _pos: int) -> str:
            shown = declared.decimals if places is None else places
            return formatting.thousands(round(v, 2), shown) + declared.symbol

        return own

    def fmt(v: float, _pos: int) -> str:
        if unit == "percent":
            return formatting.percent(round(v, 2), places)
        if unit == "gbp-millions":  # a reader's chart: money as its text writes it
            return formatting.money(round(v, 2) * 1000)
        return formatting.thousands(round(v, 2), places)

    return fmt


def _tick_places(ticks: Sequence[float]) -> int:
    """Decimal places that show every tick exactly (at most two), the same for all."""
    return max((len(f"{t:.2f}".rstrip("0").split(".")[1]) for t in ticks), default=0)


def _value_axis(fig, ax, axis, unit: str, low: float, high: float) -> None:
    """Ticks that cover the data (``low`` to ``high``) with one tick at or beyond
    each end, as many as fit with ``TICK_GAP`` between their labels (five at most),
    and the axis limits on the outermost ticks."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    if high == low:
        low, high = (low - 1, high + 1) if low else (0, 1)
    for nbins in (5, 4, 3, 2):
        ticks = list(MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high))
        ticks = [t for t in ticks if t >= low - (ticks[1] - ticks[0]) + 1e-9]
        ticks = [t for t in ticks if t <= high + (ticks[1] - ticks[0]) - 1e-9]
        axis.set_major_locator(FixedLocator(ticks))
        axis.set_major_formatter(FuncFormatter(_axis_formatter(unit, _tick_places(ticks))))
        (ax.set_xlim if axis is ax.xaxis else ax.set_ylim)(ticks[0], ticks[-1])
        _lay_out(fig)
        if not overlaps([(text, box.padded(TICK_GAP / 2)) for text, box
                         in _tick_label_boxes(ax, axis)]):
            return


def _lay_out(fig) -> None:
    """Place the axes, legend and texts (matplotlib's constrained layout) without
    drawing anything."""
    fig.get_layout_engine().execute(fig)


def _svg(fig, chart_id: str, title: str, description: str) -> str:
    plt = _pyplot()
    buffer = io.StringIO()
    # Laid out already: with no layout engine, savefig draws the figure once, rather
    # than laying it out again and drawing it twice (_STYLE turns off the rcParams
    # that would give it one back).
    fig.set_layout_engine(None)
    if _as_png:
        picture = io.BytesIO()
        fig.savefig(picture, format="png", dpi=PNG_DPI, metadata={"Software": None})
        plt.close(fig)
        return picture.getvalue()  # type: ignore[return-value]
    with plt.rc_context({"svg.hashsalt": chart_id}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return _inline(buffer.getvalue(), chart_id, title, description)


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_STYLE_EL = re.compile(r"\s*<style[^>]*>.*?</style>", re.S)
_EMPTY_DEFS = re.compile(r"\s*<defs>\s*</defs>", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_FAMILY = re.compile(r'font-family="[^"]*"')
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(match: re.Match) -> str:
    """``style="fill: none; stroke: #005eb8"`` -> ``fill="none" stroke="#005eb8"``:
    the same drawing, but nothing an HTML stylesheet parser (WeasyPrint's reads
    every inline style in the page) mistakes for CSS it does not know."""
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)


def _inline(svg: str, chart_id: str, title: str, description: str) -> str:
    """Make matplotlib's SVG fit to sit inside an HTML page: no XML prolog or
    DOCTYPE, no metadata, no global stylesheet, ids prefixed with the chart id, a
    title and description for assistive technology, and a fluid width."""
    svg = _PROLOG.sub("", svg, count=1)
    svg = _METADATA.sub("", svg)
    svg = _STYLE_EL.sub("", svg)
    svg = _EMPTY_DEFS.sub("", svg)
    svg = _STYLE_ATTR.sub(_presentation_attributes, svg)
    # (WeasyPrint's SVG text reads a family list only without spaces after the commas.)
    svg = _FAMILY.sub(f'font-family="{SVG_FONTS}"', svg)
    for old in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        new = f"{chart_id}-{old.replace('.', '-')}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    head = (f'<svg class="chart" role="img" aria-labelledby="{title_id}" '
            f'aria-describedby="{desc_id}"')
    svg = re.sub(r'<svg\b', head, svg, count=1)
    svg = re.sub(r'\swidth="[^"]*pt"\sheight="[^"]*pt"', "", svg, count=1)
    svg = re.sub(r'(<svg\b[^>]*>)',
                 rf'\1<title id="{title_id}">{escape(title)}</title>'
                 rf'<desc id="{desc_id}">{escape(description)}</desc>', svg, count=1)
    return svg.strip() + "\n"


def _tick_label_boxes(ax, axis) -> list[tuple[str, Bbox]]:
    """The tick labels an axis shows (those within its limits), with their extents."""
    renderer = ax.figure.canvas.get_renderer()
    low, high = sorted(axis.get_view_interval())
    span = (high - low) or 1
    out = []
    for tick in axis.get_major_ticks():
        label = tick.label1
        if (label.get_visible() and label.get_text()
                and low - span * 1e-9 <= tick.get_loc() <= high + span * 1e-9):
            out.append((label.get_text(), label.get_window_extent(renderer)))
    return out


def text_boxes(fig) -> list[tuple[str, Bbox]]:
    """Every text the figure shows, with its extent on the page (a matplotlib
    ``Bbox`` in display units): tick labels within the axis limits, value labels,
    notes and legend entries. Draws the figure first so the layout is final."""
    from matplotlib.text import Text

    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    ticks: set[int] = set()
    boxes = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update((id(tick.label1), id(tick.label2)))
            boxes += _tick_label_boxes(ax, axis)
    for text in fig.findobj(Text):
        if id(text) in ticks or not text.get_visible() or not text.get_text().strip():
            continue
        boxes.append((text.get_text(), text.get_window_extent(renderer)))
    return boxes


def overlaps(boxes: Sequence[tuple[str, Bbox]]) -> list[tuple[str, str]]:
    """The pairs of texts whose boxes overlap (touching edges do not count)."""
    found = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            if (min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 0.5
                    and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 0.5):
                found.append((a, b))
    return found


def _legend_layout(labels: Sequence[str]) -> tuple[list[str], int, int]:
    """The legend's labels wrapped to fit, its columns, and its height in lines."""
    longest = max((len(s) for s in labels), default=0)
    ncol = 2 if longest > 28 or len(labels) == 4 else 3
    ncol = max(1, min(ncol, len(labels)))
    wrapped = [textwrap.fill(s, {1: 90, 2: 46, 3: 30}[ncol]) for s in labels]
    rows = -(-len(labels) // ncol)  # matplotlib fills the legend column by column
    height = sum(max(w.count("\n") + 1 for w in wrapped[r::rows]) for r in range(rows))
    return wrapped, ncol, height


#: The stamp of a chart every value of which is illustrative (only such a chart has it:
#: on any other the legend, or the stamp's own words, name what is illustrative).
STAMP = "Illustrative figures"


def _mark_illustrative(ax, text: str = STAMP) -> None:
    ax.text(1.0, 1.0, text, transform=_above(ax), ha="right",
            va="bottom", fontsize=8, color=ILLUSTRATIVE_TEXT, fontstyle="italic")


def _above(ax):
    """Axes coordinates moved up 6 points: clear of a marker on the top edge."""
    from matplotlib.transforms import offset_copy

    return offset_copy(ax.transAxes, fig=ax.figure, y=6, units="points")


def _note(ax, text: str):
    """A short italic note above the plot's top left corner."""
    return ax.text(0.0, 1.0, text, transform=_above(ax), ha="left", va="bottom",
                   fontsize=8, color=DARK_GREY, fontstyle="italic")


def trajectory_chart(chart_id: str, title: str, x: Sequence[str], lines: Sequence[Line],
                     unit: str, description: str, *, reference: Reference | None = None,
                     point: Point | None = None, zero: bool = False,
                     references: Sequence[Reference] = ()) -> str:
    """A line chart of one or more series over the years ``x``: every trajectory in
    every document is drawn by this function (``trajectory_figure``), as SVG."""
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        fig = trajectory_figure(x, lines, unit, reference=reference, point=point, zero=zero,
                                references=references)
        return _svg(fig, chart_id, title, description)


#: A value axis may start above zero (ONS and GSS chart guidance: a line chart shows
#: change, and need not start at zero) unless the change it shows is small beside the
#: values: then a cut-off axis makes it look steep (15 to 14.4 years, -4%), and the
#: axis starts at zero.
SMALL_CHANGE = 0.1


def small_change(low: float, high: float) -> bool:
    """Whether values from ``low`` to ``high`` (all of one sign) change by less than
    ``SMALL_CHANGE`` of their largest size."""
    if low <= 0 <= high:
        return False
    return (high - low) < SMALL_CHANGE * max(abs(low), abs(high))


def zero_is_near(low: float, high: float) -> bool:
    """Whether values from ``low`` to ``high`` (all of one sign) lie nearer zero than
    their spread: an axis cut above zero would take less than half the plot, and only
    make the line nearest zero look like next to nothing (issue 28: non-elective
    admissions drawn from 10,000, West Lancashire's 10,850 on the axis' floor beside
    Pennine Lancashire's 59,640)."""
    if low <= 0 <= high:
        return False
    return min(abs(low), abs(high)) < high - low


def trajectory_figure(x: Sequence[str], lines: Sequence[Line], unit: str, *,
                      reference: Reference | None = None, point: Point | None = None,
                      zero: bool = False, references: Sequence[Reference] = ()):
    """The matplotlib figure of ``trajectory_chart``.

    ``reference`` draws a labelled horizontal line (a national standard, break-even),
    and so does each of ``references`` without an ``x``; one with an ``x`` is a labelled
    mark at that x (a target due that year); local ambitions are drawn in aqua green,
    dash-dotted, standards in dark grey, dotted;
    ``point`` marks one value (a baseline); ``zero`` starts the y axis at zero, and so
    does a small change (``small_change``) and values nearer zero than their spread
    (``zero_is_near``). Otherwise the axis runs from a tick at or
    below the lowest value to one at or above the highest (past a target line that
    would lie on its edge); when it does not include zero, the chart says so. Illustrative lines
    are dashed; when every value drawn (lines, point, references) is illustrative the
    chart says "Illustrative figures", otherwise each illustrative line's, point's or
    reference's label says "(illustrative)".
    """
    plt = _pyplot()
    refs = ([reference] if reference is not None else []) + list(references)
    drawn_flags = ([line.illustrative for line in lines]
                   + ([point.illustrative] if point is not None else [])
                   + [r.illustrative for r in refs])
    all_illustrative = all(drawn_flags)

    def named(label: str, illustrative: bool) -> str:
        return label + (ILLUSTRATIVE if illustrative and not all_illustrative else "")

    names = [named(line.label, line.illustrative) for line in lines]
    same = _same_figures(lines)
    ends = _end_labels(names, same)
    labels = [] if ends else list(names)
    labels += [named(point.label, point.illustrative)] if point is not None else []
    # a reference's label ends with its figure in brackets: "(97%, 2020/21, illustrative)"
    labels += [r.label[:-1] + ", illustrative)"
               if r.illustrative and not all_illustrative and r.label.endswith(")")
               else named(r.label, r.illustrative) for r in refs]
    wrapped, ncol, rows = _legend_layout(labels)
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT + LEGEND_ROW * rows), dpi=DPI,
                           layout="constrained")
    positions = list(range(len(x)))
    handles = []
    values = []
    for i, line in enumerate(lines):
        pts = [(p, v) for p, v in zip(positions, line.values, strict=True) if v is not None]
        values += [v for _, v in pts]
        # a line with the same figures as an earlier one lies under it: its markers are
        # drawn larger and hollow, so that each shows round the other's
        hidden = next(group.index(i) for group in same if i in group)
        drawn = ax.plot([p for p, _ in pts], [v for _, v in pts],
                        color=PALETTE[i % len(PALETTE)], marker=MARKERS[i % len(MARKERS)],
                        linestyle=(0, (4, 2)) if line.illustrative else "-", clip_on=False,
                        zorder=2.5 - hidden * 0.1,
                        **({"markersize": 5 + 3 * hidden, "markerfacecolor": "white"}
                           if hidden else {}))
        if not ends:
            handles += drawn
    if point is not None:
        values.append(point.value)
        handles += ax.plot([x.index(point.x)], [point.value], linestyle="none",
                           marker="s", markersize=7, markerfacecolor="white",
                           markeredgecolor=DARK_GREY, markeredgewidth=1.5, zorder=5,
                           clip_on=False)
    for ref in refs:
        values.append(ref.value)
        colour = TARGET_COLOUR if ref.local else DARK_GREY
        if ref.x is None:
            handles.append(ax.axhline(ref.value, color=colour, linewidth=1.2,
                                      linestyle=(0, (5, 2, 1, 2)) if ref.local
                                      else (0, (1, 1.5)), zorder=3))  # over the spine
        else:
            handles += ax.plot([x.index(ref.x)], [ref.value], linestyle="none",
                               marker="*" if ref.local else "D", markersize=9,
                               markerfacecolor=colour, markeredgecolor="white", zorder=6,
                               clip_on=False)
    ax.set_xticks(positions, list(x))
    ax.margins(x=0.04)
    low, high = min(values, default=0), max(values, default=0)
    if zero or small_change(low, high) or zero_is_near(low, high):
        low, high = min(low, 0), max(high, 0)
    else:  # a target line on the axis' edge would hide in it: the axis goes past it
        pad = (high - low) * 0.05
        low -= pad if any(r.x is None and r.value == low for r in refs) else 0
        high += pad if any(r.x is None and r.value == high for r in refs) else 0
    if all_illustrative:
        _mark_illustrative(ax)
    if handles:  # none when the lines are labelled at their ends and nothing else is drawn
        fig.legend(handles, wrapped, loc="outside lower center", ncol=ncol,
                   columnspacing=1.8, handlelength=2.6)
    # Noted before the ticks are fitted, so they are fitted to the chart as it is
    # shown; taken back in the rare case that the outermost ticks reach zero.
    money = MONEY_AXIS if unit == "gbp-thousands" else None
    off_zero = low > 0 or high < 0
    note = _note(ax, _axis_note(money, off_zero)) if money or off_zero else None
    _value_axis(fig, ax, ax.yaxis, unit, low, high)
    bottom, top = ax.get_ylim()
    if note is not None and off_zero and bottom <= 0 <= top:
        note.remove()
        if money:
            _note(ax, money)
        _lay_out(fig)
    if ends:
        _label_line_ends(fig, ax, lines, ends)
    return fig


#: Lines are labelled at their ends, not in a legend (GSS chart guidance: label lines
#: directly), when there are at most this many labels, each of at most two lines of
#: ``END_LABEL_WIDTH`` characters.
END_LABELS = 6
END_LABEL_WIDTH = 22
END_GAP = 2  # points at least between two end labels
END_OFFSET = 10  # points from a line's last point to its label
END_SLACK = 16  # points left free after the longest end label


def _same_figures(lines: Sequence[Line]) -> list[list[int]]:
    """The lines grouped by their figures: each group the indices of lines with the
    same values, in order (most groups of one)."""
    groups: dict[tuple, list[int]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(tuple(line.values), []).append(i)
    return sorted(groups.values())


def _end_labels(names: Sequence[str], same: Sequence[Sequence[int]]
                ) -> list[tuple[int, str]] | None:
    """(line, label) for each label at a line's end: one per group of lines with the
    same figures, which says so; None where a legend serves better (one line, or too
    many or too long labels to stack beside the plot)."""
    if len(names) < 2:
        return None
    ends = []
    for group in same:
        text = names[group[0]] if len(group) == 1 else (
            ", ".join(names[i] for i in group[:-1]) + f" and {names[group[-1]]}: "
            "the same figures")
        ends.append((group[0], textwrap.fill(text, END_LABEL_WIDTH)))
    if len(ends) > END_LABELS or any(t.count("\n") > 1 + (len(g) > 1)
                                     for (_i, t), g in zip(ends, same, strict=True)):
        return None
    return ends


def _label_line_ends(fig, ax, lines: Sequence[Line], ends: Sequence[tuple[int, str]]
                     ) -> None:
    """Write each label beside its line's last point, in dark grey after the line's
    marker (in its colour: shape and colour tie the label to its line); labels whose
    points are close are moved apart (keeping their order) so that none overlaps
    another."""
    from matplotlib.transforms import ScaledTranslation

    ends = [(i, text) for i, text in ends if any(v is not None for v in lines[i].values)]
    if not ends:  # no line has a value to label
        return
    points = [next((p, v) for p, v in reversed(list(enumerate(lines[i].values)))
                   if v is not None) for i, _text in ends]
    labels = [ax.annotate(text, point, xytext=(END_OFFSET + 8, 0), textcoords="offset points",
                          ha="left", va="center", fontsize=8, color=DARK_GREY,
                          annotation_clip=False)
              for (_i, text), point in zip(ends, points, strict=True)]
    keys = [ax.plot([p], [v], linestyle="none", marker=MARKERS[i % len(MARKERS)],
                    color=PALETTE[i % len(PALETTE)], markersize=5, clip_on=False)[0]
            for (i, _text), (p, v) in zip(ends, points, strict=True)]
    # room on the right for a reader's fallback font, wider than the one measured here
    fig.get_layout_engine().set(rect=(0, 0, 1 - END_SLACK / (fig.get_figwidth() * 72), 1))
    for _ in range(2):  # laid out with the labels, the plot narrows: placed again
        _lay_out(fig)
        offsets = _end_offsets(fig, ax, points, labels)
        for label, key, dy in zip(labels, keys, offsets, strict=True):
            label.xyann = (END_OFFSET + 8, dy)
            key.set_transform(ax.transData + ScaledTranslation(
                (END_OFFSET + 3) / 72, dy / 72, fig.dpi_scale_trans))
    _lay_out(fig)


def _end_offsets(fig, ax, points: Sequence[tuple[int, float]], labels: Sequence[Any]
                 ) -> list[float]:
    """How far (points) to move each end label up from its line's last point: from
    the lowest up, each at its point or just above the label below, and the stack
    moved down as a whole if that takes it past the top of the plot."""
    renderer = fig.canvas.get_renderer()
    scale = 72 / fig.dpi
    ys = [ax.transData.transform(point)[1] * scale for point in points]
    heights = [label.get_window_extent(renderer).height * scale for label in labels]
    order = sorted(range(len(points)), key=lambda k: ys[k])
    placed: dict[int, float] = {}
    below = None
    for k in order:
        centre = ys[k] if below is None else max(ys[k], below + END_GAP + heights[k] / 2)
        placed[k] = centre
        below = centre + heights[k] / 2
    top = ax.get_window_extent(renderer).y1 * scale
    excess = max(0.0, max(placed[k] + heights[k] / 2 for k in order) - top)
    return [placed[k] - excess - ys[k] for k in range(len(points))]


#: A money axis is in £'000, as its data table (the text beside it writes £m): it says so.
MONEY_AXIS = "£'000"


def _axis_note(money: str | None, off_zero: bool) -> str:
    words = [money] if money else []
    return ". ".join([*words, "The vertical axis does not start at zero"] if off_zero
                     else words)


def bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float],
              unit: str, description: str, *, illustrative: bool | Sequence[bool] = False,
              width: float = WIDTH) -> str:
    """Horizontal bars, one per label, each with its value written beside it
    (``bar_figure``), as SVG."""
    plt = _pyplot()
    with plt.rc_context(_STYLE | {"axes.grid.axis": "x"}):
        fig = bar_figure(labels, values, unit, illustrative=illustrative, width=width)
        return _svg(fig, chart_id, title, description)


def bar_stamp(illustrative: Sequence[bool]) -> str | None:
    """What a bar chart's stamp says: "Illustrative figures" when every bar is
    illustrative, what the hatching means when only some are, nothing when none is."""
    if all(illustrative):
        return STAMP
    if any(illustrative):
        return "Hatched: illustrative"
    return None


def bar_figure(labels: Sequence[str], values: Sequence[float], unit: str, *,
               illustrative: bool | Sequence[bool] = False, width: float = WIDTH):
    """The matplotlib figure of ``bar_chart``: ``width`` in inches (half the default
    for charts set side by side). The value axis includes zero, with a tick at or
    beyond each end of the data; a value is written after the end of its bar, or
    for a bar below zero just after zero, clear of the row labels. ``illustrative``
    says of every bar, or of each, whether it is illustrative: those are hatched, and
    the stamp says what is (``bar_stamp``)."""
    plt = _pyplot()
    from matplotlib.transforms import offset_copy

    flags = ([illustrative] * len(values) if isinstance(illustrative, bool)
             else list(illustrative))
    if len(flags) != len(values):
        raise ValueError(f"{len(flags)} illustrative flags for {len(values)} bars")
    height = max(1.3, 0.32 * len(labels) + 0.6)
    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI, layout="constrained")
    positions = list(range(len(labels)))[::-1]
    bars = ax.barh(positions, list(values), color=NHS_BLUE, height=0.6, edgecolor="white")
    for bar, flag in zip(bars, flags, strict=True):
        bar.set_hatch("//" if flag else None)
    ax.set_yticks(positions, list(labels))
    fmt = _axis_formatter(unit)
    beside = offset_copy(ax.transData, fig=fig, x=3, units="points")
    for position, value in zip(positions, values, strict=True):
        ax.text(max(value, 0), position, fmt(value, 0), transform=beside, ha="left",
                va="center", fontsize=8, color=DARK_GREY)
    stamp = bar_stamp(flags)
    if stamp:
        _mark_illustrative(ax, stamp)
    _value_axis(fig, ax, ax.xaxis, unit, min(0, *values), max(0, *values))
    return fig


PNG_DPI = 200
_as_png = False  # while ``png`` draws: ``_svg`` saves the figure as a PNG instead


def png(draw: Callable[..., Any], args: tuple, kwargs: Mapping[str, Any]) -> bytes:
    """The chart ``draw(*args, **kwargs)`` draws as SVG (a chart function of this module
    or ``spc_charts``), drawn by the same code as a PNG (for a format that cannot show
    SVG: Word), at ``PNG_DPI`` and with no date or software version in it, so the same
    chart gives the same bytes."""
    global _as_png
    _as_png = True
    try:
        return draw(*args, **kwargs)
    finally:
        _as_png = False
