"""plan.yaml: the system, its places, organisations, boards, sources, period, submission,
publication and the plan's own words (terms)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..diagnostics import Located, Location
from ..formatting import Unit, as_unit
from ..load import SourceFile
from .base import FieldProvenance, FieldSource, Source, Sourced, _loc, _sourced, year_range


@dataclass(frozen=True)
class Population(Sourced):
    year: int
    people: int
    provenance: str
    note: str | None


@dataclass(frozen=True)
class ICP(Sourced):
    id: str
    name: str
    description: str | None
    population: Population | None
    provenance: str | None = None  # its own, when given

    @property
    def label(self) -> str:
        """The place's name as chart legends and row labels print it: marked in words
        when the place itself is illustrative."""
        return f"{self.name} (illustrative)" if self.illustrative else self.name


@dataclass(frozen=True)
class Organisation(Sourced):
    """A partner organisation and the places (ICPs) it serves: ``places`` from plan.yaml
    ``places``, or the one ``icp`` (none: it works across the whole system)."""

    id: str
    name: str
    type: str
    places: tuple[str, ...]
    role: str | None
    provenance: str | None = None  # its own, when given
    #: where each of ``places`` is written, for the reference rule
    place_locs: tuple[Location, ...] = field(default=(), compare=False)
    #: where ``places`` is, when ``icp`` is given beside it (rule organisation-places)
    both_loc: Location | None = field(default=None, compare=False)

    @property
    def icp(self) -> str | None:
        """The first place it serves (the one, for most)."""
        return self.places[0] if self.places else None

    def loc_of(self, name: str, index: int | None = None) -> Location:
        """Where the field ``name`` (item ``index`` of ``places``) is written, for the
        reference rule (``kinds.referred``); the organisation's place if not known."""
        if name == "places" and index is not None and index < len(self.place_locs):
            return self.place_locs[index]
        return self.loc


@dataclass(frozen=True)
class Executive(Sourced):
    id: str
    name: str
    role: str
    provenance: str | None = None  # its own, when given


@dataclass(frozen=True)
class Board(Sourced):
    """A board or committee: of one ``organisation``, or (none) of the partnership as a
    whole; a joint committee lists the organisations forming it in ``members``."""

    id: str
    name: str
    organisation: str | None
    members: tuple[str, ...]
    established: str | None
    description: str | None
    provenance: str
    #: where ``organisation`` and each of ``members`` are written, for the reference rule
    organisation_loc: Location | None = field(default=None, compare=False)
    member_locs: tuple[Location, ...] = field(default=(), compare=False)

    @property
    def partnership(self) -> bool:
        """Whether it belongs to the partnership as a whole rather than one organisation."""
        return self.organisation is None

    def loc_of(self, name: str, index: int | None = None) -> Location:
        """Where ``organisation`` or item ``index`` of ``members`` is written, for the
        reference rule (``kinds.referred``); the board's place if not known."""
        if name == "organisation" and self.organisation_loc is not None:
            return self.organisation_loc
        if name == "members" and index is not None and index < len(self.member_locs):
            return self.member_locs[index]
        return self.loc


@dataclass(frozen=True)
class Governance(FieldProvenance):
    FIGURES: ClassVar[tuple[str, ...]] = ("pmo_established", "portfolios", "programmes")

    pmo_established: str
    portfolios: int
    programmes: int
    provenance: str
    description: str
    sourced: tuple[FieldSource, ...] = ()
    boards: tuple[Board, ...] = ()
    #: Where plan.yaml states each count (``portfolios``, ``programmes``).
    count_locs: Mapping[str, Location] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Component(Located):
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Submission(FieldProvenance):
    FIGURES: ClassVar[tuple[str, ...]] = ("deadline",)

    title: str
    to: str
    deadline: str
    provenance: str
    components: tuple[Component, ...]
    sourced: tuple[FieldSource, ...] = ()


@dataclass(frozen=True)
class GlossaryEntry(Sourced):
    term: str
    definition: str
    provenance: str
    public: bool
    public_definition: str | None = None  # plain words for the public summary

    @property
    def plain(self) -> str:
        """The definition the public summary shows."""
        return self.public_definition or self.definition


@dataclass(frozen=True)
class Period(Located):
    first: str
    last: str

    @property
    def years(self) -> tuple[str, ...]:
        return year_range(self.first, self.last)

    @property
    def duration(self) -> str:
        """The length of the period in words: ``three years``."""
        n = len(self.years)
        return f"{number_word(n)} year{'s' if n != 1 else ''}"

    @property
    def adjective(self) -> str:
        """The length of the period as an adjective: ``three-year``."""
        return f"{number_word(len(self.years))}-year"


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten")


def number_word(n: int) -> str:
    """``3`` -> ``three`` (up to ten; digits beyond)."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


@dataclass(frozen=True)
class Term:
    """What a plan calls one kind of thing: singular, plural and the short form tables
    and chart titles use (``Integrated Care Partnership``, ``... Partnerships``, ``ICP``)."""

    singular: str
    plural: str
    short: str

    @property
    def short_plural(self) -> str:
        return self.plural if self.short == self.singular else self.short + "s"


#: The words documents use when plan.yaml ``terms`` does not name its own.
DEFAULT_TERMS = {
    "place": Term("Integrated Care Partnership", "Integrated Care Partnerships", "ICP"),
    "priority": Term("priority", "priorities", "priority"),
    "portfolio": Term("portfolio", "portfolios", "portfolio"),
    "enabler": Term("enabler", "enablers", "enabler"),
    "programme": Term("programme", "programmes", "programme"),
    "ambition": Term("ambition", "ambitions", "ambition"),
    "intent": Term("intent", "intents", "intent"),
}


@dataclass(frozen=True)
class Terms:
    """The plan's own words for its places, priorities, portfolios, the programmes
    inside them, and the vision's ambitions and intents."""

    place: Term = DEFAULT_TERMS["place"]
    priority: Term = DEFAULT_TERMS["priority"]
    portfolio: Term = DEFAULT_TERMS["portfolio"]
    enabler: Term = DEFAULT_TERMS["enabler"]
    programme: Term = DEFAULT_TERMS["programme"]
    ambition: Term = DEFAULT_TERMS["ambition"]
    intent: Term = DEFAULT_TERMS["intent"]


def _organisation(f: SourceFile, o: Mapping, i: int) -> Organisation:
    given = [(o["icp"], _loc(f, "organisations", i, "icp"))] if o.get("icp") else []
    given += [(p, _loc(f, "organisations", i, "places", j))
              for j, p in enumerate(o.get("places", ()))]
    both = _loc(f, "organisations", i, "places") if "places" in o and "icp" in o else None
    return Organisation(o["id"], o["name"], o["type"], tuple(p for p, _ in given),
                        o.get("role"), o.get("provenance"),
                        tuple(loc for _, loc in given), both, loc=_loc(f, "organisations", i))


def _board(f: SourceFile, b: Mapping, i: int) -> Board:
    at = ("governance", "boards", i)
    members = tuple(b.get("members", ()))
    return Board(b["id"], b["name"], b.get("organisation"), members, b.get("established"),
                 b.get("description"), b["provenance"],
                 _loc(f, *at, "organisation") if "organisation" in b else None,
                 tuple(_loc(f, *at, "members", j) for j in range(len(members))),
                 loc=_loc(f, *at))


def _terms(data: Mapping | None) -> Terms:
    words = {}
    for name, given in (data or {}).items():
        short = given.get("short", given["singular"])
        words[name] = Term(given["singular"], given["plural"], short)
    return Terms(**words)


@dataclass(frozen=True)
class Contact(Sourced):
    """One way to get in touch: ``kind`` is website, email, phone or post."""

    kind: str
    value: str
    provenance: str


@dataclass(frozen=True)
class Publication(Sourced):
    """How the public summary is published: its date (whose provenance is
    ``provenance``), the contact details, the other formats it can be asked for in and
    how to ask (plain words, or None for the summary's own)."""

    date: str
    provenance: str
    contacts: tuple[Contact, ...]
    other_formats: tuple[str, ...]
    how_to_ask: str | None


@dataclass(frozen=True)
class System:
    id: str
    name: str
    kind: str
    area: str
    version: str
    date: str
    status: str
    author: str
    period: Period
    sources: tuple[Source, ...]
    population: tuple[Population, ...]
    icps: tuple[ICP, ...]
    organisations: tuple[Organisation, ...]
    executives: tuple[Executive, ...]
    governance: Governance
    submission: Submission
    glossary: tuple[GlossaryEntry, ...]
    status_loc: Location = field(compare=False)
    publication: Publication | None = None  # how the public summary is published

    @property
    def publication_date(self) -> str:
        """The public summary's date: its publication's, else the plan's."""
        return self.publication.date if self.publication else self.date

    def organisations_of(self, kind: str) -> tuple[Organisation, ...]:
        return tuple(o for o in self.organisations if o.type == kind)

    @property
    def ccgs(self) -> tuple[Organisation, ...]:
        return self.organisations_of("ccg")

    def ccgs_of(self, icp_id: str) -> tuple[Organisation, ...]:
        """The CCGs serving the place ``icp_id``, among them those serving others too."""
        return tuple(o for o in self.ccgs if icp_id in o.places)

    @property
    def public_glossary(self) -> tuple[GlossaryEntry, ...]:
        """The terms the public summary explains."""
        return tuple(g for g in self.glossary if g.public)

    @property
    def latest_population(self) -> Population:
        return max(self.population, key=lambda p: p.year)


def _unit(f: SourceFile, unit_id: str, *parts: Any) -> Unit:
    """The unit ``unit_id`` as named at ``parts``: built in, or resolved against the
    plan's declared units once plan.yaml is read (``_resolve_units``)."""
    return as_unit(unit_id).at(_loc(f, *parts))


def _declared_units(f: SourceFile) -> tuple[Unit, ...]:
    """plan.yaml ``units``: the units the plan declares beside the built-in ones."""
    return tuple(Unit(u["id"], u["label"], u.get("symbol", ""), u.get("decimals"),
                      declared=True, loc=_loc(f, "units", i))
                 for i, u in enumerate(f.data.get("units", [])))


def _population(source: SourceFile, d: Mapping, *parts: Any) -> Population:
    return Population(d["year"], d["people"], d["provenance"], d.get("note"),
                      loc=_loc(source, *parts))


def _system(f: SourceFile) -> System:
    d = f.data
    sub = d["submission"]
    gov = d["governance"]
    gov_values, gov_sourced = _sourced(f, gov, Governance.FIGURES, "governance")
    sub_values, sub_sourced = _sourced(f, sub, Submission.FIGURES, "submission")
    return System(
        id=d["id"], name=d["name"], kind=d["kind"], area=d["area"], version=d["version"],
        date=d["date"], status=d["status"], author=d["author"],
        period=Period(d["period"]["first"], d["period"]["last"], loc=_loc(f, "period")),
        sources=tuple(Source(s["id"], s["title"], s["published"], s.get("file"), s.get("url"),
                             s.get("date"), s.get("current"), s.get("publisher"),
                             loc=_loc(f, "sources", i))
                for i, s in enumerate(d["sources"])),
        population=tuple(_population(f, pop, "population", i)
                         for i, pop in enumerate(d["population"])),
        icps=tuple(
            ICP(icp["id"], icp["name"], icp.get("description"),
                _population(f, icp["population"], "icps", i, "population")
                if icp.get("population") else None,
                icp.get("provenance"), loc=_loc(f, "icps", i))
            for i, icp in enumerate(d["icps"])),
        organisations=tuple(_organisation(f, o, i) for i, o in enumerate(d["organisations"])),
        executives=tuple(Executive(e["id"], e["name"], e["role"], e.get("provenance"),
                                   loc=_loc(f, "executives", i))
                         for i, e in enumerate(d["executives"])),
        governance=Governance(**gov_values, provenance=gov["provenance"],
                              description=gov["description"], loc=_loc(f, "governance"),
                              sourced=gov_sourced,
                              count_locs={n: _loc(f, "governance", n)
                                          for n in ("portfolios", "programmes")},
                              boards=tuple(_board(f, b, i)
                                           for i, b in enumerate(gov.get("boards", ())))),
        submission=Submission(
            sub["title"], sub["to"], sub_values["deadline"], sub["provenance"],
            tuple(Component(c["id"], c["title"], c["description"],
                            loc=_loc(f, "submission", "components", i))
                  for i, c in enumerate(sub["components"])),
            sub_sourced, loc=_loc(f, "submission")),
        glossary=tuple(GlossaryEntry(g["term"], g["definition"], g["provenance"],
                                     g.get("public", False), g.get("public_definition"),
                                     loc=_loc(f, "glossary", i))
                       for i, g in enumerate(d["glossary"])),
        status_loc=_loc(f, "status"),
        publication=_publication(f, d["publication"]) if d.get("publication") else None,
    )


def _publication(f: SourceFile, d: Mapping[str, Any]) -> Publication:
    return Publication(
        d["date"], d["provenance"],
        tuple(Contact(c["kind"], c["value"], c["provenance"],
                      loc=_loc(f, "publication", "contacts", i))
              for i, c in enumerate(d["contacts"])),
        tuple(d["other_formats"]), d.get("how_to_ask"), loc=_loc(f, "publication"))
