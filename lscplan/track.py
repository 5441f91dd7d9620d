"""Delivery tracked against the plan: each series of actuals as an XmR chart (``spc``),
with the plan's figure for the year of its latest point, the variation icon and the
assurance icon, as ``lscplan track`` prints them and the delivery report shows them.

The target of a series is the plan's own figure for the financial year of its latest
point (the metric's trajectory), or, where the plan gives none for that year, the
metric's national standard. A point of delivery's actuals have no direction (neutral)
and no target; its planned figure is the year's plan for the place (or the system)
divided over the year's months (or quarters). ``as_of`` cuts every series at a month:
its limits are computed from the points up to then only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import formatting, spc
from .actuals import ActualSeries, financial_year, last_month, month_label
from .errors import UsageError
from .model import Metric, Plan
from .spc import SpcPoint, SpcResult

#: A metric's direction as Making Data Count names it.
DIRECTIONS = {"higher-is-better": "increase", "lower-is-better": "decrease"}

#: The variation icons' meanings, as Making Data Count words them.
VARIATIONS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause variation: improvement (high)",
    "improvement_low": "Special cause variation: improvement (low)",
    "concern_high": "Special cause variation: concern (high)",
    "concern_low": "Special cause variation: concern (low)",
    "neutral_high": "Special cause variation: neither improvement nor concern (high)",
    "neutral_low": "Special cause variation: neither improvement nor concern (low)",
}
#: The assurance icons' meanings.
ASSURANCES = {
    "pass": "The system is expected to consistently pass the target",
    "fail": "The system is expected to consistently fail the target",
    "inconsistent": "The system may achieve or fail the target (hit and miss)",
    None: "No target to give assurance against",
}
SHORT_VARIATIONS = {"common_cause": "common cause", "improvement_high": "improvement (high)",
                    "improvement_low": "improvement (low)", "concern_high": "concern (high)",
                    "concern_low": "concern (low)", "neutral_high": "neutral (high)",
                    "neutral_low": "neutral (low)"}
SHORT_ASSURANCES = {"pass": "passes", "fail": "fails", "inconsistent": "hit and miss",
                    None: "no target"}

_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Tracked:
    """One series tracked: its XmR chart and what it is measured against."""

    series: ActualSeries
    title: str  # the metric's or point of delivery's title
    where: str  # the place's name, or the system's
    unit: str
    direction: str  # increase, decrease, neutral
    year: str  # the financial year of the latest point
    planned: float | None  # the plan's figure for that year (per period for activity)
    national: float | None  # the national standard
    target: float | None  # planned, else national (None for activity)
    target_kind: str | None  # "plan", "national" or None
    spc: SpcResult
    planned_illustrative: bool = False  # no source gives the plan's figure
    national_illustrative: bool = False  # no source gives the national standard

    @property
    def latest(self) -> SpcPoint:
        return self.spc.points[-1]

    @property
    def latest_label(self) -> str:
        """The latest point's period as a reader reads it: ``Mar 2019``."""
        return month_label(self.latest.period, self.series.frequency)

    @property
    def concern(self) -> bool:
        """Whether the latest point shows special cause of concern."""
        return self.spc.variation.startswith("concern")

    @property
    def variation_label(self) -> str:
        return VARIATIONS[self.spc.variation]

    @property
    def assurance_label(self) -> str:
        return ASSURANCES[self.spc.assurance]

    @property
    def anchor(self) -> str:
        return "series-" + self.series.id.replace("/", "-")

    def as_json(self) -> dict[str, Any]:
        """The series in the json contract of ``lscplan track`` (README)."""
        out: dict[str, Any] = {"metric": self.series.metric}
        if self.series.activity is not None:
            out["activity"] = self.series.activity
        out.update({
            "place": self.series.place, "direction": self.direction, "target": self.target,
            "points": [{"period": p.period, "value": p.value, "mean": p.mean, "lpl": p.lpl,
                        "upl": p.upl, "special_cause": p.special_cause,
                        "point_type": p.point_type} for p in self.spc.points],
            "variation": self.spc.variation, "assurance": self.spc.assurance})
        return out


@dataclass(frozen=True)
class Tracking:
    """Every series of the plan's actuals tracked, as of a month."""

    as_of: str | None  # YYYY-MM: the latest month any series reaches (None: no actuals)
    series: tuple[Tracked, ...]
    left_out: tuple[str, ...] = ()  # ids of series with too few points by then

    @property
    def concern(self) -> bool:
        return any(t.concern for t in self.series)

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "series": [t.as_json() for t in self.series]}


def check_month(value: str) -> str:
    """``value`` if it is a month ``YYYY-MM``; else a UsageError."""
    if not _MONTH.fullmatch(value):
        raise UsageError(f"--as-of {value!r} is not a month like 2018-09")
    return value


def _direction(metric: Metric | None) -> str:
    return DIRECTIONS.get(metric.direction, "neutral") if metric else "neutral"


def _standard(metric: Metric) -> Any:
    return metric.standard or next((t for t in metric.targets if t.national), None)


def _national(metric: Metric) -> float | None:
    std = _standard(metric)
    return None if std is None else std.value


def _usable_rebases(s: ActualSeries) -> tuple[str, ...]:
    """The rebases that leave each segment two points or more: a rebase too near the
    end (as of an earlier month) has no limits of its own yet, so it waits."""
    kept: list[str] = []
    periods = list(s.values)
    for r in s.rebase:
        start = periods.index(r)
        if len(periods) - start >= spc.MIN_POINTS:
            kept.append(r)
    return tuple(kept)


def tracked(plan: Plan, s: ActualSeries) -> Tracked | None:
    """One series tracked (None when it has too few points for limits)."""
    periods = list(s.values)
    values = [s.values[p] for p in periods]
    if len(periods) < spc.MIN_POINTS:
        return None
    metric = next((m for m in plan.metrics if m.id == s.metric), None)
    pod = next((p for p in plan.activity if p.id == s.activity), None)
    year = financial_year(periods[-1], s.frequency)
    direction = _direction(metric)
    national = planned = plan_series = None
    if metric is not None:
        title, unit = metric.title, str(metric.unit)
        national = _national(metric)
        planned = metric.values.get(year)
    else:
        title, unit = (pod.title, str(pod.unit)) if pod else (s.subject, "number")
        if pod is not None:
            plan_series = pod.by_icp.get(s.place) if s.place else pod.system
            year_total = plan_series.get(year) if plan_series is not None else None
            per_year = 12 if s.frequency == "monthly" else 4
            planned = None if year_total is None else year_total / per_year
    target_kind = None
    target = None
    if metric is not None:
        target, target_kind = ((planned, "plan") if planned is not None
                               else (national, "national" if national is not None else None))
    rebase = _usable_rebases(s)
    try:  # a series xmr refuses (check says why: actuals-limits) is not tracked
        result = spc.xmr(periods, values, direction=direction, target=target, rebase=rebase,
                         fix_after=s.fix_after)
    except ValueError:
        return None
    where = plan.icp(s.place).name if s.place else plan.system.area
    std = _standard(metric) if metric is not None else None
    planned_from = metric.values if metric is not None else (
        plan_series if pod is not None else None)
    return Tracked(s, title, where, unit, direction, year, planned, national, target,
                   target_kind, result,
                   planned_illustrative=bool(planned_from is not None
                                             and planned_from.illustrative),
                   national_illustrative=bool(std is not None and std.illustrative))


def track_plan(plan: Plan, as_of: str | None = None) -> Tracking:
    """Every series of ``plan``'s actuals tracked, cut at the month ``as_of``."""
    actuals = getattr(plan, "actuals", None)
    if actuals is None:
        return Tracking(None, ())
    if as_of is not None:
        actuals = actuals.until(as_of)
    out, left_out = [], []
    for s in actuals.all:
        t = tracked(plan, s)
        if t is None:
            left_out.append(s.id)
        else:
            out.append(t)
    month = max((last_month(t.latest.period, t.series.frequency) for t in out), default=None)
    return Tracking(as_of or month, tuple(out), tuple(left_out))


# --- output --------------------------------------------------------------------------


def _value(v: float | None, unit: str) -> str:
    return formatting.value(v, unit)


def _plan_cell(t: Tracked) -> str:
    if t.target_kind == "national":
        return f"{_value(t.target, t.unit)} (national standard)"
    if t.planned is None:
        return "–"
    per = "" if t.series.metric else f" a {t.series.unit_name}"
    return f"{_value(t.planned, t.unit)}{per} ({t.year} plan)"


def rows(tracking: Tracking) -> list[list[str]]:
    """The summary's cells: series, place, latest (and its period), plan for the year,
    variation, assurance."""
    return [[t.title, t.where, f"{_value(t.latest.value, t.unit)} ({t.latest_label})",
             _plan_cell(t), SHORT_VARIATIONS[t.spc.variation],
             SHORT_ASSURANCES[t.spc.assurance]] for t in tracking.series]


HEADINGS = ["series", "place", "latest", "plan for the year", "variation", "assurance"]


def _heading(tracking: Tracking) -> str:
    if tracking.as_of is None:
        return "No actuals: the plan has no actuals.yaml, or none up to that month."
    month = month_label(tracking.as_of)
    return (f"Delivery against the plan as of {month}: process limits computed from the "
            f"points up to {month}.")


def text(tracking: Tracking) -> str:
    """Aligned columns, one line a series."""
    out = [_heading(tracking)]
    table = [HEADINGS, *rows(tracking)]
    if tracking.series:
        widths = [max(len(r[i]) for r in table) for i in range(len(HEADINGS))]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                for r in table]
    out += [f"left out (fewer than {spc.MIN_POINTS} points, or values that do not vary): "
            f"{s}" for s in tracking.left_out]
    concerns = sum(t.concern for t in tracking.series)
    out.append(f"{len(tracking.series)} series, {concerns} showing special cause of concern")
    return "\n".join(out) + "\n"


def markdown(tracking: Tracking) -> str:
    """A GitHub-flavoured Markdown table."""
    def cell(c: str) -> str:
        return c.replace("|", "\\|")
    out = [f"**{_heading(tracking)}**", ""]
    if tracking.series:
        out += ["| " + " | ".join(HEADINGS) + " |", "|" + " --- |" * len(HEADINGS)]
        out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows(tracking)]
        out.append("")
    out += [f"- left out (too few points): `{s}`" for s in tracking.left_out]
    return "\n".join(out).rstrip("\n") + "\n"


def as_json(tracking: Tracking) -> str:
    return json.dumps(tracking.as_json(), indent=2, ensure_ascii=False) + "\n"


TRACK_FORMATS: dict[str, Callable[[Tracking], str]] = {
    "text": text, "json": as_json, "markdown": markdown}
