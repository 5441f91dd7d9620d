"""The whole plan (``Plan``) and ``build_model``, which builds it from the loaded files
with each kind's builder."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any

from .. import actuals, kinds, narrative
from ..diagnostics import Location
from ..formatting import BUILTIN_UNITS, Unit
from ..load import LoadedPlan, SourceFile
from .base import (
    _ISO_DATE,
    ILLUSTRATIVE,
    Record,
    Series,
    Source,
    _count,
    _generic,
    _located,
    percent_change,
    texts,
)
from .dated import _postdating, _without, _without_references
from .papers import (
    BoardPaper,
    EngagementPlan,
    _board_paper,
    _commitments,
    _engagement,
    _resolve_formats,
    _risks,
)
from .quantified import (
    AllocationRow,
    Finance,
    PointOfDelivery,
    Workforce,
    _activity,
    _finance,
    _workforce,
)
from .strategy import (
    Metric,
    Portfolio,
    Priority,
    Programme,
    Vision,
    _metrics,
    _portfolio,
    _priorities,
    _vision,
)
from .system import (
    ICP,
    Board,
    Organisation,
    Period,
    System,
    Terms,
    _declared_units,
    _system,
    _terms,
)

# --- the framework the plan answers -----------------------------------------------------


@dataclass(frozen=True)
class Answering:
    """The entities of one kind that answer a framework chapter or area: the kind's
    label (``heading``: "Portfolios") and the entities' titles, in plan order, each with
    whether it is an invented entry (``illustrative``, marked where it is shown)."""

    heading: str
    titles: tuple[str, ...]
    illustrative: tuple[bool, ...]

    @property
    def items(self) -> tuple[tuple[str, bool], ...]:
        return tuple(zip(self.titles, self.illustrative, strict=True))


@dataclass(frozen=True)
class FrameworkEntry:
    """A chapter or area of the framework (framework.yaml) and what answers it.
    ``answered``: something names it in ``answers`` (for a chapter with areas, it or one
    of its areas); ``by``: what names it itself."""

    id: str
    title: str
    chapter: Any  # the chapter's Record (an area's chapter, or the chapter itself)
    is_area: bool
    by: tuple[Answering, ...]
    answered: bool
    loc: Location
    number: int | None = None  # a chapter's number in the framework

    @property
    def heading(self) -> str:
        """The title, with a chapter's number: "6. Giving NHS staff the backing ..."."""
        return self.title if self.number is None else f"{self.number}. {self.title}"

    @property
    def has_areas(self) -> bool:
        return not self.is_area and bool(getattr(self.chapter, "areas", ()))


@dataclass(frozen=True)
class FrameworkMap:
    """The framework the plan answers and, chapter by chapter and area by area, what
    in the plan answers each (``entries``, in the framework's order)."""

    title: str
    source: Source | None
    illustrative: bool
    entries: tuple[FrameworkEntry, ...]
    loc: Location

    @property
    def unanswered(self) -> tuple[FrameworkEntry, ...]:
        """The areas, and the chapters without areas, that nothing answers (a chapter
        with areas is answered area by area)."""
        return tuple(e for e in self.entries if not e.has_areas and not e.answered)

    @property
    def unanswered_by_chapter(self) -> tuple[tuple[FrameworkEntry, tuple[FrameworkEntry, ...]],
                                             ...]:
        """``unanswered`` by chapter: (the chapter's entry, its areas nothing answers;
        none for a chapter without areas, which is itself unanswered)."""
        chapters = {e.id: e for e in self.entries if not e.is_area}
        found: dict[str, list[FrameworkEntry]] = {}
        for e in self.unanswered:
            found.setdefault(e.chapter.id, []).extend([e] if e.is_area else [])
        return tuple((chapters[c], tuple(areas)) for c, areas in found.items())


# --- the plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The whole plan: one part per file kind (``kinds.FILES``). Parts of generic
    kinds (with no field here) are in ``more`` and read as attributes all the same."""

    system: System
    vision: Vision
    priorities: tuple[Priority, ...]
    portfolios: tuple[Portfolio, ...]
    metrics: tuple[Metric, ...]
    finance: Finance
    activity: tuple[PointOfDelivery, ...]
    workforce: Workforce
    engagement: EngagementPlan
    board_papers: tuple[BoardPaper, ...]
    terms: Terms = field(default_factory=Terms)
    #: The units plan.yaml declares beside the built-in ones (``formatting.BUILTIN_UNITS``).
    units: tuple[Unit, ...] = ()
    more: Mapping[str, Any] = field(default_factory=dict)
    #: Each source file's key positions (file -> JSON pointer -> line, column), for a
    #: rule to point at a key the model does not keep a place for (``written_at``).
    keys: Mapping[str, Mapping[str, tuple[int, int]]] = field(
        default_factory=dict, compare=False, repr=False)

    def __getattr__(self, name: str) -> Any:
        more = self.__dict__.get("more", {})
        if name in more:
            return more[name]
        raise AttributeError(name)

    @property
    def period(self) -> Period:
        return self.system.period

    def written_at(self, loc: Location, key: str) -> Location:
        """Where ``key`` is written for the object at ``loc``: its own ``key``, or the
        nearest enclosing object's, which it inherits (a file's ``provenance``); ``loc``
        itself where no enclosing object writes it."""
        positions = self.keys.get(loc.file, {})
        probe = loc.pointer
        while True:
            at = positions.get(f"{probe}/{key}")
            if at is not None:
                return Location(loc.file, at[0], at[1], f"{probe}/{key}")
            if not probe:
                return loc
            probe = probe.rsplit("/", 1)[0]

    @property
    def programmes(self) -> tuple[Programme, ...]:
        return tuple(p for pf in self.portfolios for p in pf.programmes)

    def _index(self, items: tuple) -> dict[str, Any]:
        """``items`` (a list of the plan, which never changes) by id, worked out once
        per list: lookups are many, as many as a document's references."""
        memo = self.__dict__.setdefault("_indexes", {})  # beside the fields
        found = memo.get(id(items))
        if found is None or found[0] is not items:  # kept with its list, so ids stay theirs
            found = memo[id(items)] = (items, {item.id: item for item in items})
        return found[1]

    def priority(self, pid: str) -> Priority:
        return self._index(self.priorities)[pid]

    def portfolio(self, pid: str) -> Portfolio:
        return self._index(self.portfolios)[pid]

    def metric(self, mid: str) -> Metric:
        return self._index(self.metrics)[mid]

    def icp(self, icp_id: str) -> ICP:
        return self._index(self.system.icps)[icp_id]

    def programme(self, prog_id: str) -> tuple[Portfolio, Programme]:
        """The programme ``prog_id`` and the portfolio it belongs to."""
        return self._programmes[prog_id]

    @cached_property
    def _programmes(self) -> dict[str, tuple[Portfolio, Programme]]:
        return {prog.id: (pf, prog) for pf in self.portfolios for prog in pf.programmes}

    def organisation(self, org_id: str) -> Organisation:
        return self._index(self.system.organisations)[org_id]

    def place_organisations(self, icp_id: str) -> tuple[Organisation, ...]:
        """The partner organisations that serve one place, those serving others too
        among them."""
        return tuple(o for o in self.system.organisations if icp_id in o.places)

    def place_allocations(self, icp_id: str) -> AllocationRow | None:
        """The allocations table's rows for the CCGs of one place, summed (None when
        the table has none of them)."""
        al = self.finance.allocations
        ccgs = {o.id for o in self.system.ccgs_of(icp_id)}
        rows = [r for r in al.rows if r.organisation in ccgs]
        if not rows:
            return None
        base, alloc = sum(r.baseline for r in rows), sum(r.allocation for r in rows)
        return AllocationRow(self.icp(icp_id).name, None, base, alloc, alloc - base,
                             percent_change(base, alloc), loc=al.loc)

    def board(self, board_id: str) -> Board:
        return self._index(self.system.governance.boards)[board_id]

    def paper_organisation(self, paper: BoardPaper) -> Organisation | None:
        """The organisation whose meeting receives ``paper``: its own ``organisation``,
        else its board's; None for a meeting of the partnership as a whole."""
        org_id = paper.organisation or (self.board(paper.board).organisation
                                        if paper.board else None)
        return self.organisation(org_id) if org_id else None

    def source(self, source_id: str) -> Source:
        return self._index(self.system.sources)[source_id]

    @property
    def enablers(self) -> tuple[Portfolio, ...]:
        """The portfolios that serve every priority (``enabler: true``)."""
        return tuple(pf for pf in self.portfolios if pf.enabler)

    def portfolios_for(self, priority: Priority) -> tuple[Portfolio, ...]:
        known = self._index(self.portfolios)
        return tuple(known[p] for p in priority.portfolios if p in known)

    def metrics_for(self, priority: Priority) -> tuple[Metric, ...]:
        return tuple(m for m in self.metrics if priority.id in m.priorities)

    def enabler_metrics(self, portfolio: Portfolio) -> tuple[Metric, ...]:
        """The metrics an enabler lists that measure no priority: the metrics plan shows
        them under the enabler."""
        known = self._index(self.metrics)
        return tuple(known[m] for m in portfolio.metrics
                     if m in known and not known[m].priorities)

    def thread(self, priority: Priority) -> tuple[tuple[Portfolio, tuple[Metric, ...]], ...]:
        """The golden thread of a priority: each portfolio that delivers it, with those
        of the portfolio's metrics that measure this priority."""
        measures = {m.id: m for m in self.metrics_for(priority)}
        return tuple((pf, tuple(measures[m] for m in pf.metrics if m in measures))
                     for pf in self.portfolios_for(priority))

    def later_sources(self, day: str) -> frozenset[str]:
        """The ids of the sources published after ``day`` (``YYYY-MM-DD``), unless their
        wording was ``current`` by then."""
        return frozenset(s.id for s in self.system.sources
                         if s.known_from and s.known_from > day)

    def known_on(self, day: str) -> Callable[[str], bool]:
        """Whether a passage dated ``{from:WHEN}`` is known on ``day``: WHEN is a date
        on or before it, or a source published on or before it."""
        dates = {s.id: s.known_from for s in self.system.sources}

        def known(when: str) -> bool:
            when = dates.get(when) or when
            # what is neither a date nor a source is refused by check (passage-date)
            return not _ISO_DATE.fullmatch(when) or when <= day

        return known

    def as_of(self, day: str) -> Plan:
        """The plan as it stood on ``day``: every entity whose provenance is a source
        published after that day is left out (an optional one becomes None), and so
        are those sources and every passage of text dated after it (``{from:...}``),
        and the planned engagement whose ``until`` was over before it."""
        later, known = self.later_sources(day), self.known_on(day)
        # Two days with the same later sources and the same passages not yet known give
        # the same plan: it is worked out once per such epoch, not once per document.
        epoch = (later, frozenset(w for w in self._passage_dates if not known(w)))
        memo = self.__dict__.setdefault("_as_of", {})  # beside the fields, as cached_property
        plan = memo.get(epoch)
        if plan is None:
            plan = memo[epoch] = _without_references(_without(self, later, known), self)
        dated = {name: cut(self.more.get(name), day) for name, cut in DATED_PARTS.items()}
        if any(dated[name] is not plan.more.get(name) for name in dated):
            plan = replace(plan, more={**plan.more, **dated})
        planned = tuple(e for e in plan.engagement.planned if not e.until or e.until >= day)
        if planned == plan.engagement.planned:
            return plan
        return replace(plan, engagement=replace(plan.engagement, planned=planned))

    @cached_property
    def _passage_dates(self) -> frozenset[str]:
        """Every WHEN of the plan's ``{from:WHEN}`` passages."""
        return frozenset(when for text in texts(self)
                         for when, *_ in narrative.dated_passages(text))

    def postdating(self, day: str) -> Iterator[Any]:
        """Every entity of the plan whose provenance is a source published after ``day``."""
        later = self.later_sources(day)
        if later:
            yield from _postdating(self, later)

    def later_passages(self, value: Any, day: str) -> Iterator[tuple[str, Location]]:
        """(when, where) of every passage of text in ``value`` dated after ``day``."""
        known = self.known_on(day)
        for text in texts(value):
            for when, line, _first, _last in narrative.dated_passages(text):
                if not known(when):
                    yield when, text.at(line)

    @cached_property
    def answered_by(self) -> Mapping[str, tuple[tuple[kinds.EntityKind, Any], ...]]:
        """What answers each framework chapter or area: its id -> (kind, entity) for
        every entity whose ``answers`` names it (the references to
        ``kinds.ANSWERED`` the kinds declare), in plan order."""
        found: dict[str, list[tuple[kinds.EntityKind, Any]]] = {}
        for kind, _id, entity in kinds.entities(self):
            for path, target in kind.refers:
                if target == kinds.ANSWERED:
                    for ref in kinds.values(entity, path):
                        found.setdefault(ref, []).append((kind, entity))
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def framework_map(self) -> FrameworkMap | None:
        """The framework the plan answers (framework.yaml) with what answers each of
        its chapters and areas; None for a plan without one."""
        fw = self.more.get("framework")
        if fw is None:
            return None
        entries: list[FrameworkEntry] = []
        for chapter in fw.chapters:
            areas = tuple(getattr(chapter, "areas", None) or ())
            answered = any(x.id in self.answered_by for x in (chapter, *areas))
            entries.append(FrameworkEntry(chapter.id, chapter.title, chapter, False,
                                          self._answering(chapter.id), answered, chapter.loc,
                                          getattr(chapter, "number", None)))
            entries.extend(FrameworkEntry(a.id, a.title, chapter, True, self._answering(a.id),
                                          a.id in self.answered_by, a.loc) for a in areas)
        source = next((s for s in self.system.sources if s.id == fw.provenance), None)
        return FrameworkMap(fw.title, source, fw.provenance == ILLUSTRATIVE, tuple(entries),
                            fw.loc)

    def _answering(self, eid: str) -> tuple[Answering, ...]:
        by: dict[str, list[tuple[str, bool]]] = {}
        for kind, entity in self.answered_by.get(eid, ()):
            plural = getattr(self.terms, kind.term).plural if kind.term else kind.heading
            heading = plural[:1].upper() + plural[1:]
            by.setdefault(heading, []).append((str(entity.title), _invented(kind, entity)))
        return tuple(Answering(h, tuple(t for t, _i in found), tuple(i for _t, i in found))
                     for h, found in by.items())

    @property
    def has_illustrative(self) -> bool:
        """Whether any figure or entry of the plan is illustrative (the documents are
        then drafts)."""
        return (next(self.illustrative_figures(), None) is not None
                or next(self.illustrative_items(), None) is not None)

    def illustrative_items(self) -> Iterator[tuple[str, str, str, Location]]:
        """(file, kind, what, where) for every entry no source gives (a priority, an
        ambition, an organisation ... whose own provenance is ``illustrative``): the
        entities of kinds whose provenance covers the entity itself rather than figures
        (``kinds.EntityKind.item``)."""
        for kind, _id, entity in kinds.entities(self):
            if not _invented(kind, entity):
                continue
            # whole: an entry cut off mid-phrase ("of the plan as a …") says nothing
            what = next((str(getattr(entity, a)) for a in ("title", "term", "name", "text")
                         if getattr(entity, a, None)), kinds.name_of(kind, entity))
            yield entity.loc.file, kinds.label_of(kind, self.terms), what, entity.loc

    @property
    def headline_metrics(self) -> tuple[Metric, ...]:
        return tuple(m for m in self.metrics if m.public_phrase)

    def illustrative_figures(self) -> Iterator[tuple[str, str, int, Location]]:
        """(file, what, how many figures, where) for every illustrative series or figure,
        from the figures each entity kind declares (``kinds.Figures``)."""
        for kind, _id, entity in kinds.entities(self):
            found: dict[str, list] = {}
            for figures in kind.figures:
                for holder, loc in kinds.location_of(entity, figures.holder):
                    if holder.provenance != ILLUSTRATIVE:
                        continue
                    count = sum(_count(v) for path in figures.figures
                                for v in kinds.values(holder, path))
                    what = figures.what.format(e=entity, h=holder)
                    if what in found:
                        found[what][1] += count
                    elif count:
                        found[what] = [loc, count]
            for what, (loc, count) in found.items():
                yield loc.file, what, count, loc


def _invented(kind: kinds.EntityKind, entity: Any) -> bool:
    """Whether ``entity`` is an entry no source gives: its kind's provenance covers the
    entity itself (not its figures, ``kinds.EntityKind.item``) and it is illustrative."""
    return (kind.item and "" in kind.provenance
            and not any(f.holder == "" for f in kind.figures)  # its provenance is its figures'
            and getattr(entity, "provenance", None) == ILLUSTRATIVE)


# --- building the model ------------------------------------------------------------------


def build_model(loaded: LoadedPlan) -> Plan:
    """Build the typed plan from files that passed the schema: each file kind's part
    with its builder (``BUILDERS``), or as generic Records."""
    parts: dict[str, Any] = {}
    for kind in kinds.FILES:
        files = [dataclasses.replace(f, data=_located(f, f.data))
                 for f in sorted(loaded.of_kind(kind.schema), key=lambda f: f.path)]
        build = BUILDERS.get(kind.schema) or partial(_generic, kind=kind)
        parts[kind.part] = (tuple(build(f) for f in files) if kind.folder
                            else build(files[0]) if files else None)
    parts["terms"] = _terms(loaded.files["plan.yaml"].data.get("terms"))
    parts["units"] = _declared_units(loaded.files["plan.yaml"])
    _resolve_units(parts)
    _resolve_formats(parts)
    typed = {f.name for f in dataclasses.fields(Plan)}
    return Plan(**{k: v for k, v in parts.items() if k in typed},
                more={k: v for k, v in parts.items() if k not in typed},
                keys={f.path: f.key_positions for f in loaded.files.values()})


def _resolve_units(parts: dict[str, Any]) -> None:
    """Each unit a metric, finance figure or point of delivery names, as the plan
    declares it (a declared unit with a built-in id is refused by check: the built-in
    one stays)."""
    declared = {u: u for u in parts["units"] if u not in BUILTIN_UNITS}
    if not declared:
        return

    def resolved(item: Any) -> Any:
        u = item.unit
        return replace(item, unit=declared[u].at(u.loc)) if u in declared else item

    parts["metrics"] = tuple(resolved(m) for m in parts["metrics"] or ())
    finance = parts["finance"]
    if finance is not None:
        parts["finance"] = replace(finance, context=tuple(resolved(c) for c in finance.context))
    parts["activity"] = tuple(resolved(p) for p in parts["activity"] or ())
    for kind in kinds.FILES:  # a generic kind's series, in the unit its entity names
        if kind.schema not in BUILDERS and parts.get(kind.part) is not None:
            parts[kind.part] = _declared_units_in(parts[kind.part], declared)


def _declared_units_in(value: Any, declared: Mapping[str, Unit]) -> Any:
    """``value`` (a generic kind's part) with each series whose unit the plan declares
    in that unit as declared (its label, symbol and decimals), and so each unit an
    entity names in its field (``field:NAME``)."""
    if isinstance(value, Series):
        u = value.unit
        return replace(value, unit=declared[u]) if u is not None and u in declared else value
    if isinstance(value, tuple):
        return tuple(_declared_units_in(v, declared) for v in value)
    if isinstance(value, Record):
        fields = vars(value)["_fields"]
        for name, v in fields.items():
            fields[name] = _declared_units_in(v, declared)
        kind = kinds.entity_kind(vars(value).get("_kind") or "")
        for _path, spec in kind.figure_units() if kind else ():
            name = spec.removeprefix(kinds.FIELD_UNIT)
            if spec.startswith(kinds.FIELD_UNIT) and fields.get(name) in declared:
                fields[name] = declared[fields[name]]  # the unit the entity names, declared
    return value


#: How each file kind (by schema name) becomes its part of the Plan; a kind not named
#: here is built as generic Records.
BUILDERS: dict[str, Callable[[SourceFile], Any]] = {
    "plan": _system, "vision": _vision, "priorities": _priorities, "metrics": _metrics,
    "finance": _finance, "activity": _activity, "workforce": _workforce,
    "engagement": _engagement, "portfolio": _portfolio, "board-paper": _board_paper,
    "risks": _risks, "commitments": _commitments, "actuals": actuals.build,
}

#: Parts of ``Plan.more`` dated by their own periods rather than by their sources'
#: publication dates: part -> (the part, day) -> the part as a document dated ``day``
#: holds it (``Plan.as_of``).
DATED_PARTS: dict[str, Callable[[Any, str], Any]] = {"actuals": actuals.as_of}
