"""What every part of the model is made of: located texts, series by year, sources and
provenance, and the generic Record of a kind with no class."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, ClassVar, overload

from .. import kinds, narrative
from ..diagnostics import Located, Location
from ..formatting import Unit, as_unit
from ..load import SourceFile, pointer_of

ILLUSTRATIVE = "illustrative"


class Sourced(Located):
    """What carries a provenance: a source's id, or ``illustrative`` where no source
    gives it (its figures, or the entry itself, are then marked in every document);
    and, as everything the model reads, where it is written (``Located``)."""

    provenance: str | None

    @property
    def illustrative(self) -> bool:
        return self.provenance == ILLUSTRATIVE


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
class Series(Sourced):
    """One value per financial year (ordered by year), with its provenance; ``unit``, where
    the model gives it (a generic kind's series, in the unit its kind declares), what its
    figures are in."""

    values: Mapping[str, float]
    provenance: str
    unit: Unit | None = field(default=None, compare=False)

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
    return Series(dict(sorted(data.items())), provenance, loc=_loc(source, *parts))


def sum_series(series: list[Series], provenance: str, loc: Location) -> Series:
    years = sorted({y for s in series for y in s.values})
    return Series({y: sum(s.values.get(y, 0) for s in series) for y in years}, provenance, loc=loc)


# --- plan.yaml -------------------------------------------------------------------


@dataclass(frozen=True)
class Source(Located):
    id: str
    title: str
    published: str
    file: str | None
    url: str | None
    date: str | None = None
    current: str | None = None  # from when its wording held, if before its publication
    publisher: str | None = None  # who published it: "NHS England"

    @property
    def known_from(self) -> str | None:
        """From when a document may cite it: the date its wording was current, else
        its publication date."""
        return self.current or self.date


@dataclass(frozen=True)
class FieldSource(Sourced):
    """A field given with a provenance of its own (``{value, provenance}`` in the YAML),
    or named in a board paper's ``illustrative`` list."""

    name: str  # the field: "deadline", "meeting_date"
    value: Any
    provenance: str

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")


class FieldProvenance(Sourced):
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
                                       loc=_loc(source, *parts, name)))
            v = v["value"]
        values[name] = v
    return values, tuple(sourced)


@dataclass(frozen=True)
class Person:
    name: str
    role: str


# --- a file kind with no class of its own ------------------------------------------


class Record:
    """An entity of a generic file kind (``kinds.FileKind.records``): its fields as
    attributes, nested mappings as Records and lists as tuples, with its location and
    (for an entity) its kind's name."""

    def __init__(self, fields: Mapping[str, Any], loc: Location,
                 field_loc: Callable[..., Location] | None = None, kind: str | None = None):
        self._fields = dict(fields)
        self.loc = loc
        self._field_loc = field_loc
        #: the name of the entity kind it is an entity of (None for a mapping inside
        #: one); not an attribute a template reads, which are the fields
        self._kind = kind

    def loc_of(self, name: str, index: int | None = None) -> Location:
        """Where the field ``name`` (its list's item ``index``) is in the source (the
        record's place if unknown)."""
        if self._field_loc is None:
            return self.loc
        return self._field_loc(name) if index is None else self._field_loc(name, index)

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


def _record(source: SourceFile, data: Any, path: tuple, provenance: str | None = None,
            units: Mapping[str, str | None] | None = None, within: tuple[str, ...] = (),
            kind: str | None = None) -> Any:
    """A generic kind's value: a mapping as a Record, a list as a tuple, and a mapping
    of financial years to numbers as a ``Series`` (with the provenance it inherits, and
    the unit ``units`` gives the figures at its path ``within`` the entity), so the
    rules, the illustrative count and the documents read it as every series."""
    if isinstance(data, Mapping) and data and all(
            isinstance(k, str) and _FINANCIAL_YEAR.fullmatch(k) for k in data) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in data.values()):
        unit = _unit_at(units or {}, within)
        return Series(dict(data), provenance or ILLUSTRATIVE,
                      as_unit(unit) if unit else None, loc=_loc(source, *path))
    if isinstance(data, Mapping):
        own = data.get("provenance", provenance)
        return Record({k: _record(source, v, (*path, k), own, units, (*within, k))
                       for k, v in data.items()},
                      _loc(source, *path), partial(_loc, source, *path), kind)
    if isinstance(data, list):
        return tuple(_record(source, v, (*path, i), provenance, units, within)
                     for i, v in enumerate(data))
    return data


def _unit_at(units: Mapping[str, str | None], within: tuple[str, ...]) -> str | None:
    """The unit declared for the figures at ``within`` (or the nearest path above it)."""
    for n in range(len(within), -1, -1):
        if ".".join(within[:n]) in units:
            return units[".".join(within[:n])]
    return None


def _count(value: Any) -> int:
    """How many figures a value holds: a series one per year, a number one."""
    return len(value.values) if isinstance(value, Series) else 1


def _generic(f: SourceFile, kind: kinds.FileKind) -> Any:
    """A generic kind's part of the plan: its records, each series in the unit the
    entity kind at the top (``within`` the part itself) declares for it."""
    top = next((e for e in kind.entities if e.within == (kind.part,)), None)

    def units(data: Any) -> dict[str, str | None]:
        if top is None or not isinstance(data, Mapping):
            return {}
        return {path: kinds.resolve_unit(spec, data) for path, spec in top.figure_units()}

    name = top.name if top else None
    if kind.records is None:
        return _record(f, f.data, (), units=units(f.data), kind=name)
    provenance, items = f.data.get("provenance"), f.data[kind.records]
    if not isinstance(items, list):
        return _record(f, items, (kind.records,), provenance)
    return tuple(_record(f, item, (kind.records, i), provenance, units(item), kind=name)
                 for i, item in enumerate(items))


def _person(data: Mapping | None) -> Person | None:
    return Person(data["name"], data["role"]) if data else None
