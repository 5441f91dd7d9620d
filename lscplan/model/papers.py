"""engagement.yaml, board/, risks.yaml and commitments.yaml."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..diagnostics import Located, Location
from ..load import SourceFile
from .base import ILLUSTRATIVE, FieldSource, Sourced, _loc, _sourced
from .system import System

# --- engagement.yaml, board/ ---------------------------------------------------------


@dataclass(frozen=True)
class EngagementFigure(Sourced):
    label: str
    value: float
    provenance: str
    public_phrase: str | None = None  # a sentence with {value}, for the public summary


@dataclass(frozen=True)
class Engagement(Sourced):
    id: str
    title: str
    when: str
    led_by: str | None
    description: str
    provenance: str
    figures: tuple[EngagementFigure, ...]
    public_summary: str | None = None  # plain words for the public summary
    until: str | None = None  # planned engagement: the last day it is planned for

    @property
    def plain(self) -> str:
        """The account the public summary shows."""
        return self.public_summary or self.description


@dataclass(frozen=True)
class Partner(Located):
    id: str
    name: str
    role: str | None


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
class Extract(Located):
    """A piece of the plan a board paper shows: ``kind`` and, for charts (``metric-chart``,
    ``delivery-chart``), a metric."""

    kind: str
    metric: str | None

    @property
    def name(self) -> str:
        """How a body marks its place: ``{extract:NAME}`` (``metric-chart:<id>``)."""
        return f"{self.kind}:{self.metric}" if self.metric else self.kind


@dataclass(frozen=True)
class Appendix(Located):
    """An appendix attached after a paper: its letter (A, B ... in order), title, and
    Markdown and/or the plan extracts it holds."""

    id: str
    letter: str
    title: str
    body: str | None
    extracts: tuple[Extract, ...]


@dataclass(frozen=True)
class Implication:
    heading: str
    text: str


@dataclass(frozen=True)
class BoardPaper(Sourced):
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

    def loc_of(self, name: str, index: int | None = None) -> Location:
        """Where the field ``name`` is written (its ``board``, a cover-sheet field), for
        the reference rule (``kinds.referred``); the paper's place if not known."""
        if name == "board" and self.board_loc is not None:
            return self.board_loc
        return self.field_locs.get(name, self.loc)

    @property
    def field_sources(self) -> tuple[FieldSource, ...]:
        """The cover-sheet fields with a provenance of their own: those given as
        ``{value, provenance}``, and those the ``illustrative`` list names."""
        own = {s.name for s in self.sourced}
        listed = tuple(FieldSource(n, getattr(self, n), ILLUSTRATIVE,
                                   loc=self.field_locs.get(n, self.loc))
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


def _engagement(f: SourceFile) -> EngagementPlan:
    d = f.data

    def items(key: str) -> tuple[Engagement, ...]:
        return tuple(
            Engagement(e["id"], e["title"], e["when"], e.get("led_by"), e["description"],
                       e["provenance"],
                       tuple(EngagementFigure(x["label"], x["value"], x["provenance"],
                                              x.get("public_phrase"),
                                              loc=_loc(f, key, i, "figures", j))
                             for j, x in enumerate(e.get("figures", []))),
                       e.get("public_summary"), e.get("until"), loc=_loc(f, key, i))
            for i, e in enumerate(d.get(key, [])))

    return EngagementPlan(items("undertaken"), items("planned"),
                          tuple(Partner(p["id"], p["name"], p.get("role"),
                                        loc=_loc(f, "partners", i))
                                for i, p in enumerate(d.get("partners", []))))


def _extracts(f: SourceFile, items: list, *parts: Any) -> tuple[Extract, ...]:
    return tuple(Extract(e, None, loc=_loc(f, *parts, i)) if isinstance(e, str)
                 else Extract(next(iter(e)), e[next(iter(e))], loc=_loc(f, *parts, i))
                 for i, e in enumerate(items))  # {metric-chart: id}, {delivery-chart: id}


#: Appendix letters, in order (the schema allows as many appendices).
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _board_paper(f: SourceFile) -> BoardPaper:
    d = f.data
    extracts = _extracts(f, d.get("extracts", []), "extracts")
    appendices = tuple(
        Appendix(a["id"], LETTERS[i], a["title"], a.get("body"),
                 _extracts(f, a.get("extracts", []), "appendices", i, "extracts"),
                 loc=_loc(f, "appendices", i))
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
class RiskScores(Sourced):
    """A risk's scores now and once mitigated, with their own provenance; ``score`` and
    ``target_score`` as published, when they are."""

    likelihood: int
    impact: int
    target_likelihood: int
    target_impact: int
    provenance: str
    published_score: int | None
    published_target_score: int | None

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


@dataclass(frozen=True)
class Risk(Sourced):
    id: str
    title: str
    description: str
    reference: str | None
    owner: str | None
    priorities: tuple[str, ...]
    mitigations: tuple[str, ...]
    scores: RiskScores
    provenance: str


def _risks(f: SourceFile) -> tuple[Risk, ...]:
    out = []
    for i, r in enumerate(f.data["risks"]):
        sc = r["scores"]
        scores = RiskScores(sc["likelihood"], sc["impact"], sc["target_likelihood"],
                            sc["target_impact"], sc["provenance"], sc.get("score"),
                            sc.get("target_score"), loc=_loc(f, "risks", i, "scores"))
        out.append(Risk(r["id"], r["title"], r["description"], r.get("reference"),
                        r.get("owner"), tuple(r.get("priorities", ())),
                        tuple(r["mitigations"]), scores, r["provenance"],
                        loc=_loc(f, "risks", i)))
    return tuple(out)


# --- commitments.yaml ------------------------------------------------------------------


@dataclass(frozen=True)
class Commitment(Sourced):
    """A national commitment of the Long Term Plan, the local programmes that deliver
    it and what the plan will have done by each year (``milestones``: year -> text)."""

    id: str
    title: str
    commitment: str
    programmes: tuple[str, ...]
    milestones: Mapping[str, str]
    provenance: str
    #: The framework chapters or areas it answers (ids from framework.yaml).
    answers: tuple[str, ...] = ()


def _commitments(f: SourceFile) -> tuple[Commitment, ...]:
    return tuple(
        Commitment(c["id"], c["title"], c["commitment"], tuple(c["programmes"]),
                   dict(sorted(c.get("milestones", {}).items())), c["provenance"],
                   tuple(c.get("answers", ())), loc=_loc(f, "commitments", i))
        for i, c in enumerate(f.data["commitments"]))
