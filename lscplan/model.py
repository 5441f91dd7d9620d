"""Stage 3, model: the plan as frozen dataclasses, built from schema-valid data.

Derived figures (movements, percentages, totals, growth, surplus) are computed here
once, so neither the rules, the templates nor the diff do arithmetic of their own.
Every entity keeps the Location it came from, so rules can point at it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, partial
from typing import Any, ClassVar, overload

from . import actuals, kinds, narrative
from .diagnostics import Location
from .formatting import BUILTIN_UNITS, Unit, as_unit
from .load import LoadedPlan, SourceFile, pointer_of

ILLUSTRATIVE = "illustrative"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FINANCIAL_YEAR = re.compile(r"[0-9]{4}/[0-9]{2}")
STATUSES = ("draft", "for-approval", "approved", "submitted", "published")


def round_half_up(value: float | Decimal, places: int = 1) -> float:
    """Round as published tables do (5.65 -> 5.7), not as binary floats do."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def percent_change(old: float, new: float, places: int = 1) -> float | None:
    if old == 0:
        return None
    return round_half_up((Decimal(str(new)) - Decimal(str(old))) * 100 / Decimal(str(old)),
                         places)


def year_range(first: str, last: str) -> tuple[str, ...]:
    start, end = int(first[:4]), int(last[:4])
    return tuple(f"{y}/{(y + 1) % 100:02d}" for y in range(start, end + 1))


def _loc(source: SourceFile, *parts: Any) -> Location:
    return source.location(pointer_of(parts))


class Text(str):
    """A text of the plan that holds markers (``{from:...}``, ``{appendix:...}``,
    ``{extract:...}``; see ``narrative``), with the place of each of its lines, so a
    rule can point at the line of a marker. It is the string it holds in every other
    way."""

    lines: tuple[Location, ...]

    def at(self, line: int) -> Location:
        """Where ``line`` (0-based) of the text is in its file."""
        return self.lines[min(max(line, 0), len(self.lines) - 1)]


def _located(source: SourceFile, data: Any, path: tuple = ()) -> Any:
    """``data`` with every string holding a marker as a ``Text`` that knows its lines."""
    if isinstance(data, Mapping):
        return {k: _located(source, v, (*path, k)) for k, v in data.items()}
    if isinstance(data, list):
        return [_located(source, v, (*path, i)) for i, v in enumerate(data)]
    if isinstance(data, str) and "{" in data and next(narrative.markers(data), None):
        text = Text(data)
        pointer = pointer_of(path)
        text.lines = tuple(source.text_location(pointer, n)
                           for n in range(max(1, len(data.splitlines()))))
        return text
    return data


def texts(value: Any) -> Iterator[Text]:
    """Every ``Text`` (a text holding a marker) in ``value``, at any depth."""
    if isinstance(value, Text):
        yield value
    elif isinstance(value, tuple | list):
        for v in value:
            yield from texts(v)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from texts(v)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from texts(getattr(value, f.name))
    elif isinstance(value, Record):
        yield from texts(value._fields)


@dataclass(frozen=True)
class Series:
    """One value per financial year (ordered by year), with its provenance."""

    values: Mapping[str, float]
    provenance: str
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def years(self) -> tuple[str, ...]:
        return tuple(sorted(self.values))

    def items(self) -> list[tuple[str, float]]:
        return [(y, self.values[y]) for y in self.years]

    @property
    def first(self) -> float:
        return self.values[self.years[0]]

    @property
    def last(self) -> float:
        return self.values[self.years[-1]]

    @property
    def change(self) -> float:
        return self.last - self.first

    @property
    def growth_percent(self) -> float | None:
        return percent_change(self.first, self.last)

    def get(self, year: str) -> float | None:
        return self.values.get(year)


@overload
def _series(source: SourceFile, data: Mapping, provenance: str, *parts: Any) -> Series: ...
@overload
def _series(source: SourceFile, data: None, provenance: str, *parts: Any) -> None: ...
@overload
def _series(source: SourceFile, data: Mapping | None, provenance: str, *parts: Any
            ) -> Series | None: ...
def _series(source: SourceFile, data: Mapping | None, provenance: str, *parts: Any
            ) -> Series | None:
    """The series ``data`` gives (years to values), located at ``parts``; None without."""
    if data is None:
        return None
    return Series(dict(sorted(data.items())), provenance, _loc(source, *parts))


def sum_series(series: list[Series], provenance: str, loc: Location) -> Series:
    years = sorted({y for s in series for y in s.values})
    return Series({y: sum(s.values.get(y, 0) for s in series) for y in years}, provenance, loc)


# --- plan.yaml -------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    published: str
    file: str | None
    url: str | None
    loc: Location = field(compare=False)
    date: str | None = None
    current: str | None = None  # from when its wording held, if before its publication

    @property
    def known_from(self) -> str | None:
        """From when a document may cite it: the date its wording was current, else
        its publication date."""
        return self.current or self.date


@dataclass(frozen=True)
class FieldSource:
    """A field given with a provenance of its own (``{value, provenance}`` in the YAML),
    or named in a board paper's ``illustrative`` list."""

    name: str  # the field: "deadline", "meeting_date"
    value: Any
    provenance: str
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")


class FieldProvenance:
    """For an entity some of whose fields may carry their own provenance (``sourced``)
    beside the entity's own (``provenance``)."""

    sourced: tuple[FieldSource, ...]
    FIGURES: ClassVar[tuple[str, ...]] = ()  # the fields that are figures

    def provenance_of(self, name: str) -> str | None:
        """The field's own provenance, else the entity's."""
        own = next((s for s in self.sourced if s.name == name), None)
        return own.provenance if own else getattr(self, "provenance", None)

    def marked(self, name: str) -> bool:
        """Whether the field ``name`` is illustrative, and so shown with the mark."""
        return self.provenance_of(name) == ILLUSTRATIVE

    @property
    def block_figures(self) -> tuple[Any, ...]:
        """The figure fields without a provenance of their own (the entity's covers them)."""
        own = {s.name for s in self.sourced}
        return tuple(getattr(self, n) for n in self.FIGURES
                     if n not in own and getattr(self, n) is not None)


def _sourced(source: SourceFile, d: Mapping, names: Iterable[str], *parts: Any
             ) -> tuple[dict[str, Any], tuple[FieldSource, ...]]:
    """The plain value of each field of ``names`` in ``d`` (None when left out), and the
    fields given as ``{value, provenance}``."""
    values: dict[str, Any] = {}
    sourced = []
    for name in names:
        v = d.get(name)
        if isinstance(v, Mapping):
            sourced.append(FieldSource(name, v["value"], v["provenance"],
                                       _loc(source, *parts, name)))
            v = v["value"]
        values[name] = v
    return values, tuple(sourced)


@dataclass(frozen=True)
class Population:
    year: int
    people: int
    provenance: str
    note: str | None
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


@dataclass(frozen=True)
class Person:
    name: str
    role: str


@dataclass(frozen=True)
class ICP:
    id: str
    name: str
    description: str | None
    population: Population | None
    loc: Location = field(compare=False)
    provenance: str | None = None  # its own, when given

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def label(self) -> str:
        """The place's name as chart legends and row labels print it: marked in words
        when the place itself is illustrative."""
        return f"{self.name} (illustrative)" if self.illustrative else self.name


@dataclass(frozen=True)
class Organisation:
    """A partner organisation and the places (ICPs) it serves: ``places`` from plan.yaml
    ``places``, or the one ``icp`` (none: it works across the whole system)."""

    id: str
    name: str
    type: str
    places: tuple[str, ...]
    role: str | None
    loc: Location = field(compare=False)
    provenance: str | None = None  # its own, when given
    #: where each of ``places`` is written, for the reference rule
    place_locs: tuple[Location, ...] = field(default=(), compare=False)
    #: where ``places`` is, when ``icp`` is given beside it (rule organisation-places)
    both_loc: Location | None = field(default=None, compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def icp(self) -> str | None:
        """The first place it serves (the one, for most)."""
        return self.places[0] if self.places else None


@dataclass(frozen=True)
class Executive:
    id: str
    name: str
    role: str
    loc: Location = field(compare=False)
    provenance: str | None = None  # its own, when given

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


@dataclass(frozen=True)
class Board:
    """A board or committee: of one ``organisation``, or (none) of the partnership as a
    whole; a joint committee lists the organisations forming it in ``members``."""

    id: str
    name: str
    organisation: str | None
    members: tuple[str, ...]
    established: str | None
    description: str | None
    provenance: str
    loc: Location = field(compare=False)
    #: where ``organisation`` and each of ``members`` are written, for the reference rule
    organisation_loc: Location | None = field(default=None, compare=False)
    member_locs: tuple[Location, ...] = field(default=(), compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def partnership(self) -> bool:
        """Whether it belongs to the partnership as a whole rather than one organisation."""
        return self.organisation is None


@dataclass(frozen=True)
class Governance(FieldProvenance):
    FIGURES: ClassVar[tuple[str, ...]] = ("pmo_established", "portfolios", "programmes")

    pmo_established: str
    portfolios: int
    programmes: int
    provenance: str
    description: str
    loc: Location = field(compare=False)
    sourced: tuple[FieldSource, ...] = ()
    boards: tuple[Board, ...] = ()
    #: Where plan.yaml states each count (``portfolios``, ``programmes``).
    count_locs: Mapping[str, Location] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Component:
    id: str
    title: str
    description: str
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Submission(FieldProvenance):
    FIGURES: ClassVar[tuple[str, ...]] = ("deadline",)

    title: str
    to: str
    deadline: str
    provenance: str
    components: tuple[Component, ...]
    loc: Location = field(compare=False)
    sourced: tuple[FieldSource, ...] = ()


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    provenance: str
    public: bool
    loc: Location = field(compare=False)
    public_definition: str | None = None  # plain words for the public summary

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def plain(self) -> str:
        """The definition the public summary shows."""
        return self.public_definition or self.definition


@dataclass(frozen=True)
class Period:
    first: str
    last: str
    loc: Location = field(compare=False)

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
                        o.get("role"), _loc(f, "organisations", i), o.get("provenance"),
                        tuple(loc for _, loc in given), both)


def _board(f: SourceFile, b: Mapping, i: int) -> Board:
    at = ("governance", "boards", i)
    members = tuple(b.get("members", ()))
    return Board(b["id"], b["name"], b.get("organisation"), members, b.get("established"),
                 b.get("description"), b["provenance"], _loc(f, *at),
                 _loc(f, *at, "organisation") if "organisation" in b else None,
                 tuple(_loc(f, *at, "members", j) for j in range(len(members))))


def _terms(data: Mapping | None) -> Terms:
    words = {}
    for name, given in (data or {}).items():
        short = given.get("short", given["singular"])
        words[name] = Term(given["singular"], given["plural"], short)
    return Terms(**words)


@dataclass(frozen=True)
class Contact:
    """One way to get in touch: ``kind`` is website, email, phone or post."""

    kind: str
    value: str
    provenance: str
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Publication:
    """How the public summary is published: its date (whose provenance is
    ``provenance``), the contact details, the other formats it can be asked for in and
    how to ask (plain words, or None for the summary's own)."""

    date: str
    provenance: str
    contacts: tuple[Contact, ...]
    other_formats: tuple[str, ...]
    how_to_ask: str | None
    loc: Location = field(compare=False)


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


# --- vision.yaml, priorities.yaml, portfolios/ ------------------------------------


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    provenance: str
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


@dataclass(frozen=True)
class Vision:
    #: Left out (None) in a document dated before the vision's source.
    DATED: ClassVar[tuple[str, ...]] = ("statement",)

    statement: str | None
    provenance: str
    ambitions: tuple[Statement, ...]
    intents: tuple[Statement, ...]
    ltp_themes: tuple[Statement, ...]
    case_for_change: tuple[Statement, ...]
    public_summary: str
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


@dataclass(frozen=True)
class Priority:
    id: str
    number: int
    title: str
    statement: str
    lead: Person | None
    portfolios: tuple[str, ...]
    public_summary: str
    provenance: str
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


@dataclass(frozen=True)
class Programme:
    id: str
    title: str
    description: str | None
    provenance: str
    portfolio: str
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


@dataclass(frozen=True)
class Portfolio:
    id: str
    title: str
    kind: str
    sponsor: Person | None
    priorities: tuple[str, ...]
    provenance: str
    summary: str
    narrative: str
    programmes: tuple[Programme, ...]
    metrics: tuple[str, ...]
    file: str
    loc: Location = field(compare=False)
    #: Serves every priority (finance, digital, workforce) rather than naming some.
    enabler: bool = False

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


# --- metrics.yaml -------------------------------------------------------------------


TARGET_KINDS = {"national": "National standard", "local": "Local ambition"}


def _year_end(year: str) -> tuple[int, int]:
    """When a target's ``by`` falls due, as (year, month): a financial year ends in
    March of its second calendar year, a calendar year in December."""
    return (int(year[:4]) + 1, 3) if "/" in year else (int(year), 12)


@dataclass(frozen=True)
class Target:
    """A value a metric is measured against: a ``national`` standard or a ``local``
    ambition, for the whole period (``by`` None) or due by a year, which may be a
    financial year (``2022/23``) or a calendar year (``2030``), after the period too."""

    kind: str
    value: float
    text: str
    provenance: str
    by: str | None
    loc: Location = field(compare=False)
    change: float | None = None  # given relative to the baseline: percent change
    baseline_year: str | None = None  # the year of the baseline ``change`` is from

    @property
    def relative(self) -> str | None:
        """A target given relative to the baseline, in words: "10% below the 2018/19
        baseline" (None for a target given as a value)."""
        if self.change is None:
            return None
        size = f"{abs(self.change):g}%"
        if self.change == 0:
            return f"the same as the {self.baseline_year} baseline"
        way = "below" if self.change < 0 else "above"
        return f"{size} {way} the {self.baseline_year} baseline"

    @property
    def label(self) -> str:
        """``National standard``, ``Local ambition``."""
        return TARGET_KINDS[self.kind]

    @property
    def national(self) -> bool:
        return self.kind == "national"

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def key(self) -> str:
        """The target among a metric's: ``national``, ``local-2030`` (diff's field name)."""
        return self.kind if self.by is None else f"{self.kind}-{self.by}"

    @property
    def sentence(self) -> str:
        """The target's text, with its year when the text does not already name it:
        " by 2025" after a text that says no time ("97% within four hours by 2025"),
        ", by 2023/24" after one that does ("down 10% over five years, by 2023/24")."""
        text = self.text.rstrip(".")
        if self.by is None or self.by in text:
            return text
        return text + (", by " if _SAYS_WHEN.search(text) else " by ") + self.by

    def after(self, last_year: str) -> bool:
        """Whether the target falls due after the financial year ``last_year`` ends."""
        return self.by is not None and _year_end(self.by) > _year_end(last_year)

    def year_in(self, years: tuple[str, ...]) -> str | None:
        """The financial year of ``years`` the target falls due in (None if undated or
        outside them)."""
        if self.by is None:
            return None
        due = _year_end(self.by)
        return next((y for y in years if _year_end(y) >= due
                     and (int(y[:4]), 4) <= due), None)


#: A target text that already says when: a year, or a span of years or months.
_SAYS_WHEN = re.compile(r"\b(?:19|20)\d\d\b|\b(?:by|over|within|in|during|until|before)"
                        r"\s+(?:the\s+)?(?:next\s+)?(?:\w+\s+)?(?:years?|months?)\b",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Baseline:
    year: str
    value: float
    provenance: str
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Metric:
    id: str
    title: str
    description: str
    kind: str
    priorities: tuple[str, ...]
    unit: Unit
    direction: str
    national_metric: str | None
    public_phrase: str | None
    targets: tuple[Target, ...]
    baseline: Baseline
    values: Series
    provenance: str
    loc: Location = field(compare=False)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher-is-better"

    @property
    def target(self) -> float:
        """The value for the last year of the period."""
        return self.values.last

    @property
    def change(self) -> float:
        """Target minus baseline."""
        return self.values.last - self.baseline.value

    @property
    def improves(self) -> bool:
        return self.change >= 0 if self.higher_is_better else self.change <= 0

    @property
    def illustrative(self) -> bool:
        return self.values.illustrative or self.baseline.provenance == ILLUSTRATIVE

    @property
    def targets_illustrative(self) -> bool:
        """Whether any of the metric's targets is illustrative."""
        return any(t.illustrative for t in self.targets)

    @property
    def standard(self) -> Target | None:
        """The national standard the last year of the period is measured against: the
        latest national target due within the period, else the undated one."""
        last = self.values.years[-1]
        due = [t for t in self.targets if t.national and not t.after(last)]
        dated = [(t.by, t) for t in due if t.by is not None]
        if dated:
            return max(dated, key=lambda pair: _year_end(pair[0]))[1]
        return next(iter(due), None)

    def reaches(self, target: Target) -> bool | None:
        """Whether the plan reaches ``target``: by its year when it falls due within
        the period, by the last year when it is undated; None when it falls due after
        the period."""
        last = self.values.years[-1]
        if target.after(last):
            return None
        year = target.year_in(self.values.years) or last
        planned = self.values.get(year)
        if planned is None:
            return None
        if self.higher_is_better:
            return planned >= target.value
        return planned <= target.value

    @property
    def meets_standard(self) -> bool | None:
        std = self.standard
        return None if std is None else self.reaches(std)


# --- finance.yaml -------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationRow:
    """One row of the allocations table (or its total row). ``given_*`` hold the figures
    the author typed (None where left out to be derived); ``published_*`` are the
    figures the documents show: the given one, else the derived one. ``locs`` holds
    where each given figure is, for the rules to point at it."""

    label: str
    organisation: str | None
    baseline: int
    allocation: int
    given_movement: int | None
    given_percent: float | None
    loc: Location = field(compare=False)
    locs: Mapping[str, Location] = field(default_factory=dict, compare=False)

    @property
    def movement(self) -> int:
        return self.allocation - self.baseline

    @property
    def percent(self) -> float | None:
        return percent_change(self.baseline, self.allocation)

    @property
    def published_movement(self) -> int:
        return self.movement if self.given_movement is None else self.given_movement

    @property
    def published_percent(self) -> float | None:
        return self.percent if self.given_percent is None else self.given_percent

    def given(self, name: str) -> bool:
        """Whether the author gave ``name`` (a YAML key: ``movement``, ``baseline``...)."""
        return name in self.locs

    def at(self, name: str) -> Location:
        """Where the given figure ``name`` is, else the row."""
        return self.locs.get(name, self.loc)


@dataclass(frozen=True)
class Allocations:
    title: str
    provenance: str
    baseline_year: str
    allocation_year: str
    baseline_label: str
    allocation_label: str
    rows: tuple[AllocationRow, ...]
    total: AllocationRow  # its baseline and allocation are the sums where not given
    loc: Location = field(compare=False)

    @property
    def sum_baseline(self) -> int:
        return sum(r.baseline for r in self.rows)

    @property
    def sum_allocation(self) -> int:
        return sum(r.allocation for r in self.rows)


@dataclass(frozen=True)
class FinancialYear:
    year: str
    income: int
    expenditure: int

    @property
    def surplus(self) -> int:
        """Income less expenditure: negative is a deficit."""
        return self.income - self.expenditure

    @property
    def in_balance(self) -> bool:
        return self.surplus >= 0


@dataclass(frozen=True)
class Trajectory:
    provenance: str
    years: tuple[FinancialYear, ...]
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE

    @property
    def surplus(self) -> Series:
        return Series({y.year: y.surplus for y in self.years}, self.provenance, self.loc)

    @property
    def income(self) -> Series:
        return Series({y.year: y.income for y in self.years}, self.provenance, self.loc)

    @property
    def expenditure(self) -> Series:
        return Series({y.year: y.expenditure for y in self.years}, self.provenance, self.loc)

    @property
    def balance_year(self) -> str | None:
        """The first year from which every year is in balance."""
        found = None
        for y in reversed(self.years):
            if not y.in_balance:
                break
            found = y.year
        return found


@dataclass(frozen=True)
class ContextFigure:
    id: str
    label: str
    value: float
    unit: Unit
    provenance: str
    note: str | None
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Finance:
    allocations: Allocations
    trajectory: Trajectory
    efficiency: Series
    context: tuple[ContextFigure, ...]

    def efficiency_percent(self, year: str) -> float | None:
        """Efficiency as a share of that year's expenditure."""
        spend = next((y.expenditure for y in self.trajectory.years if y.year == year), None)
        saving = self.efficiency.get(year)
        if not spend or saving is None:
            return None
        return round_half_up(saving * 100 / spend, 1)


# --- activity.yaml, workforce.yaml ----------------------------------------------------


@dataclass(frozen=True)
class PointOfDelivery:
    id: str
    title: str
    unit: Unit
    provenance: str
    by_icp: Mapping[str, Series]
    published_system: Series | None
    loc: Location = field(compare=False)

    @property
    def system(self) -> Series:
        """System-wide figures: the sum over ICPs."""
        return sum_series(list(self.by_icp.values()), self.provenance, self.loc)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


#: The staffing types a staff group's WTE may be split into, in the order shown.
STAFFING_TYPES = ("substantive", "bank", "agency")


@dataclass(frozen=True)
class StaffGroup:
    """A staff group's WTE in post, and optionally its vacancies, its WTE per place
    (``by_place``, keyed by ICP id) and by staffing type (``by_type``: substantive, bank,
    agency), each of which adds up to ``wte`` (rule workforce-total)."""

    id: str
    title: str
    provenance: str
    wte: Series
    vacancies: Series | None
    loc: Location = field(compare=False)
    by_place: Mapping[str, Series] = field(default_factory=dict)
    by_type: Mapping[str, Series] = field(default_factory=dict)

    @property
    def place_sum(self) -> Series | None:
        """The sum of its places' figures, when it gives them."""
        return (sum_series(list(self.by_place.values()), self.provenance, self.loc)
                if self.by_place else None)

    @property
    def type_sum(self) -> Series | None:
        """The sum of its staffing types' figures, when it gives them."""
        return (sum_series(list(self.by_type.values()), self.provenance, self.loc)
                if self.by_type else None)

    def vacancy_rate(self, year: str) -> float | None:
        if self.vacancies is None:
            return None
        wte, vac = self.wte.get(year), self.vacancies.get(year)
        if wte is None or vac is None or wte + vac == 0:
            return None
        return round_half_up(vac * 100 / (wte + vac), 1)


@dataclass(frozen=True)
class Workforce:
    groups: tuple[StaffGroup, ...]
    published_total: Series | None
    loc: Location = field(compare=False)

    @property
    def total(self) -> Series:
        provenance = (ILLUSTRATIVE if any(g.wte.illustrative for g in self.groups)
                      else self.groups[0].provenance)
        return sum_series([g.wte for g in self.groups], provenance, self.loc)

    def _totals_by(self, name: str, keys: Iterable[str]) -> Mapping[str, Series] | None:
        """Per key, the sum over the staff groups of their ``name`` breakdown; None
        unless every group gives it (a total of some groups would read as all)."""
        if not all(getattr(g, name) for g in self.groups):
            return None
        provenance = self.total.provenance
        return {k: sum_series([getattr(g, name)[k] for g in self.groups
                               if k in getattr(g, name)], provenance, self.loc)
                for k in keys if any(k in getattr(g, name) for g in self.groups)}

    @property
    def by_place(self) -> bool:
        """Whether any staff group gives its figures per place."""
        return any(g.by_place for g in self.groups)

    @property
    def by_type(self) -> bool:
        """Whether any staff group gives its figures by staffing type."""
        return any(g.by_type for g in self.groups)

    @property
    def place_totals(self) -> Mapping[str, Series] | None:
        """All staff groups' WTE per place id, when every group gives its places."""
        return self._totals_by("by_place", dict.fromkeys(
            p for g in self.groups for p in g.by_place))

    @property
    def type_totals(self) -> Mapping[str, Series] | None:
        """All staff groups' WTE per staffing type, when every group gives its types."""
        return self._totals_by("by_type", STAFFING_TYPES)

    @property
    def total_vacancies(self) -> Series | None:
        series = [g.vacancies for g in self.groups if g.vacancies is not None]
        if not series:
            return None
        return sum_series(series, series[0].provenance, self.loc)


# --- engagement.yaml, board/ ---------------------------------------------------------


@dataclass(frozen=True)
class EngagementFigure:
    label: str
    value: float
    provenance: str
    loc: Location = field(compare=False)
    public_phrase: str | None = None  # a sentence with {value}, for the public summary


@dataclass(frozen=True)
class Engagement:
    id: str
    title: str
    when: str
    led_by: str | None
    description: str
    provenance: str
    figures: tuple[EngagementFigure, ...]
    loc: Location = field(compare=False)
    public_summary: str | None = None  # plain words for the public summary
    until: str | None = None  # planned engagement: the last day it is planned for

    @property
    def plain(self) -> str:
        """The account the public summary shows."""
        return self.public_summary or self.description


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    role: str | None
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class EngagementPlan:
    undertaken: tuple[Engagement, ...]
    planned: tuple[Engagement, ...]
    partners: tuple[Partner, ...]


@dataclass(frozen=True)
class Objective:
    text: str
    supported: bool


@dataclass(frozen=True)
class Extract:
    """A piece of the plan a board paper shows: ``kind`` and, for charts (``metric-chart``,
    ``delivery-chart``), a metric."""

    kind: str
    metric: str | None
    loc: Location = field(compare=False)

    @property
    def name(self) -> str:
        """How a body marks its place: ``{extract:NAME}`` (``metric-chart:<id>``)."""
        return f"{self.kind}:{self.metric}" if self.metric else self.kind


@dataclass(frozen=True)
class Appendix:
    """An appendix attached after a paper: its letter (A, B ... in order), title, and
    Markdown and/or the plan extracts it holds."""

    id: str
    letter: str
    title: str
    body: str | None
    extracts: tuple[Extract, ...]
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Implication:
    heading: str
    text: str


@dataclass(frozen=True)
class BoardPaper:
    id: str
    organisation: str | None
    meeting: str
    meeting_date: str
    agenda_item: str | None
    title: str
    prepared_by: str | None
    paper_date: str | None
    sponsor: str | None
    responsible_manager: str | None
    previous_committees: tuple[str, ...] | None
    background_papers: tuple[str, ...] | None
    summary: str
    recommendations: tuple[str, ...]
    risks_identified: bool | None
    risk_references: tuple[str, ...]
    impact_required: bool | None
    impact_note: str | None
    strategic_objectives: tuple[Objective, ...] | None
    contact: str | None
    body: str
    extracts: tuple[Extract, ...]
    provenance: str
    file: str
    version: str | None
    status: str
    purpose: str | None
    risk_summary: str | None
    illustrative_fields: tuple[str, ...]
    loc: Location = field(compare=False)
    status_loc: Location = field(compare=False)
    risks_loc: Location = field(compare=False)
    format: str = "nhs-board"
    appendices: tuple[Appendix, ...] = ()
    report_of: str | None = None
    electoral_divisions: str | None = None
    consultations: str | None = None
    implications: tuple[Implication, ...] | None = None
    sourced: tuple[FieldSource, ...] = ()  # cover-sheet fields with a provenance of their own
    field_locs: Mapping[str, Location] = field(default_factory=dict, compare=False)

    #: The cover-sheet fields that may carry a provenance of their own.
    COVER: ClassVar[tuple[str, ...]] = (
        "meeting", "meeting_date", "agenda_item", "prepared_by", "paper_date", "sponsor",
        "responsible_manager", "report_of", "electoral_divisions", "contact")
    board: str | None = None  # the id of the board (plan.yaml governance.boards)
    board_loc: Location | None = field(default=None, compare=False)
    #: Where the paper names its ``format``; None: the layout follows from its meeting
    #: (a council's: ``local-authority``; any other: ``nhs-board``).
    format_loc: Location | None = field(default=None, compare=False)

    @property
    def all_extracts(self) -> tuple[Extract, ...]:
        """The extracts of the body, then those of each appendix."""
        return self.extracts + tuple(e for a in self.appendices for e in a.extracts)

    @property
    def appendix_letters(self) -> dict[str, str]:
        return {a.id: a.letter for a in self.appendices}

    def markdown(self) -> Iterator[tuple[str, str]]:
        """(field, text) of every Markdown text of the paper, where markers work."""
        yield "summary", self.summary
        yield "body", self.body
        for name in ("risk_summary", "consultations"):
            if getattr(self, name):
                yield name, getattr(self, name)
        for a in self.appendices:
            if a.body:
                yield f"appendix {a.id!r}", a.body
        for i in self.implications or ():
            yield f"implication {i.heading!r}", i.text

    @property
    def doc_id(self) -> str:
        return f"board-{self.id}"

    @property
    def field_sources(self) -> tuple[FieldSource, ...]:
        """The cover-sheet fields with a provenance of their own: those given as
        ``{value, provenance}``, and those the ``illustrative`` list names."""
        own = {s.name for s in self.sourced}
        listed = tuple(FieldSource(n, getattr(self, n), ILLUSTRATIVE,
                                   self.field_locs.get(n, self.loc))
                       for n in self.illustrative_fields
                       if n not in own and getattr(self, n) is not None)
        return self.sourced + listed

    def provenance_of(self, name: str) -> str:
        """The cover-sheet field's own provenance, else the paper's."""
        own = next((s for s in self.field_sources if s.name == name), None)
        return own.provenance if own else self.provenance

    def assumed(self, name: str) -> bool:
        """Whether the cover-sheet field ``name`` is illustrative (no source gives it):
        named in ``illustrative`` or given with ``provenance: illustrative``."""
        return any(s.name == name and s.illustrative for s in self.field_sources)

    @property
    def date(self) -> str:
        """The paper's date: its own date, else the meeting's."""
        return self.paper_date or self.meeting_date

    @property
    def date_illustrative(self) -> bool:
        """Whether no source gives the paper's date (its own, else the meeting's)."""
        return self.assumed("paper_date" if self.paper_date else "meeting_date")


# --- a file kind with no class of its own ------------------------------------------


class Record:
    """An entity of a generic file kind (``kinds.FileKind.records``): its fields as
    attributes, nested mappings as Records and lists as tuples, with its location."""

    def __init__(self, fields: Mapping[str, Any], loc: Location,
                 field_loc: Callable[[str], Location] | None = None):
        self._fields = dict(fields)
        self.loc = loc
        self._field_loc = field_loc

    def loc_of(self, name: str) -> Location:
        """Where the field ``name`` is in the source (the record's place if unknown)."""
        return self._field_loc(name) if self._field_loc else self.loc

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_fields"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and self._fields == other._fields

    def __hash__(self) -> int:
        return hash(tuple(self._fields))

    def __repr__(self) -> str:
        return f"Record({self._fields!r})"


def _record(source: SourceFile, data: Any, path: tuple, provenance: str | None = None
            ) -> Any:
    """A generic kind's value: a mapping as a Record, a list as a tuple, and a mapping
    of financial years to numbers as a ``Series`` (with the provenance it inherits), so
    the rules, the illustrative count and the documents read it as every series."""
    if isinstance(data, Mapping) and data and all(
            isinstance(k, str) and _FINANCIAL_YEAR.fullmatch(k) for k in data) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in data.values()):
        return Series(dict(data), provenance or ILLUSTRATIVE, _loc(source, *path))
    if isinstance(data, Mapping):
        own = data.get("provenance", provenance)
        return Record({k: _record(source, v, (*path, k), own) for k, v in data.items()},
                      _loc(source, *path), partial(_loc, source, *path))
    if isinstance(data, list):
        return tuple(_record(source, v, (*path, i), provenance) for i, v in enumerate(data))
    return data


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
    terms: Terms = Terms()
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
                             percent_change(base, alloc), al.loc)

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
            if not kind.item or "" not in kind.provenance:
                continue
            if any(f.holder == "" for f in kind.figures):
                continue  # its provenance is its figures'
            if getattr(entity, "provenance", None) != ILLUSTRATIVE:
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


def _count(value: Any) -> int:
    """How many figures a value holds: a series one per year, a number one."""
    return len(value.values) if isinstance(value, Series) else 1


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


def _without_references(plan: Plan, whole: Plan) -> Plan:
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
        for path, target in kind.refers:
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


COUNCIL_TYPES = ("upper-tier-council", "unitary-council", "district-council")


def council_meeting(system: System | None, paper: BoardPaper) -> bool:
    """Whether ``paper`` goes to a council's meeting: its organisation's, or its board's,
    is a council."""
    if system is None:
        return False
    boards = {b.id: b for b in system.governance.boards}
    board = boards.get(paper.board) if paper.board else None
    org_id = paper.organisation or (board.organisation if board else None)
    org = next((o for o in system.organisations if o.id == org_id), None)
    return org is not None and org.type in COUNCIL_TYPES


def _resolve_formats(parts: dict[str, Any]) -> None:
    """A paper that names no ``format`` is laid out for its meeting: a council
    committee's paper as a council report, any other on the NHS cover sheet."""
    system = parts.get("system")
    parts["board_papers"] = tuple(
        p if p.format else dataclasses.replace(
            p, format="local-authority" if council_meeting(system, p) else "nhs-board")
        for p in parts.get("board_papers") or ())


def _unit(f: SourceFile, unit_id: str, *parts: Any) -> Unit:
    """The unit ``unit_id`` as named at ``parts``: built in, or resolved against the
    plan's declared units once plan.yaml is read (``_resolve_units``)."""
    return as_unit(unit_id).at(_loc(f, *parts))


def _declared_units(f: SourceFile) -> tuple[Unit, ...]:
    """plan.yaml ``units``: the units the plan declares beside the built-in ones."""
    return tuple(Unit(u["id"], u["label"], u.get("symbol", ""), u.get("decimals"),
                      declared=True, loc=_loc(f, "units", i))
                 for i, u in enumerate(f.data.get("units", [])))


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


def _generic(f: SourceFile, kind: kinds.FileKind) -> Any:
    if kind.records is None:
        return _record(f, f.data, ())
    return _record(f, f.data[kind.records], (kind.records,), f.data.get("provenance"))


def _person(data: Mapping | None) -> Person | None:
    return Person(data["name"], data["role"]) if data else None


def _population(source: SourceFile, d: Mapping, *parts: Any) -> Population:
    return Population(d["year"], d["people"], d["provenance"], d.get("note"),
                      _loc(source, *parts))


def _system(f: SourceFile) -> System:
    d = f.data
    sub = d["submission"]
    gov = d["governance"]
    gov_values, gov_sourced = _sourced(f, gov, Governance.FIGURES, "governance")
    sub_values, sub_sourced = _sourced(f, sub, Submission.FIGURES, "submission")
    return System(
        id=d["id"], name=d["name"], kind=d["kind"], area=d["area"], version=d["version"],
        date=d["date"], status=d["status"], author=d["author"],
        period=Period(d["period"]["first"], d["period"]["last"], _loc(f, "period")),
        sources=tuple(Source(s["id"], s["title"], s["published"], s.get("file"), s.get("url"),
                             _loc(f, "sources", i), s.get("date"), s.get("current"))
                for i, s in enumerate(d["sources"])),
        population=tuple(_population(f, pop, "population", i)
                         for i, pop in enumerate(d["population"])),
        icps=tuple(
            ICP(icp["id"], icp["name"], icp.get("description"),
                _population(f, icp["population"], "icps", i, "population")
                if icp.get("population") else None,
                _loc(f, "icps", i), icp.get("provenance"))
            for i, icp in enumerate(d["icps"])),
        organisations=tuple(_organisation(f, o, i) for i, o in enumerate(d["organisations"])),
        executives=tuple(Executive(e["id"], e["name"], e["role"], _loc(f, "executives", i),
                                   e.get("provenance"))
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
                            _loc(f, "submission", "components", i))
                  for i, c in enumerate(sub["components"])),
            _loc(f, "submission"), sub_sourced),
        glossary=tuple(GlossaryEntry(g["term"], g["definition"], g["provenance"],
                                     g.get("public", False), _loc(f, "glossary", i),
                                     g.get("public_definition"))
                       for i, g in enumerate(d["glossary"])),
        status_loc=_loc(f, "status"),
        publication=_publication(f, d["publication"]) if d.get("publication") else None,
    )


def _publication(f: SourceFile, d: Mapping[str, Any]) -> Publication:
    return Publication(
        d["date"], d["provenance"],
        tuple(Contact(c["kind"], c["value"], c["provenance"],
                      _loc(f, "publication", "contacts", i))
              for i, c in enumerate(d["contacts"])),
        tuple(d["other_formats"]), d.get("how_to_ask"), _loc(f, "publication"))


def _statements(f: SourceFile, key: str, default: str) -> tuple[Statement, ...]:
    return tuple(Statement(s["id"], s["text"], s.get("provenance", default), _loc(f, key, i))
                 for i, s in enumerate(f.data.get(key, [])))


def _vision(f: SourceFile) -> Vision:
    d = f.data
    prov = d["provenance"]
    return Vision(d["statement"], prov, _statements(f, "ambitions", prov),
                  _statements(f, "intents", prov), _statements(f, "ltp_themes", prov),
                  _statements(f, "case_for_change", prov), d["public_summary"],
                  _loc(f, "statement"))


def _priorities(f: SourceFile) -> tuple[Priority, ...]:
    prov = f.data["provenance"]
    return tuple(
        Priority(p["id"], p["number"], p["title"], p["statement"], _person(p.get("lead")),
                 tuple(p["portfolios"]), p["public_summary"], p.get("provenance", prov),
                 _loc(f, "priorities", i))
        for i, p in enumerate(f.data["priorities"]))


def _portfolio(f: SourceFile) -> Portfolio:
    d = f.data
    return Portfolio(
        id=d["id"], title=d["title"], kind=d["kind"], sponsor=_person(d.get("sponsor")),
        priorities=tuple(d.get("priorities", ())), provenance=d["provenance"],
        summary=d["summary"],
        narrative=d["narrative"],
        programmes=tuple(
            Programme(p["id"], p["title"], p.get("description"),
                      p.get("provenance", d["provenance"]), d["id"], _loc(f, "programmes", i))
            for i, p in enumerate(d["programmes"])),
        metrics=tuple(d.get("metrics", [])), file=f.path, loc=_loc(f, "id"),
        enabler=d.get("enabler", False),
    )


def _metrics(f: SourceFile) -> tuple[Metric, ...]:
    out = []
    for i, m in enumerate(f.data["metrics"]):
        base = m["baseline"]
        out.append(Metric(
            id=m["id"], title=m["title"], description=m["description"], kind=m["kind"],
            priorities=tuple(m.get("priorities", ())),
            unit=_unit(f, m["unit"], "metrics", i, "unit"),
            direction=m["direction"],
            national_metric=m.get("national_metric"), public_phrase=m.get("public_phrase"),
            targets=_targets(f, m, i),
            baseline=Baseline(base["year"], base["value"], base.get("provenance", m["provenance"]),
                              _loc(f, "metrics", i, "baseline")),
            values=_series(f, m["values"], m["provenance"], "metrics", i, "values"),
            provenance=m["provenance"], loc=_loc(f, "metrics", i),
        ))
    return tuple(out)


def _targets(f: SourceFile, m: Mapping, i: int) -> tuple[Target, ...]:
    """A metric's targets: format 1's ``standard`` is one national target, undated."""
    out = []
    if "standard" in m:
        s = m["standard"]
        out.append(Target("national", s["value"], s["text"], s["provenance"], None,
                          _loc(f, "metrics", i, "standard")))
    base = m["baseline"]
    for j, t in enumerate(m.get("targets", [])):
        by = t.get("by")
        change = _percent(t["change"]) if "change" in t else None
        value = t["value"] if change is None else round(base["value"] * (1 + change / 100), 6)
        out.append(Target(t["kind"], value, t["text"], t["provenance"],
                          None if by is None else str(by), _loc(f, "metrics", i, "targets", j),
                          change, None if change is None else base["year"]))
    return tuple(out)


def _percent(text: str) -> float:
    """``-10%`` -> ``-10.0`` (the schema's pattern holds)."""
    return float(text.strip().rstrip("%").replace("−", "-"))


_ALLOCATION_FIGURES = ("baseline", "allocation", "movement", "increase_percent")


def _allocation_row(f: SourceFile, d: Mapping, label: str, *parts: Any,
                    sums: tuple[int, int] | None = None) -> AllocationRow:
    """A row as written; for the total row (``sums`` given) a baseline or allocation
    left out is the sum of the rows."""
    baseline, allocation = (d["baseline"], d["allocation"]) if sums is None else (
        d.get("baseline", sums[0]), d.get("allocation", sums[1]))
    return AllocationRow(label, d.get("organisation"), baseline, allocation,
                         d.get("movement"), d.get("increase_percent"), _loc(f, *parts),
                         {k: _loc(f, *parts, k) for k in _ALLOCATION_FIGURES if k in d})


def _finance(f: SourceFile) -> Finance:
    d = f.data
    a = d["allocations"]
    traj = d["trajectory"]
    eff = d["efficiency"]
    rows = tuple(_allocation_row(f, r, r["organisation"], "allocations", "rows", i)
                 for i, r in enumerate(a["rows"]))
    allocations = Allocations(
        title=a["title"], provenance=a["provenance"], baseline_year=a["baseline_year"],
        allocation_year=a["allocation_year"], baseline_label=a["baseline_label"],
        allocation_label=a["allocation_label"],
        rows=rows,
        total=_allocation_row(f, a["total"], a["total"]["label"], "allocations", "total",
                              sums=(sum(r.baseline for r in rows),
                                    sum(r.allocation for r in rows))),
        loc=_loc(f, "allocations"),
    )
    trajectory = Trajectory(
        traj["provenance"],
        tuple(FinancialYear(y, v["income"], v["expenditure"])
              for y, v in sorted(traj["years"].items())),
        _loc(f, "trajectory", "years"))
    return Finance(
        allocations=allocations, trajectory=trajectory,
        efficiency=_series(f, eff["years"], eff["provenance"], "efficiency", "years"),
        context=tuple(ContextFigure(c["id"], c["label"], c["value"],
                                    _unit(f, c["unit"], "context", i, "unit"), c["provenance"],
                                    c.get("note"), _loc(f, "context", i))
                      for i, c in enumerate(d.get("context", []))),
    )


def _activity(f: SourceFile) -> tuple[PointOfDelivery, ...]:
    out = []
    for i, pod in enumerate(f.data["points_of_delivery"]):
        prov = pod["provenance"]
        out.append(PointOfDelivery(
            id=pod["id"], title=pod["title"],
            unit=_unit(f, pod["unit"], "points_of_delivery", i, "unit"), provenance=prov,
            by_icp={icp: _series(f, vals, prov, "points_of_delivery", i, "by_icp", icp)
                    for icp, vals in pod["by_icp"].items()},
            published_system=_series(f, pod.get("system"), prov, "points_of_delivery", i,
                                     "system"),
            loc=_loc(f, "points_of_delivery", i),
        ))
    return tuple(out)


def _workforce(f: SourceFile) -> Workforce:
    d = f.data
    groups = tuple(
        StaffGroup(g["id"], g["title"], g["provenance"],
                   _series(f, g["wte"], g["provenance"], "staff_groups", i, "wte"),
                   _series(f, g.get("vacancies"), g["provenance"], "staff_groups", i,
                           "vacancies"),
                   _loc(f, "staff_groups", i),
                   {place: _series(f, vals, g["provenance"], "staff_groups", i, "by_place", place)
                    for place, vals in g.get("by_place", {}).items()},
                   {kind: _series(f, g["by_type"][kind], g["provenance"], "staff_groups", i,
                                  "by_type", kind)
                    for kind in STAFFING_TYPES if kind in g.get("by_type", {})})
        for i, g in enumerate(d["staff_groups"]))
    total = d.get("total")
    published = (_series(f, total["wte"], groups[0].provenance, "total", "wte")
                 if total else None)
    return Workforce(groups, published, _loc(f, "staff_groups"))


def _engagement(f: SourceFile) -> EngagementPlan:
    d = f.data

    def items(key: str) -> tuple[Engagement, ...]:
        return tuple(
            Engagement(e["id"], e["title"], e["when"], e.get("led_by"), e["description"],
                       e["provenance"],
                       tuple(EngagementFigure(x["label"], x["value"], x["provenance"],
                                              _loc(f, key, i, "figures", j),
                                              x.get("public_phrase"))
                             for j, x in enumerate(e.get("figures", []))),
                       _loc(f, key, i), e.get("public_summary"), e.get("until"))
            for i, e in enumerate(d.get(key, [])))

    return EngagementPlan(items("undertaken"), items("planned"),
                          tuple(Partner(p["id"], p["name"], p.get("role"), _loc(f, "partners", i))
                                for i, p in enumerate(d.get("partners", []))))


def _extracts(f: SourceFile, items: list, *parts: Any) -> tuple[Extract, ...]:
    return tuple(Extract(e, None, _loc(f, *parts, i)) if isinstance(e, str)
                 else Extract(next(iter(e)), e[next(iter(e))], _loc(f, *parts, i))
                 for i, e in enumerate(items))  # {metric-chart: id}, {delivery-chart: id}


#: Appendix letters, in order (the schema allows as many appendices).
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _board_paper(f: SourceFile) -> BoardPaper:
    d = f.data
    extracts = _extracts(f, d.get("extracts", []), "extracts")
    appendices = tuple(
        Appendix(a["id"], LETTERS[i], a["title"], a.get("body"),
                 _extracts(f, a.get("extracts", []), "appendices", i, "extracts"),
                 _loc(f, "appendices", i))
        for i, a in enumerate(d.get("appendices", [])))
    implications = d.get("implications")
    risks, impact = d.get("risks"), d.get("impact_assessment")
    objectives = d.get("strategic_objectives")

    def listed(key: str) -> tuple[str, ...] | None:
        return tuple(d[key]) if key in d else None

    cover, sourced = _sourced(f, d, BoardPaper.COVER)
    return BoardPaper(
        id=d["id"], organisation=d.get("organisation"), meeting=cover["meeting"],
        meeting_date=cover["meeting_date"], agenda_item=cover["agenda_item"], title=d["title"],
        prepared_by=cover["prepared_by"], paper_date=cover["paper_date"],
        sponsor=cover["sponsor"], responsible_manager=cover["responsible_manager"],
        previous_committees=listed("previous_committees"),
        background_papers=listed("background_papers"), summary=d["summary"],
        recommendations=tuple(d["recommendations"]),
        risks_identified=risks["identified"] if risks else None,
        risk_references=tuple(risks.get("references", [])) if risks else (),
        risk_summary=risks.get("summary") if risks else None,
        impact_required=impact["required"] if impact else None,
        impact_note=impact["note"] if impact else None,
        strategic_objectives=(tuple(Objective(o["text"], o["supported"]) for o in objectives)
                              if objectives is not None else None),
        purpose=d.get("purpose"), illustrative_fields=tuple(d.get("illustrative", [])),
        risks_loc=_loc(f, "risks") if risks else _loc(f, "id"),
        contact=cover["contact"], body=d["body"], extracts=extracts,
        provenance=d["provenance"], file=f.path, version=d.get("version"),
        status=d.get("status", "draft"), loc=_loc(f, "id"),
        status_loc=_loc(f, "status") if "status" in d else _loc(f, "id"),
        format=d.get("format", ""), appendices=appendices,
        format_loc=_loc(f, "format") if "format" in d else None,
        report_of=cover["report_of"], electoral_divisions=cover["electoral_divisions"],
        consultations=d.get("consultations"), sourced=sourced,
        field_locs={n: _loc(f, n) for n in BoardPaper.COVER if n in d},
        implications=(tuple(Implication(i["heading"], i["text"]) for i in implications)
                      if implications is not None else None),
        board=d.get("board"), board_loc=_loc(f, "board") if "board" in d else None,
    )


# --- risks.yaml ----------------------------------------------------------------------


#: The NHS 5 x 5 matrix's bands: (lowest score, rating).
RISK_RATINGS = ((15, "extreme"), (8, "high"), (4, "moderate"), (1, "low"))


def risk_rating(score: int) -> str:
    """The band of a score on the 5 x 5 matrix: low (1-3), moderate (4-6), high
    (8-12), extreme (15-25)."""
    return next(name for lowest, name in RISK_RATINGS if score >= lowest)


@dataclass(frozen=True)
class RiskScores:
    """A risk's scores now and once mitigated, with their own provenance; ``score`` and
    ``target_score`` as published, when they are."""

    likelihood: int
    impact: int
    target_likelihood: int
    target_impact: int
    provenance: str
    published_score: int | None
    published_target_score: int | None
    loc: Location = field(compare=False)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def target_score(self) -> int:
        return self.target_likelihood * self.target_impact

    @property
    def rating(self) -> str:
        return risk_rating(self.score)

    @property
    def target_rating(self) -> str:
        return risk_rating(self.target_score)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


@dataclass(frozen=True)
class Risk:
    id: str
    title: str
    description: str
    reference: str | None
    owner: str | None
    priorities: tuple[str, ...]
    mitigations: tuple[str, ...]
    scores: RiskScores
    provenance: str
    loc: Location = field(compare=False)


def _risks(f: SourceFile) -> tuple[Risk, ...]:
    out = []
    for i, r in enumerate(f.data["risks"]):
        sc = r["scores"]
        scores = RiskScores(sc["likelihood"], sc["impact"], sc["target_likelihood"],
                            sc["target_impact"], sc["provenance"], sc.get("score"),
                            sc.get("target_score"), _loc(f, "risks", i, "scores"))
        out.append(Risk(r["id"], r["title"], r["description"], r.get("reference"),
                        r.get("owner"), tuple(r.get("priorities", ())),
                        tuple(r["mitigations"]), scores, r["provenance"],
                        _loc(f, "risks", i)))
    return tuple(out)


# --- commitments.yaml ------------------------------------------------------------------


@dataclass(frozen=True)
class Commitment:
    """A national commitment of the Long Term Plan, the local programmes that deliver
    it and what the plan will have done by each year (``milestones``: year -> text)."""

    id: str
    title: str
    commitment: str
    programmes: tuple[str, ...]
    milestones: Mapping[str, str]
    provenance: str
    loc: Location = field(compare=False)

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


def _commitments(f: SourceFile) -> tuple[Commitment, ...]:
    return tuple(
        Commitment(c["id"], c["title"], c["commitment"], tuple(c["programmes"]),
                   dict(sorted(c.get("milestones", {}).items())), c["provenance"],
                   _loc(f, "commitments", i))
        for i, c in enumerate(f.data["commitments"]))


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
