"""chartcache: a chart drawn once is read back by content in later builds, and a
cache that cannot be used only means the chart is drawn."""

from __future__ import annotations

import pytest

from lscplan import chartcache, charts

YEARS = ("2019/20", "2020/21")
LINES = (charts.Line("Beds", (10.0, 12.0)),)


@pytest.fixture(autouse=True)
def forgotten():
    """No chart is in memory from an earlier test."""
    chartcache.forget()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / chartcache.FOLDER


def test_a_chart_is_drawn_once_then_read_back(cache, monkeypatch):
    drawn = chartcache.svg("trajectory_chart", "c-1", "Beds", YEARS, LINES, "number", "D.")
    assert drawn == charts.trajectory_chart("c-1", "Beds", YEARS, LINES, "number", "D.")
    assert len(list(cache.glob("*.svg"))) == 1

    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "trajectory_chart", no_drawing)
    again = chartcache.svg("trajectory_chart", "c-1", "Beds", YEARS, LINES, "number", "D.")
    assert again == drawn  # from memory
    chartcache.forget()
    again = chartcache.svg("trajectory_chart", "c-1", "Beds", YEARS, LINES, "number", "D.")
    assert again == drawn  # from the cache folder
    with pytest.raises(AssertionError, match="drawn again"):  # other content, other key
        chartcache.svg("trajectory_chart", "c-1", "Beds", YEARS, LINES, "number", "E.")


def test_the_key_is_the_whole_call():
    base = chartcache.key("bar_chart", ("c", "T", ("a",), (1,), "wte", "D."), {})
    assert base == chartcache.key("bar_chart", ("c", "T", ("a",), (1,), "wte", "D."), {})
    assert base != chartcache.key("bar_chart", ("c", "T", ("a",), (1.5,), "wte", "D."), {})
    assert base != chartcache.key("bar_chart", ("c", "T", ("a",), (1,), "wte", "D."),
                                  {"illustrative": True})


def test_an_unusable_cache_still_draws(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(blocker))
    svg = chartcache.svg("bar_chart", "c-2", "T", ("a", "b"), (1, 2), "wte", "D.")
    assert svg.startswith("<svg ")


def test_missing_collects_the_charts_to_draw_elsewhere(cache, monkeypatch):
    args = ("c-3", "T", ("a", "b"), (1, 2), "wte", "D.")
    with chartcache.missing() as missing:
        placeholder = chartcache.svg("bar_chart", *args, illustrative=True)
        chartcache.svg("bar_chart", *args, illustrative=True)  # collected once
    assert placeholder == chartcache.PENDING
    assert not list(cache.glob("*.svg"))  # nothing drawn
    (call,) = missing.values()
    assert (call.function, call.args, call.kwargs) == ("bar_chart", args,
                                                       (("illustrative", True),))
    drawn = chartcache.draw(call)  # as a worker process does
    assert drawn == charts.bar_chart(*args, illustrative=True)
    assert len(list(cache.glob("*.svg"))) == 1

    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "bar_chart", no_drawing)
    assert chartcache.svg("bar_chart", *args, illustrative=True) == drawn
