"""Statistical process control the NHS "Making Data Count" way: XmR charts and icons.

Pure statistics, no I/O. ``xmr`` reproduces the calculation of NHSRplotthedots (the
NHS-R Community's reference implementation, R, MIT licence) for one series:

* Process limits: the mean of the points ± 2.66 × the mean moving range, the moving
  ranges first screened for outliers (a moving range of 3.267 × their mean or more is
  left out, and the mean taken again). The limits are calculated afresh from each
  rebase period, and from only the first ``fix_after`` points of each such segment
  when ``fix_after`` is given (the later points are then judged against them).
* Special cause, by precedence, each judged within its segment: a point outside the
  limits; seven points increasing or decreasing (a trend); two of three points beyond
  two-thirds of the way to a limit, all three on the same side of the mean (only the
  points beyond two-thirds are flagged); seven points on one side of the mean (a run).
* Point type: special cause in the improving direction is ``improvement``, in the
  other ``concern``; a series with no direction has ``neutral_high``/``neutral_low``.
* Variation icon: the type of the last point, named by the side it lies on.
* Assurance icon: the target against the last point's limits (``pass`` when the
  limits lie wholly on the good side of the target, ``fail`` wholly on the bad side,
  otherwise ``inconsistent``); none without a target or a direction.

Arithmetic follows R's where it could change a flag: a mean is the correctly rounded
mean of the values (R sums in extended precision), comparisons with the limits are
strict, and a point exactly on the mean is on neither side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from math import isfinite

LIMIT = 2.66  #: process limits: mean ± LIMIT × mean moving range
NEAR_LIMIT = 2 * (LIMIT / 3)  #: "two in three" zone starts this far out (as R computes it)
SCREEN = 3.267  #: a moving range this many times their mean or more is an outlier
RUN = 7  #: points in a trend or a run on one side of the mean
MIN_POINTS = 2  #: fewest points a segment needs for its limits to be defined
MIN_FIX_AFTER = 12  #: fewest points limits may be fixed after
SHORT_SEGMENT = 13  #: NHSRplotthedots warns (trial limits) for segments shorter than this
DIRECTIONS = ("increase", "decrease", "neutral")

SPECIAL_CAUSES = (
    "common_cause",
    "above_upl",
    "below_lpl",
    "trend_increasing",
    "trend_decreasing",
    "two_in_three_above",
    "two_in_three_below",
    "run_above",
    "run_below",
)
POINT_TYPES = ("common_cause", "improvement", "concern", "neutral_high", "neutral_low")
VARIATIONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCES = ("pass", "fail", "inconsistent")


@dataclass(frozen=True)
class SpcPoint:
    """One point of an XmR chart with the limits it is judged against."""

    period: str
    value: float
    mean: float
    lpl: float
    upl: float
    special_cause: str
    point_type: str


@dataclass(frozen=True)
class SpcResult:
    """A series' points, its variation icon and its assurance icon (or None)."""

    points: tuple[SpcPoint, ...]
    variation: str
    assurance: str | None


def xmr(
    periods: Sequence[str],
    values: Sequence[float],
    *,
    direction: str,
    target: float | None = None,
    rebase: Sequence[str] = (),
    fix_after: int | None = None,
) -> SpcResult:
    """The XmR chart of a series given in time order; ValueError for input to refuse."""
    problems = problems_with(
        periods, values, direction=direction, target=target, rebase=rebase, fix_after=fix_after
    )
    if problems:
        raise ValueError("; ".join(problems))
    values = [float(v) for v in values]
    starts = sorted({0, *(list(periods).index(p) for p in rebase)})
    bounds = list(zip(starts, [*starts[1:], len(values)], strict=True))
    points: list[SpcPoint] = []
    for lo, hi in bounds:
        points.extend(_segment(periods[lo:hi], values[lo:hi], direction, fix_after))
    last = points[-1]
    return SpcResult(
        points=tuple(points),
        variation=_variation(last.point_type, direction),
        assurance=_assurance(target, last, direction),
    )


def problems_with(
    periods: Sequence[str],
    values: Sequence[float],
    *,
    direction: str,
    target: float | None = None,
    rebase: Sequence[str] = (),
    fix_after: int | None = None,
) -> list[str]:
    """What makes a series unfit for ``xmr`` (empty when it is fit), in plain words."""
    problems: list[str] = []
    if direction not in DIRECTIONS:
        problems.append(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if len(periods) != len(values):
        problems.append(f"{len(periods)} periods but {len(values)} values")
        return problems
    if len(set(periods)) != len(periods):
        problems.append("a period appears twice")
    if not all(_finite(v) for v in values):
        problems.append("every value must be a finite number")
        return problems
    if target is not None and not _finite(target):
        problems.append("the target must be a finite number")
    if fix_after is not None and (
        isinstance(fix_after, bool) or not isinstance(fix_after, int) or fix_after < MIN_FIX_AFTER
    ):
        problems.append(
            f"fix_after must be a whole number of at least {MIN_FIX_AFTER}, not {fix_after!r}"
        )
    unknown = [p for p in rebase if p not in periods]
    if unknown:
        problems.append(f"rebase period {unknown[0]!r} is not in the series")
    if problems:
        return problems
    starts = sorted({0, *(list(periods).index(p) for p in rebase)})
    for lo, hi in zip(starts, [*starts[1:], len(values)], strict=True):
        seg = [float(v) for v in values[lo:hi]][: fix_after or None]
        label = f"the points from {periods[lo]}" if periods else "the series"
        if hi - lo < MIN_POINTS:
            problems.append(
                f"{label} number {hi - lo}, fewer than the {MIN_POINTS} needed for process limits"
            )
        elif all(a == b for a, b in pairwise(seg)):
            problems.append(f"{label} do not vary, so they have no process limits")
    return problems


def _finite(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and isfinite(v)


def _mean(xs: Sequence[float]) -> float:
    """The correctly rounded mean (R's ``mean`` accumulates in extended precision)."""
    return float(sum(map(Fraction, xs), Fraction(0)) / len(xs))


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _segment(
    periods: Sequence[str], ys: list[float], direction: str, fix_after: int | None
) -> list[SpcPoint]:
    """The points of one segment (from the start or a rebase to the next)."""
    base = ys[: fix_after or None]
    mean = _mean(base)
    ranges = [abs(b - a) for a, b in pairwise(base)]
    amr = _mean(ranges)
    kept = [r for r in ranges if r < SCREEN * amr]
    amr = _mean(kept)
    lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
    nlpl, nupl = mean - NEAR_LIMIT * amr, mean + NEAR_LIMIT * amr
    side = [_sign(y - mean) for y in ys]
    outside = [y > upl or y < lpl for y in ys]
    near = [not o and (y < nlpl or y > nupl) for y, o in zip(ys, outside, strict=True)]
    causes = _special_causes(ys, side, near, outside)
    return [
        SpcPoint(
            period=p,
            value=y,
            mean=mean,
            lpl=lpl,
            upl=upl,
            special_cause=c,
            point_type=_point_type(c, direction),
        )
        for p, y, c in zip(periods, ys, causes, strict=True)
    ]


def _ends_of_runs(flags: Sequence[bool]) -> list[bool]:
    """Mark every point within RUN - 1 points before a marked end (a run's members)."""
    n = len(flags)
    return [any(flags[i : min(i + RUN, n)]) for i in range(n)]


def _trend_ends(ys: Sequence[float]) -> list[bool]:
    """True at the last point of RUN points each strictly above (or below) the one before."""
    steps = [0, *(_sign(b - a) for a, b in pairwise(ys))]
    return [
        i >= RUN - 1
        and (
            all(s == 1 for s in steps[i - RUN + 2 : i + 1])
            or all(s == -1 for s in steps[i - RUN + 2 : i + 1])
        )
        for i in range(len(ys))
    ]


def _run_ends(side: Sequence[int]) -> list[bool]:
    """True at the last point of RUN points on the same side of the mean."""
    return [
        i >= RUN - 1 and side[i] != 0 and all(s == side[i] for s in side[i - RUN + 1 : i])
        for i in range(len(side))
    ]


def _two_in_three(near: Sequence[bool], side: Sequence[int]) -> list[bool]:
    """Near-limit points in a window of three, two or more near, all on one side."""
    n = len(near)

    def window(start: int) -> bool:
        if start < 0 or start + 3 > n:
            return False
        idx = range(start, start + 3)
        return sum(near[j] for j in idx) >= 2 and abs(sum(side[j] for j in idx)) == 3

    return [near[i] and any(window(i - k) for k in range(3)) for i in range(n)]


def _special_causes(
    ys: Sequence[float], side: Sequence[int], near: Sequence[bool], outside: Sequence[bool]
) -> list[str]:
    in_trend = _ends_of_runs(_trend_ends(ys))
    in_two = _two_in_three(near, side)
    in_run = _ends_of_runs(_run_ends(side))
    n = len(ys)
    causes = []
    for i in range(n):
        high = side[i] > 0
        if outside[i]:
            causes.append("above_upl" if side[i] == 1 else "below_lpl")
        elif in_trend[i]:
            # a point shared by two trends (a peak or trough) takes the one after it
            if i + 1 < n and in_trend[i + 1]:
                step = _sign(ys[i + 1] - ys[i])
            else:
                step = _sign(ys[i] - ys[i - 1]) if i > 0 else 0
            causes.append("trend_increasing" if step == 1 else "trend_decreasing")
        elif in_two[i]:
            causes.append("two_in_three_above" if high else "two_in_three_below")
        elif in_run[i]:
            causes.append("run_above" if high else "run_below")
        else:
            causes.append("common_cause")
    return causes


def _point_type(cause: str, direction: str) -> str:
    if cause == "common_cause":
        return "common_cause"
    up = 1 if cause.endswith(("above", "upl", "increasing")) else -1
    if direction == "neutral":
        return "neutral_high" if up == 1 else "neutral_low"
    good = 1 if direction == "increase" else -1
    return "improvement" if up == good else "concern"


def _variation(point_type: str, direction: str) -> str:
    if point_type in ("common_cause", "neutral_high", "neutral_low"):
        return point_type
    high = (point_type == "improvement") == (direction == "increase")
    return f"{point_type}_{'high' if high else 'low'}"


def _assurance(target: float | None, last: SpcPoint, direction: str) -> str | None:
    if target is None or direction == "neutral":
        return None
    increasing = direction == "increase"
    if target > last.upl:
        return "fail" if increasing else "pass"
    if target < last.lpl:
        return "pass" if increasing else "fail"
    return "inconsistent"
