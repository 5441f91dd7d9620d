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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import kinds as _kinds
from .diagnostics import Diagnostic, Report
from .diff_derived import ANY, Derived, derived
from .diff_entities import KINDS, Entities, entities, unit_of
from .diff_text import Words, canonical, is_long, same, word_diff
from .model import Plan

OPS = ("added", "removed", "changed")
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
#: The fields of each kind that hold one id of another entity (``kinds.EntityKind.refers``).
_REFERS = {k.name: frozenset(path for path, _ in k.refers if "." not in path)
           for k in _kinds.ENTITY_KINDS}

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
    about: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    item: bool = False  # one item added to, removed from or reworded in the list ``field``

    @property
    def key(self) -> ChangeKey:
        return (self.entity, self.id, self.field)

    @property
    def sort_key(self) -> tuple:
        return _entity_order((self.entity, self.id), self.about)

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "entity": self.entity, "id": self.id, "field": self.field,
                "old": self.old, "new": self.new, "unit": self.unit, "item": self.item,
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
    old: tuple
    new: tuple

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

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "op": self.op, "title": self.title}


@dataclass(frozen=True)
class Finding:
    """A diagnostic the change ``introduced`` (only the new side has it) or ``fixed``
    (only the old side has it)."""

    op: str
    diagnostic: Diagnostic

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, **self.diagnostic.as_dict()}


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
    failing: tuple[Any, ...] = field(default=(), compare=False)
    reorders: tuple[Reorder, ...] = ()
    documents: tuple[DocumentChange, ...] | None = None  # None: not compared

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
                "consequences": len(self.consequences)}

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
        return {"changes": [c.as_dict() for c in self.changes],
                "consequences": [q.as_dict() for q in self.consequences],
                "diagnostics": [f.as_dict() for f in self.findings],
                "reorders": [r.as_dict() for r in self.reorders],
                "documents": None if self.documents is None
                else [doc.as_dict() for doc in self.documents],
                "failing": [f.side for f in self.failing],
                "summary": self.summary,
                "sides": {"old": self.old_label, "new": self.new_label}}

    @property
    def unexplained(self) -> tuple[Consequence, ...]:
        """Derived figures that moved with no source change to credit (cannot happen
        for two plans that pass their checks)."""
        return tuple(q for q in self.consequences if not q.causes)


# --- the comparison --------------------------------------------------------------------


def diff(old: Plan, new: Plan, old_label: str = "old", new_label: str = "new",
         documents: bool = True) -> DiffResult:
    """Compare two plans by entity id, pairing renamed entities; with ``documents``,
    render both sides' documents (charts as fingerprints) to say which change."""
    old_entities, new_entities = entities(old), entities(new)
    renames = _renames(old_entities, new_entities)
    renamed_from = {new_key: old_key for old_key, new_key in renames.items()}
    ids = {old_key[1]: new_key[1] for old_key, new_key in renames.items()}
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
            changes.extend(_field_changes(kind, eid, before, after, after, "", ids, reorders))
    changes.sort(key=lambda c: c.sort_key)  # stable: fields stay in entity order
    consequences = _credit(changes, derived(old, new))
    result = DiffResult(tuple(changes), old_label, new_label, consequences,
                        reorders=tuple(reorders))
    if documents:
        docs = compare_documents(old, new, result)
        # a new order no document shows is no difference to report
        result = dataclasses.replace(result, documents=docs,
                                     reorders=result.reorders if docs else ())
    return result


#: Entities at least this alike (difflib's ratio over their fields) are one renamed.
RENAME_SIMILARITY = 0.9


def _renames(old: Entities, new: Entities) -> dict[tuple, tuple]:
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
    pairs: dict[tuple, tuple] = {}
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


def _entity_order(key: tuple[str, str | None], fields: dict[str, Any]) -> tuple:
    """Plan order: by kind, then by number where the plan numbers them (priorities),
    then by id."""
    kind, eid = key
    number = fields.get("number")
    number = number if isinstance(number, int) and not isinstance(number, bool) else 0
    return (_KIND_ORDER.get(kind, len(_KIND_ORDER)), kind, number, eid or "")


def _field_changes(kind: str, eid: str | None, old: Any, new: Any, entity: dict,
                   prefix: str, ids: dict[str, str], reorders: list[Reorder]
                   ) -> Iterator[Change]:
    """The changes between two versions of an entity's fields; a list's items are
    compared after the renames (``ids``: old id -> new id), and a list whose items
    are the same in a new order is recorded in ``reorders``."""
    keys = list(new) + [k for k in old if k not in new]
    for key in keys:
        name = f"{prefix}{key}"
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            yield from _field_changes(kind, eid, a, b, entity, name + ".", ids, reorders)
            continue
        if isinstance(a, list) and ids:
            a = _follow_renames(a, ids)
        elif not prefix and key in _REFERS.get(kind, ()) and isinstance(a, str) and ids:
            a = ids.get(a, a)  # a reference to a renamed entity follows it
        if same(a, b):
            if isinstance(a, list) and isinstance(b, list) and a != b:
                reorders.append(Reorder(kind, eid, name, tuple(a), tuple(b)))
            continue
        if isinstance(a, list) and isinstance(b, list):
            yield from _item_changes(kind, eid, name, a, b, entity)
            continue
        op = "added" if a is None else "removed" if b is None else "changed"
        words = word_diff(a, b) if op == "changed" and is_long(a, b) else None
        yield Change(op, kind, eid, name, a, b, words, unit_of(kind, name, entity),
                     about=entity)


def _follow_renames(value: Any, ids: dict[str, str]) -> Any:
    """A list's references to renamed entities, under their new ids."""
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_follow_renames(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _follow_renames(v, ids) for k, v in value.items()}
    return value


def _item_changes(kind: str, eid: str | None, name: str, old: list, new: list,
                  entity: dict) -> Iterator[Change]:
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


def compare_documents(old: Plan, new: Plan, result: DiffResult) -> tuple[DocumentChange, ...]:
    """The documents a build of ``new`` writes differently from a build of ``old``: each
    document a change could reach is rendered on both sides (HTML, charts as
    fingerprints of their data) and compared. A board paper's change reaches only its
    own document; any other change reaches them all."""
    from . import documents
    from .render import BuildInfo, render_html

    before = {doc.id: doc for doc in documents.for_plan(old)}
    after = {doc.id: doc for doc in documents.for_plan(new)}
    papers = {c.id for c in result.changes if c.entity == "board-paper"}
    papers |= {r.id for r in result.reorders if r.entity == "board-paper"}
    reach_all = any(c.entity != "board-paper" for c in result.changes) or any(
        r.entity != "board-paper" for r in result.reorders)
    out = []
    for doc_id in [*after, *(i for i in before if i not in after)]:
        a, b = before.get(doc_id), after.get(doc_id)
        if a is None or b is None:
            out.append(DocumentChange(doc_id, "added" if a is None else "removed",
                                      (b or a).title))  # type: ignore[union-attr]
            continue
        paper = b.context.get("paper")
        if not (reach_all or (paper is not None and paper.id in papers)):
            continue
        try:
            before_html = render_html(old, a, BuildInfo(old.system.version, None, ""), False)
            identical = before_html == render_html(
                new, b, BuildInfo(new.system.version, None, ""), False)
        except Exception:  # a side that fails its checks may not render
            identical = False
        if not identical:
            out.append(DocumentChange(doc_id, "changed", b.title))
    return tuple(out)


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
                  new_plan_path: str | None = None, documents: bool = True) -> DiffResult:
    """Compare two versions of a plan, each a directory or a git revision of the
    repository at ``cwd``; with ``new`` None, compare ``old`` with the working tree's
    plan folder. ``old_plan_path``/``new_plan_path`` name each side's plan folder
    where it moved (default ``plan_path``); ``documents`` False skips rendering them.

    A side that fails its checks but could be read and modelled is compared all the
    same (it is in ``failing``). Raises UsageError for a version that cannot be read,
    and VersionsInvalid when a side cannot be modelled."""
    from .errors import PlanInvalid, VersionsInvalid
    from .pipeline import check
    from .revisions import open_version, resolve

    here = Path.cwd() if cwd is None else cwd
    sides = [resolve("old", old, old_plan_path or plan_path, here),
             resolve("new", new, new_plan_path or plan_path, here)]
    plans: list[Plan | None] = []
    reports: list[Report] = []
    failures: list[PlanInvalid] = []
    for side in sides:
        with open_version(side) as directory:
            checked = check(directory)
        plans.append(checked.plan)
        reports.append(checked.report)
        if checked.plan is None or checked.report.errors:
            failures.append(PlanInvalid(checked.report, side.label, checked.sources,
                                        side.prefix))
    before, after = plans
    if before is None or after is None:
        raise VersionsInvalid(tuple(failures))
    result = diff(before, after, sides[0].label, sides[1].label, documents)
    return dataclasses.replace(result, findings=findings(reports[0], reports[1]),
                               failing=tuple(failures))


def findings(old: Report, new: Report) -> tuple[Finding, ...]:
    """The diagnostics only one side has, matched by severity, rule, file and message
    (not by line: an edit above moves every line below it)."""
    def key(d: Diagnostic) -> tuple:
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
    return tuple(out)
