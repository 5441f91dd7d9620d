"""The plan's shape, declared once: every kind of plan file and every kind of entity.

``FILES`` says which files a plan has (``load`` finds them), which schema each obeys
(``validate.schema``) and which part of ``model.Plan`` it builds (``model.build_model``).
Each file kind lists its ``EntityKind``s: where the entities sit in the model, which
field is their id, which objects carry a provenance, which figures that provenance
covers, which fields are public text, and which series must cover the plan
period. The plan rules (``validate.rules``) and the illustrative count
(``model.Plan.illustrative_figures``) walk these declarations and nothing else, so a
new file kind needs its schema, its entry here, its template partial and its starter
file; its model is a generic ``model.Record`` unless ``model.BUILDERS`` names a class.

How ``diff`` uses it: ``entities(plan)`` yields ``(kind, id, entity)`` for every entity
in plan order (``id`` is None for a singleton such as the vision). Match entities by
``(kind.name, id)``; compare the entity's own fields (``own_fields``, which leaves out
``loc`` and the collections that are entities of their own, such as a portfolio's
programmes). ``kind.label`` names one entity ("metric"), ``kind.heading`` a group of
them ("Metrics").

Paths are attribute names joined by dots, read from the model object by ``values``:
a tuple met on the way is walked item by item, a mapping value by value (``by_icp``),
None (or a field a generic Record leaves out) is skipped, and the empty path is the
object itself. ``refers`` names the ids an entity refers to, as paths to them and the
entity kind that defines them (``keys:PATH``: the keys of the mapping at PATH, such as
the places an activity gives figures for); the ``reference`` rule checks them, each at
the place ``referred`` finds it written.

A kind also declares the built-in units its own unit field may name (``UnitChoice``,
read by the ``reference`` rule), the figures derived from its own and how ``diff``
names them (``DerivedFigure``), and how documents name the part of the plan a file
holds (``FileKind.shown_as``, else its section's title: Annex C).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: The unit of figures that are not quantities (a date, a contact's details, a board
#: paper's cover-sheet field): written as the source gives them, never converted.
AS_WRITTEN = "as-written"
#: A unit the entity names in one of its own fields: ``field:unit``.
FIELD_UNIT = "field:"
#: The unit of the entity another field refers to (``of:metric|activity``: the ``unit``
#: of the metric its ``metric`` field names, else of the activity its ``activity`` names).
REFERRED_UNIT = "of:"
#: A ``refers`` path naming the keys of a mapping, not its values: ``keys:by_icp``.
KEYS = "keys:"


@dataclass(frozen=True)
class Figures:
    """Figures whose provenance is ``holder``'s; counted as illustrative when it is.

    ``unit`` is what the figures are in: a built-in unit's id (``formatting.BUILTIN_UNITS``:
    ``gbp-thousands``, ``wte``), ``field:NAME`` for the unit the entity names in its field
    NAME (a metric's ``unit``, which may be one plan.yaml declares), ``of:KIND|KIND`` for
    the unit of the entity its field KIND refers to (an actuals series: its metric's), or
    ``as-written`` for figures that are not quantities; one for all of ``figures``, or
    one for each.
    Check messages, ``diff``, the documents and the workbook write the figures in it;
    every kind declares it (``tests/test_kinds.py``), there is no default."""

    holder: str  # path from the entity to the object with the provenance
    figures: tuple[str, ...]  # paths from the holder to the figures it covers
    #: how the register of illustrative values names them; format fields ``e`` (entity)
    #: and ``h`` (holder)
    what: str
    unit: str | tuple[str, ...] = ""

    def units(self) -> Iterator[tuple[str, str]]:
        """(path from the entity, unit) of each of the figures."""
        each = (self.unit,) * len(self.figures) if isinstance(self.unit, str) else self.unit
        for path, unit in zip(self.figures, each, strict=True):
            yield ".".join(p for p in (self.holder, path) if p), unit


@dataclass(frozen=True)
class DerivedFigure:
    """A figure the model derives from the plan's own (an allocation's movement, a
    year's surplus), which ``diff`` reports as moved by the changes feeding it, never as
    a change of its own. ``field`` is diff's name for it (``total.baseline``; one a
    year is named by its head, ``surplus``, and diff's field is ``surplus.2021/22``);
    ``words`` how diff names it, with format fields ``id`` (the entity's), ``year`` (the
    part of the field after its name) and ``name`` (the entity as diff names it);
    ``unit`` as ``Figures.unit`` names units (``as-written`` for a year, a yes or no, a
    rating); ``signed``: itself a change, written with its sign ("+£1,000k"). What
    feeds it and its arithmetic are ``diff_derived``'s and the model's."""

    field: str
    words: str
    unit: str
    signed: bool = False


@dataclass(frozen=True)
class UnitChoice:
    """Which built-in units the unit an entity names in its own field (``field:NAME``)
    may be (plan.yaml ``units`` declares more), and how the message refusing another
    names the kind's entities ("neither built in for ``metrics``"). A kind declaring
    none may name any built-in unit."""

    of: str  # its entities, in the message: "metrics"
    builtin: tuple[str, ...]  # ids of built-in units (``formatting.BUILTIN_UNITS``)


@dataclass(frozen=True)
class EntityKind:
    name: str  # the diff's key for the kind: "metric", "staff-group"
    label: str  # one of them, in messages: "metric"
    heading: str  # a group of them: "Metrics"
    within: tuple[str, ...]  # paths from the Plan to the entities
    id: str | None = "id"  # the field holding the id ("a|b": the first given); None: one
    named: str | None = None  # one entity in messages, from its fields; else "label 'id'"
    provenance: tuple[str, ...] = ()  # paths to objects whose .provenance names a source
    figures: tuple[Figures, ...] = ()
    series: tuple[tuple[str, str], ...] = ()  # (path, name) of series covering the period
    public: tuple[str, ...] = ()  # fields the public summary shows (plain English)
    ignored: tuple[str, ...] = ()  # fields diff does not compare (a portfolio's file)
    within_field: str | None = None  # diff's name for which of ``within`` holds it
    #: (path, kind name): the ids it refers to, each defined by an entity of that kind
    #: (rule ``reference``; ``keys:PATH``: the keys of a mapping)
    refers: tuple[tuple[str, str], ...] = ()
    term: str | None = None  # the plan.yaml ``terms`` entry naming it in messages ("place")
    item: bool = True  # an illustrative entity (not figure) is marked and listed as one
    #: (path, unit) of figures no ``figures`` entry covers (a published total, whose
    #: provenance is not the entity's), as ``Figures.unit`` names units
    units: tuple[tuple[str, str], ...] = ()
    unit_choice: UnitChoice | None = None  # the built-in units its ``field:NAME`` may be
    derived: tuple[DerivedFigure, ...] = ()  # the figures diff sees derived from its own

    @property
    def unit_fields(self) -> tuple[str, ...]:
        """The fields its entities name the unit of their figures in (``field:NAME``)."""
        return tuple(dict.fromkeys(spec[len(FIELD_UNIT):] for _path, spec in self.figure_units()
                                   if spec.startswith(FIELD_UNIT)))

    @property
    def id_fields(self) -> tuple[tuple[str, str], ...]:
        """(field, kind name) of the ``refers`` that are fields of the entity itself,
        holding an id or a list of ids (what ``diff`` follows through a rename and the
        plan at a date clears when it leaves the entity referred to out)."""
        return tuple((path, target) for path, target in self.refers
                     if "." not in path and not path.startswith(KEYS))

    def figure_units(self) -> Iterator[tuple[str, str]]:
        """(path from the entity, unit) of every figure the kind declares."""
        for figures in self.figures:
            yield from figures.units()
        yield from self.units


PARTS = ("front", "narrative", "quantified", "major")

#: The entity kind of the framework's chapters and areas (framework.yaml): what an
#: entity's ``answers`` refers to (``refers``), and so what answers each of them.
ANSWERED = "framework-area"


@dataclass(frozen=True)
class Section:
    """Where the documents show a file kind. Its partial (``partial``, by default
    ``partials/<schema>.html.j2`` in the templates) defines
    ``render(plan, figures, level, id)``, ``id`` being the anchor to put on what it shows;
    the LTP submission places it, headed ``title``, at the end of ``part`` (``front``:
    unnumbered, before the strategic narrative; ``narrative`` or ``quantified``: a
    section of the strategic narrative or the quantified plan; ``major``: a numbered
    part of its own after the golden thread), and lists it in its
    contents; a board paper reproduces it where its ``extracts`` name ``extract``."""

    title: str
    part: str
    extract: str | None = None
    partial: str | None = None


@dataclass(frozen=True)
class FileKind:
    path: str  # "metrics.yaml", or "portfolios/" for a folder of files, one entity each
    schema: str  # schemas/<schema>.schema.json; also the loaded file's kind
    part: str  # the Plan attribute it builds (a tuple, one per file, for a folder)
    entities: tuple[EntityKind, ...] = ()
    required: bool = True
    records: str | None = None  # a generic kind: the top-level list its entities are
    section: Section | None = None  # where the documents show it, when a partial does
    #: the part of the plan it holds as documents name it (Annex C's "Section" column),
    #: never the file; a kind with a ``section`` is named by its title unless this says
    shown_as: str | None = None

    @property
    def folder(self) -> bool:
        return self.path.endswith("/")

    @property
    def title(self) -> str | None:
        """The part of the plan it holds, as documents name it: ``shown_as``, else its
        section's title (None: neither declared, which ``tests/test_kinds.py`` refuses)."""
        return self.shown_as or (self.section.title if self.section else None)

    @property
    def partial(self) -> str:
        """The template partial that shows this kind (for kinds with a ``section``)."""
        if self.section and self.section.partial:
            return self.section.partial
        return f"partials/{self.schema}.html.j2"


FILES: tuple[FileKind, ...] = (
    FileKind("plan.yaml", "plan", "system", (
        EntityKind("system", "the system", "System", ("system",), id=None),
        EntityKind("period", "the plan period", "Plan period", ("system.period",), id=None),
        EntityKind("source", "source", "Sources", ("system.sources",)),
        EntityKind("population", "population", "Population", ("system.population",),
                   id="year", named="population {year}", provenance=("",),
                   figures=(Figures("", ("people",), "population {e.year}", "number"),)),
        EntityKind("icp", "ICP", "Integrated care partnerships", ("system.icps",),
                   provenance=("", "population"), term="place",
                   figures=(Figures("population", ("people",), "population of {e.name}",
                                    "number"),)),
        EntityKind("organisation", "organisation", "Organisations",
                   ("system.organisations",), provenance=("",), refers=(("places", "icp"),)),
        EntityKind("executive", "executive", "Executives", ("system.executives",),
                   provenance=("",)),
        EntityKind("governance", "governance", "Governance", ("system.governance",),
                   id=None, provenance=("", "sourced"),
                   figures=(Figures("", ("block_figures",), "governance figures", AS_WRITTEN),
                            Figures("sourced", ("value",), "governance: {h.label}", AS_WRITTEN))),
        EntityKind("board", "board", "Boards and committees", ("system.governance.boards",),
                   provenance=("",), refers=(("organisation", "organisation"),
                                             ("members", "organisation"))),
        EntityKind("submission", "the submission", "Submission", ("system.submission",),
                   id=None, provenance=("", "sourced"),
                   figures=(Figures("", ("block_figures",), "submission deadline", AS_WRITTEN),
                            Figures("sourced", ("value",), "submission {h.label}", AS_WRITTEN))),
        EntityKind("submission-component", "submission component", "Submission components",
                   ("system.submission.components",)),
        EntityKind("glossary", "glossary term", "Glossary", ("system.glossary",),
                   id="term", provenance=("",)),
        EntityKind("publication", "the publication", "Publication", ("system.publication",),
                   id=None, provenance=("", "contacts"), public=("how_to_ask",), item=False,
                   figures=(Figures("", ("date",), "the public summary's publication date",
                                    AS_WRITTEN),
                            Figures("contacts", ("value",), "contact details ({h.kind})",
                                    AS_WRITTEN))),
        EntityKind("unit", "unit", "Units", ("units",)),
    ), shown_as="Our system and its population"),
    FileKind("vision.yaml", "vision", "vision", (
        EntityKind("vision", "the vision", "Vision", ("vision",), id=None, provenance=("",),
                   public=("public_summary",)),
        EntityKind("ambition", "ambition", "Ambitions", ("vision.ambitions",),
                   provenance=("",), term="ambition"),
        EntityKind("intent", "intent", "Intents", ("vision.intents",), provenance=("",),
                   term="intent"),
        EntityKind("ltp-theme", "Long Term Plan theme", "Long Term Plan themes",
                   ("vision.ltp_themes",), provenance=("",)),
        EntityKind("case-for-change", "case for change", "Case for change",
                   ("vision.case_for_change",), provenance=("",)),
    ), shown_as="Vision"),
    FileKind("priorities.yaml", "priorities", "priorities", (
        EntityKind("priority", "priority", "Priorities", ("priorities",),
                   named="{term} {number}", provenance=("",), public=("public_summary",),
                   term="priority", refers=(("portfolios", "portfolio"),)),
    ), shown_as="The plan"),
    FileKind("portfolios/", "portfolio", "portfolios", (
        EntityKind("portfolio", "portfolio", "Portfolios", ("portfolios",),
                   provenance=("",), ignored=("file",), term="portfolio",
                   refers=(("priorities", "priority"), ("metrics", "metric"),
                           ("answers", ANSWERED))),
        EntityKind("programme", "programme", "Programmes", ("portfolios.programmes",),
                   provenance=("",), term="programme"),
    ), shown_as="The plan"),
    FileKind("metrics.yaml", "metrics", "metrics", (
        EntityKind("metric", "metric", "Metrics", ("metrics",),
                   provenance=("", "baseline", "targets", "targets.sourced"),
                   figures=(Figures("", ("values",), "metric {e.title}", "field:unit"),
                            Figures("baseline", ("value",), "metric {e.title}", "field:unit"),
                            # a target, or each part of one whose parts differ in provenance
                            # (its value or change, wording and date): counted, not shown
                            Figures("targets.parts", ("value",),
                                    "{h.label} for metric {e.title}", "as-written")),
                   units=(("targets.value", "field:unit"),),
                   series=(("values", ""),), public=("public_phrase",),
                   refers=(("priorities", "priority"), ("answers", ANSWERED)),
                   unit_choice=UnitChoice("metrics", (
                       "percent", "number", "rate-per-100000", "years", "weeks",
                       "gbp-thousands", "ratio", "wte")),
                   derived=(DerivedFigure("change", "change from baseline", "field:unit",
                                          signed=True),
                            DerivedFigure("meets_standard", "meets the national standard",
                                          AS_WRITTEN))),
    ), shown_as="Metrics plan"),
    FileKind("finance.yaml", "finance", "finance", (
        EntityKind("allocations", "the allocations table", "Allocations table",
                   ("finance.allocations",), id=None,
                   provenance=("",),
                   figures=(Figures("", ("rows.baseline", "rows.allocation",
                                         "rows.published_movement",
                                         "rows.published_percent"), "CCG allocations",
                                    ("gbp-thousands",) * 3 + ("percent",)),),
                   derived=(
                       DerivedFigure("total.baseline", "system baseline total", "gbp-thousands"),
                       DerivedFigure("total.allocation", "system allocation total",
                                     "gbp-thousands"),
                       DerivedFigure("total.movement", "system movement total", "gbp-thousands",
                                     signed=True),
                       DerivedFigure("total.percent", "system allocation increase",
                                     "percent"))),
        EntityKind("allocation", "allocation", "Allocations", ("finance.allocations.rows",),
                   id="label", named="{label}", refers=(("organisation", "organisation"),),
                   # diff compares baseline and allocation: the movement and percent as
                   # given are checked against them, the organisation is the row's id
                   ignored=("organisation", "given_movement", "given_percent"),
                   units=(("baseline", "gbp-thousands"), ("allocation", "gbp-thousands")),
                   derived=(DerivedFigure("movement", "movement for `{id}`", "gbp-thousands",
                                          signed=True),
                            DerivedFigure("percent", "increase for `{id}`", "percent"))),
        EntityKind("trajectory", "the financial trajectory", "Financial trajectory",
                   ("finance.trajectory",), id=None,
                   provenance=("",),
                   figures=(Figures("", ("years.income", "years.expenditure"),
                                    "system financial trajectory", "gbp-thousands"),),
                   series=(("income", ""),), units=(("income", "gbp-thousands"),),
                   derived=(DerivedFigure("surplus", "surplus {year}", "gbp-thousands"),
                            DerivedFigure("balance_year", "year of financial balance",
                                          AS_WRITTEN))),
        EntityKind("efficiency", "efficiency savings", "Efficiency", ("finance.efficiency",),
                   id=None, named="the efficiency savings", provenance=("",),
                   figures=(Figures("", ("values",), "efficiency savings", "gbp-thousands"),),
                   series=(("", ""),), units=(("", "gbp-thousands"),),
                   derived=(DerivedFigure("percent", "efficiency {year} as a share of "
                                          "expenditure", "percent"),)),
        EntityKind("context-figure", "finance figure", "Finance context figures",
                   ("finance.context",), provenance=("",),
                   figures=(Figures("", ("value",), "{e.label}", "field:unit"),),
                   unit_choice=UnitChoice("finance figures",
                                          ("gbp-thousands", "percent", "number"))),
    ), shown_as="Finance"),
    FileKind("activity.yaml", "activity", "activity", (
        EntityKind("activity", "activity", "Activity", ("activity",),
                   provenance=("",),
                   figures=(Figures("", ("by_icp",), "activity: {e.title}", "field:unit"),),
                   series=(("by_icp", "for {key!r}"), ("published_system", "system total")),
                   units=(("published_system", "field:unit"),),
                   refers=(("keys:by_icp", "icp"),),
                   unit_choice=UnitChoice("activity", (
                       "attendances", "admissions", "appointments", "contacts", "episodes")),
                   derived=(DerivedFigure("system", "system total {year}", "field:unit"),)),
    ), shown_as="Activity"),
    FileKind("workforce.yaml", "workforce", "workforce", (
        EntityKind("workforce", "the workforce plan", "Workforce", ("workforce",), id=None,
                   named="the workforce", series=(("published_total", "total"),),
                   units=(("published_total", "wte"),),
                   derived=(DerivedFigure("total", "workforce total {year}", "wte"),
                            DerivedFigure("total_vacancies", "vacancies total {year}",
                                          "wte"))),
        EntityKind("staff-group", "staff group", "Staff groups", ("workforce.groups",),
                   provenance=("",),
                   figures=(Figures("", ("wte", "vacancies", "by_place", "by_type"),
                                    "workforce: {e.title}", "wte"),),
                   series=(("wte", "WTE"), ("vacancies", "vacancies"),
                           ("by_place", "for {key!r}"), ("by_type", "{key}")),
                   refers=(("keys:by_place", "icp"),),
                   derived=(DerivedFigure("vacancy_rate", "vacancy rate {year}", "percent"),)),
    ), shown_as="Workforce"),
    FileKind("engagement.yaml", "engagement", "engagement", (
        EntityKind("engagement", "engagement", "Engagement",
                   ("engagement.undertaken", "engagement.planned"),
                   provenance=("", "figures"), within_field="stage",
                   figures=(Figures("figures", ("value",), "{e.title}: {h.label}", "number"),)),
        EntityKind("partner", "engagement partner", "Engagement partners",
                   ("engagement.partners",)),
    ), shown_as="Involving people"),
    FileKind("risks.yaml", "risks", "risks", (
        EntityKind("risk", "risk", "Risks", ("risks",), provenance=("", "scores"),
                   refers=(("priorities", "priority"),),
                   figures=(Figures("scores", ("likelihood", "impact", "target_likelihood",
                                               "target_impact"), "risk scores: {e.title}",
                                       "number"),),
                   derived=(DerivedFigure("score", "risk score", AS_WRITTEN),
                            DerivedFigure("rating", "risk rating", AS_WRITTEN),
                            DerivedFigure("target_score", "target risk score", AS_WRITTEN),
                            DerivedFigure("target_rating", "target risk rating", AS_WRITTEN))),
    ), required=False, section=Section("Risk register", "major", "risk-register")),
    FileKind("commitments.yaml", "commitments", "commitments", (
        EntityKind("commitment", "Long Term Plan commitment", "Long Term Plan commitments",
                   ("commitments",), provenance=("",),
                   refers=(("programmes", "programme"), ("answers", ANSWERED))),
    ), required=False, section=Section("Long Term Plan commitments", "major", "commitments")),
    FileKind("framework.yaml", "framework", "framework", (
        EntityKind("framework", "the framework", "Framework", ("framework",), id=None,
                   provenance=("",)),
        EntityKind(ANSWERED, "framework chapter or area", "Framework chapters and areas",
                   ("framework.chapters", "framework.chapters.areas")),
    ), required=False, section=Section("The Implementation Framework and this plan",
                                       "major", "framework")),
    FileKind("summary.yaml", "summary", "summary", (
        EntityKind("summary", "the executive summary", "Executive summary", ("summary",),
                   id=None, provenance=("foreword", "key_messages")),
        EntityKind("sign-off", "sign-off", "Partner sign-off", ("summary.sign_off",),
                   id="organisation|board", provenance=("",),
                   refers=(("organisation", "organisation"), ("board", "board"))),
    ), required=False, section=Section("Executive summary", "front", "executive-summary")),
    FileKind("impact.yaml", "impact", "impact", (
        EntityKind("impact-assessment", "the impact assessment", "Impact assessment",
                   ("impact.assessment",), id=None, provenance=("",)),
        EntityKind("impact-finding", "impact finding", "Impact findings",
                   ("impact.findings",), provenance=("",),
                   refers=(("priorities", "priority"),)),
    ), required=False, section=Section("Equality and quality impact", "narrative",
                                       "impact")),
    FileKind("actuals.yaml", "actuals", "actuals", (
        EntityKind("actual-series", "actuals series", "Actuals", ("actuals.series",),
                   provenance=("",),
                   figures=(Figures("", ("values",), "actuals: {e.id}",
                                    "of:metric|activity"),),
                   ignored=("period_locs", "rebase_locs", "field_locs", "derived"),
                   refers=(("metric", "metric"), ("activity", "activity"), ("place", "icp")),
                   derived=(DerivedFigure("variation", "{name}, variation", AS_WRITTEN),
                            DerivedFigure("assurance", "{name}, assurance", AS_WRITTEN))),
    ), required=False, shown_as="Delivery report"),
    FileKind("board/", "board-paper", "board_papers", (
        EntityKind("board-paper", "board paper", "Board papers", ("board_papers",),
                   provenance=("", "sourced"), ignored=("file",), item=False,
                   refers=(("organisation", "organisation"), ("board", "board"),
                           ("all_extracts.metric", "metric")),
                   figures=(Figures("field_sources", ("value",),
                                    "{h.label}: {e.title}", AS_WRITTEN),)),
    ), required=False, shown_as="Board papers"),
)

ENTITY_KINDS: tuple[EntityKind, ...] = tuple(k for f in FILES for k in f.entities)


def entity_kind(name: str) -> EntityKind | None:
    """The entity kind called ``name`` (None for none), read from the declaration each
    time, never from a copy taken when a module was imported."""
    return next((k for k in ENTITY_KINDS if k.name == name), None)


def sectioned(part: str | None = None) -> tuple[FileKind, ...]:
    """The file kinds the documents show through their own partial (in ``part``)."""
    return tuple(f for f in FILES if f.section and part in (None, f.section.part))


def file_kind(file: str) -> FileKind | None:
    """The file kind a plan file (``metrics.yaml``, ``board/update.yaml``) is of."""
    folder = file.split("/", 1)[0] + "/" if "/" in file else None
    return next((f for f in FILES if f.path in (file, folder)), None)


def derived_figure(kind: str, field: str) -> tuple[DerivedFigure, str] | None:
    """The figure entity kind ``kind`` declares derived that diff calls ``field``, with
    what follows its name (the year of one a year: ``surplus.2021/22``); None if none."""
    found = entity_kind(kind)
    for name in (field, field.rpartition(".")[0]):
        figure = next((d for d in (found.derived if found else ()) if d.field == name), None)
        if figure is not None:
            return figure, field[len(name) + 1:]
    return None


def extract_kind(name: str) -> FileKind | None:
    """The file kind a board paper's extract ``name`` reproduces, if a kind declares it."""
    return next((f for f in sectioned() if f.section and f.section.extract == name), None)


def unit_spec(kind: EntityKind, path: str) -> str | None:
    """The unit ``kind`` declares for the figure at ``path`` (dots from the entity; the
    years and keys past a declared path are the figure's: ``cost.2021/22``, a keyed part
    between: ``targets.national.value``), or None for a path that is not a figure."""
    parts = path.split(".")
    best: tuple[int, str] | None = None
    for declared, unit in kind.figure_units():
        want = declared.split(".") if declared else []
        keyed = [*want[:1], "*", *want[1:]] if len(want) > 1 else want
        for pattern in (want, keyed):
            fits = len(pattern) <= len(parts) and all(
                w in ("*", p) for w, p in zip(pattern, parts, strict=False))
            if fits and (best is None or len(want) > best[0]):
                best = (len(want), unit)
    return best[1] if best else None


def resolve_unit(spec: str | None, entity: Any, plan: Any = None) -> str | None:
    """The unit ``spec`` (as ``Figures.unit`` declares it) names for ``entity`` (a model
    object or its fields as a mapping): None for figures written as given, or a unit
    named by a field the entity leaves out (or by an entity ``plan`` does not have)."""
    if spec is None or spec == AS_WRITTEN:
        return None
    if spec.startswith(FIELD_UNIT):
        named = _field(entity, spec[len(FIELD_UNIT):])
        return named if isinstance(named, str) else None
    if spec.startswith(REFERRED_UNIT):
        for name in spec[len(REFERRED_UNIT):].split("|"):
            wanted, target = _field(entity, name), entity_kind(name)
            if wanted is None or target is None or plan is None:
                continue
            for found, eid, other in entities(plan):
                if found is target and eid == wanted:
                    return resolve_unit(unit_spec(target, _first_figure(target)), other, plan)
        return None
    return spec


def _first_figure(kind: EntityKind) -> str:
    return next((path for path, _unit in kind.figure_units()), "")


def _field(entity: Any, name: str) -> Any:
    return entity.get(name) if isinstance(entity, Mapping) else getattr(entity, name, None)


def values(root: Any, path: str) -> Iterator[Any]:
    """Every value at ``path`` below ``root`` (see the module docstring)."""
    for value, _key in keyed_values(root, path):
        yield value


def keyed_values(root: Any, path: str) -> Iterator[tuple[Any, str | None]]:
    """Like ``values``, with the mapping key each value was reached through (or None)."""
    found: list[tuple[Any, str | None]] = [(root, None)]
    for name in path.split(".") if path else ():
        found = [(getattr(obj, name, None), key) for obj, key in found]
        found = [pair for obj, key in found for pair in _spread(obj, key)]
    for obj, key in found:
        yield from _spread(obj, key)


def _spread(obj: Any, key: str | None) -> Iterator[tuple[Any, str | None]]:
    if obj is None:
        return
    if isinstance(obj, tuple):
        for item in obj:
            yield from _spread(item, key)
    elif isinstance(obj, Mapping) and not hasattr(obj, "provenance"):
        for k, item in obj.items():
            yield from _spread(item, k)
    else:
        yield obj, key


def entities(plan: Any) -> Iterator[tuple[EntityKind, str | None, Any]]:
    """(kind, id, entity) for every entity of the plan, in plan order."""
    for kind, _path, eid, entity in placed(plan):
        yield kind, eid, entity


def placed(plan: Any) -> Iterator[tuple[EntityKind, str, str | None, Any]]:
    """(kind, path, id, entity) for every entity, with the path of ``kind.within`` it
    was found at (engagement undertaken or planned)."""
    for kind in ENTITY_KINDS:
        for path in kind.within:
            for entity in values(plan, path):
                yield kind, path, id_of(kind, entity), entity


def id_of(kind: EntityKind, entity: Any) -> str | None:
    """The entity's id: its ``kind.id`` field, the first given of alternatives
    (``organisation|board``); None for a singleton."""
    if kind.id is None:
        return None
    names = kind.id.split("|")
    return str(next((getattr(entity, n) for n in names if getattr(entity, n, None)
                     is not None), getattr(entity, names[0], None)))


def label_of(kind: EntityKind, terms: Any = None) -> str:
    """One entity of ``kind`` in messages: the short form of the plan's own word for it
    (``terms``, a ``model.Terms``) where the kind has one ("place"), else its label."""
    if kind.term is not None and terms is not None:
        return getattr(terms, kind.term).short
    return kind.label


def name_of(kind: EntityKind, entity: Any, terms: Any = None) -> str:
    """The entity in messages: "metric 'ae-four-hour'", "priority 4" (in the plan's own
    words with ``terms``: "ambition 4")."""
    label = label_of(kind, terms)
    if kind.named is not None:
        return kind.named.format_map(_Fields(entity, term=label))
    if kind.id is None:
        return label
    return f"{label} {id_of(kind, entity)!r}"


def location_of(entity: Any, path: str) -> Iterator[tuple[Any, Any]]:
    """(object, location) for each object at ``path`` below ``entity``: the object's own
    location, or that of the nearest object above it that has one."""
    found: list[tuple[Any, Any]] = [(entity, entity.loc)]
    for name in path.split(".") if path else ():
        found = [(child, getattr(child, "loc", loc)) for obj, loc in found
                 for child, _key in _spread(getattr(obj, name, None), None)]
    return iter(found)


def referred(entity: Any, path: str, written_at: Callable[[Any, str], Any] | None = None
             ) -> Iterator[tuple[Any, Any]]:
    """(id, location) of each id ``entity`` refers to at ``path`` (a ``refers`` path):
    each where it is written, as far as the model knows: an object on the way that has
    ``loc_of(name, index)`` says where its field (its list's item ``index``) is; a key
    (``keys:PATH``) is where its value is; else where ``written_at(location, field)``
    (``model.Plan.written_at``) finds the field's key, or the nearest object's place."""
    keys = path.startswith(KEYS)
    *above, last = path.removeprefix(KEYS).split(".")
    for holder, loc in location_of(entity, ".".join(above)):
        value = getattr(holder, last, None)
        where = getattr(holder, "loc_of", None)
        field_loc = where(last) if where else written_at(loc, last) if written_at else loc
        if keys and isinstance(value, Mapping):
            for key, item in value.items():
                yield key, getattr(item, "loc", None) or field_loc
        elif not keys:
            for index, (item, _key) in enumerate(_spread(value, None)):
                at = index if isinstance(value, tuple) else None
                yield item, where(last, at) if where else field_loc


def own_fields(kind: EntityKind, entity: Any) -> dict[str, Any]:
    """The entity's fields, without its location, without the collections that are
    entities of their own (a portfolio's programmes) and without the fields the entity
    says it derives from the others (``derived_fields``: a ratio's values)."""
    nested = {path[len(own) + 1:] for own in kind.within for k in ENTITY_KINDS
              for path in k.within if path.startswith(own + ".")
              and "." not in path[len(own) + 1:]}
    nested |= set(getattr(entity, "derived_fields", ()))
    if not dataclasses.is_dataclass(entity):  # a model.Record: the fields it was read with
        return {k: v for k, v in vars(entity)["_fields"].items() if k not in nested}
    return {f.name: getattr(entity, f.name) for f in dataclasses.fields(entity)
            if f.name != "loc" and f.name not in nested}


class _Fields(dict):
    """An entity's attributes as format fields ("{id!r}", "{number}")."""

    def __init__(self, entity: Any, **given: Any):
        super().__init__(given)
        self.entity = entity

    def __missing__(self, name: str) -> Any:
        return getattr(self.entity, name)
