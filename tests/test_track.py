"""lscplan track: every series of actuals tracked against the plan (the track stage and
the command through its real entry point), its json output valid against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import edit

from lscplan import spc
from lscplan.pipeline import check
from lscplan.resources import bundled_plan_dir, schemas_dir
from lscplan.track import track_plan

SCHEMA = json.loads((schemas_dir() / "track-output.schema.json").read_text(encoding="utf-8"))


def validate(payload: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)


@pytest.fixture(scope="module")
def starter_plan():
    from lscplan.resources import starter_dir
    return check(starter_dir()).plan


@pytest.fixture(scope="module")
def bundled():
    return check(bundled_plan_dir()).plan


def test_every_series_is_tracked_with_its_plan_for_the_year(starter_plan) -> None:
    tracking = track_plan(starter_plan)
    assert tracking.as_of == "2019-09"
    ids = [t.series.id for t in tracking.series]
    assert ids == ["ae-four-hour", "ae-four-hour/north-place", "ae-four-hour/south-place",
                   "ambulance-response", "ae-attendances/north-place"]
    ae = tracking.series[0]
    # the latest point is in 2019/20: the plan's own figure for that year is the target
    assert (ae.year, ae.planned, ae.target, ae.target_kind) == ("2019/20", 87.0, 87.0, "plan")
    assert ae.national == 95 and ae.direction == "increase"
    amb = tracking.series[3]
    assert amb.direction == "decrease" and amb.latest.period == "2019/20 Q2"
    assert amb.target == 27 and amb.spc.assurance is not None
    activity = tracking.series[4]
    assert activity.direction == "neutral" and activity.target is None
    assert activity.spc.assurance is None
    assert activity.planned == pytest.approx(60000 / 12)  # the year's plan, a month's share
    payload = tracking.as_json()
    validate(payload)
    assert payload["series"][4]["metric"] is None
    assert payload["series"][4]["activity"] == "ae-attendances"


def test_the_statistics_are_spcs_on_the_series(starter_plan) -> None:
    t = track_plan(starter_plan).series[1]
    s = t.series
    expected = spc.xmr(list(s.values), list(s.values.values()), direction="increase",
                       target=87.0)
    assert t.spc == expected


def test_as_of_computes_limits_from_the_points_up_to_then(bundled) -> None:
    full = {t.series.id: t for t in track_plan(bundled).series}
    then = {t.series.id: t for t in track_plan(bundled, "2018-09").series}
    assert set(then) == set(full)
    for sid, t in then.items():
        assert t.latest.period == "2018-09"
        assert [p.period for p in t.spc.points] == [p.period for p in full[sid].spc.points][:30]
        values = [p.value for p in t.spc.points]
        assert t.spc == spc.xmr([p.period for p in t.spc.points], values,
                                direction="increase", target=95)
    # limits computed from 30 points, not 36
    assert then["ae-four-hour"].latest.upl != full["ae-four-hour"].latest.upl


def test_the_bundled_ae_series_before_the_plan_period_face_the_national_standard(
        bundled) -> None:
    tracking = track_plan(bundled)
    assert tracking.as_of == "2019-03"
    for t in tracking.series:
        assert (t.year, t.planned, t.target, t.target_kind) == (
            "2018/19", None, 95, "national")
        assert t.spc.assurance == "fail"  # every limit below 95%
    system = tracking.series[0]
    assert system.series.id == "ae-four-hour" and system.series.derived
    assert round(system.latest.value, 2) == 82.90  # 1 - breaches / attendances, March 2019


def test_a_rebase_too_near_the_date_waits(small_plan: Path) -> None:
    edit(small_plan / "actuals.yaml", "    frequency: quarterly",
         "    rebase: [\"2018/19 Q4\"]\n    frequency: quarterly")
    checked = check(small_plan)
    assert not checked.report.errors
    plan = checked.plan
    amb = {t.series.id: t for t in track_plan(plan, "2019-03").series}["ambulance-response"]
    # as of March 2019 the rebase has one point: the limits run on unrebased
    assert amb.latest.period == "2018/19 Q4"
    assert len({(p.mean, p.upl) for p in amb.spc.points}) == 1
    amb = {t.series.id: t for t in track_plan(plan).series}["ambulance-response"]
    assert len({(p.mean, p.upl) for p in amb.spc.points}) == 2


# --- the command -----------------------------------------------------------------------


def test_track_json_through_the_entry_point(cli, small_plan: Path) -> None:
    result = cli("track", small_plan, "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    payload = json.loads(result.stdout)
    validate(payload)
    assert payload["as_of"] == "2019-09" and len(payload["series"]) == 5
    first = payload["series"][0]
    assert (first["metric"], first["place"], first["direction"], first["target"]) == (
        "ae-four-hour", None, "increase", 87.0)
    assert set(first["points"][0]) == {"period", "value", "mean", "lpl", "upl",
                                       "special_cause", "point_type"}


def test_track_as_of_and_formats(cli, small_plan: Path) -> None:
    result = cli("track", small_plan, "--as-of", "2018-09", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2018-09"
    assert all(p["period"] <= "2018-09" or "Q" in p["period"]
               for s in payload["series"] for p in s["points"])
    text = cli("track", small_plan, "--as-of", "2018-09").stdout
    assert "as of Sep 2018: process limits computed from the points up to Sep 2018" in text
    assert "A&E four-hour standard" in text and "North Place" in text
    md = cli("track", small_plan, "--format", "markdown").stdout
    assert "| series | place | latest | plan for the year | variation | assurance |" in md
    assert "| A&E attendances | North Place |" in md


def test_fail_on_concern(cli, bundled_plan: Path, small_plan: Path) -> None:
    # Central Lancashire's four-hour standard: its latest points below the lower limit
    result = cli("track", bundled_plan, "--fail-on", "concern")
    assert result.code == 1
    assert "concern (low)" in result.stdout
    assert cli("track", bundled_plan).code == 0
    assert cli("track", small_plan, "--fail-on", "concern").code == 0


def test_a_plan_with_errors_exits_1_with_its_diagnostics(cli, small_plan: Path) -> None:
    edit(small_plan / "actuals.yaml", "    frequency: q",
         "    fix_after: 6\n    frequency: q")
    result = cli("track", small_plan, "--format", "json")
    assert result.code == 1
    report = json.loads(result.stdout)  # as check --format json prints it
    assert not report["ok"]
    (found,) = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert (found["rule"], found["file"], found["line"]) == (
        "actuals-fix-after", "actuals.yaml", 118)
    result = cli("track", small_plan)
    assert result.code == 1 and "actuals.yaml:118:" in result.stdout


def test_usage_errors_exit_2(cli, small_plan: Path, tmp_path: Path) -> None:
    result = cli("track", small_plan, "--as-of", "2018-9")
    assert result.code == 2 and "not a month like 2018-09" in result.stderr
    assert cli("track", tmp_path / "nowhere").code == 2
    assert cli("track", small_plan, "--fail-on", "improvement").code == 2


def test_a_plan_without_actuals(cli, small_plan: Path) -> None:
    (small_plan / "actuals.yaml").unlink()
    result = cli("track", small_plan, "--format", "json")
    assert result.code == 0 and json.loads(result.stdout) == {"as_of": None, "series": []}
    assert "No actuals" in cli("track", small_plan).stdout


# --- agreement with NHSRplotthedots on the real A&E series -------------------------------

#: tests/spc/ae.json: what NHSRplotthedots computes for the real A&E series (see
#: tests/spc/README.md for how, once, with R); the series' names by place.
REFERENCE_OF = {None: "ae-system", "central-lancashire": "ae-rxn",
                "pennine-lancashire": "ae-rxr", "fylde-coast": "ae-rxl",
                "morecambe-bay": "ae-rtx"}


def _agrees(payload: dict, suffix: str) -> None:
    from test_spc import R_ASSURANCE, R_POINT_TYPE, R_SPECIAL_CAUSE, _variation_icon

    reference = {s["name"]: s for s in json.loads(
        (Path(__file__).parent / "spc" / "ae.json").read_text(encoding="utf-8"))["series"]}
    assert [s["place"] for s in payload["series"]] == list(REFERENCE_OF)
    for s in payload["series"]:
        ref = reference[REFERENCE_OF[s["place"]] + suffix]
        assert [p["period"] for p in s["points"]] == ref["periods"]
        assert s["target"] == ref["target"] and s["direction"] == ref["direction"]
        for i, p in enumerate(s["points"]):
            where = f"{s['place']} {p['period']}"
            # the values: 100 x seen / attended here, (1 - breaches / attended) x 100 there
            assert p["value"] == pytest.approx(ref["values"][i], abs=1e-12, rel=0), where
            for name in ("mean", "lpl", "upl"):
                assert p[name] == pytest.approx(ref[name][i], abs=1e-9, rel=0), where
            assert p["special_cause"] == R_SPECIAL_CAUSE[ref["special_cause_type"][i]], where
            assert p["point_type"] == R_POINT_TYPE[ref["point_type"][i]], where
        assert s["variation"] == _variation_icon(ref["variation_icon"])
        assert s["assurance"] == R_ASSURANCE[ref["assurance_type"]]


def test_track_agrees_with_nhsrplotthedots_on_the_real_ae_series(cli, bundled_plan) -> None:
    result = cli("track", bundled_plan, "--format", "json")
    assert result.code == 0, result.stderr
    _agrees(json.loads(result.stdout), "")


def test_track_agrees_with_nhsrplotthedots_rebased_and_fixed(cli, bundled_plan) -> None:
    # each place rebased at April 2018, its limits fixed after 12 points (the system's,
    # summed from the places, takes the rebase and fixed limits they share)
    # and, as the reference does, a target of 76% (the limits then lie above it: pass)
    edit(bundled_plan / "metrics.yaml", "        value: 95\n        text: 95% within four",
         "        value: 76\n        text: 95% within four")
    path = bundled_plan / "actuals.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    provenance: nhse-ae-statistics\n",
        "    provenance: nhse-ae-statistics\n    rebase: [\"2018-04\"]\n    fix_after: 12\n")
    path.write_text(text, encoding="utf-8")
    result = cli("track", bundled_plan, "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    _agrees(json.loads(result.stdout), "-rebased-fixed")
