"""Compare two plans: what changed, in the plan's own terms, keyed by entity ids.

The result is data, never prose: each ``Change`` holds ``op``, ``entity``, ``id``,
``field``, ``old``, ``new`` (and the unit of a figure); each ``Consequence`` a derived
figure that moved, with the changes that caused it. The reporters
(``lscplan.diff_report``) put them into words.

``diff(old, new)`` compares two models (never files, list positions or line numbers).
Every entity is flattened into a nested mapping of JSON-safe fields
(``lscplan.diff_entities``); entities are matched by (kind, id), fields by name, year
values by year. So:

- a reordered list (of entities, or of references such as a priority's portfolios)
  is not a change but a ``Reorder``, and reflowed text (whitespace inside a
  paragraph) is nothing at all;
- a nested object or series present on one side only is one ``added``/``removed``
  record for the whole field (``standard``), otherwise one record per leaf
  (``standard.value``, ``values.2023/24``); a list changes by its items;
- an entity removed and a like one added is one rename (field ``id``).

Whether the documents change is found by rendering them (``compare_documents``).

Derived figures (allocation movements and percentages, the allocation totals,
surpluses, efficiency as a share of spend, a metric's change from baseline and
whether it meets its standard, system activity, workforce totals and vacancy rates)
are never changes of their own: when one moves, it is a ``Consequence`` credited to
every source change that feeds it, and to no other.

``diff_versions(old, new, plan_path)`` is the library entry behind ``lscplan diff``:
it resolves each side (a directory or a git revision), checks it with
``pipeline.check``, compares the two models and the two reports (``findings``).
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Report
from .diff_entities import KINDS, Entities, entities, unit_of
from .model import Plan, Series

OPS = ("added", "removed", "changed")
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

#: Text longer than this many words (or with a line break) gets a word-level diff.
LONG_TEXT_WORDS = 8

Words = tuple[tuple[str, str], ...]
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
    return json.dumps(_canonical(fields), sort_keys=True, default=str)


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
        if _same(a, b):
            if isinstance(a, list) and isinstance(b, list) and a != b:
                reorders.append(Reorder(kind, eid, name, tuple(a), tuple(b)))
            continue
        if isinstance(a, list) and isinstance(b, list):
            yield from _item_changes(kind, eid, name, a, b, entity)
            continue
        op = "added" if a is None else "removed" if b is None else "changed"
        words = word_diff(a, b) if op == "changed" and _is_long(a, b) else None
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
        match = next((i for i, x in enumerate(added) if _same(x, item)), None)
        if match is not None:
            removed.remove(item)
            del added[match]
    for item in list(removed):
        if not isinstance(item, str):
            continue
        similar = [x for x in added if isinstance(x, str) and _is_long(item, x)
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


_BLOCK_START = re.compile(r"([-*+]|\d+[.)])\s|[#>|]")


def _norm_text(text: str) -> str:
    """Text as it reads (as Markdown renders it): whitespace inside a paragraph
    collapsed, while paragraphs, list items, headings, quotes and table rows keep
    their line breaks."""
    out = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip()):
        lines = [" ".join(line.split()) for line in paragraph.splitlines() if line.strip()]
        if lines:
            joined = lines[0]
            for before, line in itertools.pairwise(lines):
                own_line = _BLOCK_START.match(line) or before.startswith(("#", "|"))
                joined += ("\n" if own_line else " ") + line
            out.append(joined)
    return "\n\n".join(out)


def _canonical(value: Any) -> Any:
    if isinstance(value, str):
        return _norm_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(
            v, sort_keys=True, default=str))
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal as the plan reads: lists in any order, numbers by value, text reflowed."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return _canonical(a) == _canonical(b)


def _is_long(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and any(
        "\n" in t.strip() or len(t.split()) > LONG_TEXT_WORDS for t in (a, b))


def word_diff(old: str, new: str) -> Words:
    """A word-level diff of two texts as runs of ``("=", text)``, ``("-", text)`` and
    ``("+", text)``. Words and punctuation are separate tokens (``communities`` and
    ``.``), compared without their whitespace, so reflowing a paragraph changes
    nothing; a paragraph break is a token of its own, so splitting or joining
    paragraphs is a ``"\n\n"`` run added or removed. Each run keeps the spacing of
    the text it came from."""
    a, b = _tokens(old), _tokens(new)
    runs: list[tuple[str, str]] = []

    def add(op: str, tokens: list[tuple[str, str]]) -> None:
        text = "".join(w + s for w, s in tokens)
        if not text:
            return
        if runs and runs[-1][0] == op:
            runs[-1] = (op, runs[-1][1] + text)
        else:
            runs.append((op, text))

    matcher = difflib.SequenceMatcher(None, [w for w, _ in a], [w for w, _ in b],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("=", b[j1:j2])
        else:
            add("-", a[i1:i2])
            add("+", b[j1:j2])
    if runs:
        runs[-1] = (runs[-1][0], runs[-1][1].rstrip(" \n") or runs[-1][1])
    return tuple(runs)


#: A word (letters, digits and what joins them inside one: 1,500  95.0%  A&E  it's
#: 2019/20  long-term), or one punctuation mark.
_TOKEN = re.compile(r"[\w£$%]+(?:[.,'’&/:-][\w%]+)*|[^\w\s]")
PARAGRAPH = "\n\n"


def _tokens(text: str) -> list[tuple[str, str]]:
    """(token, the spacing after it) pairs; a paragraph break is the token "\n\n"."""
    out: list[tuple[str, str]] = []
    body = text.strip()
    matches = list(_TOKEN.finditer(body))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        space = body[m.end():end]
        if space.count("\n") > 1:
            out += [(m.group(), ""), (PARAGRAPH, "")]
        else:
            out.append((m.group(), "\n" if "\n" in space else " " if space else ""))
    return out


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
            same = (render_html(old, a, BuildInfo(old.system.version, None, ""), draw=False)
                    == render_html(new, b, BuildInfo(new.system.version, None, ""), draw=False))
        except Exception:  # a side that fails its checks may not render
            same = False
        if not same:
            out.append(DocumentChange(doc_id, "changed", b.title))
    return tuple(out)


# --- consequences: derived figures and the changes that move them ---------------------------

ANY = "*"


@dataclass(frozen=True)
class Derived:
    """A derived figure's value on each side and what feeds it: ``(kind, id or ANY,
    field pattern)``, the pattern's dotted parts matched as globs (``by_icp.*.2019/20``);
    a field pattern of None stands for a whole entity added or removed."""

    entity: str
    id: str | None
    field: str
    old: Any
    new: Any
    feeds: tuple[tuple[str, str | None, str | None], ...]
    unit: str | None = None


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
        if _same(d.old, d.new):
            continue
        causes = tuple(c.key for c in changes if _feeds(c, d.feeds))
        out.append(Consequence(d.entity, d.id, d.field, d.old, d.new, causes, d.unit))
    return tuple(out)


def _number(value: Any) -> Any:
    """A derived number as JSON: integers stay integers, the rest rounded to 1 place."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float) and value.is_integer():
        return value
    return float(Decimal(str(value)).quantize(Decimal("0.1")))


def _series_of(series: Series | None, year: str) -> Any:
    return None if series is None else series.get(year)


def derived(old: Plan, new: Plan) -> Iterator[Derived]:
    """Every derived figure on both sides, with the source fields that feed it."""
    yield from _derived_finance(old, new)
    yield from _derived_metrics(old, new)
    yield from _derived_activity(old, new)
    yield from _derived_workforce(old, new)


def _both(old: Iterable, new: Iterable, key=lambda x: x.id) -> Iterator[tuple]:
    before = {key(x): x for x in old}
    for item in new:
        if key(item) in before:
            yield before[key(item)], item


def _years(*series: Series | None) -> list[str]:
    return sorted({y for s in series if s is not None for y in s.values})


def _derived_finance(old: Plan, new: Plan) -> Iterator[Derived]:
    a, b = old.finance, new.finance
    money = "gbp-thousands"
    for r, s in _both(a.allocations.rows, b.allocations.rows, key=lambda r: r.label):
        feeds = (("allocation", s.label, "baseline"), ("allocation", s.label, "allocation"))
        yield Derived("allocation", s.label, "movement", r.movement, s.movement, feeds, money)
        yield Derived("allocation", s.label, "percent", r.percent, s.percent, feeds, "percent")
    rows = (("allocation", ANY, None),)
    ta, tb = a.allocations.total, b.allocations.total
    for name, feeds in (("baseline", ("baseline",)), ("allocation", ("allocation",)),
                        ("movement", ("baseline", "allocation")),
                        ("percent", ("baseline", "allocation"))):
        unit = "percent" if name == "percent" else money
        yield Derived("allocations", None, f"total.{name}", getattr(ta, name),
                      getattr(tb, name),
                      (*rows, *(("allocation", ANY, f) for f in feeds)), unit)

    ya, yb = a.trajectory, b.trajectory
    for year in _years(ya.surplus, yb.surplus):
        feeds = (("trajectory", None, f"years.{year}.income"),
                 ("trajectory", None, f"years.{year}.expenditure"))
        yield Derived("trajectory", None, f"surplus.{year}", ya.surplus.get(year),
                      yb.surplus.get(year), feeds, money)
    flipped = [y for y in _years(ya.surplus, yb.surplus)
               if _in_balance(ya.surplus.get(y)) != _in_balance(yb.surplus.get(y))]
    years = flipped or ["*"]
    yield Derived("trajectory", None, "balance_year", ya.balance_year, yb.balance_year,
                  tuple(("trajectory", None, f"years.{y}.{f}") for y in years
                        for f in ("income", "expenditure")))
    for year in _years(a.efficiency, b.efficiency, ya.income, yb.income):
        yield Derived("efficiency", None, f"percent.{year}", a.efficiency_percent(year),
                      b.efficiency_percent(year),
                      (("efficiency", None, f"years.{year}"),
                       ("trajectory", None, f"years.{year}.expenditure")), "percent")


def _in_balance(surplus: Any) -> bool | None:
    return None if surplus is None else surplus >= 0


def _derived_metrics(old: Plan, new: Plan) -> Iterator[Derived]:
    for m, n in _both(old.metrics, new.metrics):
        lasts = tuple(("metric", n.id, f"values.{s.years[-1]}") for s in (m.values, n.values))
        feeds = (*lasts, ("metric", n.id, "baseline.value"))
        yield Derived("metric", n.id, "change", _number(m.change), _number(n.change), feeds,
                      n.unit)
        yield Derived("metric", n.id, "meets_standard", m.meets_standard, n.meets_standard,
                      (*lasts, ("metric", n.id, "standard.value"),
                       ("metric", n.id, "direction")))


def _derived_activity(old: Plan, new: Plan) -> Iterator[Derived]:
    for p, q in _both(old.activity, new.activity):
        for year in _years(p.system, q.system):
            yield Derived("activity", q.id, f"system.{year}", p.system.get(year),
                          q.system.get(year), (("activity", q.id, f"by_icp.*.{year}"),), q.unit)


def _derived_workforce(old: Plan, new: Plan) -> Iterator[Derived]:
    for g, h in _both(old.workforce.groups, new.workforce.groups):
        for year in _years(g.wte, h.wte):
            yield Derived("staff-group", h.id, f"vacancy_rate.{year}", g.vacancy_rate(year),
                          h.vacancy_rate(year),
                          (("staff-group", h.id, f"wte.{year}"),
                           ("staff-group", h.id, f"vacancies.{year}")), "percent")
    groups = (("staff-group", ANY, None),)
    ta, tb = old.workforce.total, new.workforce.total
    for year in _years(ta, tb):
        yield Derived("workforce", None, f"total.{year}", _number(ta.get(year)),
                      _number(tb.get(year)), (*groups, ("staff-group", ANY, f"wte.{year}")),
                      "wte")
    va, vb = old.workforce.total_vacancies, new.workforce.total_vacancies
    for year in _years(va, vb):
        yield Derived("workforce", None, f"total_vacancies.{year}",
                      _number(_series_of(va, year)), _number(_series_of(vb, year)),
                      (*groups, ("staff-group", ANY, f"vacancies.{year}")), "wte")


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
