"""The actuals (``actuals.yaml``): what was delivered, month by month (or quarter by
quarter), for a metric or a point of delivery, system-wide or for one place.

A series is given as ``values`` or as ``numerator`` and ``denominator``; a metric whose
series are all places' ratios gets a system series summed from them (``derived``), so
the system's percentage is a ratio of sums. Periods are months (``2016-04``) or
financial quarters (``2019/20 Q1``, April to June 2019); a document dated ``day`` holds
only the periods that end in or before ``day``'s month (``as_of``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .diagnostics import Located, Location
from .load import SourceFile, pointer_of

ILLUSTRATIVE = "illustrative"
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
QUARTER = re.compile(r"(\d{4})/(\d{2}) Q([1-4])")
FREQUENCIES = {"monthly": "month", "quarterly": "quarter"}


def period_index(period: str, frequency: str = "monthly") -> int | None:
    """A period's place in time, counted in its own unit (months, or quarters), or None
    when it is not a period of that frequency (``2016-4``, ``2019/21 Q1``)."""
    if frequency == "monthly":
        m = MONTH.fullmatch(period)
        return int(m[1]) * 12 + int(m[2]) - 1 if m else None
    m = QUARTER.fullmatch(period)
    if not m or (int(m[1]) + 1) % 100 != int(m[2]):
        return None
    return int(m[1]) * 4 + int(m[3]) - 1


def period_of(index: int, frequency: str = "monthly") -> str:
    """The period at ``index`` (``period_index``'s inverse)."""
    if frequency == "monthly":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    year = index // 4
    return f"{year}/{(year + 1) % 100:02d} Q{index % 4 + 1}"


def last_month(period: str, frequency: str = "monthly") -> str:
    """The month (``YYYY-MM``) a period ends in."""
    if frequency == "monthly":
        return period
    index = period_index(period, frequency)
    assert index is not None
    return period_of((index // 4) * 12 + 3 + (index % 4) * 3 + 2)  # Q1 ends in June


def financial_year(period: str, frequency: str = "monthly") -> str:
    """The financial year (``2018/19``) a period falls in."""
    month = last_month(period, frequency)
    year, mon = int(month[:4]), int(month[5:])
    start = year if mon >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def month_label(period: str, frequency: str = "monthly") -> str:
    """A period as a reader reads it: ``Apr 2016``, ``2019/20 Q1``."""
    if frequency != "monthly":
        return period
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{names[int(period[5:]) - 1]} {period[:4]}"


@dataclass(frozen=True)
class ActualSeries(Located):
    """One series of actuals. ``values`` holds a value per period, in period order
    (for a ratio, ``per`` x numerator / denominator); periods that are malformed are
    kept (``check`` refuses them) and sort as text after the others."""

    metric: str | None
    activity: str | None
    place: str | None
    provenance: str
    frequency: str
    values: Mapping[str, float]
    numerator: Mapping[str, float] | None
    denominator: Mapping[str, float] | None
    per: float
    rebase: tuple[str, ...]
    fix_after: int | None
    commentary: str | None
    #: where each period of ``values`` (or ``numerator``) is written, and each rebase
    period_locs: Mapping[str, Location] = field(default_factory=dict, compare=False)
    rebase_locs: tuple[Location, ...] = field(default=(), compare=False)
    field_locs: Mapping[str, Location] = field(default_factory=dict, compare=False)
    #: the system series summed from the places' (not written in the file)
    derived: bool = False
    #: a derived series: the places summed, in the file's order
    summed: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """``ae-four-hour`` for the system, ``ae-four-hour/central-lancashire`` for a
        place (diff's key and the check's name for the series)."""
        return self.subject if self.place is None else f"{self.subject}/{self.place}"

    @property
    def subject(self) -> str:
        return self.metric or self.activity or ""

    @property
    def ratio(self) -> bool:
        return self.numerator is not None

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def derived_fields(self) -> tuple[str, ...]:
        """The fields computed from the others (``kinds.own_fields`` leaves them out,
        so diff shows a ratio's numerator and denominator, not its values too)."""
        return ("values",) if self.ratio else ()

    @property
    def periods(self) -> tuple[str, ...]:
        return tuple(self.values)

    @property
    def unit_name(self) -> str:
        return FREQUENCIES[self.frequency]

    def loc_of(self, name: str, index: int | None = None) -> Location:
        """Where the field ``name`` is written (the series' place if it is not); its
        fields hold one value each, so ``index`` is never needed."""
        return self.field_locs.get(name, self.loc)

    def until(self, month: str) -> ActualSeries:
        """The series without the periods ending after ``month`` (``YYYY-MM``)."""
        kept = [p for p in self.values if _ends_by(p, self.frequency, month)]
        if len(kept) == len(self.values):
            return self
        keep = set(kept)
        return replace(
            self, values={p: self.values[p] for p in kept},
            numerator=None if self.numerator is None else
            {p: v for p, v in self.numerator.items() if p in keep},
            denominator=None if self.denominator is None else
            {p: v for p, v in self.denominator.items() if p in keep},
            rebase=tuple(r for r in self.rebase if r in keep))


def _ends_by(period: str, frequency: str, month: str) -> bool:
    if period_index(period, frequency) is None:
        return True  # malformed: check refuses it; kept so the plan reads as written
    return last_month(period, frequency) <= month


@dataclass(frozen=True)
class Actuals(Located):
    """The plan's actuals: the series written (``series``, entities of their own) and
    the system series summed from places' ratios (``derived``)."""

    series: tuple[ActualSeries, ...]
    derived: tuple[ActualSeries, ...] = ()

    @property
    def all(self) -> tuple[ActualSeries, ...]:
        """Every series, each metric's system series (written or derived) before its
        places', in the order the file first names each metric."""
        order: dict[str, list[ActualSeries]] = {}
        for s in (*self.series, *self.derived):
            order.setdefault(s.subject, []).append(s)
        return tuple(s for group in order.values()
                     for s in sorted(group, key=lambda s: s.place is not None))

    @property
    def last_period_month(self) -> str | None:
        """The month the latest period of any series ends in."""
        ends = [last_month(s.periods[-1], s.frequency) for s in self.series
                if s.periods and period_index(s.periods[-1], s.frequency) is not None]
        return max(ends, default=None)

    def until(self, month: str) -> Actuals:
        """The actuals as known at the end of ``month`` (``YYYY-MM``)."""
        return replace(self, series=tuple(s.until(month) for s in self.series),
                       derived=tuple(s.until(month) for s in self.derived))


def as_of(actuals: Actuals | None, day: str) -> Actuals | None:
    """The actuals a document dated ``day`` (``YYYY-MM-DD`` or ``YYYY-MM``) holds: the
    periods that end in or before its month. Actuals are dated by their periods, not
    by their source's publication date."""
    return None if actuals is None else actuals.until(day[:7])


def _loc(f: SourceFile, *parts: Any, key: bool = False) -> Location:
    return f.location(pointer_of(parts), key=key)


def _sorted(values: Mapping[str, Any], frequency: str) -> dict[str, Any]:
    def order(p: str) -> tuple[int, int, str]:
        i = period_index(str(p), frequency)
        return (0, i, "") if i is not None else (1, 0, str(p))
    return {str(p): values[p] for p in sorted(values, key=lambda p: order(str(p)))}


def _series(f: SourceFile, d: Mapping[str, Any], i: int) -> ActualSeries:
    freq = d.get("frequency", "monthly")
    num, den = d.get("numerator"), d.get("denominator")
    per = d.get("per", 100)
    written = "values" if "values" in d or num is None else "numerator"
    if "values" in d or num is None or den is None:
        values = _sorted(d.get("values") or {}, freq)
    else:
        values = {p: per * v / den[p] for p, v in _sorted(num, freq).items()
                  if den.get(p)}
    raw = d.get(written) or {}
    return ActualSeries(
        metric=d.get("metric"), activity=d.get("activity"), place=d.get("place"),
        provenance=d["provenance"], frequency=freq, values=values,
        numerator=None if num is None else _sorted(num, freq),
        denominator=None if den is None else _sorted(den, freq), per=per,
        rebase=tuple(str(r) for r in d.get("rebase", ())), fix_after=d.get("fix_after"),
        commentary=d.get("commentary"), loc=_loc(f, "actuals", i),
        period_locs={str(p): _loc(f, "actuals", i, written, p, key=True) for p in raw},
        rebase_locs=tuple(_loc(f, "actuals", i, "rebase", j)
                          for j in range(len(d.get("rebase", ())))),
        field_locs={k: _loc(f, "actuals", i, k) for k in d})


def sum_places(places: list[ActualSeries]) -> ActualSeries | None:
    """The system series of one metric summed from its places' ratios: the periods
    all of them have, ``per`` x the sum of numerators / the sum of denominators; None
    unless every place series is a ratio, alike in frequency, ``per`` and provenance."""
    first = places[0]
    if any(not s.ratio or s.frequency != first.frequency or s.per != first.per
           or s.provenance != first.provenance for s in places):
        return None
    common = [p for p in first.values if all(p in s.values for s in places)]
    if not common:
        return None
    num = {p: sum(s.numerator[p] for s in places if s.numerator is not None) for p in common}
    den = {p: sum(s.denominator[p] for s in places if s.denominator is not None)
           for p in common}
    rebases = [r for r in first.rebase if all(r in s.rebase for s in places)]
    fixes = {s.fix_after for s in places}
    return replace(first, place=None, numerator=num, denominator=den,
                   values={p: first.per * num[p] / den[p] for p in common},
                   rebase=tuple(rebases), fix_after=fixes.pop() if len(fixes) == 1 else None,
                   commentary=None, derived=True,
                   summed=tuple(s.place for s in places if s.place is not None))


def derive(series: tuple[ActualSeries, ...]) -> tuple[ActualSeries, ...]:
    """The system series to sum from places: for each metric with place series only,
    two or more of them, all ratios."""
    by_subject: dict[tuple[str | None, str | None], list[ActualSeries]] = {}
    for s in series:
        by_subject.setdefault((s.metric, s.activity), []).append(s)
    out = []
    for group in by_subject.values():
        if len(group) < 2 or any(s.place is None for s in group):
            continue
        if len({s.place for s in group}) < len(group):
            continue  # a place twice: check refuses it (unique-id)
        total = sum_places(group)
        if total is not None:
            out.append(total)
    return tuple(out)


def build(f: SourceFile) -> Actuals:
    """The model of actuals.yaml (the file passed its schema)."""
    series = tuple(_series(f, d, i) for i, d in enumerate(f.data["actuals"]))
    return Actuals(series, derive(series), loc=_loc(f, "actuals"))
