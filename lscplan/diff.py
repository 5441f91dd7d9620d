"""Compare two plans: what changed, in the plan's own terms, keyed by entity ids.

The result is data, never prose: each ``Change`` holds ``op``, ``entity``, ``id``,
``field``, ``old``, ``new`` (and the unit of a figure); each ``Consequence`` a derived
figure that moved, with the changes that caused it. The reporters
(``lscplan.diff_report``, in the words of ``lscplan.diff_wording``) put them into
words.

``diff(old, new)`` compares two models (never files, list positions or line numbers).
Every entity is flattened into a nested mapping of JSON-safe fields
(``lscplan.diff_entities``); entities are matched by (kind, id), fields by name, year
values by year, text as it reads (``lscplan.diff_text``). So:

- a reordered list (of entities, or of references such as a priority's portfolios)
  is not a change but a ``Reorder``, and reflowed text (whitespace inside a
  paragraph) is nothing at all;
- a nested object or series present on one side only is one ``added``/``removed``
  record for the whole field (``baseline``), otherwise one record per leaf
  (``targets.national.value``, ``values.2023/24``); a list changes by its items;
- an entity removed and a like one added is one rename (field ``id``).

Whether the documents change is found by rendering them (``compare_documents``).

Derived figures (allocation movements and percentages, the allocation totals,
surpluses, efficiency as a share of spend, a metric's change from baseline and
whether it meets its standard, system activity, workforce totals and vacancy rates)
are never changes of their own (``lscplan.diff_derived`` lists them and what feeds
them): when one moves, it is a ``Consequence`` credited to every source change that
feeds it, and to no other.

``diff_versions(old, new, plan_path)`` is the library entry behind ``lscplan diff``:
it resolves each side (a directory or a git revision), checks it with
``pipeline.check``, compares the two models and the two reports (``findings``).
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import kinds as _kinds
from .diagnostics import Diagnostic, Report
from .diff_derived import ANY, Derived, derived
from .diff_entities import KINDS, Entities, EntityKey, entities, unit_of
from .diff_places import as_json, entity_places, field_place
from .diff_text import Words, canonical, is_long, same, word_diff
from .model import ILLUSTRATIVE, Plan

OPS = ("added", "removed", "changed")
#: The version of ``diff --format json``'s output (``schemas/diff.schema.json``).
JSON_VERSION = 1


def side_of(label: str | None) -> str:
    """``old`` or ``new``, from a side's label (``new (HEAD)``)."""
    return (label or "").split(" ", 1)[0]
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
#: The fields of each kind that hold one id of another entity (``kinds.EntityKind.refers``).
_REFERS = {k.name: frozenset(path for path, _ in k.id_fields) for k in _kinds.ENTITY_KINDS}

#: A change as consequences name their causes: (entity, id, field).
ChangeKey = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class Change:
    """One source change. ``field`` is None when the whole entity was added or removed;
    ``words`` is a word-level diff (``("=" | "-" | "+", text)`` runs) for long text;
    ``unit`` the unit of a figure; ``about`` the entity's fields (the new side's, else
    the old's), so a reporter can name it; ``item`` marks one item of a list."""

    op: str
    entity: str
    id: str | None
    field: str | None
    old: Any
    new: Any
    words: Words | None = None
    unit: str | None = None
    about: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    item: bool = False  # one item added to, removed from or reworded in the list ``field``
    old_unit: str | None = None  # the old figure's unit, where the entity's unit changed
    #: (old, new): where it lives on each side, ``(file, line)`` or None (``diff_places``)
    where: tuple[Any, Any] = dataclasses.field(default=(None, None), compare=False)

    @property
    def unit_before(self) -> str | None:
        """The unit ``old`` is in: its own where the unit changed, else ``unit``."""
        return self.old_unit if self.old_unit is not None else self.unit

    @property
    def key(self) -> ChangeKey:
        return (self.entity, self.id, self.field)

    @property
    def sort_key(self) -> tuple[int, str, int, str]:
        return _entity_order((self.entity, self.id), self.about)

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "entity": self.entity, "id": self.id, "field": self.field,
                "old": self.old, "new": self.new, "unit": self.unit, "item": self.item,
                "old_unit": self.unit_before,
                "where": {"old": as_json(self.where[0]), "new": as_json(self.where[1])},
                "words": [list(w) for w in self.words] if self.words is not None else None}


@dataclass(frozen=True)
class Consequence:
    """A derived figure that moved, and the source changes that moved it (``causes``;
    empty only when no source change explains it)."""

    entity: str
    id: str | None
    field: str
    old: Any
    new: Any
    causes: tuple[ChangeKey, ...] = ()
    unit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.id, "field": self.field,
                "old": self.old, "new": self.new, "unit": self.unit,
                "causes": [{"entity": e, "id": i, "field": f} for e, i, f in self.causes]}


@dataclass(frozen=True)
class Reorder:
    """The same items in a new order: a kind's entities (``id`` and ``field`` None) or
    the list ``field`` of one entity. Not a change of content, but the documents may
    list them in the new order."""

    entity: str
    id: str | None
    field: str | None
    old: tuple[Any, ...]
    new: tuple[Any, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.id, "field": self.field,
                "old": list(self.old), "new": list(self.new)}


@dataclass(frozen=True)
class DocumentChange:
    """A document of the plan that a build will write differently: ``added``,
    ``removed`` or ``changed`` (its HTML, and so its PDF, differs)."""

    id: str
    op: str
    title: str
    old_title: str | None = None  # where the title changed
    #: what a reader sees change: its sections that differ (``diff_sections``)
    sections: tuple[Any, ...] = ()
    #: with ``--pages``: the PDF pages that read differently, (old, new) page numbers,
    #: and each side's page count
    pages: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    page_counts: tuple[int, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        pages = None if self.pages is None or self.page_counts is None else {
            "old": list(self.pages[0]), "new": list(self.pages[1]),
            "old_count": self.page_counts[0], "new_count": self.page_counts[1]}
        return {"id": self.id, "op": self.op, "title": self.title,
                "old_title": self.old_title,
                "sections": [section.as_dict() for section in self.sections],
                "pages": pages}


@dataclass(frozen=True)
class Finding:
    """A diagnostic the change ``introduced`` (only the new side has it) or ``fixed``
    (only the old side has it)."""

    op: str
    diagnostic: Diagnostic
    was: str | None = None  # ``changed``: the old side's message for the same place

    def as_dict(self) -> dict[str, Any]:
        out = {"op": self.op, **self.diagnostic.as_dict()}
        if self.was is not None:
            out["was"] = self.was
        return out


@dataclass(frozen=True)
class DiffResult:
    """The changes, the derived figures they moved, the diagnostics they introduced or
    fixed, and ``failing``: the sides that fail their checks (each a ``PlanInvalid``),
    compared all the same because both could be read."""

    changes: tuple[Change, ...]
    old_label: str = "old"
    new_label: str = "new"
    consequences: tuple[Consequence, ...] = ()
    findings: tuple[Finding, ...] = ()
    failing: tuple[Any, ...] = dataclasses.field(default=(), compare=False)
    reorders: tuple[Reorder, ...] = ()
    documents: tuple[DocumentChange, ...] | None = None  # None: not compared
    #: Why the documents were not compared although asked (a side fails its checks or
    #: would fail to build): no list is better than a list no build bears out.
    withheld: str | None = None

    def __bool__(self) -> bool:
        """Any difference: a change, or a document that will be written differently."""
        return bool(self.changes or self.documents)

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def summary(self) -> dict[str, Any]:
        by_op = dict.fromkeys(OPS, 0)
        by_entity: dict[str, dict[str, int]] = {}
        for c in self.changes:
            by_op[c.op] += 1
            by_entity.setdefault(c.entity, dict.fromkeys(OPS, 0))[c.op] += 1
        return {"total": len(self.changes), "by_op": by_op, "by_entity": by_entity,
                "consequences": len(self.consequences), "provenance": self.provenance}

    @property
    def provenance(self) -> dict[str, int]:
        """How the changes' provenances moved: ``sourced`` (were illustrative, now cite
        a source), ``illustrative`` (cited a source, now illustrative), ``resourced``
        (cite another source)."""
        out = {"sourced": 0, "illustrative": 0, "resourced": 0}
        for c in self.changes:
            if c.op != "changed" or (c.field or "").rpartition(".")[2] != "provenance":
                continue
            if c.old == ILLUSTRATIVE:
                out["sourced"] += 1
            elif c.new == ILLUSTRATIVE:
                out["illustrative"] += 1
            else:
                out["resourced"] += 1
        return out

    def groups(self) -> list[tuple[str, tuple[Change, ...]]]:
        """Changes grouped by entity kind, in plan order."""
        out: dict[str, list[Change]] = {}
        for c in self.changes:
            out.setdefault(c.entity, []).append(c)
        return [(kind, tuple(items)) for kind, items in out.items()]

    def consequences_of(self, change: Change) -> tuple[Consequence, ...]:
        """The derived figures moved by ``change`` alone."""
        return tuple(q for q in self.consequences if q.causes == (change.key,))

    def shared_consequences(self, change: Change) -> tuple[Consequence, ...]:
        """The derived figures moved by several changes, ``change`` the last of them
        in the order the changes are listed."""
        order = {c.key: i for i, c in enumerate(self.changes)}
        return tuple(q for q in self.consequences if len(q.causes) > 1
                     and max(q.causes, key=lambda k: order.get(k, -1)) == change.key)

    def as_dict(self) -> dict[str, Any]:
        """The comparison as ``schemas/diff.schema.json`` describes it (without the
        ``message`` of each record, which the JSON reporter adds)."""
        return {"version": JSON_VERSION, "changes": [c.as_dict() for c in self.changes],
                "consequences": [q.as_dict() for q in self.consequences],
                "diagnostics": [f.as_dict() for f in self.findings],
                "reorders": [r.as_dict() for r in self.reorders],
                "documents": None if self.documents is None
                else [doc.as_dict() for doc in self.documents],
                "documents_withheld": self.withheld,
                "failing": [side_of(f.side) for f in self.failing],
                "summary": self.summary,
                "sides": {"old": self.old_label, "new": self.new_label}}

    @property
    def unexplained(self) -> tuple[Consequence, ...]:
        """Derived figures that moved with no source change to credit (cannot happen
        for two plans that pass their checks)."""
        return tuple(q for q in self.consequences if not q.causes)


# --- the comparison --------------------------------------------------------------------


def diff(old: Plan | None, new: Plan | None, old_label: str = "old", new_label: str = "new",
         documents: bool = True, themes: tuple[Any, Any] = (None, None),
         sources: tuple[Any, Any] = ({}, {}), pages: bool = False) -> DiffResult:
    """Compare two plans by entity id, pairing renamed entities; with ``documents``,
    render both sides' documents (charts as fingerprints, each side in its theme of
    ``themes``) to say which change. A side that is None has no plan at all (a
    revision before the plan folder was added): everything of the other is added or
    removed."""
    old_entities = entities(old) if old is not None else {}
    new_entities = entities(new) if new is not None else {}
    renames = _renames(old_entities, new_entities)
    renamed_from = {new_key: old_key for old_key, new_key in renames.items()}
    # old id -> new id (_renames pairs only entities with ids: the test narrows the type)
    ids = {o: n for (_, o), (_, n) in renames.items() if o is not None and n is not None}
    changes: list[Change] = []
    reorders: list[Reorder] = _kind_reorders(old_entities, new_entities, ids)
    both = {**old_entities, **new_entities}
    for key in sorted(both, key=lambda k: _entity_order(k, both[k])):
        kind, eid = key
        if key in renames:
            continue  # compared as the entity it was renamed to
        before, after = old_entities.get(renamed_from.get(key, key)), new_entities.get(key)
        if before is None:
            changes.append(Change("added", kind, eid, None, None, after, about=after or {}))
        elif after is None:
            changes.append(Change("removed", kind, eid, None, before, None, about=before))
        else:
            if key in renamed_from:
                changes.append(Change("changed", kind, eid, "id", renamed_from[key][1], eid,
                                      about=after))
            changes.extend(_field_changes(kind, eid, before, after, (before, after), "", ids,
                                          reorders))
    changes.sort(key=lambda c: c.sort_key)  # stable: fields stay in entity order
    changes = _placed(changes, old, new, renamed_from, sources)
    consequences = (_credit(changes, derived(old, new))
                    if old is not None and new is not None else ())
    result = DiffResult(tuple(changes), old_label, new_label, consequences,
                        reorders=tuple(reorders))
    if documents:
        try:
            alike = (list(old_entities.items()) == list(new_entities.items())
                     and getattr(old, "terms", None) == getattr(new, "terms", None)
                     and themes[0] == themes[1])
            # the documents are made from the model and the theme alone
            docs = () if alike and old is not None else _documents(old, new, themes, pages)
        except WouldNotBuild as exc:
            return dataclasses.replace(result, withheld=str(exc))
        # a new order no document shows is no difference to report
        result = dataclasses.replace(result, documents=docs,
                                     reorders=result.reorders if docs else ())
    return result


def _documents(old: Plan | None, new: Plan | None, themes: tuple[Any, Any],
               pages: bool = False) -> tuple[DocumentChange, ...]:
    from . import documents

    if old is not None and new is not None:
        return compare_documents(old, new, *themes, pages=pages)
    op, plan = ("added", new) if old is None else ("removed", old)
    return tuple(DocumentChange(doc.id, op, doc.title)
                 for doc in (documents.for_plan(plan) if plan is not None else ()))


def _placed(changes: list[Change], old: Plan | None, new: Plan | None,
            renamed_from: dict[EntityKey, EntityKey], sources: tuple[Any, Any]) -> list[Change]:
    """The changes with where each lives on each side (the file's lines in
    ``sources``, path -> lines, find a field's own line)."""
    before, after = entity_places(old), entity_places(new)
    out = []
    for c in changes:
        key = (c.entity, c.id)
        old_key = renamed_from.get(key, key)
        where = (field_place(before.get(old_key), c.field if c.op != "added" or c.item
                             else None, sources[0]) if old_key in before else None,
                 field_place(after.get(key), c.field if c.op != "removed" or c.item
                             else None, sources[1]) if key in after else None)
        out.append(dataclasses.replace(c, where=where))
    return out


#: Entities at least this alike (difflib's ratio over their fields) are one renamed.
RENAME_SIMILARITY = 0.9


def _renames(old: Entities, new: Entities) -> dict[EntityKey, EntityKey]:
    """Removed entities paired with added ones of the same kind whose fields are the
    same or nearly so: old key -> new key, best pairs first."""
    gone = [k for k in old if k not in new and k[1] is not None]
    came = [k for k in new if k not in old and k[1] is not None]
    scored = []
    for o in gone:
        for n in came:
            if o[0] != n[0]:
                continue
            a, b = _fingerprint(old[o]), _fingerprint(new[n])
            matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
            if a == b or (matcher.real_quick_ratio() >= RENAME_SIMILARITY
                          and matcher.quick_ratio() >= RENAME_SIMILARITY
                          and matcher.ratio() >= RENAME_SIMILARITY):
                scored.append((-(1.0 if a == b else matcher.ratio()), o, n))
    pairs: dict[EntityKey, EntityKey] = {}
    for _, o, n in sorted(scored):
        if o not in pairs and n not in pairs.values():
            pairs[o] = n
    return pairs


def _fingerprint(fields: dict[str, Any]) -> str:
    return json.dumps(canonical(fields), sort_keys=True, default=str)


def _kind_reorders(old: Entities, new: Entities, ids: dict[str, str]) -> list[Reorder]:
    """Kinds whose entities (those on both sides) are listed in a new order."""
    out = []
    for kind in KINDS:
        before = [ids.get(k[1], k[1]) for k in old if k[0] == kind and k[1] is not None]
        after = [k[1] for k in new if k[0] == kind and k[1] is not None]
        common = set(before) & set(after)
        before = [i for i in before if i in common]
        after = [i for i in after if i in common]
        if before != after:
            out.append(Reorder(kind, None, None, tuple(before), tuple(after)))
    return out


def _entity_order(key: EntityKey, fields: dict[str, Any]) -> tuple[int, str, int, str]:
    """Plan order: by kind, then by number where the plan numbers them (priorities),
    then by id."""
    kind, eid = key
    number = fields.get("number")
    number = number if isinstance(number, int) and not isinstance(number, bool) else 0
    return (_KIND_ORDER.get(kind, len(_KIND_ORDER)), kind, number, eid or "")


def _field_changes(kind: str, eid: str | None, old: Any, new: Any,
                   sides: tuple[dict[str, Any], dict[str, Any]], prefix: str,
                   ids: dict[str, str], reorders: list[Reorder]
                   ) -> Iterator[Change]:
    """The changes between two versions of an entity's fields (``sides``: the whole
    entity, old and new); a list's items are compared after the renames (``ids``: old
    id -> new id), and a list whose items are the same in a new order is recorded in
    ``reorders``. A figure is in its own side's unit."""
    entity = sides[1]
    keys = list(new) + [k for k in old if k not in new]
    for key in keys:
        name = f"{prefix}{key}"
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            yield from _field_changes(kind, eid, a, b, sides, name + ".", ids, reorders)
            continue
        if isinstance(a, list) and ids:
            a = _follow_renames(a, ids)
        elif not prefix and key in _REFERS.get(kind, ()) and isinstance(a, str) and ids:
            a = ids.get(a, a)  # a reference to a renamed entity follows it
        unit, old_unit = unit_of(kind, name, entity), unit_of(kind, name, sides[0])
        if same(a, b) and (old_unit == unit or not isinstance(a, int | float)):
            if isinstance(a, list) and isinstance(b, list) and a != b:
                reorders.append(Reorder(kind, eid, name, tuple(a), tuple(b)))
            continue
        if isinstance(a, list) and isinstance(b, list):
            yield from _item_changes(kind, eid, name, a, b, entity)
            continue
        op = "added" if a is None else "removed" if b is None else "changed"
        words = word_diff(a, b) if op == "changed" and is_long(a, b) else None
        yield Change(op, kind, eid, name, a, b, words, unit, about=entity,
                     old_unit=old_unit if old_unit != unit and a is not None else None)


def _follow_renames(value: Any, ids: dict[str, str]) -> Any:
    """A list's references to renamed entities, under their new ids."""
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_follow_renames(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _follow_renames(v, ids) for k, v in value.items()}
    return value


def _item_changes(kind: str, eid: str | None, name: str, old: list[Any], new: list[Any],
                  entity: dict[str, Any]) -> Iterator[Change]:
    """A list compared as a set of items: each item removed or added is one record;
    a long text item removed and a similar one added is one item reworded."""
    removed, added = list(old), list(new)
    for item in old:
        match = next((i for i, x in enumerate(added) if same(x, item)), None)
        if match is not None:
            removed.remove(item)
            del added[match]
    for item in list(removed):
        if not isinstance(item, str):
            continue
        similar = [x for x in added if isinstance(x, str) and is_long(item, x)
                   and difflib.SequenceMatcher(None, item, x).ratio() >= 0.6]
        if similar:
            removed.remove(item)
            added.remove(similar[0])
            yield Change("changed", kind, eid, name, item, similar[0],
                         word_diff(item, similar[0]), about=entity, item=True)
    for item in removed:
        yield Change("removed", kind, eid, name, item, None, about=entity, item=True)
    for item in added:
        yield Change("added", kind, eid, name, None, item, about=entity, item=True)


# --- documents -----------------------------------------------------------------------------


class WouldNotBuild(Exception):
    """A side's documents cannot be rendered (a build of it would fail): why."""


def compare_documents(old: Plan, new: Plan, old_theme: Any = None, new_theme: Any = None,
                      pages: bool = False) -> tuple[DocumentChange, ...]:
    """The documents a build of ``new`` writes differently from a build of ``old``:
    every document of each side is rendered as a build renders it (HTML, in the side's
    own theme, charts as fingerprints of their data) and the two compared byte for byte,
    so the list is exactly the documents whose HTML (and so PDF) differs, whatever part
    of the plan or theme reads what. With ``pages``, each changed document is laid out
    on both sides as its PDF is (charts drawn), to say which pages read differently.
    Raises WouldNotBuild when a side fails to render."""
    from . import documents
    from .diff_sections import section_changes

    before = {doc.id: doc for doc in documents.for_plan(old)}
    after = {doc.id: doc for doc in documents.for_plan(new)}
    old_on, new_on = documents.Dated(old), documents.Dated(new)  # the plan each shows
    out = []
    for doc_id in [*after, *(i for i in before if i not in after)]:
        a, b = before.get(doc_id), after.get(doc_id)
        if a is None or b is None:
            shown = b or before[doc_id]  # the side that has it
            out.append(DocumentChange(doc_id, "added" if a is None else "removed", shown.title))
            continue
        before_html = _rendered(old_on, a, old_theme, "old")
        after_html = _rendered(new_on, b, new_theme, "new")
        if before_html != after_html:
            change = DocumentChange(doc_id, "changed", b.title,
                                    a.title if a.title != b.title else None,
                                    section_changes(before_html, after_html))
            if pages and "pdf" in b.formats:
                change = _pages(change, (old_on(a), a, old_theme), (new_on(b), b, new_theme))
            out.append(change)
    return tuple(out)


def _pages(change: DocumentChange, *sides: tuple[Plan, Any, Any]) -> DocumentChange:
    """``change`` with the PDF pages that read differently on each side (each the plan
    its document shows, the document and the side's theme)."""
    import hashlib

    from . import pdf
    from .formats import Rendered
    from .render import BuildInfo, render_html, templates_dir

    texts = []
    for plan, doc, theme in sides:
        html = render_html(plan, doc, BuildInfo(plan.system.version, None, ""), True,
                           theme=theme)
        rendered = Rendered(doc.id, doc.title, html, hashlib.sha256(html.encode()).hexdigest(),
                            pdf.epoch_of(plan.system.date), (str(templates_dir()),))
        texts.append(pdf.page_texts(rendered))
    matcher = difflib.SequenceMatcher(None, texts[0], texts[1], autojunk=False)
    before: list[int] = []
    after: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            before += range(i1 + 1, i2 + 1)
            after += range(j1 + 1, j2 + 1)
    return dataclasses.replace(change, pages=(tuple(before), tuple(after)),
                               page_counts=(len(texts[0]), len(texts[1])))


def _rendered(dated: Callable[[Any], Plan], doc: Any, theme: Any, side: str) -> str:
    """``doc``'s HTML as a build renders it, from the plan it shows (``dated(doc)``)."""
    from .render import BuildInfo, render_html

    try:
        plan = dated(doc)
        return render_html(plan, doc, BuildInfo(plan.system.version, None, ""), False,
                           theme=theme)
    except Exception as exc:  # the build would fail the same way
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WouldNotBuild(f"the {side} version's document `{doc.id}` cannot be "
                            f"rendered ({first}), so a build of it fails") from exc


# --- consequences: crediting derived figures to the changes that feed them ---------------


def _feeds(change: Change, feeds: Iterable[tuple[str, str | None, str | None]]) -> bool:
    for kind, eid, pattern in feeds:
        if change.entity != kind or (eid != ANY and change.id != eid):
            continue
        if pattern is None or change.field is None:
            if pattern is None and change.field is None:
                return True
            continue
        got, want = change.field.split("."), pattern.split(".")
        if all(fnmatch.fnmatchcase(g, w) for g, w in zip(got, want, strict=False)):
            return True
    return False


def _credit(changes: list[Change], figures: Iterable[Derived]) -> tuple[Consequence, ...]:
    """Each derived figure that moved, credited to every change that feeds it."""
    out = []
    for d in figures:
        if same(d.old, d.new):
            continue
        causes = tuple(c.key for c in changes if _feeds(c, d.feeds))
        out.append(Consequence(d.entity, d.id, d.field, d.old, d.new, causes, d.unit))
    return tuple(out)


# --- two versions: directories or git revisions -----------------------------------------------


def diff_versions(old: str, new: str | None = None, plan_path: str = "plan",
                  cwd: Path | None = None, old_plan_path: str | None = None,
                  new_plan_path: str | None = None, documents: bool = True,
                  pages: bool = False) -> DiffResult:
    """Compare two versions of a plan, each a directory or a git revision of the
    repository at ``cwd``; with ``new`` None, compare ``old`` with the working tree's
    plan folder, or, where ``old`` is a range (``A..B``, ``A...B``: from the merge base
    of A and B), its two ends. ``old_plan_path``/``new_plan_path`` name each side's
    plan folder where it moved (default ``plan_path``); ``documents`` False skips
    rendering them, ``pages`` lays each changed one out as its PDF to say which pages
    change. A revision with no plan folder is a plan with nothing in it.

    A side that fails its checks but could be read and modelled is compared all the
    same (it is in ``failing``), without a documents list (``withheld`` says why).
    Raises UsageError for a version that cannot be read, and VersionsInvalid when a
    side cannot be modelled."""
    from .errors import PlanInvalid, VersionsInvalid
    from .pipeline import check
    from .revisions import open_version, resolve_pair

    here = Path.cwd() if cwd is None else cwd
    sides = resolve_pair(old, new, old_plan_path or plan_path, new_plan_path or plan_path,
                         here)
    plans: list[Plan | None] = []
    reports: list[Report] = []
    themes: list[Any] = []
    theme_files: list[dict[str, bytes]] = []
    unread: list[dict[str, bytes]] = []
    lines: list[dict[str, list[str]]] = []
    failures: list[PlanInvalid] = []
    blocked: list[str] = []
    labels = [side.label for side in sides]
    for side in sides:
        with open_version(side) as directory:
            if directory is None:  # no plan folder at this revision: nothing of it yet
                labels[len(plans)] = (f"{side.label[:-1]}, which has no plan folder "
                                      f"{side.plan_path!r})")
                plans.append(None)
                reports.append(Report())
                themes.append(None)
                theme_files.append({})
                unread.append({})
                lines.append({})
                continue
            checked = check(directory)
            lines.append(checked.sources)
            theme_files.append(_theme_files(directory))
            unread.append(_unread_files(directory, checked.report))
        plans.append(checked.plan)
        reports.append(checked.report)
        themes.append(checked.theme)
        if checked.plan is None or checked.report.errors:
            failures.append(PlanInvalid(checked.report, side.label, checked.sources,
                                        side.prefix))
            blocked.append(f"{side.label} fails its checks")
    before, after = plans
    if (before is None and sides[0].present) or (after is None and sides[1].present):
        raise VersionsInvalid(tuple(failures))
    if before is None and after is None:
        from .errors import UsageError
        raise UsageError("neither version has a plan folder; name it with --plan-path")
    compare = documents and not blocked
    result = diff(before, after, labels[0], labels[1], compare,
                  (themes[0], themes[1]), (lines[0], lines[1]), pages)
    result = dataclasses.replace(result, changes=tuple(sorted(
        result.changes + theme_changes(theme_files[0], theme_files[1])
        + theme_changes(unread[0], unread[1], kind=UNREAD, folder=""), key=lambda c: c.sort_key)))
    if documents and blocked:
        result = dataclasses.replace(
            result, withheld="; ".join(blocked) + ", so no build of it would succeed")
    return dataclasses.replace(result, findings=findings(reports[0], reports[1]),
                               failing=tuple(failures))


#: diff's kind for a file under the plan folder that no kind reads (``file-unknown``).
UNREAD = "unread"


def _unread_files(plan_dir: Path, report: Report) -> dict[str, bytes]:
    """The files check reports no kind reads (``file-unknown``): path -> bytes, so
    an edit to one (a portfolio in a misspelt folder) is a change all the same."""
    out = {}
    for d in report:
        path = plan_dir / d.location.file
        if d.rule == "file-unknown" and path.is_file() and not path.is_symlink():
            out[d.location.file] = path.read_bytes()[:MAX_UNREAD]
    return out


#: The most of an unread file diff reads.
MAX_UNREAD = 512 * 1024


def _theme_files(plan_dir: Path) -> dict[str, bytes]:
    """Every file of the plan's theme folder: its path from the folder -> its bytes."""
    from .theme import FOLDER, MAX_FONT

    root = plan_dir / FOLDER
    if not root.is_dir():
        return {}
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_FONT:
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def theme_changes(old: dict[str, bytes], new: dict[str, bytes], kind: str = "theme",
                  folder: str = "theme/") -> tuple[Change, ...]:
    """The theme's files added, removed or changed (kind ``theme``, the id its path in
    the theme folder): text as a word diff, anything else by size. What they change in
    the documents is in the documents list, which renders each side in its theme. With
    ``kind`` ``unread`` and ``folder`` "", the same for the files no kind reads."""
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        path = f"{folder}{name}"
        texts = [_text(x) for x in (a, b)]
        if a is None or b is None:
            op = "added" if a is None else "removed"
            value = texts[1] if a is None else texts[0]
            value = value if value is not None else f"{len(b or a or b'')} bytes"
            out.append(Change(op, kind, name, None, None if a is None else value,
                              None if b is None else value, about={"file": name},
                              where=(None if a is None else (path, 0),
                                     None if b is None else (path, 0))))
        elif texts[0] is not None and texts[1] is not None:
            words = word_diff(texts[0], texts[1])
            first = _first_difference(texts[0] or "", texts[1] or "")
            out.append(Change("changed", kind, name, "text", texts[0], texts[1], words,
                              about={"file": name},
                              where=((path, first[0]), (path, first[1]))))
            continue
        else:
            out.append(Change("changed", kind, name, "bytes", len(a), len(b),
                              about={"file": name}, where=((path, 0), (path, 0))))
    return tuple(out)


def _first_difference(old: str, new: str) -> tuple[int, int]:
    """The 1-based lines of each text where they first differ."""
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(),
                                      autojunk=False)
    _tag, i1, _i2, j1, _j2 = next(op for op in matcher.get_opcodes() if op[0] != "equal")
    return i1 + 1, j1 + 1


def _text(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def findings(old: Report, new: Report) -> tuple[Finding, ...]:
    """The diagnostics only one side has, matched by severity, rule, file and message
    (not by line: an edit above moves every line below it)."""
    def key(d: Diagnostic) -> tuple[str, str, str, str]:
        return (d.severity, d.rule, d.location.file, d.message)

    before = [key(d) for d in old]
    after = [key(d) for d in new]
    out = []
    for d in new:
        if key(d) in before:
            before.remove(key(d))
        else:
            out.append(Finding("introduced", d))
    for d in old:
        if key(d) in after:
            after.remove(key(d))
        else:
            out.append(Finding("fixed", d))
    return _paired(out)


def _paired(found: list[Finding]) -> tuple[Finding, ...]:
    """A diagnostic fixed and one introduced by the same rule at the same place (an
    illustrative count that moved) are one ``changed`` finding, not a pair."""
    def place(d: Diagnostic) -> tuple[str, str, str, str]:
        return (d.severity, d.rule, d.location.file, d.location.pointer)

    fixed = [f for f in found if f.op == "fixed"]
    out = []
    for f in found:
        if f.op == "fixed":
            continue
        match = next((g for g in fixed if place(g.diagnostic) == place(f.diagnostic)), None)
        if match is None:
            out.append(f)
        else:
            fixed.remove(match)
            out.append(Finding("changed", f.diagnostic, match.diagnostic.message))
    return tuple(out + fixed)
