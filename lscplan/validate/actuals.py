"""Stage 2b, the plan rules of the actuals (``actuals.yaml``): each series names what it
measures once and gives its figures once, every period well formed and none missing,
every value possible for its unit, and its rebases and fixed limits usable."""

from __future__ import annotations

from collections.abc import Iterator

from .. import spc
from ..actuals import ActualSeries, period_index, period_of
from ..diagnostics import Diagnostic, error
from ..model import Plan
from .rules import rule

#: The fewest points Making Data Count computes process limits from.
MIN_FIX_AFTER = 12
FORMATS = {"monthly": "a month like 2016-04", "quarterly": "a financial quarter like "
           "2019/20 Q1"}


def _series(plan: Plan) -> tuple[ActualSeries, ...]:
    actuals = getattr(plan, "actuals", None)
    return actuals.series if actuals is not None else ()


@rule
def actuals_series(plan: Plan) -> Iterator[Diagnostic]:
    """actuals-series: a series measures a metric or a point of delivery (one of them)
    and gives ``values`` or ``numerator`` and ``denominator`` (one of them)."""
    for s in _series(plan):
        given = s.field_locs
        if (s.metric is None) == (s.activity is None):
            yield error("actuals-series",
                        f"the actuals series at item {s.loc.pointer.rsplit('/', 1)[-1]} "
                        "names " + ("both a metric and a point of delivery; keep one"
                                    if s.metric else "neither a metric nor a point of "
                                    "delivery; add `metric: <id>` or `activity: <id>`"),
                        s.loc)
        has_values = "values" in given
        has_ratio = "numerator" in given or "denominator" in given
        if has_values == has_ratio or (has_ratio and not ("numerator" in given
                                                          and "denominator" in given)):
            yield error("actuals-series",
                        f"the actuals series {s.id!r} must give either `values`, or both "
                        "`numerator` and `denominator`", s.loc)
        if "per" in given and not has_ratio:
            yield error("actuals-series", f"the actuals series {s.id!r} gives `per`, which "
                        "only a numerator and denominator use", s.loc_of("per"))


@rule
def actuals_periods(plan: Plan) -> Iterator[Diagnostic]:
    """actuals-period / actuals-gap / actuals-ratio: every period is well formed, none
    is missing between the first and the last, and a numerator and its denominator
    have the same periods, the denominator never 0."""
    for s in _series(plan):
        freq = s.frequency
        written = s.numerator if s.numerator is not None else s.values
        indexed = {p: period_index(p, freq) for p in written}
        bad = [p for p, index in indexed.items() if index is None]
        for p in bad:
            yield error("actuals-period",
                        f"the actuals series {s.id!r}: {p!r} is not {FORMATS[freq]}",
                        s.period_locs.get(p, s.loc))
        if s.numerator is not None and s.denominator is not None:
            odd = sorted(set(s.numerator) ^ set(s.denominator))
            if odd:
                yield error("actuals-ratio",
                            f"the actuals series {s.id!r}: the numerator and denominator "
                            f"differ in their periods ({', '.join(odd)}); give both for "
                            "every period", s.loc_of("denominator"))
            for p, v in s.denominator.items():
                if v == 0:
                    yield error("actuals-ratio", f"the actuals series {s.id!r}: the "
                                f"denominator of {p} is 0, so it has no value; leave the "
                                "period out", s.loc_of("denominator"))
        if bad:
            continue
        indexes = [index for index in indexed.values() if index is not None]  # all, none bad
        for before, after, p in zip(indexes, indexes[1:], list(written)[1:], strict=False):
            if after - before > 1:
                missing = [period_of(i, freq) for i in range(before + 1, after)]
                shown = (missing[0] if len(missing) == 1
                         else f"{missing[0]} to {missing[-1]}")
                yield error("actuals-gap",
                            f"the actuals series {s.id!r} has no value for {shown}, "
                            f"between {period_of(before, freq)} and {p}; give every "
                            f"{s.unit_name} from the first to the last",
                            s.period_locs.get(p, s.loc))


def _percent(plan: Plan, s: ActualSeries) -> bool:
    if s.metric is None:
        return False
    metric = next((m for m in plan.metrics if m.id == s.metric), None)
    return metric is not None and metric.unit == "percent"


@rule
def actuals_values(plan: Plan) -> Iterator[Diagnostic]:
    """actuals-value: a value is possible in its unit: a percentage from 0 to 100,
    activity never negative."""
    for s in _series(plan):
        if _percent(plan, s):
            low, high, what = 0, 100, "a percentage is from 0 to 100"
        elif s.activity is not None:
            low, high, what = 0, None, "activity is never negative"
        else:
            continue
        for p, v in s.values.items():
            if v < low or (high is not None and v > high):
                shown = f"{v:g}" if s.numerator is None or s.denominator is None else (
                    f"{v:.4g} ({s.per:g} x {s.numerator[p]:g} / {s.denominator[p]:g})")
                yield error("actuals-value",
                            f"the actuals series {s.id!r} gives {shown} for {p}, but "
                            f"{what}", s.period_locs.get(p, s.loc))


@rule
def actuals_limits(plan: Plan) -> Iterator[Diagnostic]:
    """actuals-fix-after / actuals-rebase: limits are fixed after 12 points or more, and
    each rebase is a period of the series (not its first)."""
    for s in _series(plan):
        if s.fix_after is not None and s.fix_after < MIN_FIX_AFTER:
            yield error("actuals-fix-after",
                        f"the actuals series {s.id!r} fixes its limits after "
                        f"{s.fix_after} points; Making Data Count computes limits from at "
                        f"least {MIN_FIX_AFTER}", s.loc_of("fix_after"))
        periods = list(s.numerator if s.numerator is not None else s.values)
        for r, loc in zip(s.rebase, s.rebase_locs, strict=False):
            if r not in periods:
                yield error("actuals-rebase",
                            f"the actuals series {s.id!r} rebases at {r!r}, which is not "
                            f"one of its {s.unit_name}s ({periods[0] if periods else '-'} "
                            f"to {periods[-1] if periods else '-'})", loc)
            elif r == periods[0]:
                yield error("actuals-rebase",
                            f"the actuals series {s.id!r} rebases at its first "
                            f"{s.unit_name} {r!r}, where its limits begin anyway; rebase "
                            "where the process changed", loc)


@rule
def actuals_limits_computable(plan: Plan) -> Iterator[Diagnostic]:
    """actuals-limits: every segment of a series (between rebases) has process limits:
    two points or more, not all the same."""
    for s in _series(plan):
        periods = list(s.values)
        given = s.field_locs
        if ("values" in given) == ("numerator" in given or "denominator" in given):
            continue  # actuals-series says what is wrong
        if not periods or any(period_index(p, s.frequency) is None for p in periods):
            continue  # actuals-period says what is wrong
        rebase = [r for r in s.rebase if r in periods and r != periods[0]]
        fix_after = s.fix_after if s.fix_after and s.fix_after >= MIN_FIX_AFTER else None
        for problem in spc.problems_with(periods, [s.values[p] for p in periods],
                                         direction="neutral", rebase=rebase,
                                         fix_after=fix_after):
            yield error("actuals-limits", f"the actuals series {s.id!r} has no process "
                        f"limits: {problem}", s.loc)
