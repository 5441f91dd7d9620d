"""The actuals (actuals.yaml) in the model: periods, ratios summed from places, and the
plan at a date holding only the months up to it."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import edit

from lscplan.actuals import financial_year, last_month, period_index, period_of
from lscplan.pipeline import check
from lscplan.resources import bundled_plan_dir


def test_periods() -> None:
    assert period_index("2016-04") == 2016 * 12 + 3
    assert period_of(period_index("2016-12") + 1) == "2017-01"
    assert period_index("2016-4") is None and period_index("2016-13") is None
    assert period_index("2019/20 Q1", "quarterly") == 2019 * 4
    assert period_index("2019/21 Q1", "quarterly") is None
    assert period_of(2019 * 4 + 3, "quarterly") == "2019/20 Q4"
    assert last_month("2019/20 Q1", "quarterly") == "2019-06"
    assert last_month("2019/20 Q4", "quarterly") == "2020-03"
    assert financial_year("2019-03") == "2018/19" and financial_year("2019-04") == "2019/20"
    assert financial_year("2019/20 Q4", "quarterly") == "2019/20"


def test_system_series_is_a_ratio_of_sums(small_plan: Path) -> None:
    plan = check(small_plan).plan
    series = {s.id: s for s in plan.actuals.all}
    north, south = series["ae-four-hour/north-place"], series["ae-four-hour/south-place"]
    system = series["ae-four-hour"]
    assert system.derived and system.place is None and system.ratio
    for p in system.periods:
        num = north.numerator[p] + south.numerator[p]
        den = north.denominator[p] + south.denominator[p]
        assert system.values[p] == pytest.approx(100 * num / den)
    # not the mean of the places' percentages
    p = system.periods[0]
    assert system.values[p] != pytest.approx((north.values[p] + south.values[p]) / 2)
    # the system series comes before its places'; the derived one is no entity of its own
    assert [s.id for s in plan.actuals.all][:3] == [
        "ae-four-hour", "ae-four-hour/north-place", "ae-four-hour/south-place"]
    assert "ae-four-hour" not in {s.id for s in plan.actuals.series}


def test_a_document_dated_before_a_month_holds_nothing_of_it(small_plan: Path) -> None:
    plan = check(small_plan).plan
    assert plan.actuals.last_period_month == "2019-09"
    earlier = plan.as_of("2018-09-30").actuals
    for s in earlier.all:
        assert s.periods and all(last_month(p, s.frequency) <= "2018-09" for p in s.periods)
    quarterly = next(s for s in earlier.all if s.frequency == "quarterly")
    assert quarterly.periods[-1] == "2018/19 Q2"
    # the month of the date is in; the actuals are dated by their months, not their source
    assert plan.as_of("2018-09-01").actuals.last_period_month == "2018-09"
    assert plan.as_of("2030-01-01").actuals == plan.actuals


def test_actuals_are_optional(small_plan: Path) -> None:
    (small_plan / "actuals.yaml").unlink()
    checked = check(small_plan)
    assert checked.report.errors == [] and checked.plan.actuals is None
    assert checked.plan.as_of("2019-01-01").actuals is None


def test_illustrative_actuals_are_counted(small_plan: Path) -> None:
    plan = check(small_plan).plan
    counted = {what: n for file, what, n, _loc in plan.illustrative_figures()
               if file == "actuals.yaml"}
    assert counted["actuals: ae-four-hour/north-place"] == 24
    assert counted["actuals: ambulance-response"] == 10


def test_a_rebase_after_the_date_is_left_out(small_plan: Path) -> None:
    edit(small_plan / "actuals.yaml", "    frequency: quarterly",
         "    rebase: [\"2019/20 Q1\"]\n    frequency: quarterly")
    plan = check(small_plan).plan
    amb = next(s for s in plan.actuals.all if s.id == "ambulance-response")
    assert amb.rebase == ("2019/20 Q1",)
    assert next(s for s in plan.as_of("2019-03-31").actuals.all
                if s.id == "ambulance-response").rebase == ()


# --- the bundled plan's real A&E actuals ---------------------------------------------

DATA = Path(__file__).parent / "data" / "ae-attendances-lsc.csv"
TOOL = Path(__file__).parent.parent / "tools" / "ae_actuals.py"


def _csv_months() -> dict[str, dict[str, tuple[int, int]]]:
    """place -> month -> (attendances - breaches, attendances), summed over department
    types, straight from the CSV (tests/data: the four trusts' rows of NHS England's
    A&E statistics, as tools/ae_actuals.py --extract writes them)."""
    places = {"RXN": "central-lancashire", "RXR": "pennine-lancashire",
              "RXL": "fylde-coast", "RTX": "morecambe-bay"}
    out: dict[str, dict[str, list[int]]] = {}
    with DATA.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            cell = out.setdefault(places[row["org_code"]], {}).setdefault(row["period"], [0, 0])
            cell[0] += int(row["attendances"]) - int(row["breaches"])
            cell[1] += int(row["attendances"])
    return {p: {m: (a, b) for m, (a, b) in months.items()} for p, months in out.items()}


def test_the_bundled_ae_actuals_are_nhs_englands_figures() -> None:
    plan = check(bundled_plan_dir()).plan
    expected = _csv_months()
    series = {s.id: s for s in plan.actuals.all if s.metric == "ae-four-hour"}
    assert set(series) == {"ae-four-hour", *(f"ae-four-hour/{p}" for p in expected)}
    for place, months in expected.items():
        s = series[f"ae-four-hour/{place}"]
        assert len(months) == 36 and s.provenance == "nhse-ae-statistics"
        assert {m: (s.numerator[m], s.denominator[m]) for m in s.periods} == months
    system = series["ae-four-hour"]
    assert system.derived and system.periods[0] == "2016-04" and system.periods[-1] == "2019-03"
    # the four trusts together, year by year, as the data's README gives them
    for fy, published in (("2016", 84.99), ("2017", 84.07), ("2018", 83.34)):
        year = [m for m in system.periods if financial_year(m).startswith(fy)]
        num = sum(system.numerator[m] for m in year)
        den = sum(system.denominator[m] for m in year)
        assert round(100 * num / den, 2) == published
    metric = plan.metric("ae-four-hour")
    assert metric.baseline.value == 83.3 == round(100 * num / den, 1)
    assert metric.baseline.provenance == "nhse-ae-statistics"
    assert plan.source("nhse-ae-statistics").date == "2019-04-11"


def test_the_tool_reproduces_the_bundled_actuals() -> None:
    made = subprocess.run([sys.executable, str(TOOL), str(DATA)], capture_output=True,
                          text=True, check=True, timeout=600).stdout
    assert made == (bundled_plan_dir() / "actuals.yaml").read_text(encoding="utf-8")
