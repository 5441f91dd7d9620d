"""The derived figures ``lscplan diff`` watches, on both sides, and what feeds each.

A derived figure (an allocation's movement and percentage, the allocation totals,
surpluses and the year of balance, efficiency as a share of spend, a metric's change
from baseline and whether it meets its standard, system activity, workforce totals
and vacancy rates) is never a change of its own. ``derived(old, new)`` yields each
as a ``Derived``: its value on each side and the source fields that feed it, as
``(kind, id or ANY, field pattern)``; ``diff`` credits it to the changes that match.
Each is declared on its entity kind (``kinds.DerivedFigure``: how diff names it, its
unit); one computed here and not declared there is refused (``LookupError``), so a new
derived figure gets words and a unit before any diff reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import kinds
from .model import Plan, Series

ANY = "*"


@dataclass(frozen=True)
class Derived:
    """A derived figure's value on each side and what feeds it: ``(kind, id or ANY,
    field pattern)``, the pattern's dotted parts matched as globs (``by_icp.*.2019/20``);
    a field pattern of None stands for a whole entity added or removed."""

    entity: str
    id: str | None
    field: str
    old: Any
    new: Any
    feeds: tuple[tuple[str, str | None, str | None], ...]
    unit: str | None = None


def _number(value: Any) -> Any:
    """A derived number as JSON: integers stay integers, the rest rounded to 1 place."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float) and value.is_integer():
        return value
    return float(Decimal(str(value)).quantize(Decimal("0.1")))


def _series_of(series: Series | None, year: str) -> Any:
    return None if series is None else series.get(year)


def derived(old: Plan, new: Plan) -> Iterator[Derived]:
    """Every derived figure on both sides, with the source fields that feed it; each
    one its kind declares (``kinds.DerivedFigure``)."""
    for found in (*_derived_finance(old, new), *_derived_metrics(old, new),
                  *_derived_activity(old, new), *_derived_workforce(old, new),
                  *_derived_risks(old, new), *_derived_actuals(old, new)):
        if kinds.derived_figure(found.entity, found.field) is None:
            raise LookupError(f"the entity kind {found.entity!r} declares no derived figure "
                              f"{found.field!r} (kinds.EntityKind.derived)")
        yield found


def _unit(kind: str, field: str, entity: Any = None) -> str | None:
    """The unit ``kind`` declares for its derived figure ``field`` (for ``entity``,
    where the entity names it: a metric's change is in the metric's unit)."""
    declared = kinds.derived_figure(kind, field)
    return kinds.resolve_unit(declared[0].unit, entity) if declared else None


def _both(old: Iterable[Any], new: Iterable[Any],
          key: Callable[[Any], Any] = lambda x: x.id) -> Iterator[tuple[Any, Any]]:
    before = {key(x): x for x in old}
    for item in new:
        if key(item) in before:
            yield before[key(item)], item


def _years(*series: Series | None) -> list[str]:
    return sorted({y for s in series if s is not None for y in s.values})


def _derived_finance(old: Plan, new: Plan) -> Iterator[Derived]:
    a, b = old.finance, new.finance
    for r, s in _both(a.allocations.rows, b.allocations.rows, key=lambda r: r.label):
        feeds = (("allocation", s.label, "baseline"), ("allocation", s.label, "allocation"))
        yield Derived("allocation", s.label, "movement", r.movement, s.movement, feeds,
                      _unit("allocation", "movement"))
        yield Derived("allocation", s.label, "percent", r.percent, s.percent, feeds,
                      _unit("allocation", "percent"))
    rows = (("allocation", ANY, None),)
    ta, tb = a.allocations.total, b.allocations.total
    totals: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("baseline", ("baseline",)), ("allocation", ("allocation",)),
        ("movement", ("baseline", "allocation")), ("percent", ("baseline", "allocation")))
    for name, inputs in totals:
        yield Derived("allocations", None, f"total.{name}", getattr(ta, name),
                      getattr(tb, name), (*rows, *(("allocation", ANY, f) for f in inputs)),
                      _unit("allocations", f"total.{name}"))

    ya, yb = a.trajectory, b.trajectory
    for year in _years(ya.surplus, yb.surplus):
        feeds = (("trajectory", None, f"years.{year}.income"),
                 ("trajectory", None, f"years.{year}.expenditure"))
        yield Derived("trajectory", None, f"surplus.{year}", ya.surplus.get(year),
                      yb.surplus.get(year), feeds, _unit("trajectory", "surplus"))
    flipped = [y for y in _years(ya.surplus, yb.surplus)
               if _in_balance(ya.surplus.get(y)) != _in_balance(yb.surplus.get(y))]
    years = flipped or ["*"]
    yield Derived("trajectory", None, "balance_year", ya.balance_year, yb.balance_year,
                  tuple(("trajectory", None, f"years.{y}.{f}") for y in years
                        for f in ("income", "expenditure")))
    for year in _years(a.efficiency, b.efficiency, ya.income, yb.income):
        yield Derived("efficiency", None, f"percent.{year}", a.efficiency_percent(year),
                      b.efficiency_percent(year),
                      (("efficiency", None, f"years.{year}"),
                       ("trajectory", None, f"years.{year}.expenditure")),
                      _unit("efficiency", "percent"))


def _in_balance(surplus: Any) -> bool | None:
    return None if surplus is None else surplus >= 0


def _derived_metrics(old: Plan, new: Plan) -> Iterator[Derived]:
    for m, n in _both(old.metrics, new.metrics):
        lasts = tuple(("metric", n.id, f"values.{s.years[-1]}") for s in (m.values, n.values))
        feeds = (*lasts, ("metric", n.id, "baseline.value"))
        yield Derived("metric", n.id, "change", _number(m.change), _number(n.change), feeds,
                      _unit("metric", "change", n))
        yield Derived("metric", n.id, "meets_standard", m.meets_standard, n.meets_standard,
                      (*lasts, ("metric", n.id, "targets"),
                       ("metric", n.id, "direction")))


def _derived_activity(old: Plan, new: Plan) -> Iterator[Derived]:
    for p, q in _both(old.activity, new.activity):
        for year in _years(p.system, q.system):
            yield Derived("activity", q.id, f"system.{year}", p.system.get(year),
                          q.system.get(year), (("activity", q.id, f"by_icp.*.{year}"),),
                          _unit("activity", "system", q))


def _derived_workforce(old: Plan, new: Plan) -> Iterator[Derived]:
    for g, h in _both(old.workforce.groups, new.workforce.groups):
        for year in _years(g.wte, h.wte):
            yield Derived("staff-group", h.id, f"vacancy_rate.{year}", g.vacancy_rate(year),
                          h.vacancy_rate(year),
                          (("staff-group", h.id, f"wte.{year}"),
                           ("staff-group", h.id, f"vacancies.{year}")),
                          _unit("staff-group", "vacancy_rate"))
    groups = (("staff-group", ANY, None),)
    ta, tb = old.workforce.total, new.workforce.total
    for year in _years(ta, tb):
        yield Derived("workforce", None, f"total.{year}", _number(ta.get(year)),
                      _number(tb.get(year)), (*groups, ("staff-group", ANY, f"wte.{year}")),
                      _unit("workforce", "total"))
    va, vb = old.workforce.total_vacancies, new.workforce.total_vacancies
    for year in _years(va, vb):
        yield Derived("workforce", None, f"total_vacancies.{year}",
                      _number(_series_of(va, year)), _number(_series_of(vb, year)),
                      (*groups, ("staff-group", ANY, f"vacancies.{year}")),
                      _unit("workforce", "total_vacancies"))


def _derived_risks(old: Plan, new: Plan) -> Iterator[Derived]:
    """A risk's scores (likelihood × impact) and ratings, now and once mitigated."""
    for r, s in _both(getattr(old, "risks", None) or (), getattr(new, "risks", None) or ()):
        a, b = getattr(r, "scores", None), getattr(s, "scores", None)
        if a is None or b is None:
            continue
        for name, parts in (("score", ("likelihood", "impact")),
                            ("rating", ("likelihood", "impact")),
                            ("target_score", ("target_likelihood", "target_impact")),
                            ("target_rating", ("target_likelihood", "target_impact"))):
            yield Derived("risk", s.id, name, getattr(a, name), getattr(b, name),
                          tuple(("risk", s.id, f"scores.{p}") for p in parts))


def _derived_actuals(old: Plan, new: Plan) -> Iterator[Derived]:
    """Each series' variation and assurance icons (``lscplan track``), fed by its own
    actuals (for a system series summed from places, the places'), its rebases and
    fixed limits, and the metric's trajectory, targets and direction."""
    if getattr(old, "actuals", None) is None or getattr(new, "actuals", None) is None:
        return
    from .track import track_plan

    before = {t.series.id: t for t in track_plan(old).series}
    for t in track_plan(new).series:
        was = before.get(t.series.id)
        if was is None:
            continue
        s = t.series
        own = ([p.id for p in new.actuals.series if p.subject == s.subject
                and p.place is not None] if s.derived else [s.id])
        feeds = tuple(("actual-series", sid, f) for sid in own
                      for f in ("values.*", "numerator.*", "denominator.*", "per",
                                "rebase", "fix_after"))
        if s.metric is not None:
            feeds += (("metric", s.metric, "values.*"), ("metric", s.metric, "targets"),
                      ("metric", s.metric, "direction"))
        for name in ("variation", "assurance"):
            yield Derived("actual-series", s.id, name, getattr(was.spc, name),
                          getattr(t.spc, name), feeds)
