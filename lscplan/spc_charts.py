"""Making Data Count pictures: the XmR chart of an ``SpcResult`` and the two icons.

``xmr_chart`` draws with matplotlib through ``charts`` (the same typeface, style,
deterministic and inlineable SVG, title and description), in NHSRplotthedots' colours:
the values as a grey line, each point coloured by its type (improvement blue, concern
orange, neutral purple, common cause grey), the mean solid black, the process limits
dashed grey, the target dashed red and the plan's trajectory dashed purple, a step a
financial year. ``chartcache`` keeps it like the charts of ``charts``.

``variation_icon_svg`` and ``assurance_icon_svg`` draw the icons of the published
design (a white disc in a coloured ring; H or L and a run of dots whose last ones take
the ring's colour; an arrow for neutral; P, F or ? over a process line and a dashed
target) as small SVG strings of their own, without ids, each with a ``<title>`` and
an ``aria-label``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from itertools import pairwise

from . import charts, formatting
from .spc import SpcResult

#: Point and line colours of NHSRplotthedots' charts (``ptd_spc_colours``).
COMMON_CAUSE = "#a6a6a6"
IMPROVEMENT = "#00b0f0"
CONCERN = "#e46c0a"
NEUTRAL = "#490092"
MEAN_LINE = "#000000"
LIMIT_LINE = "#a6a6a6"
TARGET_LINE = "#de1b1b"
TRAJECTORY_LINE = "#490092"
POINT_COLOURS = {
    "common_cause": COMMON_CAUSE,
    "improvement": IMPROVEMENT,
    "concern": CONCERN,
    "neutral_high": NEUTRAL,
    "neutral_low": NEUTRAL,
}
POINT_LABELS = {
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neutral_high": "Special cause: neither improvement nor concern",
    "neutral_low": "Special cause: neither improvement nor concern",
}

#: Colours of the published icons (darker than the chart's, for the letters on white).
ICON_BLUE = "#0072c6"
ICON_ORANGE = "#ff6600"
ICON_PURPLE = "#8000c0"
ICON_GREY = "#a6a6a6"
ICON_DOT_GREY = "#7f7f7f"

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
          "Dec")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_LABELS = 8  #: period labels the x axis shows at most ("Apr 2016" fits eight a row)

VARIATION_TEXT = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation of an improving nature: higher values",
    "improvement_low": "Special cause variation of an improving nature: lower values",
    "concern_high": "Special cause variation of a concerning nature: higher values",
    "concern_low": "Special cause variation of a concerning nature: lower values",
    "neutral_high": "Special cause variation, neither improving nor concerning: higher "
                    "values",
    "neutral_low": "Special cause variation, neither improving nor concerning: lower "
                   "values",
}
SPECIAL_CAUSE_TEXT = {
    "above_upl": "above the upper process limit",
    "below_lpl": "below the lower process limit",
    "trend_increasing": "in a rising trend of seven or more",
    "trend_decreasing": "in a falling trend of seven or more",
    "two_in_three_above": "near the upper limit, two of three",
    "two_in_three_below": "near the lower limit, two of three",
    "run_above": "in a run of seven or more above the mean",
    "run_below": "in a run of seven or more below the mean",
}
ASSURANCE_TEXT = {
    "pass": "Assurance: the process will consistently meet the target",
    "fail": "Assurance: the process will consistently fail the target",
    "inconsistent": "Assurance: the process will inconsistently meet and fail the target",
    None: "No assurance icon: no target, or no direction of improvement",
}


def period_label(period: str) -> str:
    """``2016-04`` -> ``Apr 2016``; any other label as it is."""
    m = _MONTH.match(period)
    return f"{MONTHS[int(m.group(2)) - 1]} {m.group(1)}" if m else period


def _label_positions(periods: Sequence[str]) -> list[int]:
    """The periods to label, by index: every n-th (months on a financial year's
    quarters, April first, where they can be) and always the latest, which is what a
    reader looks for; a regular label too close to the latest's to fit beside it (less
    than an eighth of the axis, MAX_LABELS, before it) gives way to it. At most
    MAX_LABELS labels."""
    if not periods:
        return []
    last = len(periods) - 1
    m = _MONTH.match(periods[0])
    for step in (1, 2, 3, 6, 12, 24, 36, 60, 120):
        first = (4 - int(m.group(2))) % step if m and step in (3, 6, 12) else 0
        room = len(periods) / MAX_LABELS  # the periods a label's width spans
        regular = [x for x in range(first, last + 1, step) if last - x >= room or x == last]
        positions = sorted({*regular, last})
        if len(positions) <= MAX_LABELS:
            break
    return positions


def xmr_chart(chart_id: str, title: str, result: SpcResult, unit: str, description: str,
              *, target: float | None = None, trajectory: Sequence[float | None] = (),
              trajectory_label: str = "Plan", illustrative: bool = False,
              trajectory_illustrative: bool = False) -> str:
    """The XmR chart of ``result`` as inline SVG (``xmr_figure``)."""
    plt = charts._pyplot()
    with plt.rc_context(charts._STYLE):
        fig = xmr_figure(result, unit, target=target, trajectory=trajectory,
                         trajectory_label=trajectory_label, illustrative=illustrative,
                         trajectory_illustrative=trajectory_illustrative)
        return charts._svg(fig, chart_id, title, description)


def xmr_figure(result: SpcResult, unit: str, *, target: float | None = None,
               trajectory: Sequence[float | None] = (), trajectory_label: str = "Plan",
               illustrative: bool = False, trajectory_illustrative: bool = False):
    """The matplotlib figure of ``xmr_chart``. ``trajectory`` is the plan's figure for
    each point's period (its financial year's), ``None`` where the plan has none: it
    is drawn as steps. The limits are drawn segment by segment, so a rebase or the
    fixing of the limits shows where it happens. The stamp says "Illustrative
    figures" only when everything drawn is (``illustrative`` values, and so their mean
    and limits; no target; no plan or an illustrative one), else names what is."""
    plt = charts._pyplot()
    from matplotlib.lines import Line2D

    points = result.points
    n = len(points)
    xs = list(range(n))
    values = [p.value for p in points]
    if trajectory and len(trajectory) != n:
        raise ValueError(f"{len(trajectory)} trajectory values for {n} points")
    planned = [(x, v) for x, v in zip(xs, trajectory or [None] * n, strict=True)
               if v is not None]
    special = list(dict.fromkeys(
        POINT_LABELS[p.point_type] for p in points if p.point_type != "common_cause"))
    colour_of = {label: POINT_COLOURS[t] for t, label in POINT_LABELS.items()}
    dashed = (0, (4, 2))

    # the legend's entries, in order: (label, handle)
    entries = [
        ("Value", Line2D([], [], color=COMMON_CAUSE, linewidth=1.6, marker="o",
                         markerfacecolor=COMMON_CAUSE, markeredgecolor="white",
                         linestyle=dashed if illustrative else "-")),
        ("Mean", Line2D([], [], color=MEAN_LINE, linewidth=1.0)),
        ("Process limits", Line2D([], [], color=LIMIT_LINE, linewidth=1.2, linestyle=dashed)),
    ]
    if target is not None:
        entries.append(("Target", Line2D([], [], color=TARGET_LINE, linewidth=1.2,
                                         linestyle=dashed)))
    if planned:
        entries.append((trajectory_label, Line2D([], [], color=TRAJECTORY_LINE, linewidth=1.4,
                                                 linestyle=dashed)))
    entries += [(label, Line2D([], [], linestyle="none", marker="o", markersize=6,
                               markerfacecolor=colour_of[label], markeredgecolor="white"))
                for label in special]
    wrapped, ncol, rows = charts._legend_layout([label for label, _ in entries])
    fig, ax = plt.subplots(figsize=(charts.WIDTH, 2.6 + charts.LEGEND_ROW * rows),
                           dpi=charts.DPI, layout="constrained")

    # the mean and limits: a horizontal line for each run of points sharing them
    runs: list[list[int]] = []
    for i, p in enumerate(points):
        if runs and (p.mean, p.lpl, p.upl) == _limits(points[runs[-1][0]]):
            runs[-1][1] = i
        else:
            runs.append([i, i])
    for lo, hi in runs:
        span = [lo - 0.4, hi + 0.4] if lo == hi else [lo, hi]
        mean, lpl, upl = _limits(points[lo])
        ax.plot(span, [upl, upl], color=LIMIT_LINE, linewidth=1.2, linestyle=dashed,
                clip_on=False)
        ax.plot(span, [lpl, lpl], color=LIMIT_LINE, linewidth=1.2, linestyle=dashed,
                clip_on=False)
        ax.plot(span, [mean, mean], color=MEAN_LINE, linewidth=1.0)
    if target is not None:
        ax.axhline(target, color=TARGET_LINE, linewidth=1.2, linestyle=dashed, clip_on=False)
    if planned:
        ax.plot([x for x, _ in planned], [v for _, v in planned], drawstyle="steps-mid",
                color=TRAJECTORY_LINE, linewidth=1.4, linestyle=dashed)
    ax.plot(xs, values, color=COMMON_CAUSE, linewidth=1.6,
            linestyle=dashed if illustrative else "-", zorder=3)
    ax.scatter(xs, values, c=[POINT_COLOURS[p.point_type] for p in points], s=22, zorder=4,
               linewidths=0.6, edgecolors="white", clip_on=False)

    labelled = _label_positions([p.period for p in points])
    ax.set_xticks(labelled, [period_label(points[x].period) for x in labelled])
    ax.set_xticks(xs, minor=True)
    ax.tick_params(axis="x", which="minor", length=2)
    ax.set_xlim(-0.6, n - 0.4)
    extra = [v for _, v in planned] + ([target] if target is not None else [])
    low = min(values + [p.lpl for p in points] + extra)
    high = max(values + [p.upl for p in points] + extra)
    stamp = xmr_stamp(illustrative, target is not None,
                      (trajectory_label.lower(), trajectory_illustrative) if planned else None)
    if stamp:
        charts._mark_illustrative(ax, stamp)
    fig.legend([h for _, h in entries], wrapped, loc="outside lower center", ncol=ncol,
               columnspacing=1.8, handlelength=2.6)
    note = (charts._note(ax, "The vertical axis does not start at zero")
            if low > 0 or high < 0 else None)
    charts._value_axis(fig, ax, ax.yaxis, unit, low, high)
    bottom, top = ax.get_ylim()
    if note is not None and bottom <= 0 <= top:
        note.remove()
        charts._lay_out(fig)
    return fig


def xmr_stamp(illustrative: bool, target: bool, plan: tuple[str, bool] | None
              ) -> str | None:
    """The stamp of an XmR chart: "Illustrative figures" when all it draws is
    illustrative, "Illustrative: values, mean and limits" (or the plan's line) when
    some is, nothing when none is; ``target`` is whether a (sourced) target is drawn,
    ``plan`` the plan line's label and whether it is illustrative, if drawn."""
    named = (["values, mean and limits"] if illustrative else []) + (
        [plan[0]] if plan is not None and plan[1] else [])
    if not named:
        return None
    if illustrative and not target and (plan is None or plan[1]):
        return charts.STAMP
    return "Illustrative: " + formatting.and_list(named)


def _limits(point) -> tuple[float, float, float]:
    return point.mean, point.lpl, point.upl


def xmr_description(result: SpcResult, unit: str, *, target: float | None = None) -> str:
    """A text alternative for ``xmr_chart``: the span, the latest point, the limits it
    is judged against, the points of special cause, and what the icons say."""
    fmt = charts._axis_formatter(unit, 1)
    pts = result.points
    last = pts[-1]
    special = [p for p in pts if p.special_cause != "common_cause"]
    parts = [
        f"{len(pts)} points from {period_label(pts[0].period)} to "
        f"{period_label(last.period)}; latest {fmt(last.value, 0)}, "
        f"mean {fmt(last.mean, 0)}, process limits {fmt(last.lpl, 0)} to "
        f"{fmt(last.upl, 0)}.",
        f"{len(special)} of them show special cause"
        + (": " + "; ".join(
            f"{sum(p.special_cause == c for p in special)} {text}"
            for c, text in SPECIAL_CAUSE_TEXT.items() if any(p.special_cause == c for p in special)
        ) + "." if special else "."),
        VARIATION_TEXT[result.variation] + ".",
    ]
    if target is not None:
        parts.append(f"Target {fmt(target, 0)}. {ASSURANCE_TEXT[result.assurance]}.")
    return " ".join(parts)


# ---- icons -----------------------------------------------------------------------------

def _svg_icon(label: str, body: str, size: int) -> str:
    text = escape(label)
    return (f'<svg class="mdc-icon" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" '
            f'width="{size}" height="{size}" role="img" aria-label="{text}">'
            f"<title>{text}</title>{body}</svg>")


def _ring(colour: str) -> str:
    return (f'<circle cx="50" cy="50" r="43" fill="#ffffff" stroke="{colour}" '
            f'stroke-width="8"/>')


def _letter(letter: str, x: float, y: float, colour: str, anchor: str = "start") -> str:
    return (f'<text x="{x}" y="{y}" fill="{colour}" font-family="{charts.SVG_FONTS}" '
            f'font-weight="bold" font-size="32" text-anchor="{anchor}">{escape(letter)}'
            "</text>")


def _dots(points: Sequence[tuple[float, float]], coloured: int, colour: str) -> str:
    """A run of dots joined by a line, the last ``coloured`` of them in ``colour``."""
    out = []
    for i, ((x0, y0), (x1, y1)) in enumerate(pairwise(points)):
        c = colour if i >= len(points) - coloured else ICON_DOT_GREY
        out.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{c}" '
                   'stroke-width="3.5"/>')
    for i, (x, y) in enumerate(points):
        c = colour if i >= len(points) - coloured else ICON_DOT_GREY
        out.append(f'<circle cx="{x}" cy="{y}" r="5.5" fill="{c}"/>')
    return "".join(out)


def variation_icon_svg(variation: str, size: int = 40) -> str:
    """The Making Data Count variation icon for ``SpcResult.variation``."""
    if variation not in VARIATION_TEXT:
        raise ValueError(f"unknown variation {variation!r}")
    label = VARIATION_TEXT[variation]
    if variation == "common_cause":
        body = _ring(ICON_GREY) + _dots(
            [(22, 54), (35, 62), (49, 40), (63, 58), (78, 50)], 0, ICON_GREY)
        return _svg_icon(label, body, size)
    kind, side = variation.rsplit("_", 1)
    if kind == "neutral":
        a, b = ((28, 72), (60, 40)) if side == "high" else ((28, 28), (60, 60))
        ux, uy = (0.7071, -0.7071) if side == "high" else (0.7071, 0.7071)
        tip = (b[0] + 12 * ux, b[1] + 12 * uy)
        base = (tip[0] - 26 * ux, tip[1] - 26 * uy)
        h1 = (round(base[0] - 15 * uy, 2), round(base[1] + 15 * ux, 2))
        h2 = (round(base[0] + 15 * uy, 2), round(base[1] - 15 * ux, 2))
        tip = (round(tip[0], 2), round(tip[1], 2))
        body = (_ring(ICON_PURPLE)
                + f'<line x1="{a[0]}" y1="{a[1]}" x2="{b[0]}" y2="{b[1]}" '
                  f'stroke="{ICON_PURPLE}" stroke-width="11" stroke-linecap="butt"/>'
                + f'<polygon points="{tip[0]},{tip[1]} {h1[0]},{h1[1]} {h2[0]},{h2[1]}" '
                  f'fill="{ICON_PURPLE}"/>')
        return _svg_icon(label, body, size)
    colour = ICON_BLUE if kind == "improvement" else ICON_ORANGE
    if side == "high":
        body = (_ring(colour) + _letter("H", 24, 44, colour)
                + _dots([(22, 68), (35, 62), (48, 66), (62, 50), (77, 54)], 2, colour))
    else:
        body = (_ring(colour) + _letter("L", 26, 84, colour)
                + _dots([(22, 36), (35, 32), (48, 40), (62, 56), (77, 52)], 2, colour))
    return _svg_icon(label, body, size)


def assurance_icon_svg(assurance: str | None, size: int = 40) -> str:
    """The Making Data Count assurance icon for ``SpcResult.assurance``; for ``None``
    (no target, or no direction) an empty ring that says so."""
    if assurance not in ASSURANCE_TEXT:
        raise ValueError(f"unknown assurance {assurance!r}")
    label = ASSURANCE_TEXT[assurance]
    if assurance is None:
        body = ('<circle cx="50" cy="50" r="43" fill="#ffffff" stroke="#d8dde0" '
                'stroke-width="6" stroke-dasharray="8 6"/>')
        return _svg_icon(label, body, size)
    colour, letter, target_y = {
        "pass": (ICON_BLUE, "P", 76),
        "fail": (ICON_ORANGE, "F", 51),
        "inconsistent": (ICON_GREY, "?", 63),
    }[assurance]
    process = ('<path d="M18 64 C24 54 28 56 32 62 S40 71 45 63 S52 54 57 62 S66 70 70 61 '
               f'S78 56 82 64" fill="none" stroke="{ICON_DOT_GREY}" stroke-width="3.5"/>')
    dashed = (f'<line x1="14" y1="{target_y}" x2="86" y2="{target_y}" stroke="{colour}" '
              'stroke-width="4" stroke-dasharray="7 4"/>')
    letter_colour = ICON_DOT_GREY if assurance == "inconsistent" else colour
    body = _ring(colour) + _letter(letter, 50, 40, letter_colour, "middle") + process + dashed
    return _svg_icon(label, body, size)
