"""The plan at a date: what a document dated before a source leaves out, and the references
to what it leaves out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

from .. import kinds, narrative
from .base import Record, Source, Text

#: The plan (``plan.Plan``, which imports this module: named by a type variable here).
P = TypeVar("P")


# --- the plan at a date ---------------------------------------------------------------


def _later(item: Any, later: frozenset[str]) -> bool:
    if isinstance(item, Source):
        return item.id in later
    return getattr(item, "provenance", None) in later


def _without(value: Any, later: frozenset[str], known: Callable[[str], bool]) -> Any:
    """``value`` with every entity (at any depth) citing a ``later`` source left out,
    in the typed model and in the Records of generic kinds (``Plan.more``), and every
    passage of its texts not ``known`` yet."""
    if isinstance(value, Text):
        return narrative.passages_as_of(value, known)
    if isinstance(value, Record):
        kept = {k: _without_each(v, later, known) for k, v in vars(value)["_fields"].items()}
        return value if kept == vars(value)["_fields"] else Record(kept, value.loc)
    if not is_dataclass(value) or isinstance(value, type):
        return value
    changes: dict[str, Any] = {}
    for f in fields(value):
        v = getattr(value, f.name)
        if isinstance(v, Text):
            new: Any = _without(v, later, known)
        elif isinstance(v, tuple):
            new = _without_each(v, later, known)
        elif isinstance(v, Mapping) and v and all(is_dataclass(x) for x in v.values()):
            new = {k: _without(x, later, known) for k, x in v.items()
                   if not _later(x, later)}
        elif isinstance(v, Mapping) and f.name == "more":
            new = {k: _without_each(x, later, known) for k, x in v.items()}
        elif is_dataclass(v):
            optional = "None" in str(f.type)
            if optional and _later(v, later):
                new = None
            else:
                new = _without(v, later, known)
                if _later(v, later):  # a part the plan cannot do without: its dated text goes
                    new = replace(new, **dict.fromkeys(getattr(v, "DATED", ())))
        else:
            continue
        if new != v:
            changes[f.name] = new
    return replace(value, **changes) if changes else value


def _without_references(plan: P, whole: P) -> P:
    """``plan`` (``whole`` with entities left out) without the references its entities
    make to those left out (``kinds.EntityKind.refers``): a portfolio no longer serves a
    priority the documents do not show, an allocation row names no organisation."""
    if plan is whole:
        return plan
    ids: dict[str, set[str | None]] = {}
    for kind, eid, _entity in kinds.entities(plan):
        ids.setdefault(kind.name, set()).add(eid)
    fixes: dict[int, dict[str, Any]] = {}
    for kind, _id, entity in kinds.entities(plan):
        for path, target in kind.id_fields:
            known, value = ids.get(target, set()), getattr(entity, path, None)
            if isinstance(value, tuple) and not set(value) <= known:
                fixes.setdefault(id(entity), {})[path] = tuple(v for v in value if v in known)
            elif isinstance(value, str) and value not in known:
                fixes.setdefault(id(entity), {})[path] = None
    return _with_fields(plan, fixes) if fixes else plan


def _with_fields(value: Any, fixes: Mapping[int, Mapping[str, Any]]) -> Any:
    """``value`` with the objects (at any depth) whose ``id()`` ``fixes`` names given
    those fields."""
    if isinstance(value, tuple):
        new = tuple(_with_fields(x, fixes) for x in value)
        return value if all(a is b for a, b in zip(new, value, strict=True)) else new
    if isinstance(value, dict):
        changed = {k: _with_fields(x, fixes) for k, x in value.items()}
        return value if all(changed[k] is value[k] for k in value) else changed
    if isinstance(value, Record):
        own = vars(value)["_fields"]
        kept = {k: _with_fields(v, fixes) for k, v in own.items()}
        kept.update(fixes.get(id(value), {}))
        if all(kept[k] is own.get(k) for k in kept):
            return value
        return Record(kept, value.loc, vars(value)["_field_loc"])
    if not is_dataclass(value) or isinstance(value, type):
        return value
    changes = {f.name: _with_fields(getattr(value, f.name), fixes) for f in fields(value)
               if isinstance(getattr(value, f.name), tuple | dict | Record)
               or is_dataclass(getattr(value, f.name))}
    changes = {k: v for k, v in changes.items() if v is not getattr(value, k)}
    changes.update(fixes.get(id(value), {}))
    return replace(value, **changes) if changes else value


def _without_each(value: Any, later: frozenset[str], known: Callable[[str], bool]) -> Any:
    """A list without the items citing a ``later`` source (each item itself filtered)."""
    if isinstance(value, tuple):
        return tuple(_without(x, later, known) for x in value if not _later(x, later))
    return _without(value, later, known)


def _postdating(value: Any, later: frozenset[str]) -> Iterator[Any]:
    if isinstance(value, Record):
        children: Iterable[Any] = vars(value)["_fields"].values()
    elif is_dataclass(value) and not isinstance(value, type):
        children = (getattr(value, f.name) for f in fields(value))
    else:
        return
    for v in children:
        items = (v if isinstance(v, tuple) else tuple(v.values()) if isinstance(v, Mapping)
                 else (v,))
        for x in items:
            for y in (x if isinstance(x, tuple) else (x,)):  # the lists in Plan.more
                if (is_dataclass(y) or isinstance(y, Record)) and not isinstance(y, Source):
                    if _later(y, later):
                        yield y
                    else:
                        yield from _postdating(y, later)
