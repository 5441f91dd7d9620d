"""kinds: the one declaration of the plan's file kinds, entity kinds and sections.

Whatever a new kind declares must exist: its schema, its starter file (the starter
plan is what ``lscplan init`` writes and the fixture of most tests) and, when it has
a section, its partial with the macro the documents call."""

from __future__ import annotations

import dataclasses
from string import Formatter
from types import SimpleNamespace
from typing import ClassVar

import pytest

from lscplan import diff_derived, kinds
from lscplan.formatting import BUILTIN_UNITS
from lscplan.pipeline import check
from lscplan.render import environment, plan_section
from lscplan.resources import schemas_dir, starter_dir


@pytest.mark.parametrize("kind", kinds.FILES, ids=lambda f: f.path)
def test_every_file_kind_has_its_schema_and_a_starter_file(kind: kinds.FileKind) -> None:
    assert (schemas_dir() / f"{kind.schema}.schema.json").is_file()
    found = starter_dir() / kind.path
    assert any(found.glob("*.yaml")) if kind.folder else found.is_file()


def test_entity_kind_names_are_unique() -> None:
    names = [k.name for k in kinds.ENTITY_KINDS]
    assert len(names) == len(set(names))


def test_every_section_is_placed_and_has_its_partial() -> None:
    for kind in kinds.sectioned():
        assert kind.section.part in kinds.PARTS, kind.path
        module = environment().get_template(kind.partial).module
        assert callable(getattr(module, "render", None)), f"{kind.partial} defines no render"


def test_extract_names_are_unique() -> None:
    names = [f.section.extract for f in kinds.sectioned() if f.section.extract]
    assert len(names) == len(set(names))


#: The file kinds the templates show by hand, so they need no ``section``: every other
#: kind, a new one included, declares where the documents show it.
SHOWN_BY_HAND = {"plan.yaml", "vision.yaml", "priorities.yaml", "portfolios/", "metrics.yaml",
                 "finance.yaml", "activity.yaml", "workforce.yaml", "engagement.yaml",
                 "actuals.yaml", "board/"}


def complete(kind: kinds.FileKind) -> list[str]:
    """What the declaration of ``kind`` leaves out: words for each entity kind, a unit
    of the plan's vocabulary for each figure, a section (unless shown by hand), the
    title documents name it by (``shown_as`` or its section's), and built-in units and
    words for a unit choice."""
    missing = []
    if kind.section is None and kind.path not in SHOWN_BY_HAND:
        missing.append(f"{kind.path}: no section (where do the documents show it?)")
    if not (kind.title or "").strip():
        missing.append(f"{kind.path}: no title (how do documents name the part it holds?)")
    for e in kind.entities:
        for word in ("label", "heading"):
            if not getattr(e, word).strip():
                missing.append(f"{e.name}: no {word}")
        missing += _unit_gaps(e)
        missing += _choice_gaps(e)
        missing += _derived_gaps(e)
    return missing


def _unit_gaps(e: kinds.EntityKind) -> list[str]:
    """Figures and series of ``e`` without a unit of the plan's vocabulary."""
    missing = []
    for path, unit in e.units:
        if not (unit in BUILTIN_UNITS or unit.startswith(kinds.FIELD_UNIT)):
            missing.append(f"{e.name}: {path} in {unit!r}, not a unit of the plan")
    for figures in e.figures:
        if not figures.unit:
            missing.append(f"{e.name}: figures {figures.figures} have no unit")
            continue
        try:
            units = list(figures.units())
        except ValueError:
            missing.append(f"{e.name}: {figures.unit} is not one unit per figure")
            continue
        for path, unit in units:
            if not (unit in BUILTIN_UNITS or unit == kinds.AS_WRITTEN
                    or unit.startswith((kinds.FIELD_UNIT, kinds.REFERRED_UNIT))):
                missing.append(f"{e.name}: {path} in {unit!r}, not a unit of the plan")
    for path, _name in e.series:
        if kinds.unit_spec(e, path) is None:
            missing.append(f"{e.name}: its series {path!r} has no unit")
    return missing


def _derived_gaps(e: kinds.EntityKind) -> list[str]:
    """What ``e``'s derived figures leave out: words (naming only the entity, the year
    and the entity's name) and a unit."""
    missing = []
    for d in e.derived:
        fields = {f for _text, f, _spec, _conv in Formatter().parse(d.words) if f is not None}
        if not d.words.strip() or fields - {"id", "year", "name"}:
            missing.append(f"{e.name}: derived {d.field!r} has no words diff can write")
        if not (d.unit in BUILTIN_UNITS or d.unit == kinds.AS_WRITTEN
                or d.unit.startswith(kinds.FIELD_UNIT)):
            missing.append(f"{e.name}: derived {d.field!r} in {d.unit!r}, not a unit of the plan")
    return missing


def _choice_gaps(e: kinds.EntityKind) -> list[str]:
    """What ``e``'s choice of built-in units leaves out: a field naming the unit, words,
    units that are built in."""
    if e.unit_choice is None:
        return []
    missing = []
    if not e.unit_fields:
        missing.append(f"{e.name}: a unit choice but no field naming a unit")
    if not e.unit_choice.of.strip():
        missing.append(f"{e.name}: a unit choice without words")
    missing += [f"{e.name}: {unit!r} is not a built-in unit"
                for unit in e.unit_choice.builtin if unit not in BUILTIN_UNITS]
    return missing


@pytest.mark.parametrize("kind", kinds.FILES, ids=lambda f: f.path)
def test_every_kind_is_declared_completely(kind: kinds.FileKind) -> None:
    """A kind declared without words, a unit for its figures, or a section is refused
    here, not given a silent default somewhere later."""
    assert complete(kind) == []


def test_an_incomplete_kind_is_refused() -> None:
    bare = kinds.FileKind("x.yaml", "x", "x", (
        kinds.EntityKind("x", "", "Xs", ("x",), figures=(kinds.Figures("", ("v",), "x"),),
                         series=(("v", ""),)),
        kinds.EntityKind("y", "y", "Ys", ("y",), figures=(
            kinds.Figures("", ("a", "b"), "y", ("number",)),
            kinds.Figures("", ("c",), "y", "furlongs"))),
        kinds.EntityKind("z", "z", "Zs", ("z",), figures=(
            kinds.Figures("", ("d",), "z", "number"),),
            unit_choice=kinds.UnitChoice("zs", ("number", "furlongs")),
            derived=(kinds.DerivedFigure("sum", "", "number"),
                     kinds.DerivedFigure("mean", "mean {when}", ""))),), records="x")
    assert complete(bare) == [
        "x.yaml: no section (where do the documents show it?)",
        "x.yaml: no title (how do documents name the part it holds?)", "x: no label",
        "x: figures ('v',) have no unit", "y: ('number',) is not one unit per figure",
        "y: c in 'furlongs', not a unit of the plan",
        "z: a unit choice but no field naming a unit", "z: 'furlongs' is not a built-in unit",
        "z: derived 'sum' has no words diff can write",
        "z: derived 'mean' has no words diff can write", "z: derived 'mean' in '', not a unit "
        "of the plan"]


def test_the_declared_unit_of_a_figure() -> None:
    metric, allocations = kinds.entity_kind("metric"), kinds.entity_kind("allocations")
    assert metric is not None and allocations is not None
    assert kinds.unit_spec(metric, "targets.national.value") == "field:unit"
    assert kinds.unit_spec(metric, "title") is None
    assert kinds.unit_spec(allocations, "rows.published_percent") == "percent"
    assert kinds.resolve_unit("field:unit", {"unit": "minutes"}) == "minutes"
    assert kinds.resolve_unit(kinds.AS_WRITTEN, {}) is None


def test_an_id_referred_to_is_placed_where_it_is_written() -> None:
    """``referred`` gives each id of a ``refers`` path with its place: an item of a list
    where ``loc_of(name, index)`` says, a key where its value is, an id inside an
    object on the way at that object."""

    class Holder:
        loc = "entity"
        ids = ("a", "b")
        one = "c"
        by: ClassVar = {"x": SimpleNamespace(loc="x's figures")}
        parts = (SimpleNamespace(loc="part 0", ref="d"),
                 SimpleNamespace(loc="part 1", ref=None))

        def loc_of(self, name: str, index: int | None = None) -> str:
            return f"{name}[{index}]"

    held = Holder()
    assert list(kinds.referred(held, "ids")) == [("a", "ids[0]"), ("b", "ids[1]")]
    assert list(kinds.referred(held, "one")) == [("c", "one[None]")]
    assert list(kinds.referred(held, "keys:by")) == [("x", "x's figures")]
    assert list(kinds.referred(held, "parts.ref")) == [("d", "part 0")]
    assert list(kinds.referred(held, "missing")) == []


def test_references_are_declared_on_the_kinds() -> None:
    """The ids the plan's own kinds refer to are declared (``refers``), not checked by
    hand: the places an organisation serves, the places activity and staff groups give
    figures for, a board's organisations, a paper's board and its charts' metrics."""
    declared = {(k.name, path, target) for k in kinds.ENTITY_KINDS for path, target in k.refers}
    assert {("organisation", "places", "icp"), ("activity", "keys:by_icp", "icp"),
            ("staff-group", "keys:by_place", "icp"), ("board", "organisation", "organisation"),
            ("board", "members", "organisation"), ("board-paper", "board", "board"),
            ("board-paper", "all_extracts.metric", "metric")} <= declared
    for kind in kinds.ENTITY_KINDS:
        for _path, target in kind.refers:
            assert kinds.entity_kind(target) is not None, (kind.name, target)


def test_documents_name_a_file_by_its_kinds_title() -> None:
    """Annex C's "Section" column reads each file's kind: ``shown_as``, else its section's
    title; a file no kind claims is "The plan"."""
    assert plan_section("plan.yaml") == "Our system and its population"
    assert plan_section("board/governing-body-update.yaml") == "Board papers"
    assert plan_section("portfolios/finance.yaml") == "The plan"
    assert plan_section("risks.yaml") == "Risk register"
    assert plan_section("elsewhere.yaml") == "The plan"


def test_a_derived_figure_diff_computes_is_declared(monkeypatch) -> None:
    """Every derived figure diff watches is declared on its kind with its words and
    unit; one computed but not declared is refused, not named by a default."""
    plan = check(starter_dir()).plan
    found = list(diff_derived.derived(plan, plan))
    assert found and all(kinds.derived_figure(d.entity, d.field) for d in found)
    files = tuple(dataclasses.replace(f, entities=tuple(
        dataclasses.replace(e, derived=()) if e.name == "metric" else e for e in f.entities))
        for f in kinds.FILES)
    monkeypatch.setattr(kinds, "FILES", files)
    monkeypatch.setattr(kinds, "ENTITY_KINDS", tuple(k for f in files for k in f.entities))
    with pytest.raises(LookupError, match="'metric' declares no derived figure 'change'"):
        list(diff_derived.derived(plan, plan))
