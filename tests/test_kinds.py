"""kinds: the one declaration of the plan's file kinds, entity kinds and sections.

Whatever a new kind declares must exist: its schema, its starter file (the starter
plan is what ``lscplan init`` writes and the fixture of most tests) and, when it has
a section, its partial with the macro the documents call."""

from __future__ import annotations

import pytest

from lscplan import kinds
from lscplan.render import environment
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
