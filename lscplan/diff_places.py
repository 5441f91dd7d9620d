"""Where each change of ``lscplan diff`` lives: the file and line on each side, so a
review comment can anchor on the pull request's lines.

An entity's place is its model location (``loc``: the line its mapping starts on);
a singleton without one (the vision, the trajectory) is in the file its kind is
declared in (``kinds.FILES``), from its top. With the file's lines, a field's line
is found below the entity's: each part of the field's path (``values.2021/22``) as a
key, in turn, until the entity ends (the next item of its list) or a part is not
written as a key (then the last one found stands).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import kinds

if TYPE_CHECKING:
    from .model import Plan

#: A place: (file relative to the plan folder, 1-based line; 0 for the whole file).
Place = tuple[str, int]

_KIND_FILE = {k.name: f.path for f in kinds.FILES for k in f.entities if not f.folder}


def entity_places(plan: Plan | None) -> dict[tuple[str, str | None], tuple[Place, int] | None]:
    """(kind, id) -> ((file, line), column) of every entity of ``plan``, keyed as
    ``diff_entities.entities`` keys them (a repeated id as ``id#2``)."""
    out: dict[tuple[str, str | None], tuple[Place, int] | None] = {}
    if plan is None:
        return out
    for kind, _path, eid, entity in kinds.placed(plan):
        key, n = (kind.name, eid), 2
        while key in out:
            key, n = (kind.name, f"{eid}#{n}"), n + 1
        loc = getattr(entity, "loc", None)
        if loc is not None and getattr(loc, "file", None):
            out[key] = ((loc.file, loc.line), loc.column)
        elif kind.name in _KIND_FILE:
            out[key] = ((_KIND_FILE[kind.name], 0), 0)
        else:
            out[key] = None
    return out


def field_place(start: tuple[Place, int] | None, field: str | None,
                sources: Mapping[str, Sequence[str]]) -> Place | None:
    """The line of ``field`` below an entity that starts at ``start`` (its place and
    column), in the file's ``sources`` lines; the entity's own place without them."""
    if start is None:
        return None
    (file, line), column = start
    lines = sources.get(file)
    if not field or not lines:
        return (file, line)
    found = max(line, 1) - 1
    limit = _end(lines, found, column)
    for part in field.split("."):
        key = re.compile(rf"(?:^|[\s{{,-])['\"]?{re.escape(part)}['\"]?\s*:(?:\s|$)")
        at = next((i for i in range(found, limit) if key.search(lines[i])), None)
        if at is None:
            break
        found = at
    return (file, found + 1)


def _end(lines: Sequence[str], first: int, column: int) -> int:
    """Where an entity that starts at line index ``first`` (its keys at ``column``)
    ends: before the next line less indented than its keys (the next item of its
    list, or whatever follows the list)."""
    if column <= 1:
        return len(lines)
    for i in range(first + 1, len(lines)):
        text = lines[i]
        stripped = text.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if len(text) - len(stripped) < column - 1:
            return i
    return len(lines)


def as_json(place: Place | None) -> dict[str, Any] | None:
    return None if place is None else {"file": place[0], "line": place[1]}


def as_text(place: Place | None) -> str:
    """``metrics.yaml:14``; the file alone for line 0."""
    if place is None:
        return ""
    return f"{place[0]}:{place[1]}" if place[1] else place[0]
