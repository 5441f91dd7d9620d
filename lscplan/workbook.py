"""The workbook: the quantified plan as ``ltp-submission.xlsx``, a spreadsheet finance
can edit and send back (``lscplan import``, ``lscplan.workbook_import``).

``layout(plan, document)`` lays the workbook out as data: a ``Sheet`` per part of the
plan (a cover, then allocations, the financial trajectory, efficiency, activity,
workforce and metrics), each a grid of cells that are one of

- ``Figure``: a number of the plan's sources, with the place in the YAML it comes from
  (``Target``) and whether it is illustrative (shaded, and its row's provenance says
  so): the only cells ``import`` writes back;
- ``Formula``: a total, movement or percentage the model derives, as an Excel formula
  over the figures, with the model's own value beside it (``expected``) so the tests
  can hold the formula to it;
- ``Text``: titles, headings, labels, ids, units and provenance.

``write(sheets, ...)`` turns the layout into the bytes of an .xlsx file with openpyxl,
the same bytes for the same plan (the plan's date is the file's date, inside and on
every zip entry); ``produce`` is the ``Format`` entry (``formats.XLSX``). The
importer lays out the same workbook from the plan as it stands and compares it cell by
cell with the one it is given, so the layout is written once, here.

Years are columns; percentages are stored as fractions with a percent number format
(86.0 in the YAML is 0.86 shown ``86.0%``), money in £'000 like the YAML. The rows come
from the model's entities and series (a place per ``by_icp`` key, a staff group per
group, a metric per metric), so a new staff group, place or metric is a new row with
no change here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from . import formatting
from .formats import Output, Rendered
from .model import ILLUSTRATIVE, STAFFING_TYPES, Plan, Series

FILE_SUFFIX = "xlsx"
ILLUSTRATIVE_NOTE = ("Shaded figures are illustrative: no source gives them "
                     "(their provenance says illustrative).")
EDITING_NOTE = ("Change figures in the white and shaded cells, then run "
                "`lscplan import ltp-submission.xlsx PLAN_DIR` to write them into the "
                "plan's YAML files. Calculated cells (grey), labels, provenance and the "
                "layout are checked and must stay as they are.")
CALCULATED = "calculated"
#: The very hidden sheet that records each figure as built (``built_figures``).
BUILT_SHEET = "lscplan"
BUILT_HEADINGS = ("Sheet", "Cell", "Value as built")

MONEY = "#,##0"
SIGNED_MONEY = "+#,##0;-#,##0;0"
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


def _allocations(plan: Plan) -> Sheet:
    a = plan.finance.allocations
    sheet = Sheet("Allocations")
    title = formatting.with_years(a.title, a.baseline_year, a.allocation_year, ", ")
    sheet.put(TITLE_ROW, 1, Text(f"{title} (£'000)", "title"))
    headings = ["Organisation", f"{a.baseline_label} {a.baseline_year}",
                f"{a.allocation_label} {a.allocation_year}", "Movement (as published)",
                "Increase (as published)", "Movement (calculated)",
                "Increase (calculated)", "Provenance", "Id"]
    _header(sheet, headings, 2)
    percents = [r.published_percent for r in (*a.rows, a.total)]
    pct = number_format("percent", percents)
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
            "baseline": Formula(f"=SUM(B{FIRST_ROW}:B{last})", MONEY, item.baseline),
            "allocation": Formula(f"=SUM(C{FIRST_ROW}:C{last})", MONEY, item.allocation),
            "movement": Formula(f"={c}-{b}", SIGNED_MONEY, item.movement),
            "increase_percent": Formula(f'=IF({b}=0,"",ROUND(({c}-{b})/{b},3))', pct,
                                        "" if percent is None else percent / 100),
        }
        for col, name, yaml_key, fmt in ((2, "baseline", "baseline", MONEY),
                                        (3, "allocation", "allocation", MONEY),
                                        (4, "published_movement", "movement", SIGNED_MONEY),
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
    sheet.put(row, 1, Text(f"Sum of the {len(a.rows)} organisations above", "total"))
    sheet.put(row, 2, Formula(f"=SUM(B{FIRST_ROW}:B{last})", MONEY, a.sum_baseline))
    sheet.put(row, 3, Formula(f"=SUM(C{FIRST_ROW}:C{last})", MONEY, a.sum_allocation))
    sheet.put(row, 8, Text(CALCULATED))
    sheet.define("AllocationsTable", HEADER_ROW, row, len(headings))
    sheet.widths = {1: 44, 2: 18, 3: 18, 4: 16, 5: 14, 6: 16, 7: 14, 8: 22, 9: 30}
    return sheet


def _trajectory(plan: Plan) -> Sheet:
    traj = plan.finance.trajectory
    sheet = Sheet("Finance")
    sheet.put(TITLE_ROW, 1, Text("System financial trajectory (£'000)", "title"))
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
                sheet.figure(row, col, getattr(fy, name), MONEY,
                             _target(traj.loc, year, name), traj.provenance)
        sheet.put(row, last, Text(traj.provenance))
    row = FIRST_ROW + 2
    sheet.put(row, 1, Text("Surplus (deficit): income less expenditure", "total"))
    for year, col in years.items():
        if year in by_year:
            sheet.put(row, col, Formula(f"={ref(FIRST_ROW, col)}-{ref(FIRST_ROW + 1, col)}",
                                        SIGNED_MONEY, by_year[year].surplus))
    sheet.put(row, last, Text(CALCULATED))
    sheet.define("FinancialTrajectory", HEADER_ROW, row, last)
    sheet.widths = {1: 44, **{c: 14 for c in years.values()}, last: 22}
    return sheet


#: The row of the Finance sheet that holds expenditure (Efficiency refers to it).
EXPENDITURE_ROW = FIRST_ROW + 1


def _efficiency(plan: Plan) -> Sheet:
    eff = plan.finance.efficiency
    sheet = Sheet("Efficiency")
    sheet.put(TITLE_ROW, 1, Text("Efficiency savings (£'000) and as a share of expenditure",
                                 "title"))
    years = _year_columns(plan, 2)
    last = max(years.values()) + 1
    _header(sheet, ["Measure", *years, "Provenance"], 2)
    spend = {y.year: y.expenditure for y in plan.finance.trajectory.years}
    row = FIRST_ROW
    sheet.put(row, 1, Text("Efficiency savings"))
    sheet.put(row + 1, 1, Text("Expenditure (from the Finance sheet)"))
    sheet.put(row + 2, 1, Text("Efficiency as a share of expenditure", "total"))
    for year, col in years.items():
        sheet.figure(row, col, eff.get(year), MONEY, _target(eff.loc, year), eff.provenance)
        if year in spend:
            sheet.put(row + 1, col, Formula(f"=Finance!{ref(EXPENDITURE_ROW, col)}", MONEY,
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
        sheet.put(row, 1, Text(pod.title, "total"))
        sheet.put(row, 2, Text(f"System (sum of the {place.short_plural})", "total"))
        _sum_row(sheet, row, years, first, row - 1, pod.system, fmt)
        sheet.put(row, unit_col, Text(formatting.unit_label(pod.unit)))
        sheet.put(row, prov_col, Text(CALCULATED))
        sheet.put(row, id_col, Text(pod.id, "key"))
        row += 1
        if pod.published_system is not None:
            published = pod.published_system
            sheet.put(row, 1, Text(pod.title))
            sheet.put(row, 2, Text("System (as published)"))
            for year, col in years.items():
                sheet.figure(row, col, published.get(year), fmt, _target(published.loc, year),
                             pod.provenance)
            sheet.put(row, unit_col, Text(formatting.unit_label(pod.unit)))
            sheet.put(row, prov_col, Text(pod.provenance))
            sheet.put(row, id_col, Text(pod.id, "key"))
            sheet.put(row, place_col, Text("system", "key"))
            row += 1
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
    fmt = number_format("wte", [v for g in wf.groups
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
    sheet.put(row, 1, Text("All staff groups", "total"))
    sheet.put(row, 2, Text("WTE in post (sum of the staff groups)", "total"))
    _sum_row(sheet, row, years, first, last, wf.total, fmt)
    sheet.put(row, prov_col, Text(CALCULATED))
    row += 1
    if wf.published_total is not None:
        series_row("All staff groups", "WTE in post (as published)", wf.published_total,
                   "total")
    sheet.define("WorkforceInPost", HEADER_ROW, row - 1, id_col)
    with_vacancies = [g for g in wf.groups if g.vacancies is not None]
    if with_vacancies:
        first = row
        for g in with_vacancies:
            vacancy_rows[g.id] = row
            series_row(g.title, "Vacancies (WTE)", g.vacancies, g.id)
        total = wf.total_vacancies
        sheet.put(row, 1, Text("All staff groups", "total"))
        sheet.put(row, 2, Text("Vacancies (sum of the staff groups)", "total"))
        _sum_row(sheet, row, years, first, row - 1, total, fmt)
        sheet.put(row, prov_col, Text(CALCULATED))
        row += 1
        for g in with_vacancies:
            sheet.put(row, 1, Text(g.title))
            sheet.put(row, 2, Text("Vacancy rate (vacancies / (in post + vacancies))"))
            for year, col in years.items():
                rate = g.vacancy_rate(year)
                if g.wte.get(year) is None or g.vacancies.get(year) is None:
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
            sheet.put(row, 1, Text(g.title, "total"))
            sheet.put(row, 2, Text(f"WTE in post ({word})", "total"))
            summed = g.place_sum if attr == "by_place" else g.type_sum
            _sum_row(sheet, row, years, start, row - 1, summed, fmt)
            sheet.put(row, prov_col, Text(CALCULATED))
            sheet.put(row, id_col, Text(g.id, "key"))
            row += 1
        sheet.define(defined, first, row - 1, id_col)
    sheet.widths = {1: 60, 2: 44, **{c: 12 for c in years.values()}, prov_col: 22,
                    id_col: 28}
    return sheet


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
            sheet.figure(row, 4, std.value, fmt, _target(std.loc, "value", percent=percent),
                         std.provenance)
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
        sheet.put(row, prov_col, Text(_provenance_text(
            ("values", m.provenance), ("baseline", m.baseline.provenance),
            ("standard", std.provenance if std else None))))
        sheet.put(row, id_col, Text(m.id, "key"))
        row += 1
    sheet.define("MetricsPlan", HEADER_ROW, row - 1, id_col)
    sheet.widths = {1: 46, 2: 14, 3: 16, 4: 12, 5: 10, 6: 12,
                    **{c: 11 for c in years.values()}, change_col: 14, meets_col: 12,
                    prov_col: 34, id_col: 30}
    return sheet


def sentence(text: str) -> str:
    return formatting.sentence_case(text)


def _notes(sheet: Sheet, plan: Plan) -> None:
    """The line under each sheet's title: its sources, and the illustrative mark."""
    sources = {s.id: s for s in plan.system.sources}
    parts = []
    cited = [sources[p] for p in sheet.provenances if p in sources]
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
    _header(sheet, ["Series", "Place", "Period", "Value", "Numerator", "Denominator",
                    "Provenance", "Id"], 4)
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


#: The data sheets, in workbook order, each from the plan (a sheet function may return
#: None for a part the plan does not have: the actuals).
SHEETS = (_allocations, _trajectory, _efficiency, _activity, _workforce, _metrics, _actuals)


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
        ("Date", date.fromisoformat(doc.date) if doc.date else ""),
        ("Plan period", f"{plan.period.first} to {plan.period.last}"),
        ("Money", "£'000 (thousands of pounds) unless a heading says otherwise"),
        ("Illustrative figures",
         f"{illustrative:,} of the {len(figures):,} figures in this workbook are "
         f"illustrative: no source gives them. They are shaded, and their provenance "
         f"says illustrative." if illustrative else
         "None: every figure in this workbook has a source."),
        ("Editing", EDITING_NOTE),
    ]
    if doc.draft:
        rows.insert(3, ("Draft", "Draft: contains illustrative figures"))
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
    """Every sheet of the document's workbook, the cover first. The plan is taken as it
    stood on the document's date, as the document's other formats are."""
    plan = plan.as_of(document.date) if document.date else plan
    sheets = [sheet for make in SHEETS if (sheet := make(plan)) is not None]
    for sheet in sheets:
        _notes(sheet, plan)
    return [_cover(plan, document, sheets), *sheets]


# --- writing ---------------------------------------------------------------------------

_FILLS = {"header": "DDEBF7", "illustrative": "FFF2CC", "formula": "F2F2F2"}


def write(sheets: Sequence[Sheet], title: str, author: str, day: str) -> bytes:
    """The .xlsx bytes of ``sheets``: the same bytes for the same sheets and date."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    wb.remove(wb.active)
    fills = {k: PatternFill("solid", fgColor=v) for k, v in _FILLS.items()}
    face = {"name": "Calibri", "size": 11}
    fonts = {"title": Font(**{**face, "size": 14}, bold=True),
             "header": Font(**face, bold=True), "total": Font(**face, bold=True),
             "note": Font(**face, italic=True), "key": Font(**face, color="595959"),
             "illustrative": Font(**face, italic=True)}
    unlocked = Protection(locked=False)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for (row, col), cell in sorted(sheet.cells.items()):
            xc = ws.cell(row, col)
            if isinstance(cell, Figure):
                xc.value = cell.cell_value
                xc.number_format = cell.fmt
                xc.protection = unlocked
                if cell.illustrative:
                    xc.fill, xc.font = fills["illustrative"], fonts["illustrative"]
            elif isinstance(cell, Formula):
                xc.value = cell.formula
                xc.number_format = cell.fmt
                xc.fill = fills["formula"]
            else:
                xc.value = cell.value
                if cell.style in fonts:
                    xc.font = fonts[cell.style]
                if cell.style == "header":
                    xc.fill = fills["header"]
                if isinstance(cell.value, date):
                    xc.number_format = DATE
                    xc.alignment = Alignment(horizontal="left", vertical="top")
                elif _wraps(sheet, cell, col):
                    xc.alignment = Alignment(wrap_text=True, vertical="top")
        for row, lines in sorted(_lines(sheet).items()):
            ws.row_dimensions[row].height = 15 * lines
        for col, width in sorted(sheet.widths.items()):
            ws.column_dimensions[letter(col)].width = width
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze
        # printed: landscape, as wide as the page, the headings on every page
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        if sheet.freeze:
            ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        ws.protection.formatCells = False
        for name, target in sheet.names.items():
            wb.defined_names[name] = DefinedName(name, attr_text=target)
    _built_sheet(wb.create_sheet(BUILT_SHEET), sheets)
    stamp = datetime.fromisoformat(day) if day else datetime(1980, 1, 1)
    wb.properties.title = title
    wb.properties.creator = author
    wb.properties.lastModifiedBy = author
    wb.properties.created = wb.properties.modified = stamp
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()  # closes the archive; unlike save(), keeps our dates
    return _fixed_zip(buffer.getvalue(), stamp)


def _built_sheet(ws: Any, sheets: Sequence[Sheet]) -> None:
    """The hidden sheet of every figure as built (sheet, cell, value): what lets
    ``import`` tell a figure changed in the workbook from one changed in the plan
    since the build."""
    ws.sheet_state = "veryHidden"
    ws.append(list(BUILT_HEADINGS))
    for sheet in sheets:
        for (row, col), cell in sheet.figures():
            ws.append([sheet.name, ref(row, col), cell.cell_value])


def built_figures(wb: Any) -> dict[tuple[str, str], float | int]:
    """(sheet, cell) -> the figure as built, from a workbook's hidden sheet; empty when
    it has none or it was altered (its rows are then ignored)."""
    if BUILT_SHEET not in wb.sheetnames:
        return {}
    rows = list(wb[BUILT_SHEET].iter_rows(values_only=True))
    if not rows or tuple(rows[0][:3]) != BUILT_HEADINGS:
        return {}
    out = {}
    for sheet, cell, value, *_ in rows[1:]:
        if (not isinstance(sheet, str) or not isinstance(cell, str)
                or not isinstance(value, int | float) or isinstance(value, bool)):
            return {}
        out[(sheet, cell)] = value
    return out


def _wraps(sheet: Sheet, cell: Text, col: int) -> bool:
    """Headings wrap in their column, and so does the cover's text."""
    return cell.style == "header" or (sheet.name == "Cover" and col == 2)


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


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The archive again, every entry dated ``stamp`` (zip entries otherwise carry the
    time they were written)."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def produce(rendered: Rendered) -> Output:
    """The ``Format`` entry: the workbook of ``rendered.document``, made from the plan."""
    doc, plan = rendered.document, rendered.plan
    return Output(write(layout(plan, doc), doc.title, plan.system.author, doc.date))
