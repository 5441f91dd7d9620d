"""The workbook: the quantified plan as ``ltp-submission.xlsx``, a spreadsheet finance
can edit and send back (``lscplan import``, ``lscplan.workbook_import``).

``layout(plan, document)`` lays the workbook out as data: a ``Sheet`` per part of the
plan (a cover, then allocations, the financial trajectory, efficiency, activity,
workforce, metrics and actuals, laid out by hand in ``SHEETS``; then a sheet for each
other entity kind with series, laid out from its declaration in ``kinds``:
``kind_sheet``), each a grid of cells that are one of

- ``Figure``: a number of the plan's sources, with the place in the YAML it comes from
  (``Target``) and whether it is illustrative (shaded, and its row's provenance says
  so): the only cells ``import`` writes back;
- ``Formula``: a total, movement or percentage the model derives, as an Excel formula
  over the figures, with the model's own value beside it (``expected``) so the tests
  can hold the formula to it;
- ``Text``: titles, headings, labels, ids, units and provenance.

``write(sheets, ...)`` turns the layout into the bytes of an .xlsx file with XlsxWriter
(each formula saved with its value; ``import`` reads with openpyxl),
the same bytes for the same plan (the plan's date is the file's date, inside and on
every zip entry); ``produce`` is the ``Format`` entry (``formats.XLSX``). The
importer lays out the same workbook from the plan as it stands and compares it cell by
cell with the one it is given, so the layout is written once, here.

Years are columns; percentages are stored as fractions with a percent number format
(86.0 in the YAML is 0.86 shown ``86.0%``), money in £'000 like the YAML (every
sheet's figures in the unit their kind declares, ``declared_unit``). The rows come
from the model's entities and series (a place per ``by_icp`` key, a staff group per
group, a metric per metric), so a new staff group, place or metric is a new row with
no change here; and a new kind of plan file with series is a new sheet with no change
here: its heading names the sheet, its label heads the first column, and the unit it
declares for its figures (``kinds.Figures.unit``) gives their number format.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from . import formatting, kinds
from .files import fixed_zip
from .model import ILLUSTRATIVE, STAFFING_TYPES, TARGET_PARTS, Plan, Series, StaffGroup
from .outputs import Output, Rendered

FILE_SUFFIX = "xlsx"
ILLUSTRATIVE_NOTE = ("Shaded figures are illustrative: no source gives them "
                     "(their provenance says illustrative).")
EDITING_NOTE = ("Change figures in the white and shaded cells of the other sheets, then run "
                "`lscplan import ltp-submission.xlsx PLAN_DIR` to write them into the "
                "plan's YAML files. Calculated cells (grey), labels, ids, units, provenance "
                "and this sheet are checked and must stay as they are.")
CALCULATED = "calculated"
#: The last sheet: what the workbook is, how it is read back, and every figure as
#: built (``built_figures``), visible and protected.
ABOUT_SHEET = "About this workbook"
#: Where workbooks built before the About sheet kept the figures as built (very hidden).
OLD_BUILT_SHEET = "lscplan"
#: The sheets ``import`` reads only for the figures as built.
BUILT_SHEETS = (ABOUT_SHEET, OLD_BUILT_SHEET)
BUILT_HEADINGS = ("Sheet", "Cell", "Value as built")
ABOUT = (
    ("What this is", "The quantified plan of the document named on the cover, written by "
     "lscplan from the plan's YAML sources. Every figure on the other sheets comes from "
     "those sources; totals, movements and percentages are formulas over the figures, "
     "saved with their values."),
    ("Editing", EDITING_NOTE),
    ("What import reads", "lscplan import reads only the figures (the white and shaded "
     "cells) and checks that lscplan's labels, ids and formulas read as it wrote them. "
     "Rows and columns may be inserted for your own working: import finds lscplan's "
     "cells where they moved to, leaves your rows, columns, sheets and notes alone, and "
     "lists what it left."),
    ("The table below", "Every figure as it was when the workbook was built: the sheet, "
     "the cell and the value. Import compares each figure with it to tell a figure "
     "changed in this workbook from one changed in the plan since it was built. It is "
     "protected: change the figures on their own sheets, never here."),
)

MONEY = "#,##0"
PERCENT_POINTS = '+0.0"pp";-0.0"pp";0.0"pp"'
DATE = "d mmmm yyyy"


# --- the layout as data -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a figure lives: a plan file and the keys (and list indexes, as text) down
    to the number. ``scale``: the cell holds the YAML value times this (0.01 for a
    percentage, stored as a fraction)."""

    file: str
    path: tuple[str, ...]
    scale: Decimal = Decimal(1)


@dataclass(frozen=True)
class Figure:
    value: float | int  # as in the YAML
    fmt: str
    target: Target
    illustrative: bool

    @property
    def cell_value(self) -> float | int:
        if self.target.scale == 1:
            return self.value
        return float(Decimal(repr(self.value)) * self.target.scale)


@dataclass(frozen=True)
class Formula:
    formula: str  # "=C4-C5"
    fmt: str
    expected: Any  # the model's value ("" where it has none)
    #: what to change instead, when import refuses the cell changed (else its figures)
    instead: str = ""


AGREES = "agrees"


@dataclass(frozen=True)
class Check(Formula):
    """A published total against the sum of its parts: a formula that reads
    ``agrees``, or ``differs by`` the difference (``import`` refuses a workbook where
    one does, ``workbook-total``). ``total`` is the total's cell, ``parts`` the first
    and last row of its parts in the same column, named by ``what``."""

    total: tuple[int, int] = (0, 0)
    parts: tuple[int, int] = (0, 0)
    what: str = ""


def check(total: tuple[int, int], first: int, last: int, places: int, what: str) -> Check:
    """The check of the total at ``total`` against the rows ``first`` to ``last`` of
    its column (figures written with ``places`` decimal places)."""
    row, col = total
    diff = f"{ref(row, col)}-SUM({ref(first, col)}:{ref(last, col)})"
    shown = "#,##0" + ("." + "0" * places if places else "")
    return Check(f'=IF(ROUND({diff},6)=0,"{AGREES}","differs by "&TEXT({diff},'
                 f'"+{shown};-{shown}"))', "General", AGREES, total=total, parts=(first, last),
                 what=what)


@dataclass(frozen=True)
class Text:
    value: str | date
    style: str = "label"  # title, note, header, label, total, key


Cell = Figure | Formula | Text


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    freeze: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # defined name -> range
    provenances: list[str] = field(default_factory=list)
    wrap: set[int] = field(default_factory=set)  # columns whose text wraps

    def put(self, row: int, col: int, cell: Cell | None) -> None:
        if cell is None:
            return
        self.cells[(row, col)] = cell

    def figure(self, row: int, col: int, value: float | int | None, fmt: str,
               target: Target, provenance: str) -> None:
        if value is None:
            return
        self.put(row, col, Figure(value, fmt, target, provenance == ILLUSTRATIVE))
        if provenance not in self.provenances:
            self.provenances.append(provenance)

    def define(self, defined: str, first_row: int, last_row: int, last_col: int) -> None:
        self.names[defined] = f"'{self.name}'!$A${first_row}:${letter(last_col)}${last_row}"

    def figures(self) -> Iterable[tuple[tuple[int, int], Figure]]:
        return ((pos, c) for pos, c in sorted(self.cells.items()) if isinstance(c, Figure))


def letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def ref(row: int, col: int) -> str:
    return f"{letter(col)}{row}"


def _parts(pointer: str) -> tuple[str, ...]:
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:])


def _target(loc: Any, *more: str, percent: bool = False) -> Target:
    return Target(loc.file, (*_parts(loc.pointer), *more),
                  Decimal("0.01") if percent else Decimal(1))


def _places(values: Iterable[float | int | None]) -> int:
    """The decimal places the figures are written with (at most three)."""
    places = 0
    for v in values:
        if isinstance(v, float) and not v.is_integer():
            places = max(places, len(repr(v).split(".")[1]) if "." in repr(v) else 3)
    return min(places, 3)


def number_format(unit: str, values: Iterable[float | int | None]) -> str:
    """The number format for figures in ``unit``: percentages as Excel percentages
    (at least one decimal place), the rest with thousands separators; a unit the plan
    declares with its own decimal places and its symbol (``#,##0.0" min"``)."""
    places = _places(values)
    declared = formatting.as_unit(unit)
    if declared.declared:
        if declared.decimals is not None:
            places = declared.decimals
        symbol = f'"{declared.symbol}"' if declared.symbol else ""
        return MONEY + ("." + "0" * places if places else "") + symbol
    if unit == "percent":
        return "0." + "0" * max(places, 1) + "%"
    if unit == "ratio":
        places = max(places, 2)
    return MONEY + ("." + "0" * places if places else "")


def _signed(fmt: str) -> str:
    return f"+{fmt};-{fmt};{fmt}"


def _provenance_text(*provenances: tuple[str, str | None]) -> str:
    """One provenance, or each part's: ``values: illustrative; baseline: x``."""
    given = [(label, p) for label, p in provenances if p]
    if len({p for _, p in given}) == 1:
        return given[0][1]
    return "; ".join(f"{label}: {p}" for label, p in given)


# --- the sheets -------------------------------------------------------------------------

TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
FIRST_ROW = HEADER_ROW + 1


def _header(sheet: Sheet, headings: Sequence[str], freeze_col: int) -> None:
    for col, text in enumerate(headings, start=1):
        sheet.put(HEADER_ROW, col, Text(text, "header"))
    sheet.freeze = ref(FIRST_ROW, freeze_col)


def _year_columns(plan: Plan, first: int) -> dict[str, int]:
    return {y: first + i for i, y in enumerate(plan.period.years)}


def _movement(fmt: str) -> str:
    """``fmt`` with a sign on either side of a plain nought (a movement, a surplus)."""
    return f"+{fmt};-{fmt};0"


def _unit_formats(kind: str, holder: str, names: Sequence[str], items: Sequence[Any]
                  ) -> dict[str, str]:
    """Each figure's number format, in the unit ``kind`` declares for it at
    ``holder.name``, read from its values in ``items``."""
    return {name: number_format(declared_unit(kind, f"{holder}.{name}"),
                                [getattr(i, name) for i in items]) for name in names}


def _allocations(plan: Plan) -> Sheet:
    a = plan.finance.allocations
    sheet = Sheet("Allocations")
    title = formatting.with_years(a.title, a.baseline_year, a.allocation_year, ", ")
    money = formatting.unit_label(declared_unit("allocations", "rows.baseline"))
    sheet.put(TITLE_ROW, 1, Text(f"{title} ({money})", "title"))
    headings = ["Organisation", f"{a.baseline_label} {a.baseline_year}",
                f"{a.allocation_label} {a.allocation_year}", "Movement (as published)",
                "Increase (as published)", "Movement (calculated)",
                "Increase (calculated)", "Provenance", "Id"]
    _header(sheet, headings, 2)
    fmts = _unit_formats("allocations", "rows", ("baseline", "allocation",
                                                 "published_movement", "published_percent"),
                         (*a.rows, a.total))
    pct = fmts["published_percent"]
    rows = [(r, plan.organisation(r.organisation).name if r.organisation else r.label,
             r.organisation or r.label, "label") for r in a.rows]
    rows.append((a.total, a.total.label, "total", "total"))
    row = FIRST_ROW
    last = FIRST_ROW + len(a.rows) - 1  # the organisations' rows end above the total
    for item, label, key, style in rows:
        sheet.put(row, 1, Text(label, style))
        b, c = ref(row, 2), ref(row, 3)
        percent = item.percent
        # a figure the author left out is derived: the formula that derives it
        derived = {
            "baseline": Formula(f"=SUM(B{FIRST_ROW}:B{last})", fmts["baseline"],
                                item.baseline),
            "allocation": Formula(f"=SUM(C{FIRST_ROW}:C{last})", fmts["allocation"],
                                  item.allocation),
            "movement": Formula(f"={c}-{b}", _movement(fmts["published_movement"]),
                                item.movement),
            "increase_percent": Formula(f'=IF({b}=0,"",ROUND(({c}-{b})/{b},3))', pct,
                                        "" if percent is None else percent / 100),
        }
        for col, name, yaml_key, fmt in (
                (2, "baseline", "baseline", fmts["baseline"]),
                (3, "allocation", "allocation", fmts["allocation"]),
                (4, "published_movement", "movement", _movement(fmts["published_movement"])),
                (5, "published_percent", "increase_percent", pct)):
            if not item.given(yaml_key):
                sheet.put(row, col, derived[yaml_key])
                continue
            sheet.figure(row, col, getattr(item, name), fmt,
                         _target(item.loc, yaml_key, percent=name == "published_percent"),
                         a.provenance)
        sheet.put(row, 6, derived["movement"])
        sheet.put(row, 7, derived["increase_percent"])
        sheet.put(row, 8, Text(a.provenance))
        sheet.put(row, 9, Text(key, "key"))
        row += 1
    total_row = row - 1
    given = [col for col, key in ((2, "baseline"), (3, "allocation")) if a.total.given(key)]
    if given:  # a published total: checked against the organisations' sum, not repeated
        sheet.put(row, 1, Text(f"Check: the total against the sum of the {len(a.rows)} "
                               "organisations above"))
        for col in given:
            sheet.put(row, col, check((total_row, col), FIRST_ROW, last,
                                      _places_of(fmts["baseline" if col == 2 else "allocation"]),
                                      "the organisations above"))
        sheet.put(row, 8, Text(CALCULATED))
    else:
        row -= 1
    sheet.define("AllocationsTable", HEADER_ROW, row, len(headings))
    sheet.widths = {1: 44, 2: 18, 3: 18, 4: 16, 5: 14, 6: 16, 7: 14, 8: 22, 9: 30}
    return sheet


def _trajectory(plan: Plan) -> Sheet:
    traj = plan.finance.trajectory
    sheet = Sheet("Finance")
    fmts = _unit_formats("trajectory", "years", ("income", "expenditure"), traj.years)
    money = formatting.unit_label(declared_unit("trajectory", "years.income"))
    sheet.put(TITLE_ROW, 1, Text(f"System financial trajectory ({money})", "title"))
    years = _year_columns(plan, 2)
    last = max(years.values()) + 1
    _header(sheet, ["Measure", *years, "Provenance"], 2)
    by_year = {y.year: y for y in traj.years}
    for row, label, name in ((FIRST_ROW, "Income", "income"),
                             (FIRST_ROW + 1, "Expenditure", "expenditure")):
        sheet.put(row, 1, Text(label))
        for year, col in years.items():
            fy = by_year.get(year)
            if fy is not None:
                sheet.figure(row, col, getattr(fy, name), fmts[name],
                             _target(traj.loc, year, name), traj.provenance)
        sheet.put(row, last, Text(traj.provenance))
    row = FIRST_ROW + 2
    sheet.put(row, 1, Text("Surplus (deficit): income less expenditure", "total"))
    for year, col in years.items():
        if year in by_year:
            sheet.put(row, col, Formula(f"={ref(FIRST_ROW, col)}-{ref(FIRST_ROW + 1, col)}",
                                        _movement(fmts["income"]), by_year[year].surplus))
    sheet.put(row, last, Text(CALCULATED))
    sheet.define("FinancialTrajectory", HEADER_ROW, row, last)
    sheet.widths = {1: 44, **{c: 14 for c in years.values()}, last: 22}
    return sheet


#: The row of the Finance sheet that holds expenditure (Efficiency refers to it).
EXPENDITURE_ROW = FIRST_ROW + 1


def _efficiency(plan: Plan) -> Sheet:
    eff = plan.finance.efficiency
    sheet = Sheet("Efficiency")
    unit = declared_unit("efficiency", "values")
    fmt = number_format(unit, list(eff.values.values()))
    spent = _unit_formats("trajectory", "years", ("expenditure",),
                          plan.finance.trajectory.years)["expenditure"]
    sheet.put(TITLE_ROW, 1, Text(f"Efficiency savings ({formatting.unit_label(unit)}) and as "
                                 "a share of expenditure", "title"))
    years = _year_columns(plan, 2)
    last = max(years.values()) + 1
    _header(sheet, ["Measure", *years, "Provenance"], 2)
    spend = {y.year: y.expenditure for y in plan.finance.trajectory.years}
    row = FIRST_ROW
    sheet.put(row, 1, Text("Efficiency savings"))
    sheet.put(row + 1, 1, Text("Expenditure (from the Finance sheet)"))
    sheet.put(row + 2, 1, Text("Efficiency as a share of expenditure", "total"))
    for year, col in years.items():
        sheet.figure(row, col, eff.get(year), fmt, _target(eff.loc, year), eff.provenance)
        if year in spend:
            sheet.put(row + 1, col, Formula(f"=Finance!{ref(EXPENDITURE_ROW, col)}", spent,
                                            spend[year]))
        share = plan.finance.efficiency_percent(year)
        if eff.get(year) is not None and year in spend:
            s, e = ref(row, col), ref(row + 1, col)
            sheet.put(row + 2, col, Formula(f'=IF({e}=0,"",ROUND({s}/{e},3))', "0.0%",
                                            "" if share is None else share / 100))
    sheet.put(row, last, Text(eff.provenance))
    sheet.put(row + 1, last, Text(plan.finance.trajectory.provenance))
    sheet.put(row + 2, last, Text(CALCULATED))
    sheet.define("EfficiencySavings", HEADER_ROW, row + 2, last)
    sheet.widths = {1: 44, **{c: 14 for c in years.values()}, last: 22}
    return sheet


def _sum_row(sheet: Sheet, row: int, years: dict[str, int], first: int, last: int,
             total: Series, fmt: str) -> None:
    for year, col in years.items():
        if year in total.values:
            sheet.put(row, col, Formula(f"=SUM({ref(first, col)}:{ref(last, col)})", fmt,
                                        total.values[year]))


def _places_of(fmt: str) -> int:
    return len(fmt.split(".")[1].split('"')[0]) if "." in fmt else 0


def _check_row(sheet: Sheet, row: int, total_row: int, years: dict[str, int], first: int,
               last: int, fmt: str, what: str, label: str, prov_col: int) -> None:
    """A row of checks under a published total: each year's total against the sum of
    ``what`` (the rows ``first`` to ``last``)."""
    sheet.put(row, 1, Text(label))
    sheet.put(row, 2, Text(f"Check: the total against the sum of {what}"))
    for col in years.values():
        if (total_row, col) in sheet.cells:
            sheet.put(row, col, check((total_row, col), first, last, _places_of(fmt), what))
    sheet.put(row, prov_col, Text(CALCULATED))


def declared_unit(kind: str, path: str) -> str:
    """The one unit the entity kind ``kind`` declares for its figures at ``path``
    (``kinds.Figures.unit``): what a hand-made sheet writes them in."""
    found = kinds.entity_kind(kind)
    unit = kinds.unit_spec(found, path) if found else None
    if unit is None or unit == kinds.AS_WRITTEN or ":" in unit:
        raise LookupError(f"{kind} declares no one unit for {path!r}")
    return unit


def _activity(plan: Plan) -> Sheet:
    place = plan.terms.place
    sheet = Sheet("Activity")
    sheet.put(TITLE_ROW, 1, Text(f"Activity by point of delivery, {place.short} and year",
                                 "title"))
    years = _year_columns(plan, 3)
    end = max(years.values())
    unit_col, prov_col, id_col, place_col = end + 1, end + 2, end + 3, end + 4
    _header(sheet, ["Point of delivery", sentence(place.short), *years, "Unit",
                    "Provenance", "Id", f"{sentence(place.short)} id"], 3)
    icps = {icp.id: icp.name for icp in plan.system.icps}
    row = FIRST_ROW
    for pod in plan.activity:
        values = [v for s in pod.by_icp.values() for v in s.values.values()]
        fmt = number_format(pod.unit, values)
        first = row
        for icp_id, series in pod.by_icp.items():
            sheet.put(row, 1, Text(pod.title))
            sheet.put(row, 2, Text(icps.get(icp_id, icp_id)))
            for year, col in years.items():
                sheet.figure(row, col, series.get(year), fmt, _target(series.loc, year),
                             pod.provenance)
            sheet.put(row, unit_col, Text(formatting.unit_label(pod.unit)))
            sheet.put(row, prov_col, Text(pod.provenance))
            sheet.put(row, id_col, Text(pod.id, "key"))
            sheet.put(row, place_col, Text(icp_id, "key"))
            row += 1
        last = row - 1
        published = pod.published_system
        sheet.put(row, 1, Text(pod.title, "total"))
        sheet.put(row, unit_col, Text(formatting.unit_label(pod.unit)))
        sheet.put(row, id_col, Text(pod.id, "key"))
        if published is None:  # the system is the sum of the places
            sheet.put(row, 2, Text(f"System (sum of the {place.short_plural})", "total"))
            _sum_row(sheet, row, years, first, last, pod.system, fmt)
            sheet.put(row, prov_col, Text(CALCULATED))
            row += 1
            continue
        # the system as published, checked against the places (one total, not two)
        sheet.put(row, 2, Text("System (as published)", "total"))
        for year, col in years.items():
            sheet.figure(row, col, published.get(year), fmt, _target(published.loc, year),
                         pod.provenance)
        sheet.put(row, prov_col, Text(pod.provenance))
        sheet.put(row, place_col, Text("system", "key"))
        _check_row(sheet, row + 1, row, years, first, last, fmt,
                   f"the {place.short_plural} above", pod.title, prov_col)
        row += 2
    sheet.define("ActivityByPlace", HEADER_ROW, row - 1, place_col)
    sheet.widths = {1: 40, 2: 28, **{c: 12 for c in years.values()}, unit_col: 14,
                    prov_col: 22, id_col: 26, place_col: 22}
    return sheet


def _workforce(plan: Plan) -> Sheet:
    wf = plan.workforce
    sheet = Sheet("Workforce")
    sheet.put(TITLE_ROW, 1, Text("Workforce by staff group: whole-time equivalents (WTE) "
                                 "in post, vacancies and vacancy rates", "title"))
    years = _year_columns(plan, 3)
    end = max(years.values())
    prov_col, id_col = end + 1, end + 2
    _header(sheet, ["Staff group", "Measure", *years, "Provenance", "Id"], 3)
    fmt = number_format(declared_unit("staff-group", "wte"), [v for g in wf.groups
                                for s in (g.wte, g.vacancies, *g.by_place.values(),
                                          *g.by_type.values())
                                if s is not None for v in s.values.values()])
    row = FIRST_ROW
    wte_rows: dict[str, int] = {}
    vacancy_rows: dict[str, int] = {}

    def series_row(label: str, measure: str, series: Series, key: str, style: str = "label"
                   ) -> None:
        nonlocal row
        sheet.put(row, 1, Text(label, style))
        sheet.put(row, 2, Text(measure, style))
        for year, col in years.items():
            sheet.figure(row, col, series.get(year), fmt, _target(series.loc, year),
                         series.provenance)
        sheet.put(row, prov_col, Text(series.provenance))
        sheet.put(row, id_col, Text(key, "key"))
        row += 1

    for g in wf.groups:
        wte_rows[g.id] = row
        series_row(g.title, "WTE in post", g.wte, g.id)
    first, last = FIRST_ROW, row - 1
    if wf.published_total is None:  # the total is the sum of the staff groups
        sheet.put(row, 1, Text("All staff groups", "total"))
        sheet.put(row, 2, Text("WTE in post (sum of the staff groups)", "total"))
        _sum_row(sheet, row, years, first, last, wf.total, fmt)
        sheet.put(row, prov_col, Text(CALCULATED))
        row += 1
    else:  # the total as published, checked against the staff groups
        series_row("All staff groups", "WTE in post (as published)", wf.published_total,
                   "total", "total")
        _check_row(sheet, row, row - 1, years, first, last, fmt, "the staff groups above",
                   "All staff groups", prov_col)
        row += 1
    sheet.define("WorkforceInPost", HEADER_ROW, row - 1, id_col)
    with_vacancies = [(g, g.vacancies) for g in wf.groups if g.vacancies is not None]
    total = wf.total_vacancies  # None exactly when no staff group gives its vacancies
    if with_vacancies and total is not None:
        first = row
        for g, vacancies in with_vacancies:
            vacancy_rows[g.id] = row
            series_row(g.title, "Vacancies (WTE)", vacancies, g.id)
        sheet.put(row, 1, Text("All staff groups", "total"))
        sheet.put(row, 2, Text("Vacancies (sum of the staff groups)", "total"))
        _sum_row(sheet, row, years, first, row - 1, total, fmt)
        sheet.put(row, prov_col, Text(CALCULATED))
        row += 1
        for g, vacancies in with_vacancies:
            sheet.put(row, 1, Text(g.title))
            sheet.put(row, 2, Text("Vacancy rate (vacancies / (in post + vacancies))"))
            for year, col in years.items():
                rate = g.vacancy_rate(year)
                if g.wte.get(year) is None or vacancies.get(year) is None:
                    continue
                w, v = ref(wte_rows[g.id], col), ref(vacancy_rows[g.id], col)
                sheet.put(row, col, Formula(f'=IF({w}+{v}=0,"",ROUND({v}/({w}+{v}),3))',
                                            "0.0%", "" if rate is None else rate / 100))
            sheet.put(row, prov_col, Text(CALCULATED))
            sheet.put(row, id_col, Text(g.id, "key"))
            row += 1
        sheet.define("WorkforceVacancies", first, row - 1, id_col)
    places = {icp.id: icp.name for icp in plan.system.icps}
    for attr, names, word, defined in (
            ("by_place", places, f"sum of the {plan.terms.place.short_plural}",
             "WorkforceByPlace"),
            ("by_type", {t: sentence(t) for t in STAFFING_TYPES}, "sum of the staffing types",
             "WorkforceByStaffingType")):
        given = [g for g in wf.groups if getattr(g, attr)]
        if not given:
            continue
        first = row
        for g in given:
            parts = getattr(g, attr)
            start = row
            for key, name in names.items():
                if key in parts:
                    series_row(g.title, f"WTE in post, {name}", parts[key], g.id)
            # the group's WTE in post (above) is the total: checked, not repeated
            _breakdown_check(sheet, row, g, attr, (wte_rows[g.id], start), years, fmt,
                             word, (prov_col, id_col))
            row += 1
        sheet.define(defined, first, row - 1, id_col)
    sheet.widths = {1: 60, 2: 44, **{c: 12 for c in years.values()}, prov_col: 22,
                    id_col: 28}
    return sheet


def _breakdown_check(sheet: Sheet, row: int, group: StaffGroup, breakdown: str,
                     rows: tuple[int, int], years: Mapping[str, int], fmt: str, word: str,
                     cols: tuple[int, int]) -> None:
    """The row checking a staff group's WTE in post (at ``rows[0]``) against the sum of
    its ``breakdown`` (``by_place`` or ``by_type``, from ``rows[1]`` to the row above)."""
    summed = group.place_sum if breakdown == "by_place" else group.type_sum
    if summed is None:  # the group gives no such breakdown: nothing to check
        return
    wte_row, start = rows
    sheet.put(row, 1, Text(group.title))
    sheet.put(row, 2, Text(f"Check: WTE in post against the {word}"))
    for year, col in years.items():
        if year in summed.values and (wte_row, col) in sheet.cells:
            sheet.put(row, col, check((wte_row, col), start, row - 1, _places_of(fmt),
                                      word.removeprefix("sum of ")))
    sheet.put(row, cols[0], Text(CALCULATED))
    sheet.put(row, cols[1], Text(group.id, "key"))


def _metrics(plan: Plan) -> Sheet:
    sheet = Sheet("Metrics")
    sheet.put(TITLE_ROW, 1, Text("The metrics plan: national standard, baseline and the "
                                 "trajectory for each year", "title"))
    years = _year_columns(plan, 7)
    end = max(years.values())
    change_col, meets_col, prov_col, id_col = end + 1, end + 2, end + 3, end + 4
    _header(sheet, ["Metric", "Unit", "Direction", "National standard", "Baseline year",
                    "Baseline", *years, "Change from baseline", "Meets the standard",
                    "Provenance", "Id"], 2)
    row = FIRST_ROW
    last_year = plan.period.years[-1]
    sources = {src.id: src for src in plan.system.sources}

    def cite(provenance: str) -> str:
        src = sources.get(provenance)
        return f"{src.title} ({src.published}), {src.id}" if src else provenance

    for m in plan.metrics:
        percent = m.unit == "percent"
        std = m.standard
        fmt = number_format(m.unit, [*(m.values.values.values()), m.baseline.value,
                                     std.value if std else None])
        sheet.put(row, 1, Text(m.title))
        sheet.put(row, 2, Text(formatting.unit_label(m.unit)))
        sheet.put(row, 3, Text("higher is better" if m.higher_is_better
                               else "lower is better"))
        if std is not None:
            _standard(sheet, row, std, fmt, percent)
        sheet.put(row, 5, Text(m.baseline.year))
        sheet.figure(row, 6, m.baseline.value, fmt,
                     _target(m.baseline.loc, "value", percent=percent),
                     m.baseline.provenance)
        for year, col in years.items():
            sheet.figure(row, col, m.values.get(year), fmt,
                         _target(m.values.loc, year, percent=percent), m.provenance)
        target, base = ref(row, years[last_year]), ref(row, 6)
        if m.values.get(last_year) is not None:
            if percent:
                sheet.put(row, change_col, Formula(f"=({target}-{base})*100", PERCENT_POINTS,
                                                   m.change))
            else:
                sheet.put(row, change_col, Formula(f"={target}-{base}", _signed(fmt),
                                                   m.change))
            if std is not None:
                op = ">=" if m.higher_is_better else "<="
                sheet.put(row, meets_col, Formula(f'=IF({target}{op}{ref(row, 4)},"yes","no")',
                                                  "General", "yes" if m.meets_standard
                                                  else "no"))
        # each row's own provenance, named in full (rows differ: no one source heads them)
        sheet.put(row, prov_col, Text(_provenance_text(
            ("values", cite(m.provenance)), ("baseline", cite(m.baseline.provenance)),
            *_standard_provenance(std, cite))))
        sheet.put(row, id_col, Text(m.id, "key"))
        row += 1
    sheet.define("MetricsPlan", HEADER_ROW, row - 1, id_col)
    sheet.widths = {1: 46, 2: 14, 3: 16, 4: 12, 5: 10, 6: 12,
                    **{c: 11 for c in years.values()}, change_col: 14, meets_col: 12,
                    prov_col: 60, id_col: 30}
    sheet.wrap = {prov_col}
    return sheet


def _standard(sheet: Sheet, row: int, std: Any, fmt: str, percent: bool) -> None:
    """The national standard's cell: a figure (at its ``value``, or the value inside
    ``{value, provenance}``), shaded when its value is illustrative; one given by
    ``change`` is computed from the baseline beside it, a formula."""
    if std.change is not None:
        base = ref(row, 6)
        sheet.put(row, 4, Formula(
            f"=ROUND({base}*(1{std.change:+g}/100),6)", fmt,
            std.value / 100 if percent else std.value,
            f"the standard is {std.relative}: change the baseline here, or the "
            f"standard's `change` in {std.loc.file}"))
        return
    own = "value" in {s.name for s in std.sourced}
    target = _target(std.loc, "value", *(("value",) if own else ()), percent=percent)
    sheet.figure(row, 4, std.value, fmt, target,
                 ILLUSTRATIVE if std.value_illustrative else std.provenance_of("value"))


def _standard_provenance(std: Any, cite: Any) -> tuple[tuple[str, str | None], ...]:
    """The standard's provenance in the Provenance column: one, or each part's when
    its parts differ (``standard value: ...; standard wording: ...``)."""
    if std is None:
        return (("standard", None),)
    if not std.split:
        return (("standard", cite(std.provenance)),)
    return tuple((f"standard {TARGET_PARTS[p.name]}"
                  + (" (computed from the illustrative baseline)" if p.computed else ""),
                  cite(p.provenance)) for p in std.parts)


def sentence(text: str) -> str:
    return formatting.sentence_case(text)


def _notes(sheet: Sheet, plan: Plan) -> None:
    """The line under each sheet's title: its sources, and the illustrative mark."""
    sources = {s.id: s for s in plan.system.sources}
    parts = []
    cited = [sources[p] for p in sheet.provenances if p in sources]
    if len(sheet.provenances) > 1 and ILLUSTRATIVE in sheet.provenances:
        # rows of different provenance: each row names its own, none heads them all
        rows = {r for (r, _), _c in sheet.figures()}
        sourced = {r for (r, _), c in sheet.figures() if not c.illustrative}
        sheet.put(NOTE_ROW, 1, Text(
            "Sources differ by row: each row's Provenance column names its own. "
            f"{len(rows - sourced)} of the {len(rows)} rows are illustrative: no source "
            f"gives their figures (shaded); {len(sourced)} cite a source for some or all "
            "of theirs, named in the row.", "note"))
        return
    if cited:
        parts.append("Sources: " + "; ".join(f"{s.title} ({s.published}), `{s.id}`"
                                             for s in cited) + ".")
    if ILLUSTRATIVE in sheet.provenances:
        parts.append(ILLUSTRATIVE_NOTE)
    if parts:
        sheet.put(NOTE_ROW, 1, Text(" ".join(parts), "note"))


def _actuals(plan: Plan) -> Sheet | None:
    """The actuals (actuals.yaml), a row per period of each series written in the file:
    its value, or its numerator and denominator with the value as a formula; None for a
    plan without actuals (no sheet). A system series summed from places is not a sheet
    row: its figures are the places'."""
    actuals = getattr(plan, "actuals", None)
    if actuals is None or not actuals.series:
        return None
    sheet = Sheet("Actuals")
    sheet.put(TITLE_ROW, 1, Text("Actuals: what was delivered, period by period, for "
                                 "delivery tracking against the plan", "title"))
    _header(sheet, ["Series", sentence(plan.terms.place.short), "Period", "Value",
                    "Numerator", "Denominator", "Provenance", "Id"], 4)
    metrics = {m.id: m for m in plan.metrics}
    pods = {p.id: p for p in plan.activity}
    row = FIRST_ROW
    for s in actuals.series:
        metric = metrics.get(s.metric or "")
        unit = str(metric.unit) if metric else str(pods[s.activity].unit) if (
            s.activity in pods) else "number"
        title = metric.title if metric else pods[s.activity].title if (
            s.activity in pods) else s.subject
        where = plan.icp(s.place).name if s.place else plan.system.area
        percent = unit == "percent" and not s.ratio
        if s.ratio:
            counts = number_format("number", [*s.numerator.values(), *s.denominator.values()])
            value_fmt = "0.00"
        else:
            value_fmt = number_format(unit, list(s.values.values()))
        for period in s.periods:
            sheet.put(row, 1, Text(title))
            sheet.put(row, 2, Text(where))
            sheet.put(row, 3, Text(period))
            if s.ratio:
                sheet.figure(row, 5, s.numerator[period], counts,
                             _target(s.loc, "numerator", period), s.provenance)
                sheet.figure(row, 6, s.denominator[period], counts,
                             _target(s.loc, "denominator", period), s.provenance)
                sheet.put(row, 4, Formula(f"={s.per:g}*{ref(row, 5)}/{ref(row, 6)}",
                                          value_fmt, s.values[period]))
            else:
                sheet.figure(row, 4, s.values[period], value_fmt,
                             _target(s.loc, "values", period, percent=percent), s.provenance)
            sheet.put(row, 7, Text(s.provenance))
            sheet.put(row, 8, Text(s.id, "key"))
            row += 1
    sheet.define("Actuals", HEADER_ROW, row - 1, 8)
    sheet.widths = {1: 40, 2: 24, 3: 12, 4: 11, 5: 12, 6: 12, 7: 24, 8: 34}
    return sheet


#: The hand-made data sheets, in workbook order, each from the plan (a sheet function
#: may return None for a part the plan does not have: the actuals), with the entity
#: kinds (``kinds.EntityKind.name``) it shows. Every other kind with series gets a
#: sheet of its own from its declaration (``kind_sheet``), after these.
SHEETS: tuple[tuple[Callable[[Plan], Sheet | None], tuple[str, ...]], ...] = (
    (_allocations, ("allocations", "allocation")), (_trajectory, ("trajectory",)),
    (_efficiency, ("efficiency",)), (_activity, ("activity",)),
    (_workforce, ("workforce", "staff-group")), (_metrics, ("metric",)),
    (_actuals, ("actual-series",)))
#: What Excel refuses in a sheet's name, and its longest.
_NOT_IN_NAMES = re.compile(r"[\[\]:*?/\\]")
_NAME_LENGTH = 31


def declared_sheets() -> tuple[kinds.EntityKind, ...]:
    """The entity kinds with series that no hand-made sheet shows: each gets its own
    sheet, laid out from its declaration (``kind_sheet``)."""
    shown = {name for _make, names in SHEETS for name in names}
    return tuple(k for k in kinds.ENTITY_KINDS if k.series and k.name not in shown)


def sheet_name(kind: kinds.EntityKind, taken: Iterable[str] = ()) -> str:
    """The sheet of a declared kind: its heading, as a sheet may be named, numbered
    when another sheet has that name already (a spreadsheet's names ignore case)."""
    name = " ".join(_NOT_IN_NAMES.sub(" ", kind.heading).split())[:_NAME_LENGTH].strip()
    used = {t.casefold() for t in taken}
    n, found = 2, name
    while found.casefold() in used:
        suffix = f" ({n})"
        found, n = name[:_NAME_LENGTH - len(suffix)].strip() + suffix, n + 1
    return found


def _entity_name(kind: kinds.EntityKind, entity: Any) -> str:
    """An entity in its sheet's first column: its title (or name, label), else its id."""
    return next((str(getattr(entity, a)) for a in ("title", "name", "label")
                 if isinstance(getattr(entity, a, None), str)),
                kinds.id_of(kind, entity) or kind.label)


def kind_sheet(plan: Plan, kind: kinds.EntityKind, taken: Iterable[str] = ()
               ) -> Sheet | None:
    """The sheet of a kind no hand-made sheet shows, from its declaration alone: one row
    per entity and series (the kind's ``series``), a column per year of the plan period;
    headed with the kind's heading and label, each figure in the number format of the
    unit the kind declares for it (``kinds.Figures.unit``), the row's provenance and
    the entity's id beside it (named apart from the sheets ``taken``). None when the
    plan has no entity of the kind."""
    rows = []
    for found, _path, eid, entity in kinds.placed(plan):
        if found is not kind:
            continue
        for path, name in kind.series:
            unit = kinds.resolve_unit(kinds.unit_spec(kind, path), entity, plan)
            for series, key in kinds.keyed_values(entity, path):
                if isinstance(series, Series):
                    measure = name.format(key=key) if name else path.rpartition(".")[2]
                    rows.append((entity, eid, measure or kind.label, series,
                                 series.unit or unit))
    if not rows:
        return None
    sheet = Sheet(sheet_name(kind, taken))
    units = {unit for *_, unit in rows}
    only = next(iter(units)) if len(units) == 1 else None
    label = formatting.unit_label(only) if only else None
    sheet.put(TITLE_ROW, 1, Text(f"{kind.heading} ({label})" if label else kind.heading,
                                 "title"))
    years = _year_columns(plan, 3)
    end = max(years.values())
    unit_col, prov_col, id_col = end + 1, end + 2, end + 3
    _header(sheet, [sentence(kind.label), "Measure", *years, "Unit", "Provenance", "Id"], 3)
    row = FIRST_ROW
    for entity, eid, measure, series, unit in rows:
        fmt = number_format(unit or "number", list(series.values.values()))
        sheet.put(row, 1, Text(_entity_name(kind, entity)))
        sheet.put(row, 2, Text(sentence(measure)))
        for year, col in years.items():
            sheet.figure(row, col, series.get(year), fmt,
                         _target(series.loc, year, percent=unit == "percent"),
                         series.provenance)
        sheet.put(row, unit_col, Text(formatting.unit_label(unit)) if unit else None)
        sheet.put(row, prov_col, Text(series.provenance))
        sheet.put(row, id_col, Text(eid or kind.name, "key"))
        row += 1
    # named for its sheet (a defined name starts with a letter and is no cell's name)
    words = "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", sheet.name))
    sheet.define(f"{'' if words[:1].isalpha() else 'Kind'}{words}Table", HEADER_ROW, row - 1,
                 id_col)
    sheet.widths = {1: 44, 2: 20, **{c: 12 for c in years.values()}, unit_col: 14,
                    prov_col: 22, id_col: 28}
    return sheet


def _cover(plan: Plan, doc: Any, sheets: Sequence[Sheet]) -> Sheet:
    sheet = Sheet("Cover")
    system = plan.system
    figures = [c for s in sheets for _, c in s.figures()]
    illustrative = sum(1 for c in figures if c.illustrative)
    sheet.put(1, 1, Text(doc.title, "title"))
    rows: list[tuple[str, Any]] = [
        ("System", system.name),
        ("Version", doc.version or ""),
        ("Status", formatting.status_label(doc.status)),
        ("Date (illustrative)" if doc.date_illustrative else "Date",
         date.fromisoformat(doc.date) if doc.date else ""),
        ("Plan period", f"{plan.period.first} to {plan.period.last}"),
        ("Money", "£'000 (thousands of pounds) unless a heading says otherwise"),
        ("Illustrative figures",
         f"{illustrative:,} of the {len(figures):,} figures in this workbook are "
         f"illustrative: no source gives them. They are shaded, and their provenance "
         f"says illustrative." if illustrative else
         "None: every figure in this workbook has a source."),
        ("About", f"How the workbook is edited and read back, and every figure as "
                  f"built: the last sheet, {ABOUT_SHEET}."),
    ]
    if doc.draft:
        rows.insert(3, ("Draft", "Contains illustrative figures"
                        + ("; the plan date is illustrative" if doc.date_illustrative else "")))
    row = 3
    for label, value in rows:
        sheet.put(row, 1, Text(label, "header"))
        sheet.put(row, 2, Text(value) if value != "" else None)
        row += 1
    row += 1
    sheet.put(row, 1, Text("Sheet", "header"))
    sheet.put(row, 2, Text("What it holds", "header"))
    row += 1
    for s in sheets:
        title = s.cells[(TITLE_ROW, 1)]
        sheet.put(row, 1, Text(s.name))
        sheet.put(row, 2, Text(title.value if isinstance(title, Text) else ""))
        row += 1
    row += 1
    sheet.put(row, 1, Text("Source", "header"))
    sheet.put(row, 2, Text("Title", "header"))
    sheet.put(row, 3, Text("Published", "header"))
    row += 1
    for source in system.sources:
        sheet.put(row, 1, Text(source.id, "key"))
        sheet.put(row, 2, Text(source.title))
        sheet.put(row, 3, Text(source.published))
        row += 1
    sheet.widths = {1: 30, 2: 100, 3: 16}
    return sheet


def layout(plan: Plan, document: Any) -> list[Sheet]:
    """Every sheet of the document's workbook, the cover first. ``plan`` is the plan
    the document shows, as it stood on the document's date (``documents.Dated``), as
    its other formats are made from."""
    sheets = [sheet for make, _kinds in SHEETS if (sheet := make(plan)) is not None]
    for kind in declared_sheets():
        taken = ["Cover", *BUILT_SHEETS, *(s.name for s in sheets)]
        if (sheet := kind_sheet(plan, kind, taken)) is not None:
            sheets.append(sheet)
    for sheet in sheets:
        _notes(sheet, plan)
    return [_cover(plan, document, sheets), *sheets]


# --- writing ---------------------------------------------------------------------------

#: Columns past a sheet's last left unlocked too, for working beside the tables.
WORKING_COLUMNS = 10
_FILLS = {"header": "#DDEBF7", "illustrative": "#FFF2CC", "formula": "#F2F2F2"}


class _Styles:
    """The workbook's cell formats, one XlsxWriter ``Format`` per distinct style
    (XlsxWriter writes each format it is given, so they are made once and shared)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.made: dict[tuple[tuple[str, Any], ...], Any] = {}

    def __call__(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.made:
            self.made[key] = self.book.add_format({"font_name": "Calibri", "font_size": 11,
                                                   **props})
        return self.made[key]


_FONTS: dict[str, dict[str, Any]] = {
    "title": {"font_size": 14, "bold": True}, "header": {"bold": True},
    "total": {"bold": True}, "note": {"italic": True}, "key": {"font_color": "#595959"},
}


def _fill(name: str) -> dict[str, Any]:
    return {"pattern": 1, "bg_color": _FILLS[name]}


def write(sheets: Sequence[Sheet], title: str, author: str, day: str) -> bytes:
    """The .xlsx bytes of ``sheets``, written with XlsxWriter: each formula with its
    value (the model's), so a reader that does not calculate (pandas, openpyxl's
    ``data_only``, a viewer) reads the same figures as Excel; the same bytes for the
    same sheets and date."""
    import xlsxwriter

    stamp = datetime.fromisoformat(day) if day else datetime(1980, 1, 1)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    style = _Styles(book)
    differs = book.add_format({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        for (row, col), cell in sorted(sheet.cells.items()):
            r, c = row - 1, col - 1
            if isinstance(cell, Figure):
                shade = (_fill("illustrative") | {"italic": True}) if cell.illustrative else {}
                ws.write_number(r, c, cell.cell_value,
                                style(num_format=cell.fmt, locked=False, **shade))
            elif isinstance(cell, Formula):
                ws.write_formula(r, c, cell.formula,
                                 style(num_format=cell.fmt, **_fill("formula")),
                                 _formula_value(cell.expected))
            elif isinstance(cell.value, date):
                ws.write_datetime(r, c, datetime(cell.value.year, cell.value.month,
                                                 cell.value.day),
                                  style(num_format=DATE, align="left", valign="top",
                                        **_FONTS.get(cell.style, {})))
            else:
                props = dict(_FONTS.get(cell.style, {}))
                if cell.style == "header":
                    props |= _fill("header")
                if _wraps(sheet, cell, col):
                    props |= {"text_wrap": True, "valign": "top"}
                ws.write_string(r, c, cell.value, style(**props))
        for (row, col), cell in sorted(sheet.cells.items()):
            if isinstance(cell, Check):  # a total that no longer adds up stands out
                ws.conditional_format(row - 1, col - 1, row - 1, col - 1, {
                    "type": "text", "criteria": "begins with", "value": "differs",
                    "format": differs})
        for row, lines in sorted(_lines(sheet).items()):
            ws.set_row(row - 1, 15 * lines)
        # cells lscplan leaves empty are unlocked, for a working row or column; its
        # formulas, labels and ids are locked
        last = max(c for _, c in sheet.cells) + WORKING_COLUMNS
        for col in range(1, last + 1):
            ws.set_column(col - 1, col - 1, sheet.widths.get(col), style(locked=False))
        if sheet.freeze:
            ws.freeze_panes(sheet.freeze)
            ws.repeat_rows(HEADER_ROW - 1)  # printed: the headings on every page
        # printed: landscape A4, as wide as the page
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.protect("", {"format_cells": True, "format_columns": True,
                        "format_rows": True, "insert_rows": True, "insert_columns": True})
        for name, target in sheet.names.items():
            book.define_name(name, "=" + target)
    _about(book.add_worksheet(ABOUT_SHEET), style, sheets)
    book.set_properties({"title": title, "author": author, "created": stamp})
    book.close()
    return fixed_zip(buffer.getvalue(), stamp)


def _formula_value(expected: Any) -> Any:
    """A formula's value as saved with it: the model's figure (text as text), to the
    15 significant digits a spreadsheet keeps (11.6 / 100 is saved 0.116, as ROUND
    gives it, not 0.11599999999999999)."""
    if isinstance(expected, bool):
        return "TRUE" if expected else "FALSE"
    if isinstance(expected, float):
        return float(f"{expected:.15g}")
    return expected


def _about(ws: Any, style: _Styles, sheets: Sequence[Sheet]) -> None:
    """The About sheet, visible and protected: what the workbook is and how ``import``
    reads it, in plain words, then every figure as built (sheet, cell, value), what
    lets ``import`` tell a figure changed in the workbook from one changed in the plan
    since the build."""
    ws.write_string(0, 0, ABOUT_SHEET, style(**_FONTS["title"]))
    wrap = style(text_wrap=True, valign="top")
    row = 2
    for label, text in ABOUT:
        ws.write_string(row, 0, label, style(**_FONTS["header"], **_fill("header")))
        ws.merge_range(row, 1, row, 2, text, wrap)
        ws.set_row(row, 15 * -(-len(text) // 80))
        row += 1
    row += 1
    header = style(**_FONTS["header"], **_fill("header"))
    for col, text in enumerate(BUILT_HEADINGS):
        ws.write_string(row, col, text, header)
    ws.freeze_panes(row + 1, 0)
    ws.repeat_rows(row)
    for sheet in sheets:
        for (r, c), cell in sheet.figures():
            row += 1
            ws.write_string(row, 0, sheet.name)
            ws.write_string(row, 1, ref(r, c))
            ws.write_number(row, 2, cell.cell_value)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 60)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})


def built_figures(wb: Any) -> dict[tuple[str, str], float | int]:
    """(sheet, cell) -> the figure as built, from a workbook's About sheet (or the very
    hidden sheet of a workbook built before it); empty when it has none or it was
    altered (its rows are then ignored)."""
    name = next((n for n in BUILT_SHEETS if n in wb.sheetnames), None)
    if name is None:
        return {}
    rows = iter(wb[name].iter_rows(values_only=True))
    for found in rows:
        if tuple(found[:3]) == BUILT_HEADINGS:
            break
    else:
        return {}
    out = {}
    for sheet, cell, value, *_ in rows:
        if (not isinstance(sheet, str) or not isinstance(cell, str)
                or not isinstance(value, int | float) or isinstance(value, bool)):
            return {}
        out[(sheet, cell)] = value
    return out


def _wraps(sheet: Sheet, cell: Text, col: int) -> bool:
    """Headings wrap in their column, and so does the cover's text."""
    return (cell.style == "header" or (sheet.name == "Cover" and col == 2)
            or col in sheet.wrap)


def _lines(sheet: Sheet) -> dict[int, int]:
    """The lines each row with wrapped text needs (no spreadsheet sizes rows by itself
    when it opens a file), from its longest text and its column's width."""
    out: dict[int, int] = {}
    for (row, col), cell in sheet.cells.items():
        if isinstance(cell, Text) and isinstance(cell.value, str) and _wraps(sheet, cell, col):
            width = sheet.widths.get(col, 10)
            lines = -(-len(cell.value) // max(int(width * 1.1) - 1, 1))
            out[row] = max(out.get(row, 1), lines)
    return {row: lines for row, lines in out.items() if lines > 1}


def produce(rendered: Rendered) -> Output:
    """The ``Format`` entry: the workbook of ``rendered.document``, made from the plan
    it shows (``rendered.plan``, the plan as of the document's date)."""
    doc, plan = rendered.document, rendered.plan
    return Output(write(layout(plan, doc), doc.title, plan.system.author, doc.date))
