"""lscplan.spc: XmR limits, special-cause rules, point types and icons.

Hand-worked cases here; the agreement with NHSRplotthedots on real and synthetic series
is checked against the fixtures in tests/spc/ (computed by R, see tests/spc/README.md).
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lscplan import spc


def months(n: int, start: int = 2016) -> list[str]:
    return [f"{start + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(n)]


def test_limits_are_mean_plus_minus_2_66_mean_moving_range() -> None:
    values = [10.0, 12.0, 11.0, 13.0, 12.0, 10.0, 11.0, 12.0, 11.0, 13.0, 12.0, 11.0]
    result = spc.xmr(months(12), values, direction="increase")
    mean = sum(values) / 12
    amr = sum(abs(b - a) for a, b in pairwise(values)) / 11
    first = result.points[0]
    assert first.mean == pytest.approx(mean, abs=1e-12)
    assert first.upl == pytest.approx(mean + 2.66 * amr, abs=1e-12)
    assert first.lpl == pytest.approx(mean - 2.66 * amr, abs=1e-12)
    assert result.variation == "common_cause"
    assert result.assurance is None


def test_outlying_moving_ranges_are_screened() -> None:
    values = [10.0, 11.0] * 6 + [40.0, 11.0]
    result = spc.xmr(months(14), values, direction="increase")
    ranges = [abs(b - a) for a, b in pairwise(values)]
    amr = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * amr]
    assert len(kept) == len(ranges) - 2
    assert result.points[0].upl == pytest.approx(sum(values) / 14 + 2.66 * sum(kept) / len(kept))
    assert result.points[12].special_cause == "above_upl"


def test_point_types_and_icons_follow_the_direction() -> None:
    values = [10.0, 11.0] * 6 + [1.0]
    up = spc.xmr(months(13), values, direction="increase", target=5.0)
    down = spc.xmr(months(13), values, direction="decrease", target=5.0)
    flat = spc.xmr(months(13), values, direction="neutral", target=5.0)
    assert [r.points[-1].special_cause for r in (up, down, flat)] == ["below_lpl"] * 3
    assert (up.points[-1].point_type, up.variation) == ("concern", "concern_low")
    assert (down.points[-1].point_type, down.variation) == ("improvement", "improvement_low")
    assert (flat.points[-1].point_type, flat.variation) == ("neutral_low", "neutral_low")
    assert flat.assurance is None


def test_rebase_recalculates_and_fix_after_freezes() -> None:
    values = [float(v) for v in [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 20, 21, 20, 22, 21, 20]]
    periods = months(18)
    rebased = spc.xmr(periods, values, direction="increase", rebase=[periods[12]])
    assert rebased.points[0].mean == pytest.approx(sum(values[:12]) / 12)
    assert rebased.points[12].mean == pytest.approx(sum(values[12:]) / 6)
    fixed = spc.xmr(periods, values, direction="increase", fix_after=12)
    assert {p.mean for p in fixed.points} == {rebased.points[0].mean}
    assert fixed.points[-1].special_cause == "above_upl"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fix_after": 11}, "fix_after must be a whole number of at least 12"),
        ({"rebase": ["2030-01"]}, "rebase period '2030-01' is not in the series"),
        ({"direction": "up"}, "direction must be one of"),
    ],
)
def test_refused_input_is_a_value_error(kwargs: dict, message: str) -> None:
    args = {"direction": "increase", **kwargs}
    with pytest.raises(ValueError, match=message):
        spc.xmr(months(14), [float(i % 3) for i in range(14)], **args)


def test_too_few_points_or_no_variation_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="fewer than the 2"):
        spc.xmr(["2016-04"], [1.0], direction="increase")
    with pytest.raises(ValueError, match="do not vary"):
        spc.xmr(months(3), [1.0, 1.0, 1.0], direction="increase")


# ---- agreement with NHSRplotthedots (fixtures computed by tests/spc/reference.R) ------

FIXTURES = Path(__file__).parent / "spc"
#: NHSRplotthedots' names for what lscplan.spc names (its special_cause_type labels,
#: point_type values, icon files and assurance_type values).
R_SPECIAL_CAUSE = {
    "Common Cause": "common_cause",
    "Above UCL": "above_upl",
    "Below LCL": "below_lpl",
    "7 Point Trend (Increasing)": "trend_increasing",
    "7 Point Trend (Decreasing)": "trend_decreasing",
    "2 in 3 Above CL": "two_in_three_above",
    "2 in 3 Below CL": "two_in_three_below",
    "7 Points Above CL": "run_above",
    "7 Points Below CL": "run_below",
}
R_POINT_TYPE = {
    "common_cause": "common_cause",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "neutral_high",
    "special_cause_neutral_low": "neutral_low",
}
R_ASSURANCE = {"consistent_pass": "pass", "consistent_fail": "fail",
               "inconsistent": "inconsistent", None: None}
R_ASSURANCE_ICON = {"icons/assurance/pass.svg": "pass", "icons/assurance/fail.svg": "fail",
                    "icons/assurance/inconsistent.svg": "inconsistent", None: None}


def _variation_icon(path: str) -> str:
    """``icons/variation/concern_low.svg`` -> ``concern_low``."""
    return path.removeprefix("icons/variation/").removesuffix(".svg")


def _reference_series() -> list[dict]:
    return [s for name in ("ae.json", "synthetic.json")
            for s in json.loads((FIXTURES / name).read_text(encoding="utf-8"))["series"]]


REFERENCE = _reference_series()


def test_the_fixtures_cover_every_rule_and_icon() -> None:
    causes = {R_SPECIAL_CAUSE[c] for s in REFERENCE for c in s["special_cause_type"]}
    types = {R_POINT_TYPE[t] for s in REFERENCE for t in s["point_type"]}
    variations = {_variation_icon(s["variation_icon"]) for s in REFERENCE}
    assurances = {R_ASSURANCE[s["assurance_type"]] for s in REFERENCE}
    assert causes == set(spc.SPECIAL_CAUSES)
    assert types == set(spc.POINT_TYPES)
    assert variations == set(spc.VARIATIONS)
    assert assurances == {*spc.ASSURANCES, None}
    names = {s["name"] for s in REFERENCE}
    assert {"ae-system", "ae-rxn", "ae-rxr", "ae-rxl", "ae-rtx"} <= names
    assert any(s["rebase"] for s in REFERENCE) and any(s["fix_after"] for s in REFERENCE)


@pytest.mark.parametrize("series", REFERENCE, ids=[s["name"] for s in REFERENCE])
def test_agrees_with_nhsrplotthedots(series: dict) -> None:
    result = spc.xmr(series["periods"], series["values"], direction=series["direction"],
                     target=series["target"], rebase=series["rebase"],
                     fix_after=series["fix_after"])
    assert [p.period for p in result.points] == series["periods"]
    for i, point in enumerate(result.points):
        where = f"{series['name']} {point.period}"
        assert point.value == series["values"][i], where
        assert point.mean == pytest.approx(series["mean"][i], abs=1e-9, rel=0), where
        assert point.lpl == pytest.approx(series["lpl"][i], abs=1e-9, rel=0), where
        assert point.upl == pytest.approx(series["upl"][i], abs=1e-9, rel=0), where
        assert point.special_cause == R_SPECIAL_CAUSE[series["special_cause_type"][i]], where
        assert point.point_type == R_POINT_TYPE[series["point_type"][i]], where
    assert result.variation == _variation_icon(series["variation_icon"])
    assert result.assurance == R_ASSURANCE[series["assurance_type"]]
    assert result.assurance == R_ASSURANCE_ICON[series["assurance_icon"]]


# ---- properties ------------------------------------------------------------------------

values_strategy = st.lists(
    st.one_of(st.integers(0, 20).map(float),
              st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)),
    min_size=2, max_size=40,
).filter(lambda vs: len(set(vs)) > 1)
BOUNDED = settings(max_examples=150, deadline=None, derandomize=True)


@BOUNDED
@given(values=values_strategy, direction=st.sampled_from(spc.DIRECTIONS))
def test_properties_of_any_series(values: list[float], direction: str) -> None:
    periods = [f"p{i:03d}" for i in range(len(values))]
    result = spc.xmr(periods, values, direction=direction)
    for p in result.points:
        assert p.lpl <= p.mean <= p.upl
        assert (p.special_cause == "above_upl") == (p.value > p.upl)
        assert (p.special_cause == "below_lpl") == (p.value < p.lpl)
        assert p.special_cause in spc.SPECIAL_CAUSES and p.point_type in spc.POINT_TYPES
        if direction == "neutral":
            assert p.point_type not in ("improvement", "concern")
        else:
            assert not p.point_type.startswith("neutral")
    assert result.variation in spc.VARIATIONS
    # a rebase at the first period, or limits fixed after all the points, change nothing
    assert spc.xmr(periods, values, direction=direction, rebase=[periods[0]]) == result
    if len(values) >= 12:
        assert spc.xmr(periods, values, direction=direction, fix_after=len(values)) == result


@BOUNDED
@given(values=values_strategy, target=st.floats(-1e3, 1e3))
def test_the_other_direction_swaps_improvement_and_concern(values: list[float],
                                                          target: float) -> None:
    periods = [f"p{i:03d}" for i in range(len(values))]
    up = spc.xmr(periods, values, direction="increase", target=target)
    down = spc.xmr(periods, values, direction="decrease", target=target)
    swap = {"improvement": "concern", "concern": "improvement", "common_cause": "common_cause"}
    assert [swap[p.point_type] for p in up.points] == [p.point_type for p in down.points]
    assert {"pass": "fail", "fail": "pass", "inconsistent": "inconsistent"}[
        up.assurance] == down.assurance


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), None, "1", True])
def test_values_must_be_finite_numbers(bad: object) -> None:
    values = [1.0, 2.0, bad, 3.0]
    assert spc.problems_with(months(4), values, direction="increase") == [
        "every value must be a finite number"]
    with pytest.raises(ValueError, match="the target must be a finite number"):
        spc.xmr(months(3), [1.0, 2.0, 1.5], direction="increase", target=float("nan"))
