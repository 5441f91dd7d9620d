"""finance.yaml, activity.yaml and workforce.yaml: the quantified plan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Located, Location
from ..formatting import Unit
from ..load import SourceFile
from .base import (
    ILLUSTRATIVE,
    Series,
    Sourced,
    _loc,
    _series,
    percent_change,
    round_half_up,
    sum_series,
)
from .system import _unit

# --- finance.yaml -------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationRow(Located):
    """One row of the allocations table (or its total row). ``given_*`` hold the figures
    the author typed (None where left out to be derived); ``published_*`` are the
    figures the documents show: the given one, else the derived one. ``locs`` holds
    where each given figure is, for the rules to point at it."""

    label: str
    organisation: str | None
    baseline: int
    allocation: int
    given_movement: int | None
    given_percent: float | None
    locs: Mapping[str, Location] = field(default_factory=dict, compare=False)

    @property
    def movement(self) -> int:
        return self.allocation - self.baseline

    @property
    def percent(self) -> float | None:
        return percent_change(self.baseline, self.allocation)

    @property
    def published_movement(self) -> int:
        return self.movement if self.given_movement is None else self.given_movement

    @property
    def published_percent(self) -> float | None:
        return self.percent if self.given_percent is None else self.given_percent

    def given(self, name: str) -> bool:
        """Whether the author gave ``name`` (a YAML key: ``movement``, ``baseline``...)."""
        return name in self.locs

    def at(self, name: str) -> Location:
        """Where the given figure ``name`` is, else the row."""
        return self.locs.get(name, self.loc)


@dataclass(frozen=True)
class Allocations(Sourced):
    title: str
    provenance: str
    baseline_year: str
    allocation_year: str
    baseline_label: str
    allocation_label: str
    rows: tuple[AllocationRow, ...]
    total: AllocationRow  # its baseline and allocation are the sums where not given

    @property
    def sum_baseline(self) -> int:
        return sum(r.baseline for r in self.rows)

    @property
    def sum_allocation(self) -> int:
        return sum(r.allocation for r in self.rows)


@dataclass(frozen=True)
class FinancialYear:
    year: str
    income: int
    expenditure: int

    @property
    def surplus(self) -> int:
        """Income less expenditure: negative is a deficit."""
        return self.income - self.expenditure

    @property
    def in_balance(self) -> bool:
        return self.surplus >= 0


@dataclass(frozen=True)
class Trajectory(Sourced):
    provenance: str
    years: tuple[FinancialYear, ...]

    @property
    def surplus(self) -> Series:
        return Series({y.year: y.surplus for y in self.years}, self.provenance, loc=self.loc)

    @property
    def income(self) -> Series:
        return Series({y.year: y.income for y in self.years}, self.provenance, loc=self.loc)

    @property
    def expenditure(self) -> Series:
        return Series({y.year: y.expenditure for y in self.years}, self.provenance, loc=self.loc)

    @property
    def balance_year(self) -> str | None:
        """The first year from which every year is in balance."""
        found = None
        for y in reversed(self.years):
            if not y.in_balance:
                break
            found = y.year
        return found


@dataclass(frozen=True)
class ContextFigure(Sourced):
    id: str
    label: str
    value: float
    unit: Unit
    provenance: str
    note: str | None


@dataclass(frozen=True)
class Finance:
    allocations: Allocations
    trajectory: Trajectory
    efficiency: Series
    context: tuple[ContextFigure, ...]

    def efficiency_percent(self, year: str) -> float | None:
        """Efficiency as a share of that year's expenditure."""
        spend = next((y.expenditure for y in self.trajectory.years if y.year == year), None)
        saving = self.efficiency.get(year)
        if not spend or saving is None:
            return None
        return round_half_up(saving * 100 / spend, 1)


# --- activity.yaml, workforce.yaml ----------------------------------------------------


@dataclass(frozen=True)
class PointOfDelivery(Sourced):
    id: str
    title: str
    unit: Unit
    provenance: str
    by_icp: Mapping[str, Series]
    published_system: Series | None

    @property
    def system(self) -> Series:
        """System-wide figures: the sum over ICPs."""
        return sum_series(list(self.by_icp.values()), self.provenance, self.loc)


#: The staffing types a staff group's WTE may be split into, in the order shown.
STAFFING_TYPES = ("substantive", "bank", "agency")


@dataclass(frozen=True)
class StaffGroup(Sourced):
    """A staff group's WTE in post, and optionally its vacancies, its WTE per place
    (``by_place``, keyed by ICP id) and by staffing type (``by_type``: substantive, bank,
    agency), each of which adds up to ``wte`` (rule workforce-total)."""

    id: str
    title: str
    provenance: str
    wte: Series
    vacancies: Series | None
    by_place: Mapping[str, Series] = field(default_factory=dict)
    by_type: Mapping[str, Series] = field(default_factory=dict)

    @property
    def place_sum(self) -> Series | None:
        """The sum of its places' figures, when it gives them."""
        return (sum_series(list(self.by_place.values()), self.provenance, self.loc)
                if self.by_place else None)

    @property
    def type_sum(self) -> Series | None:
        """The sum of its staffing types' figures, when it gives them."""
        return (sum_series(list(self.by_type.values()), self.provenance, self.loc)
                if self.by_type else None)

    def vacancy_rate(self, year: str) -> float | None:
        if self.vacancies is None:
            return None
        wte, vac = self.wte.get(year), self.vacancies.get(year)
        if wte is None or vac is None or wte + vac == 0:
            return None
        return round_half_up(vac * 100 / (wte + vac), 1)


@dataclass(frozen=True)
class Workforce(Located):
    groups: tuple[StaffGroup, ...]
    published_total: Series | None

    @property
    def total(self) -> Series:
        provenance = (ILLUSTRATIVE if any(g.wte.illustrative for g in self.groups)
                      else self.groups[0].provenance)
        return sum_series([g.wte for g in self.groups], provenance, self.loc)

    def _totals_by(self, name: str, keys: Iterable[str]) -> Mapping[str, Series] | None:
        """Per key, the sum over the staff groups of their ``name`` breakdown; None
        unless every group gives it (a total of some groups would read as all)."""
        if not all(getattr(g, name) for g in self.groups):
            return None
        provenance = self.total.provenance
        return {k: sum_series([getattr(g, name)[k] for g in self.groups
                               if k in getattr(g, name)], provenance, self.loc)
                for k in keys if any(k in getattr(g, name) for g in self.groups)}

    @property
    def by_place(self) -> bool:
        """Whether any staff group gives its figures per place."""
        return any(g.by_place for g in self.groups)

    @property
    def by_type(self) -> bool:
        """Whether any staff group gives its figures by staffing type."""
        return any(g.by_type for g in self.groups)

    @property
    def place_totals(self) -> Mapping[str, Series] | None:
        """All staff groups' WTE per place id, when every group gives its places."""
        return self._totals_by("by_place", dict.fromkeys(
            p for g in self.groups for p in g.by_place))

    @property
    def type_totals(self) -> Mapping[str, Series] | None:
        """All staff groups' WTE per staffing type, when every group gives its types."""
        return self._totals_by("by_type", STAFFING_TYPES)

    @property
    def total_vacancies(self) -> Series | None:
        series = [g.vacancies for g in self.groups if g.vacancies is not None]
        if not series:
            return None
        return sum_series(series, series[0].provenance, self.loc)


_ALLOCATION_FIGURES = ("baseline", "allocation", "movement", "increase_percent")


def _allocation_row(f: SourceFile, d: Mapping, label: str, *parts: Any,
                    sums: tuple[int, int] | None = None) -> AllocationRow:
    """A row as written; for the total row (``sums`` given) a baseline or allocation
    left out is the sum of the rows."""
    baseline, allocation = (d["baseline"], d["allocation"]) if sums is None else (
        d.get("baseline", sums[0]), d.get("allocation", sums[1]))
    return AllocationRow(label, d.get("organisation"), baseline, allocation,
                         d.get("movement"), d.get("increase_percent"),
                         {k: _loc(f, *parts, k) for k in _ALLOCATION_FIGURES if k in d},
                         loc=_loc(f, *parts))


def _finance(f: SourceFile) -> Finance:
    d = f.data
    a = d["allocations"]
    traj = d["trajectory"]
    eff = d["efficiency"]
    rows = tuple(_allocation_row(f, r, r["organisation"], "allocations", "rows", i)
                 for i, r in enumerate(a["rows"]))
    allocations = Allocations(
        title=a["title"], provenance=a["provenance"], baseline_year=a["baseline_year"],
        allocation_year=a["allocation_year"], baseline_label=a["baseline_label"],
        allocation_label=a["allocation_label"],
        rows=rows,
        total=_allocation_row(f, a["total"], a["total"]["label"], "allocations", "total",
                              sums=(sum(r.baseline for r in rows),
                                    sum(r.allocation for r in rows))),
        loc=_loc(f, "allocations"),
    )
    trajectory = Trajectory(
        traj["provenance"],
        tuple(FinancialYear(y, v["income"], v["expenditure"])
              for y, v in sorted(traj["years"].items())),
        loc=_loc(f, "trajectory", "years"))
    return Finance(
        allocations=allocations, trajectory=trajectory,
        efficiency=_series(f, eff["years"], eff["provenance"], "efficiency", "years"),
        context=tuple(ContextFigure(c["id"], c["label"], c["value"],
                                    _unit(f, c["unit"], "context", i, "unit"), c["provenance"],
                                    c.get("note"), loc=_loc(f, "context", i))
                      for i, c in enumerate(d.get("context", []))),
    )


def _activity(f: SourceFile) -> tuple[PointOfDelivery, ...]:
    out = []
    for i, pod in enumerate(f.data["points_of_delivery"]):
        prov = pod["provenance"]
        out.append(PointOfDelivery(
            id=pod["id"], title=pod["title"],
            unit=_unit(f, pod["unit"], "points_of_delivery", i, "unit"), provenance=prov,
            by_icp={icp: _series(f, vals, prov, "points_of_delivery", i, "by_icp", icp)
                    for icp, vals in pod["by_icp"].items()},
            published_system=_series(f, pod.get("system"), prov, "points_of_delivery", i,
                                     "system"),
            loc=_loc(f, "points_of_delivery", i),
        ))
    return tuple(out)


def _workforce(f: SourceFile) -> Workforce:
    d = f.data
    groups = tuple(
        StaffGroup(g["id"], g["title"], g["provenance"],
                   _series(f, g["wte"], g["provenance"], "staff_groups", i, "wte"),
                   _series(f, g.get("vacancies"), g["provenance"], "staff_groups", i,
                           "vacancies"),
                   {place: _series(f, vals, g["provenance"], "staff_groups", i, "by_place", place)
                    for place, vals in g.get("by_place", {}).items()},
                   {kind: _series(f, g["by_type"][kind], g["provenance"], "staff_groups", i,
                                  "by_type", kind)
                    for kind in STAFFING_TYPES if kind in g.get("by_type", {})},
                   loc=_loc(f, "staff_groups", i))
        for i, g in enumerate(d["staff_groups"]))
    total = d.get("total")
    published = (_series(f, total["wte"], groups[0].provenance, "total", "wte")
                 if total else None)
    return Workforce(groups, published, loc=_loc(f, "staff_groups"))
