"""The delivery report's pictures and tables: each series of actuals tracked
(``track``) as the documents show it, an XmR chart with the plan's trajectory and the
national standard, the Making Data Count icons (each with its text alternative) and
the data under the chart. ``render.Figures.delivery`` makes one per plan (as of the
document's date, so a document shows no month after its date)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from markupsafe import Markup

from . import chartcache, formatting, spc_charts
from .actuals import financial_year, month_label
from .model import Plan
from .track import SHORT_ASSURANCES, SHORT_VARIATIONS, Tracked, Tracking, track_plan

POINT_TYPES = {"common_cause": "", "improvement": "Improvement", "concern": "Concern",
               "neutral_high": "Neither (high)", "neutral_low": "Neither (low)"}
#: A point's special cause in the data table: short enough for one line a row.
SPECIAL_CAUSES = {"common_cause": "", "above_upl": "above the upper limit",
                  "below_lpl": "below the lower limit", "trend_increasing": "rising trend",
                  "trend_decreasing": "falling trend",
                  "two_in_three_above": "2 of 3 near the upper limit",
                  "two_in_three_below": "2 of 3 near the lower limit",
                  "run_above": "run above the mean", "run_below": "run below the mean"}


@dataclass(frozen=True)
class DataRow:
    """One point as the table under a chart shows it."""

    period: str
    value: str
    numerator: str | None
    denominator: str | None
    mean: str
    lpl: str
    upl: str
    point_type: str  # common_cause, improvement ...: the row's class
    flag: str  # "Concern: below the lower process limit", or ""


def _fingerprint(*args: Any, **kwargs: Any) -> str:
    digest = hashlib.sha256(repr((args, sorted(kwargs.items()))).encode()).hexdigest()
    return f"<svg data-chart=\"{digest}\"></svg>"


class Delivery:
    """The delivery report of one plan (as of a document's date)."""

    def __init__(self, plan: Plan, draw: bool = True):
        self.plan = plan
        self._draw = draw

    @cached_property
    def tracking(self) -> Tracking:
        return track_plan(self.plan)

    @property
    def series(self) -> tuple[Tracked, ...]:
        return self.tracking.series

    @property
    def as_of(self) -> str:
        """The month the limits are computed to, as a reader reads it."""
        return month_label(self.tracking.as_of) if self.tracking.as_of else ""

    def of_metric(self, metric_id: str) -> Tracked | None:
        """The system series of a metric (else its first place's), or None."""
        found = [t for t in self.series if t.series.metric == metric_id]
        return next((t for t in found if t.series.place is None), found[0] if found else None)

    def variation_icon(self, t: Tracked, size: int = 40) -> Markup:
        return Markup(spc_charts.variation_icon_svg(t.spc.variation, size))

    def assurance_icon(self, t: Tracked, size: int = 40) -> Markup:
        return Markup(spc_charts.assurance_icon_svg(t.spc.assurance, size))

    def variation_text(self, t: Tracked) -> str:
        return spc_charts.VARIATION_TEXT[t.spc.variation]

    def assurance_text(self, t: Tracked) -> str:
        return spc_charts.ASSURANCE_TEXT[t.spc.assurance]

    def short_variation(self, t: Tracked) -> str:
        return SHORT_VARIATIONS[t.spc.variation]

    def short_assurance(self, t: Tracked) -> str:
        return SHORT_ASSURANCES[t.spc.assurance]

    def value(self, t: Tracked, v: float | None) -> str:
        return formatting.value(v, t.unit)

    def trajectory(self, t: Tracked) -> list[float | None]:
        """The plan's figure for each point's financial year (None outside the plan)."""
        metric = next((m for m in self.plan.metrics if m.id == t.series.metric), None)
        if metric is None:
            return []
        return [metric.values.get(financial_year(p.period, t.series.frequency))
                for p in t.spc.points]

    def title(self, t: Tracked) -> str:
        return f"{t.title}: {t.where}"

    def description(self, t: Tracked) -> str:
        """The chart's text alternative: what spc_charts writes, with what the
        assurance is judged against."""
        text = spc_charts.xmr_description(
            t.spc, t.unit, target=t.target if t.target_kind == "national" else None)
        if t.target_kind == "plan":
            text += (f" Assurance is judged against the plan's {self.value(t, t.target)} "
                     f"for {t.year}: {spc_charts.ASSURANCE_TEXT[t.spc.assurance].lower()}.")
        if t.series.illustrative:
            text += " These figures are illustrative."
        return text

    def chart(self, t: Tracked, where: str) -> Markup:
        """The XmR chart of a series as inline SVG (kept by ``chartcache``), its id
        ``<where>-xmr``."""
        trajectory = self.trajectory(t)
        draw = ((lambda *a, **k: chartcache.svg("xmr_chart", *a, **k)) if self._draw
                else _fingerprint)
        svg = draw(f"{where}-xmr", self.title(t), t.spc, t.unit,
                   self.description(t), target=t.national,
                   trajectory=tuple(trajectory) if any(v is not None for v in trajectory)
                   else (), trajectory_label="Plan", illustrative=t.series.illustrative,
                   trajectory_illustrative=self._plan_illustrative(t))
        return Markup(svg)

    def _plan_illustrative(self, t: Tracked) -> bool:
        """Whether the plan's figures the chart draws beside a series are illustrative."""
        metric = next((m for m in self.plan.metrics if m.id == t.series.metric), None)
        return metric is not None and metric.values.illustrative

    def rows(self, t: Tracked) -> list[DataRow]:
        """The points as the table under the chart shows them, latest last."""
        s = t.series
        out = []
        for p in t.spc.points:
            flag = SPECIAL_CAUSES[p.special_cause]
            kind = POINT_TYPES[p.point_type]
            out.append(DataRow(
                month_label(p.period, s.frequency), self.value(t, p.value),
                formatting.thousands(s.numerator[p.period]) if s.numerator is not None else None,
                formatting.thousands(s.denominator[p.period]) if s.denominator is not None
                else None,
                self.value(t, p.mean), self.value(t, p.lpl), self.value(t, p.upl),
                p.point_type, f"{kind}: {flag}" if flag else ""))
        return out

    def plan_for_year(self, t: Tracked) -> str:
        if t.planned is None:
            first = self.plan.period.first
            return f"none: the plan starts in {first}" if t.year < first else "–"
        per = "" if t.series.metric else f" a {t.series.unit_name}"
        return f"{self.value(t, t.planned)}{per} in {t.year}"

    def source(self, t: Tracked) -> str:
        """Where the series comes from: its source's title (a document dated before
        the source was published keeps the months up to its date, and names it by
        its id), or that it is illustrative; and for a system series summed from the
        places' figures, which places it holds (``coverage``)."""
        if t.series.illustrative:
            title = "Illustrative: no source document gives these figures"
        else:
            title = next((s.title for s in self.plan.system.sources
                          if s.id == t.series.provenance), t.series.provenance)
        return title + (f"; {self.coverage(t)}" if t.series.derived else "")

    def coverage(self, t: Tracked) -> str:
        """Which places a system series summed from places' figures holds, and which of
        the plan's places it leaves out (they have no series of their own)."""
        names = {i.id: i.name for i in self.plan.system.icps}
        summed = [names.get(p, p) for p in t.series.summed]
        left = [i.name for i in self.plan.system.icps if i.id not in t.series.summed]
        text = f"the figures of {formatting.and_list(summed)} summed"
        if left:
            one = len(left) == 1
            text += (f" ({formatting.and_list(left)} {'has' if one else 'have'} no series "
                     f"of {'its' if one else 'their'} own, so {'is' if one else 'are'} "
                     "not in this sum)")
        return text

    def measure(self, t: Tracked) -> str | None:
        """What a system series measures: its metric's description, which says what
        the system's figure covers (None for a place's series, or activity)."""
        metric = next((m for m in self.plan.metrics if m.id == t.series.metric), None)
        return metric.description if metric is not None and t.series.place is None else None

    def commentary(self, t: Tracked) -> str | None:
        """The series' commentary; for a system series summed from places, none."""
        return t.series.commentary
