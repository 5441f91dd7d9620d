"""The documents a build produces, declared once.

Each ``Kind`` says what a document is: its id, the template that renders it, its
title, the formats it is written in (names from ``formats.FORMATS``), and, for kinds
with one document per item of the plan (a board paper per file in ``board/``), the
items and the name the template knows each by. ``for_plan(plan)`` turns the
declaration into the documents of one plan, in manifest order; ``Dated`` gives the
plan each of them shows, as it stood on the document's date, made here, before any
rendering (render and the workbook take the plan they are given); ``inputs`` says
which plan files each document is made from, which is what lets a change to one board
paper re-render only that paper.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import formatting
from .model import Plan

HTML_AND_PDF = ("html", "pdf")
#: Board papers and the public summary are also Word files, for the people who edit
#: and assemble board packs in Word.
WITH_WORD = (*HTML_AND_PDF, "docx")


@dataclass(frozen=True)
class Document:
    """One document of a plan: its id (the output file stem), its title, the template
    that renders it, what that template gets besides the plan, its formats, and the
    plan file of its own (a board paper's) that no other document reads; its version,
    status and date, and whether it is a draft (figures of the plan are illustrative)."""

    id: str
    title: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict, compare=False)
    formats: tuple[str, ...] = HTML_AND_PDF
    own_file: str | None = None
    version: str | None = None
    status: str = "draft"
    date: str = ""
    draft: bool = False
    date_illustrative: bool = False  # no source gives the date (a paper's assumed date)
    #: what the date is when it is illustrative and the document prints it only in its
    #: footer ("plan date"): the draft mark names it (``render.finish``)
    date_kind: str | None = None

    @property
    def footer(self) -> str:
        """What the cover band and every footer print: version, status and date."""
        parts = [f"Version {self.version}"] if self.version else []
        parts.append(formatting.status_label(self.status))
        if self.date:
            illustrative = " (illustrative date)" if self.date_illustrative else ""
            parts.append(formatting.iso_date(self.date) + illustrative)
        return " · ".join(parts)


@dataclass(frozen=True)
class Each:
    """A document per item: ``items(plan)`` lists them (each with a ``file``), and the
    template receives the item as ``name``."""

    name: str
    items: Callable[[Plan], Sequence[Any]]


@dataclass(frozen=True)
class Kind:
    """One kind of document. ``id`` is the document id, a ``str.format`` pattern over
    the item for kinds with ``each`` (``board-{paper.id}``); ``title(plan)`` (or
    ``title(plan, item)``) its title."""

    id: str
    template: str
    title: Callable[..., str]
    formats: tuple[str, ...] = HTML_AND_PDF
    each: Each | None = None
    #: the document's date; the plan's by default (or where it gives None)
    date: Callable[[Plan], str | None] | None = None
    when: Callable[[Plan], bool] | None = None  # whether the plan has it (always by default)


def _submission_title(plan: Plan) -> str:
    return formatting.with_years(plan.system.submission.title, plan.period.first,
                                 plan.period.last)


def _summary_title(plan: Plan) -> str:
    start, end = int(plan.period.first[:4]), int(plan.period.last[:4]) + 1
    return f"Our plan for health and care in {plan.system.area}, {start} to {end}: a summary"


def _delivery_month(plan: Plan) -> str | None:
    actuals = getattr(plan, "actuals", None)
    return actuals.last_period_month if actuals is not None else None


def _delivery_date(plan: Plan) -> str:
    """The delivery report is dated at its month: the last day of the latest month of
    the actuals, or, when later, the day the sources of its figures were published
    (a month's statistics come out after it ends; the report cannot be older)."""
    month = _delivery_month(plan)
    assert month is not None
    year, mon = int(month[:4]), int(month[5:])
    end = f"{month}-{calendar.monthrange(year, mon)[1]:02d}"
    cited = {s.provenance for s in plan.actuals.series}
    published = [s.date for s in plan.system.sources if s.id in cited and s.date]
    return max([end, *published])


def _delivery_title(plan: Plan) -> str:
    month = _delivery_month(plan) or ""
    names = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
    return (f"Delivery against the plan: integrated performance report, "
            f"{names[int(month[5:]) - 1]} {month[:4]}")


#: Every kind of document, in manifest order.
DOCUMENTS: tuple[Kind, ...] = (
    # The submission's quantified plan is also a workbook (``lscplan.workbook``).
    Kind("ltp-submission", "ltp-submission.html.j2", _submission_title,
         formats=(*HTML_AND_PDF, "xlsx")),
    Kind("public-summary", "public-summary.html.j2", _summary_title, formats=WITH_WORD,
         date=lambda plan: plan.system.publication.date if plan.system.publication else None),
    # With actuals (actuals.yaml): delivery tracked against the plan, Making Data Count.
    Kind("delivery-report", "delivery-report.html.j2", _delivery_title,
         date=_delivery_date, when=lambda plan: _delivery_month(plan) is not None),
    Kind("board-{paper.id}", "board-paper.html.j2", lambda plan, paper: paper.title,
         formats=WITH_WORD, each=Each("paper", lambda plan: plan.board_papers)),
)


def for_plan(plan: Plan) -> list[Document]:
    """Every document of the plan, in manifest order. A document of the plan as a
    whole carries the plan's version, status and date; a document per item (a board
    paper) the item's own."""
    docs = []
    draft = plan.has_illustrative
    sys = plan.system
    for kind in DOCUMENTS:
        if kind.when is not None and not kind.when(plan):
            continue
        if kind.each is None:
            own = kind.date(plan) if kind.date else None
            illustrative = own is None and sys.date_illustrative  # dated by the plan
            docs.append(Document(kind.id, kind.title(plan), kind.template,
                                 formats=kind.formats, version=sys.version,
                                 status=sys.status, date=own or sys.date,
                                 draft=draft, date_illustrative=illustrative,
                                 date_kind="plan date" if illustrative else None))
            continue
        name = kind.each.name
        docs += [Document(kind.id.format(**{name: item}), kind.title(plan, item),
                          kind.template, {name: item}, kind.formats, item.file,
                          item.version, item.status, item.date, draft,
                          getattr(item, "date_illustrative", False))
                 for item in kind.each.items(plan)]
    return docs


def plan_on(plan: Plan, doc: Document) -> Plan:
    """The plan as ``doc`` shows it: as it stood on the document's date
    (``Plan.as_of``), the whole plan for a document with no date."""
    return plan.as_of(doc.date) if doc.date else plan


class Dated:
    """The plan each document of ``plan`` shows (``plan_on``), worked out once per
    date, when a build first asks for it: before that document is rendered, and only
    for the documents a build renders (an incremental build dates no other)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._on: dict[str, Plan] = {}

    def __call__(self, doc: Document) -> Plan:
        dated = self._on.get(doc.date)
        if dated is None:
            dated = self._on[doc.date] = plan_on(self.plan, doc)
        return dated


def inputs(doc: Document, docs: Sequence[Document], sources: Mapping[str, Any],
           plan: Plan | None = None) -> dict[str, Any]:
    """What ``doc`` is made from, of ``sources`` (path -> content): every plan file but
    those the documents of ``docs`` have as their own, and its own; and, of each of
    those others (with ``plan``), what every document reads of it: its illustrative
    figures and entries, which the submission's register of illustrative values
    lists and which make every document a draft. No template shows one board paper
    in another document otherwise (tests/test_render.py holds them to it), so any
    other change to one paper leaves every other document as it was."""
    owned = {d.own_file for d in docs if d.own_file} - {doc.own_file}
    out = {path: text for path, text in sources.items() if path not in owned}
    if plan is not None and owned:
        listed: dict[str, list[str]] = {}
        for file, what, count, _loc in plan.illustrative_figures():
            if file in owned:
                listed.setdefault(file, []).append(repr(("figures", what, count)))
        for file, kind, what, _loc in plan.illustrative_items():
            if file in owned:
                listed.setdefault(file, []).append(repr(("entry", kind, what)))
        out.update({f"{file} (illustrative)": rows for file, rows in sorted(listed.items())})
    return out
