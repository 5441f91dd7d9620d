"""Compare two plans: what changed, in the plan's own terms, keyed by entity ids.

``diff(old, new)`` compares two models (never files, list positions or line numbers).
Every entity is flattened into a nested mapping of JSON-safe fields; entities are
matched by (kind, id), fields by name, year values by year. So:

- a reordered list (of entities, or of references such as a priority's portfolios)
  is not a change, and neither is reflowed text (whitespace inside a paragraph);
- a renamed id is the old entity removed plus the new one added;
- a nested object or series present on one side only is one ``added``/``removed``
  record for the whole field (``standard``), otherwise one record per leaf
  (``standard.value``, ``values.2023/24``).

Derived figures (allocation movements and percentages, the allocation totals,
surpluses, efficiency as a share of spend, a metric's change from baseline and
whether it meets its standard, system activity, workforce totals and vacancy rates)
are never changes of their own: when one moves, it is attached as a ``Consequence``
to the first source change that feeds it.

``diff_versions(old, new, plan_path)`` is the library entry behind ``lscplan diff``:
it resolves each side (a directory or a git revision), checks it with
``pipeline.check`` and compares the two models.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .model import Plan, Series

OPS = ("added", "removed", "changed")

#: Entity kinds in plan order: kind -> (singular label, heading for a group).
KINDS: dict[str, tuple[str, str]] = {
    "system": ("the system", "System"),
    "period": ("the plan period", "Plan period"),
    "source": ("source", "Sources"),
    "population": ("population", "Population"),
    "icp": ("ICP", "Integrated care partnerships"),
    "organisation": ("organisation", "Organisations"),
    "executive": ("executive", "Executives"),
    "governance": ("governance", "Governance"),
    "submission": ("the submission", "Submission"),
    "submission-component": ("submission component", "Submission components"),
    "glossary": ("glossary term", "Glossary"),
    "vision": ("the vision", "Vision"),
    "ambition": ("ambition", "Ambitions"),
    "intent": ("intent", "Intents"),
    "ltp-theme": ("Long Term Plan theme", "Long Term Plan themes"),
    "case-for-change": ("case for change", "Case for change"),
    "priority": ("priority", "Priorities"),
    "portfolio": ("portfolio", "Portfolios"),
    "programme": ("programme", "Programmes"),
    "metric": ("metric", "Metrics"),
    "allocations": ("the allocations table", "Allocations table"),
    "allocation": ("allocation", "Allocations"),
    "trajectory": ("the financial trajectory", "Financial trajectory"),
    "efficiency": ("efficiency savings", "Efficiency"),
    "context-figure": ("finance figure", "Finance context figures"),
    "activity": ("activity", "Activity"),
    "workforce": ("the workforce plan", "Workforce"),
    "staff-group": ("staff group", "Staff groups"),
    "engagement": ("engagement", "Engagement"),
    "partner": ("engagement partner", "Engagement partners"),
    "board-paper": ("board paper", "Board papers"),
}
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

#: Text longer than this many words (or with a line break) gets a word-level diff.
LONG_TEXT_WORDS = 8

Words = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Consequence:
    """A derived figure that moved because of the source change it is attached to."""

    entity: str
    id: str | None
    field: str
    old: Any
    new: Any
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.id, "field": self.field,
                "old": self.old, "new": self.new, "message": self.message}


@dataclass(frozen=True)
class Change:
    """One source change. ``field`` is None when the whole entity was added or removed;
    ``words`` is a word-level diff (``("=" | "-" | "+", text)`` runs) for long text."""

    op: str
    entity: str
    id: str | None
    field: str | None
    old: Any
    new: Any
    message: str
    words: Words | None = None
    consequences: tuple[Consequence, ...] = ()
    name: str = ""  # the entity in the plan's terms ("priority 4 `x`"), for the formats

    @property
    def label(self) -> str:
        return self.name or entity_name(self.entity, self.id, {})

    @property
    def sort_key(self) -> tuple:
        return (_KIND_ORDER.get(self.entity, len(_KIND_ORDER)), self.entity, self.id or "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "op": self.op, "entity": self.entity, "id": self.id, "field": self.field,
            "old": self.old, "new": self.new, "message": self.message,
            "words": [list(w) for w in self.words] if self.words is not None else None,
            "consequences": [c.as_dict() for c in self.consequences],
        }


@dataclass(frozen=True)
class DiffResult:
    changes: tuple[Change, ...]
    old_label: str = "old"
    new_label: str = "new"

    def __bool__(self) -> bool:
        return bool(self.changes)

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
                "consequences": sum(len(c.consequences) for c in self.changes)}

    def groups(self) -> list[tuple[str, tuple[Change, ...]]]:
        """Changes grouped by entity kind, in plan order."""
        out: dict[str, list[Change]] = {}
        for c in self.changes:
            out.setdefault(c.entity, []).append(c)
        return [(kind, tuple(items)) for kind, items in out.items()]

    def as_dict(self) -> dict[str, Any]:
        return {
            "changes": [c.as_dict() for c in self.changes],
            "summary": self.summary,
            "sides": {"old": self.old_label, "new": self.new_label},
        }


def kind_label(kind: str) -> str:
    return KINDS.get(kind, (kind, kind))[0]


def kind_heading(kind: str) -> str:
    return KINDS.get(kind, (kind, kind))[1]


# --- the comparison --------------------------------------------------------------------


def diff(old: Plan, new: Plan, old_label: str = "old", new_label: str = "new") -> DiffResult:
    """Compare two plans by entity id."""
    old_entities, new_entities = entities(old), entities(new)
    changes: list[Change] = []
    for key in sorted(old_entities.keys() | new_entities.keys(), key=_entity_order):
        kind, eid = key
        before, after = old_entities.get(key), new_entities.get(key)
        if before is None:
            changes.append(_entity_change("added", kind, eid, None, after))
        elif after is None:
            changes.append(_entity_change("removed", kind, eid, before, None))
        else:
            changes.extend(_field_changes(kind, eid, before, after, before, after, ""))
    return DiffResult(_attach(changes, list(derived(old, new))), old_label, new_label)


def _entity_order(key: tuple[str, str | None]) -> tuple:
    kind, eid = key
    return (_KIND_ORDER.get(kind, len(_KIND_ORDER)), kind, eid or "")


def _entity_change(op: str, kind: str, eid: str | None, old: dict | None,
                   new: dict | None) -> Change:
    fields = old or new or {}
    return Change(op, kind, eid, None, old, new, _entity_message(op, kind, eid, fields),
                  name=entity_name(kind, eid, fields))


def _field_changes(kind: str, eid: str | None, old: Any, new: Any, old_entity: dict,
                   new_entity: dict, prefix: str) -> Iterator[Change]:
    keys = list(new) + [k for k in old if k not in new]
    for key in keys:
        name = f"{prefix}{key}"
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            yield from _field_changes(kind, eid, a, b, old_entity, new_entity, name + ".")
            continue
        if _same(a, b):
            continue
        op = "added" if a is None else "removed" if b is None else "changed"
        words = word_diff(a, b) if op == "changed" and _is_long(a, b) else None
        message = _field_message(op, kind, eid, name, a, b, new_entity if b is not None
                                 else old_entity, words is not None)
        yield Change(op, kind, eid, name, a, b, message, words,
                     name=entity_name(kind, eid, new_entity))


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
    ``("+", text)``. Words are compared without their whitespace, so reflowing a
    paragraph changes nothing; each run keeps the spacing of the text it came from."""
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
        runs[-1] = (runs[-1][0], runs[-1][1].rstrip())
    return tuple(runs)


def _tokens(text: str) -> list[tuple[str, str]]:
    body = text.strip()
    return [(m.group(1), _spacing(m.group(2))) for m in re.finditer(r"(\S+)(\s*)", body)]


def _spacing(space: str) -> str:
    newlines = space.count("\n")
    return "\n\n" if newlines > 1 else "\n" if newlines else " " if space else ""


# --- consequences -------------------------------------------------------------------------

ANY = object()


@dataclass(frozen=True)
class Derived:
    """A derived figure's value on each side and the source changes that move it:
    ``(kind, id or ANY, field prefix, or None for a whole entity added or removed)``."""

    entity: str
    id: str | None
    field: str
    old: Any
    new: Any
    message: str
    sources: tuple[tuple[str, Any, str | None], ...]


def _feeds(change: Change, sources: Iterable[tuple[str, Any, str | None]]) -> bool:
    for kind, eid, prefix in sources:
        if change.entity != kind or (eid is not ANY and change.id != eid):
            continue
        if prefix is None:
            if change.field is None:
                return True
        elif change.field is not None and (change.field == prefix
                                           or change.field.startswith(prefix + ".")):
            return True
    return False


def _attach(changes: list[Change], figures: list[Derived]) -> tuple[Change, ...]:
    attached: dict[int, list[Consequence]] = {}
    orphans = []
    for d in figures:
        if _same(d.old, d.new):
            continue
        consequence = Consequence(d.entity, d.id, d.field, d.old, d.new, d.message)
        index = next((i for i, c in enumerate(changes) if _feeds(c, d.sources)), None)
        if index is None:  # cannot happen for two plans that pass their checks
            orphans.append(Change("changed", d.entity, d.id, d.field, d.old, d.new,
                                  d.message + " (derived)"))
        else:
            attached.setdefault(index, []).append(consequence)
    out = [c if i not in attached else dataclasses.replace(c, consequences=tuple(attached[i]))
           for i, c in enumerate(changes)]
    out.extend(orphans)
    return tuple(sorted(out, key=lambda c: c.sort_key))


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
    """Every derived figure on both sides, with the source changes that move it."""
    yield from _derived_finance(old, new)
    yield from _derived_metrics(old, new)
    yield from _derived_activity(old, new)
    yield from _derived_workforce(old, new)


def _both(old: Iterable, new: Iterable, key: Callable = lambda x: x.id) -> Iterator[tuple]:
    before = {key(x): x for x in old}
    for item in new:
        if key(item) in before:
            yield before[key(item)], item


def _years(*series: Series | None) -> list[str]:
    return sorted({y for s in series if s is not None for y in s.values})


def _derived_finance(old: Plan, new: Plan) -> Iterator[Derived]:
    a, b = old.finance, new.finance
    for r, s in _both(a.allocations.rows, b.allocations.rows, key=lambda r: r.label):
        feeds = (("allocation", s.label, "baseline"), ("allocation", s.label, "allocation"))
        yield Derived("allocation", s.label, "movement", r.movement, s.movement,
                      f"movement for `{s.label}` {fmt_delta(r.movement, s.movement)} "
                      f"({fmt_number(r.movement)} → {fmt_number(s.movement)})", feeds)
        yield Derived("allocation", s.label, "percent", r.percent, s.percent,
                      f"increase for `{s.label}` {fmt_number(r.percent, 'percent')} → "
                      f"{fmt_number(s.percent, 'percent')}", feeds)
    rows = (("allocation", ANY, "baseline"), ("allocation", ANY, "allocation"),
            ("allocation", ANY, None))
    ta, tb = a.allocations.total, b.allocations.total
    for name, what, x, y in (
        ("baseline", "baseline", ta.baseline, tb.baseline),
        ("allocation", "allocation", ta.allocation, tb.allocation),
        ("movement", "movement", ta.movement, tb.movement),
    ):
        yield Derived("allocations", None, f"total.{name}", x, y,
                      f"system {what} total {fmt_delta(x, y)} ({fmt_number(x)} → "
                      f"{fmt_number(y)})", rows)
    yield Derived("allocations", None, "total.percent", ta.percent, tb.percent,
                  f"system allocation increase {fmt_number(ta.percent, 'percent')} → "
                  f"{fmt_number(tb.percent, 'percent')}", rows)

    sa, sb = a.trajectory.surplus, b.trajectory.surplus
    for year in _years(sa, sb):
        feeds = (("trajectory", None, f"income.{year}"), ("trajectory", None,
                                                          f"expenditure.{year}"))
        x, y = sa.get(year), sb.get(year)
        yield Derived("trajectory", None, f"surplus.{year}", x, y,
                      f"surplus {year}: {fmt_number(x)} → {fmt_number(y)}", feeds)
    yield Derived("trajectory", None, "balance_year", a.trajectory.balance_year,
                  b.trajectory.balance_year,
                  f"year of financial balance: {a.trajectory.balance_year or 'none'} → "
                  f"{b.trajectory.balance_year or 'none'}",
                  (("trajectory", None, "income"), ("trajectory", None, "expenditure")))
    for year in _years(a.efficiency, b.efficiency, a.trajectory.income, b.trajectory.income):
        x, y = a.efficiency_percent(year), b.efficiency_percent(year)
        yield Derived("efficiency", None, f"percent.{year}", x, y,
                      f"efficiency {year}: {fmt_number(x, 'percent')} → "
                      f"{fmt_number(y, 'percent')} of expenditure",
                      (("efficiency", None, f"values.{year}"),
                       ("trajectory", None, f"expenditure.{year}")))


def _derived_metrics(old: Plan, new: Plan) -> Iterator[Derived]:
    for m, n in _both(old.metrics, new.metrics):
        feeds = (("metric", n.id, "values"), ("metric", n.id, "baseline"))
        x, y = _number(m.change), _number(n.change)
        yield Derived("metric", n.id, "change", x, y,
                      f"change from baseline {fmt_delta(0, x, n.unit)} → "
                      f"{fmt_delta(0, y, n.unit)}", feeds)
        yield Derived("metric", n.id, "meets_standard", m.meets_standard, n.meets_standard,
                      f"meets the national standard: {fmt_value(m.meets_standard)} → "
                      f"{fmt_value(n.meets_standard)}",
                      (*feeds, ("metric", n.id, "standard")))


def _derived_activity(old: Plan, new: Plan) -> Iterator[Derived]:
    for p, q in _both(old.activity, new.activity):
        sp, sq = p.system, q.system
        for year in _years(sp, sq):
            x, y = sp.get(year), sq.get(year)
            yield Derived("activity", q.id, f"system.{year}", x, y,
                          f"system total {year}: {fmt_number(x)} → {fmt_number(y)}",
                          (("activity", q.id, "by_icp"),))


def _derived_workforce(old: Plan, new: Plan) -> Iterator[Derived]:
    for g, h in _both(old.workforce.groups, new.workforce.groups):
        for year in _years(g.wte, h.wte):
            x, y = g.vacancy_rate(year), h.vacancy_rate(year)
            yield Derived("staff-group", h.id, f"vacancy_rate.{year}", x, y,
                          f"vacancy rate {year}: {fmt_number(x, 'percent')} → "
                          f"{fmt_number(y, 'percent')}",
                          (("staff-group", h.id, f"wte.{year}"),
                           ("staff-group", h.id, f"vacancies.{year}"),
                           ("staff-group", h.id, "vacancies")))
    groups = (("staff-group", ANY, None),)
    ta, tb = old.workforce.total, new.workforce.total
    for year in _years(ta, tb):
        x, y = _number(ta.get(year)), _number(tb.get(year))
        yield Derived("workforce", None, f"total.{year}", x, y,
                      f"workforce total {year}: {fmt_number(x)} → {fmt_number(y)} WTE",
                      (*groups, ("staff-group", ANY, f"wte.{year}")))
    va, vb = old.workforce.total_vacancies, new.workforce.total_vacancies
    for year in _years(va, vb):
        x, y = _number(_series_of(va, year)), _number(_series_of(vb, year))
        yield Derived("workforce", None, f"total_vacancies.{year}", x, y,
                      f"vacancies total {year}: {fmt_number(x)} → {fmt_number(y)}",
                      (*groups, ("staff-group", ANY, f"vacancies.{year}"),
                       ("staff-group", ANY, "vacancies")))


# --- the plan as entities ------------------------------------------------------------------

Entities = dict[tuple[str, str | None], dict[str, Any]]


def entities(plan: Plan) -> Entities:
    """Every entity of the plan: (kind, id) -> its fields as JSON-safe nested data.
    Singletons (the system, the vision, the trajectory ...) have the id None."""
    out: Entities = {}

    def put(kind: str, eid: str | None, fields: dict[str, Any]) -> None:
        key, n = (kind, eid), 2
        while key in out:  # a repeated id (the checks refuse most): keep both
            key, n = (kind, f"{eid}#{n}"), n + 1
        out[key] = fields

    s = plan.system
    put("system", None, {"id": s.id, "name": s.name, "kind": s.kind, "area": s.area,
                         "version": s.version, "date": s.date, "status": s.status,
                         "author": s.author})
    put("period", None, {"first": plan.period.first, "last": plan.period.last})
    for src in s.sources:
        put("source", src.id, {"title": src.title, "published": src.published,
                               "file": src.file, "url": src.url})
    for pop in s.population:
        put("population", str(pop.year), _population(pop))
    for icp in s.icps:
        put("icp", icp.id, {"name": icp.name, "description": icp.description,
                            "population": _population(icp.population)})
    for org in s.organisations:
        put("organisation", org.id, {"name": org.name, "type": org.type, "icp": org.icp,
                                     "role": org.role})
    for ex in s.executives:
        put("executive", ex.id, {"name": ex.name, "role": ex.role})
    g = s.governance
    put("governance", None, {"pmo_established": g.pmo_established, "portfolios": g.portfolios,
                             "programmes": g.programmes, "provenance": g.provenance,
                             "description": g.description})
    sub = s.submission
    put("submission", None, {"title": sub.title, "to": sub.to, "deadline": sub.deadline,
                             "provenance": sub.provenance})
    for comp in sub.components:
        put("submission-component", comp.id, {"title": comp.title,
                                               "description": comp.description})
    for entry in s.glossary:
        put("glossary", entry.term, {"definition": entry.definition,
                                     "provenance": entry.provenance, "public": entry.public})

    v = plan.vision
    put("vision", None, {"statement": v.statement, "provenance": v.provenance,
                         "public_summary": v.public_summary})
    for kind, items in (("ambition", v.ambitions), ("intent", v.intents),
                        ("ltp-theme", v.ltp_themes), ("case-for-change", v.case_for_change)):
        for st in items:
            put(kind, st.id, {"text": st.text, "provenance": st.provenance})

    for pr in plan.priorities:
        put("priority", pr.id, {
            "number": pr.number, "title": pr.title, "statement": pr.statement,
            "lead": _person(pr.lead), "portfolios": list(pr.portfolios),
            "public_summary": pr.public_summary, "provenance": pr.provenance})
    for pf in plan.portfolios:
        put("portfolio", pf.id, {
            "title": pf.title, "kind": pf.kind, "sponsor": _person(pf.sponsor),
            "priorities": list(pf.priorities), "provenance": pf.provenance,
            "summary": pf.summary, "narrative": pf.narrative, "metrics": list(pf.metrics)})
        for prog in pf.programmes:
            put("programme", prog.id, {"title": prog.title, "description": prog.description,
                                       "provenance": prog.provenance,
                                       "portfolio": prog.portfolio})

    for m in plan.metrics:
        std = m.standard
        put("metric", m.id, {
            "title": m.title, "description": m.description, "kind": m.kind,
            "priorities": list(m.priorities), "unit": m.unit, "direction": m.direction,
            "national_metric": m.national_metric, "public_phrase": m.public_phrase,
            "standard": {"value": std.value, "text": std.text, "provenance": std.provenance}
            if std else None,
            "baseline": {"year": m.baseline.year, "value": m.baseline.value,
                         "provenance": m.baseline.provenance},
            "values": _values(m.values), "provenance": m.provenance})

    fin = plan.finance
    al = fin.allocations
    put("allocations", None, {
        "title": al.title, "provenance": al.provenance, "baseline_year": al.baseline_year,
        "allocation_year": al.allocation_year, "baseline_label": al.baseline_label,
        "allocation_label": al.allocation_label, "total_label": al.total.label})
    for row in al.rows:
        put("allocation", row.label, {"baseline": row.baseline, "allocation": row.allocation})
    tr = fin.trajectory
    put("trajectory", None, {"provenance": tr.provenance,
                             "income": {y.year: y.income for y in tr.years},
                             "expenditure": {y.year: y.expenditure for y in tr.years}})
    put("efficiency", None, {"provenance": fin.efficiency.provenance,
                             "values": _values(fin.efficiency)})
    for c in fin.context:
        put("context-figure", c.id, {"label": c.label, "value": c.value, "unit": c.unit,
                                     "provenance": c.provenance, "note": c.note})

    for pod in plan.activity:
        put("activity", pod.id, {
            "title": pod.title, "unit": pod.unit, "provenance": pod.provenance,
            "by_icp": {icp: _values(series) for icp, series in sorted(pod.by_icp.items())},
            "system_total_published": pod.published_system is not None})
    put("workforce", None, {"total_published": plan.workforce.published_total is not None})
    for grp in plan.workforce.groups:
        put("staff-group", grp.id, {
            "title": grp.title, "provenance": grp.provenance, "wte": _values(grp.wte),
            "vacancies": _values(grp.vacancies) if grp.vacancies else None})

    for stage, items in (("undertaken", plan.engagement.undertaken),
                         ("planned", plan.engagement.planned)):
        for e in items:
            put("engagement", e.id, {
                "stage": stage, "title": e.title, "when": e.when, "led_by": e.led_by,
                "description": e.description, "provenance": e.provenance,
                "figures": {f.label: {"value": f.value, "provenance": f.provenance}
                            for f in e.figures}})
    for partner in plan.engagement.partners:
        put("partner", partner.id, {"name": partner.name, "role": partner.role})

    for bp in plan.board_papers:
        put("board-paper", bp.id, {
            "title": bp.title, "organisation": bp.organisation, "meeting": bp.meeting,
            "meeting_date": bp.meeting_date, "agenda_item": bp.agenda_item,
            "prepared_by": bp.prepared_by, "paper_date": bp.paper_date,
            "sponsor": bp.sponsor, "responsible_manager": bp.responsible_manager,
            "previous_committees": list(bp.previous_committees),
            "background_papers": list(bp.background_papers), "summary": bp.summary,
            "recommendations": list(bp.recommendations),
            "risks_identified": bp.risks_identified,
            "risk_references": list(bp.risk_references),
            "impact_required": bp.impact_required, "impact_note": bp.impact_note,
            "strategic_objectives": [{"text": o.text, "supported": o.supported}
                                     for o in bp.strategic_objectives],
            "contact": bp.contact, "body": bp.body,
            "extracts": [f"{x.kind}: {x.metric}" if x.metric else x.kind
                         for x in bp.extracts],
            "provenance": bp.provenance})
    return out


def _values(series: Series) -> dict[str, Any]:
    return {year: value for year, value in series.items()}


def _person(person: Any) -> dict[str, str] | None:
    return {"name": person.name, "role": person.role} if person else None


def _population(pop: Any) -> dict[str, Any] | None:
    if pop is None:
        return None
    return {"year": str(pop.year), "people": pop.people, "provenance": pop.provenance,
            "note": pop.note}


# --- messages, in the plan's own terms -------------------------------------------------------


def fmt_number(value: Any, unit: str | None = None) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return fmt_value(value)
    text = f"{value:,}"
    return text + "%" if unit == "percent" else text


def fmt_delta(old: Any, new: Any, unit: str | None = None) -> str:
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return "changed"
    delta = Decimal(str(new)) - Decimal(str(old))
    as_float = isinstance(old, float) or isinstance(new, float)
    number = float(delta) if as_float else int(delta)
    text = f"{number:+,}"
    return text + ("pp" if unit == "percent" else "")


def fmt_value(value: Any, unit: str | None = None) -> str:
    """A value as a reviewer reads it in one line."""
    if value is None:
        return "none"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, int | float):
        return fmt_number(value, unit)
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, list):
        return ", ".join(fmt_value(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    return str(value)


def entity_name(kind: str, eid: str | None, fields: dict[str, Any]) -> str:
    if eid is None:
        return kind_label(kind)
    if kind == "priority" and fields.get("number") is not None:
        return f"priority {fields['number']} `{eid}`"
    if kind == "population":
        return f"population {eid}"
    return f"{kind_label(kind)} `{eid}`"


def _title(fields: dict[str, Any]) -> str | None:
    for key in ("title", "name", "label"):
        if isinstance(fields.get(key), str):
            return fields[key]
    return None


def _entity_message(op: str, kind: str, eid: str | None, fields: dict[str, Any]) -> str:
    name = entity_name(kind, eid, fields)
    if kind == "programme" and fields.get("portfolio"):
        where = "to" if op == "added" else "from"
        return f"{name} {op} {where} portfolio `{fields['portfolio']}`"
    title = _title(fields)
    if title:
        return f"{name} {op}: {fmt_value(title)}"
    scalars = {k: v for k, v in fields.items() if v is not None}
    if scalars and len(scalars) <= 4 and all(
            isinstance(v, str | int | float) for v in scalars.values()):
        return f"{name} {op}: {fmt_value(scalars)}"
    return f"{name} {op}"


_SERIES_FIELDS = {"values": "", "income": "income ", "expenditure": "expenditure ",
                  "wte": "WTE ", "vacancies": "vacancies ", "by_icp": ""}


def field_phrase(field_name: str) -> str:
    """``values.2023/24`` -> ``2023/24``; ``by_icp.north-place.2020/21`` ->
    ``north-place 2020/21``; ``baseline.value`` -> ``baseline value``."""
    head, _, rest = field_name.partition(".")
    if head in _SERIES_FIELDS and rest:
        return _SERIES_FIELDS[head] + rest.replace(".", " ")
    return field_name.replace(".", " ").replace("_", " ")


def _field_message(op: str, kind: str, eid: str | None, name: str, old: Any, new: Any,
                   fields: dict[str, Any], long_text: bool) -> str:
    who = entity_name(kind, eid, fields)
    phrase = field_phrase(name)
    unit = fields.get("unit") if kind == "metric" and (
        name.startswith(("values.", "baseline.value", "standard.value"))) else None
    if kind == "programme" and name == "portfolio" and op == "changed":
        return f"{who} moved from portfolio `{old}` to portfolio `{new}`"
    if name == "title" and op == "changed":
        return f"{who} retitled: {fmt_value(old)} → {fmt_value(new)}"
    if long_text:
        return f"{who}, {phrase} reworded"
    if op == "added":
        return f"{who}, {phrase} added: {fmt_value(new, unit)}"
    if op == "removed":
        return f"{who}, {phrase} removed (was {fmt_value(old, unit)})"
    return f"{who}, {phrase}: {fmt_value(old, unit)} → {fmt_value(new, unit)}"


# --- two versions: directories or git revisions -----------------------------------------------


def diff_versions(old: str, new: str | None = None, plan_path: str = "plan",
                  cwd: Path | None = None) -> DiffResult:
    """Compare two versions of a plan, each a directory or a git revision of the
    repository at ``cwd``; with ``new`` None, compare ``old`` with the working tree's
    plan folder. Raises UsageError for a version that cannot be read and
    VersionsInvalid when either version fails its checks."""
    from .errors import PlanInvalid, VersionsInvalid
    from .pipeline import check
    from .revisions import open_version, resolve

    here = Path.cwd() if cwd is None else cwd
    sides = [resolve("old", old, plan_path, here), resolve("new", new, plan_path, here)]
    plans: list[Plan] = []
    failures: list[PlanInvalid] = []
    for side in sides:
        with open_version(side) as directory:
            checked = check(directory)
        if checked.plan is None or checked.report.errors:
            failures.append(PlanInvalid(checked.report, side.label, checked.sources,
                                        side.prefix))
        else:
            plans.append(checked.plan)
    if failures:
        raise VersionsInvalid(tuple(failures))
    return diff(plans[0], plans[1], sides[0].label, sides[1].label)
