"""vision.yaml, priorities.yaml, portfolios/ and metrics.yaml: what the plan sets out to do
and how it is measured."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..diagnostics import Located, Location
from ..formatting import Unit
from ..load import SourceFile
from .base import (
    ILLUSTRATIVE,
    FieldProvenance,
    FieldSource,
    Person,
    Series,
    Sourced,
    _loc,
    _person,
    _series,
    _sourced,
)
from .system import _unit

# --- vision.yaml, priorities.yaml, portfolios/ ------------------------------------


@dataclass(frozen=True)
class Statement(Sourced):
    id: str
    text: str
    provenance: str


@dataclass(frozen=True)
class Vision(Sourced):
    #: Left out (None) in a document dated before the vision's source.
    DATED: ClassVar[tuple[str, ...]] = ("statement",)

    statement: str | None
    provenance: str
    ambitions: tuple[Statement, ...]
    intents: tuple[Statement, ...]
    ltp_themes: tuple[Statement, ...]
    case_for_change: tuple[Statement, ...]
    public_summary: str


@dataclass(frozen=True)
class Priority(Sourced):
    id: str
    number: int
    title: str
    statement: str
    lead: Person | None
    portfolios: tuple[str, ...]
    public_summary: str
    provenance: str


@dataclass(frozen=True)
class Programme(Sourced):
    id: str
    title: str
    description: str | None
    provenance: str
    portfolio: str


@dataclass(frozen=True)
class Portfolio(Sourced):
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
    #: Serves every priority (finance, digital, workforce) rather than naming some.
    enabler: bool = False
    #: The framework chapters or areas it answers (ids from framework.yaml).
    answers: tuple[str, ...] = ()


# --- metrics.yaml -------------------------------------------------------------------


TARGET_KINDS = {"national": "National standard", "local": "Local ambition"}
#: The parts of a target that may carry a provenance of their own, and what each is
#: called in the documents: its figure (``value``, or ``change`` from the baseline),
#: its wording and its date.
TARGET_PARTS = {"value": "value", "change": "change", "text": "wording", "by": "date"}


def _year_end(year: str) -> tuple[int, int]:
    """When a target's ``by`` falls due, as (year, month): a financial year ends in
    March of its second calendar year, a calendar year in December."""
    return (int(year[:4]) + 1, 3) if "/" in year else (int(year), 12)


@dataclass(frozen=True)
class TargetPart(Sourced):
    """One part of a target (its value or change, its wording, its date) with the
    provenance it carries: its own (``{value, provenance}`` in the YAML) or the
    target's; ``computed`` for a value worked out from an illustrative baseline."""

    name: str  # value, change, text, by
    value: Any
    provenance: str
    of: str  # the target's label: "Local ambition"
    computed: bool = False
    whole: bool = False  # stands for the whole target, one provenance covering it

    @property
    def label(self) -> str:
        """"Local ambition" (the whole target), "Local ambition wording", "National
        standard value (computed from the illustrative baseline)"."""
        if self.whole:
            return self.of
        word = f"{self.of} {TARGET_PARTS[self.name]}"
        return word + (" (computed from the illustrative baseline)" if self.computed else "")


@dataclass(frozen=True)
class Target(FieldProvenance, Sourced):
    """A value a metric is measured against: a ``national`` standard or a ``local``
    ambition, for the whole period (``by`` None) or due by a year, which may be a
    financial year (``2022/23``) or a calendar year (``2030``), after the period too.

    Its value (or ``change``), wording (``text``) and date (``by``) may each carry a
    provenance of their own (``sourced``), else the target's; a value computed from an
    illustrative baseline is illustrative whatever its change cites."""

    kind: str
    value: float
    text: str
    provenance: str
    by: str | None
    change: float | None = None  # given relative to the baseline: percent change
    baseline_year: str | None = None  # the year of the baseline ``change`` is from
    sourced: tuple[FieldSource, ...] = ()  # parts with a provenance of their own
    baseline_provenance: str | None = None  # of the baseline ``change`` is from
    #: where each part given is written (value or change, text, by)
    locs: Mapping[str, Location] = field(default_factory=dict, compare=False)

    FIGURES: ClassVar[tuple[str, ...]] = ("value",)

    @property
    def given(self) -> str:
        """The name of the figure the YAML gives: ``value`` or ``change``."""
        return "value" if self.change is None else "change"

    def at(self, name: str) -> Location:
        """Where the part ``name`` is written (the target's place if not given)."""
        return self.locs.get(name, self.loc)

    @property
    def computed_from_illustrative(self) -> bool:
        """A value computed from an illustrative baseline by a change that is not."""
        return (self.change is not None and self.baseline_provenance == ILLUSTRATIVE
                and not self.marked("change"))

    @property
    def value_illustrative(self) -> bool:
        """Whether the value shown (given, or computed from the baseline) is."""
        return self.marked(self.given) or self.computed_from_illustrative

    @property
    def split(self) -> bool:
        """Whether the target's parts differ in provenance (each is then marked and
        listed on its own), rather than one provenance covering the whole target."""
        return bool(self.sourced) or self.computed_from_illustrative

    @property
    def parts(self) -> tuple[TargetPart, ...]:
        """The target as the register of illustrative values lists it: one part for
        the whole target (``value``, its figure) when one provenance covers it, else
        each part with its provenance (a value computed from an illustrative baseline
        one more)."""
        if not self.split:
            return (TargetPart("value", self.value, self.provenance, self.label, whole=True,
                               loc=self.loc),)
        given = self.value if self.change is None else self.change
        out = [TargetPart(name, value, self.provenance_of(name) or self.provenance, self.label,
                          loc=self.at(name))
               for name, value in ((self.given, given), ("text", self.text), ("by", self.by))
               if value is not None]
        if self.computed_from_illustrative:
            out.insert(1, TargetPart("value", self.value, ILLUSTRATIVE, self.label,
                                     computed=True, loc=self.at("change")))
        return tuple(out)

    @property
    def illustrative(self) -> bool:
        """Whether any part of the target is illustrative (its whole, when one
        provenance covers it)."""
        return any(p.illustrative for p in self.parts)

    @property
    def wholly_illustrative(self) -> bool:
        """Whether every part is (one mark then marks the whole target)."""
        return all(p.illustrative for p in self.parts)

    def part_marked(self, name: str) -> bool:
        """Whether a document marks the part ``name`` (``value``, ``change``, ``text``,
        ``by``) on its own: never when one mark covers the whole target."""
        if self.wholly_illustrative:
            return False
        if name == "value":
            return self.value_illustrative
        return getattr(self, name) is not None and self.marked(name)

    @property
    def illustrative_words(self) -> str | None:
        """Which parts are illustrative, as a clause, when some are and some are not:
        "its wording and date are illustrative", "its value is illustrative, computed
        from the illustrative baseline"; None otherwise."""
        if self.wholly_illustrative or not self.illustrative:
            return None
        words = [TARGET_PARTS[n] for n in ("change", "text", "by") if self.part_marked(n)]
        if self.part_marked("value") and not self.part_marked("change"):
            words.insert(0, "value")
        said = "its " + (" and ".join(words) if len(words) < 3
                         else ", ".join(words[:-1]) + " and " + words[-1])
        said += " are illustrative" if len(words) > 1 else " is illustrative"
        if self.computed_from_illustrative:
            said += ", computed from the illustrative baseline"
        return said

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
    def key(self) -> str:
        """The target among a metric's: ``national``, ``local-2030`` (diff's field name)."""
        return self.kind if self.by is None else f"{self.kind}-{self.by}"

    @property
    def sentence(self) -> str:
        """The target's text, with its year when the text does not already name it:
        " by 2025" after a text that says no time ("97% within four hours by 2025"),
        ", by 2023/24" after one that does ("down 10% over five years, by 2023/24")."""
        text, joiner, by = self.sentence_parts
        return text + joiner + (by or "")

    @property
    def sentence_parts(self) -> tuple[str, str, str | None]:
        """``sentence`` as its wording, what joins the year to it and the year (None
        when the sentence does not add it): the parts a document marks on their own."""
        text = self.text.rstrip(".")
        if self.by is None or self.by in text:
            return text, "", None
        return text, ", by " if _SAYS_WHEN.search(text) else " by ", self.by

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
class Baseline(Sourced):
    year: str
    value: float
    provenance: str


@dataclass(frozen=True)
class Metric(Located):
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
    #: The framework chapters or areas it answers (ids from framework.yaml).
    answers: tuple[str, ...] = ()

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
        return self.values.illustrative or self.baseline.illustrative

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


def _statements(f: SourceFile, key: str, default: str) -> tuple[Statement, ...]:
    return tuple(Statement(s["id"], s["text"], s.get("provenance", default), loc=_loc(f, key, i))
                 for i, s in enumerate(f.data.get(key, [])))


def _vision(f: SourceFile) -> Vision:
    d = f.data
    prov = d["provenance"]
    return Vision(d["statement"], prov, _statements(f, "ambitions", prov),
                  _statements(f, "intents", prov), _statements(f, "ltp_themes", prov),
                  _statements(f, "case_for_change", prov), d["public_summary"],
                  loc=_loc(f, "statement"))


def _priorities(f: SourceFile) -> tuple[Priority, ...]:
    prov = f.data["provenance"]
    return tuple(
        Priority(p["id"], p["number"], p["title"], p["statement"], _person(p.get("lead")),
                 tuple(p["portfolios"]), p["public_summary"], p.get("provenance", prov),
                 loc=_loc(f, "priorities", i))
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
                      p.get("provenance", d["provenance"]), d["id"], loc=_loc(f, "programmes", i))
            for i, p in enumerate(d["programmes"])),
        metrics=tuple(d.get("metrics", [])), file=f.path, loc=_loc(f, "id"),
        enabler=d.get("enabler", False), answers=tuple(d.get("answers", ())),
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
                              loc=_loc(f, "metrics", i, "baseline")),
            values=_series(f, m["values"], m["provenance"], "metrics", i, "values"),
            provenance=m["provenance"], loc=_loc(f, "metrics", i),
            answers=tuple(m.get("answers", ())),
        ))
    return tuple(out)


def _targets(f: SourceFile, m: Mapping, i: int) -> tuple[Target, ...]:
    """A metric's targets: format 1's ``standard`` is one national target, undated."""
    out = []
    if "standard" in m:
        s = m["standard"]
        out.append(Target("national", s["value"], s["text"], s["provenance"], None,
                          loc=_loc(f, "metrics", i, "standard")))
    base = m["baseline"]
    base_prov = base.get("provenance", m["provenance"])
    for j, t in enumerate(m.get("targets", [])):
        where = ("metrics", i, "targets", j)
        given, sourced = _sourced(f, t, ("value", "change", "text", "by"), *where)
        by, change = given["by"], given["change"]
        change = None if change is None else _percent(change)
        value = (given["value"] if change is None
                 else round(base["value"] * (1 + change / 100), 6))
        out.append(Target(
            t["kind"], value, given["text"], t["provenance"],
            None if by is None else str(by), change,
            None if change is None else base["year"], sourced,
            None if change is None else base_prov,
            {name: _loc(f, *where, name) for name in ("value", "change", "text", "by")
             if name in t}, loc=_loc(f, *where)))
    return tuple(out)


def _percent(text: str) -> float:
    """``-10%`` -> ``-10.0`` (the schema's pattern holds)."""
    return float(text.strip().rstrip("%").replace("−", "-"))
