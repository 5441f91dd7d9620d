"""lscplan.spc: XmR limits, special-cause rules, point types and icons.

Hand-worked cases here; the agreement with NHSRplotthedots on real and synthetic series
is checked against the fixtures in tests/spc/ (computed by R, see tests/spc/README.md).
"""

from __future__ import annotations

from itertools import pairwise

import pytest

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
