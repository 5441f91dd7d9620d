"""Stage 4, render: the typed plan to self-contained HTML documents.

``environment()`` is the one Jinja environment (templates from
``resources.templates_dir()``, autoescape on, ``StrictUndefined`` so a missing field
fails the build instead of rendering blank, and the formatting filters); a plan with
a theme (``lscplan.theme``) renders in ``themed_environment(theme)`` instead: the same,
in Jinja's sandbox, with the theme's templates in front of lscplan's.
``render_html`` renders one of the documents ``documents.for_plan`` declares.
Templates receive the model's dataclasses and never do arithmetic; the charts each
document shows are made here (``Figures``), from the model's figures, with a
description generated from the same data and the table of that data.
"""

from __future__ import annotations

import contextlib
import hashlib
import html as html_lib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from . import chartcache, charts, formatting, kinds, narrative
from .diagnostics import Diagnostic, Location, Report, error
from .documents import Document
from .errors import PlanInvalid
from .files import cache_dir, write_atomic
from .model import (
    ILLUSTRATIVE,
    STAFFING_TYPES,
    UNSOURCED,
    Metric,
    Plan,
    PointOfDelivery,
    Record,
    Series,
)
from .resources import templates_dir
from .sandbox import OPTIONS, ThemeLoader, ThemeSandbox
from .theme import Theme

#: Where a template puts the running draft mark and the legend of the illustrative mark:
#: ``finish`` writes them once the page shows what is illustrative on it (or drops them).
DRAFT_MARK = Markup("<!--lscplan:draft-mark-->")
ILLUSTRATIVE_LEGEND = Markup("<!--lscplan:illustrative-legend-->")
PUBLIC_SUMMARY = "public-summary"  #: the document for the public, whose legend is theirs
#: The mark after an illustrative value: a superscript "i" to the eye, "(illustrative
#: figure)" to a screen reader (not "84.5% i"), "entry" for an invented entry (a
#: priority, a glossary term), or what the value is ("meeting date") when it is a date.
ILLUSTRATIVE_MARK = ('<sup class="illus" title="illustrative {kind}"><span aria-hidden="true">i'
                     '</span><span class="visually-hidden"> (illustrative {kind})</span></sup>')
_MARKED = re.compile(r'<sup class="illus" title="illustrative ([^"]+)">')
#: The mark after an entry known to be real that no source gives (``unsourced``): a
#: superscript "u", explained once per document like the illustrative mark.
UNSOURCED_MARK = ('<sup class="unsourced" title="unsourced entry"><span aria-hidden="true">u'
                  '</span><span class="visually-hidden"> (unsourced: no source document gives '
                  'it yet)</span></sup>')
_UNSOURCED_MARKED = '<sup class="unsourced" title='
_DRAFT_ELEMENT = re.compile(r'<p class="(?:cover-)?draft-mark"[^>]*>' + re.escape(str(DRAFT_MARK))
                            + r"</p>\n?")
_LEGEND_ELEMENT = re.compile(r'<p class="legend-note">' + re.escape(str(ILLUSTRATIVE_LEGEND))
                             + r"[^<]*</p>\n?")


def marked_kinds(page: str) -> list[str]:
    """What the illustrative marks of a page mark, in the order first marked."""
    body = page.split("<body", 1)[-1]
    return list(dict.fromkeys(_MARKED.findall(body)))


def _joined(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def draft_text(kinds_marked: Sequence[str]) -> str:
    """The running mark for a page that marks ``kinds_marked``: "Contains illustrative
    figures and entries", or, when only named values (dates) are marked, "The meeting
    date is illustrative". It does not say "Draft": it runs beside the footer's status
    ("Version 0.1 · Draft · 15 November 2019"), a different fact (issue 28: the two
    "Draft"s on one line read as one)."""
    plural = {"figure": "figures", "entry": "entries"}
    general = [plural[k] for k in plural if k in kinds_marked]
    named = [f"the {k}" for k in kinds_marked if k not in plural]
    if not general:
        text = f"{_joined(named)} {'is' if len(named) == 1 else 'are'} illustrative"
        return text[0].upper() + text[1:]
    return "Contains illustrative " + _joined(general + named)


def legend_text(kinds_marked: Sequence[str], public: bool = False,
                unsourced: bool = False) -> Markup:
    """What the marks mean, said once in a document: for what it marks there, and the
    unsourced mark when the page has one. To the public it says what the value is to
    them (an example, not yet final), not where it comes from."""
    parts = []
    if kinds_marked:
        words = [{"figure": "figure", "entry": "entry"}.get(k, k) for k in kinds_marked]
        what = _joined([w for w in ("figure", "entry") if w in words]
                       + [w for w in words if w not in ("figure", "entry")]
                       ).replace(" and ", " or ")
        if public:
            parts.append(Markup('<sup class="illus">i</sup> = not final yet: an example {}, '
                                "shown to give an idea until the real one is agreed"
                                ).format(what))
        else:
            parts.append(Markup('<sup class="illus">i</sup> = illustrative: no source '
                                "document gives this {}").format(what))
    if unsourced:
        parts.append(Markup('<sup class="unsourced">u</sup> = unsourced: known to be right, but '
                            "no source document gives this entry yet"))
    return Markup("; ").join(parts)


_GLOSSARY = re.compile(r'<dl class="glossary">\n?(.*?)</dl>', re.S)
_ENTRY = re.compile(r"<dt>(.*?)</dt>\n?<dd>.*?</dd>\n?", re.S)


def _words_of(fragment: str) -> str:
    text = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", fragment, flags=re.S)
    return " ".join(html_lib.unescape(text).split())


def _uses(text: str, term: str) -> bool:
    """Whether ``text`` uses the glossary ``term`` ("Referral to treatment (RTT)"): its
    words (any case) or its abbreviation (as written)."""
    term = html_lib.unescape(re.sub(r"<[^>]+>", "", term)).strip()
    full = re.sub(r"\s*\([^)]*\)\s*$", "", term)
    short = re.findall(r"\(([^)]*)\)\s*$", term)

    def found(word: str, flags: int = 0) -> bool:
        return re.search(r"(?<![\w&/])" + re.escape(word) + r"(?![\w&/])", text, flags) is not None
    return found(full, re.IGNORECASE) or any(found(s) for s in short)


def glossary_of_used_terms(page: str) -> str:
    """The page with its glossary holding only the terms the rest of the page uses."""
    match = _GLOSSARY.search(page)
    if match is None:
        return page
    head_end = page.find("</head>")
    text = _words_of(page[head_end:match.start()] + page[match.end():])
    kept = "".join(e.group(0) for e in _ENTRY.finditer(match.group(1))
                   if _uses(text, e.group(1)))
    block = (f'<dl class="glossary">\n{kept}</dl>' if kept else
             "<p>This document uses no terms that need explaining.</p>")
    return page[:match.start()] + block + page[match.end():]


#: A negative sum of money, "−£72m": a line may break between the minus and the pound
#: sign (both prefixes to a number), leaving "−" at one line's end. A word joiner holds
#: them together in the page's text (not in a chart's drawn text, whose typeface may
#: lack it).
_MONEY_SIGN = re.compile(r"(<svg\b.*?</svg>)|\u2212£", re.S)


def _money_held_together(page: str) -> str:
    return _MONEY_SIGN.sub(lambda m: m.group(1) or "\u2212\u2060£", page)


#: The running footer (a page's provenance line) of a document whose date is marked: the
#: draft mark beside it on every page says the date is illustrative, so it need not.
_RUNNING_DATE_NOTE = re.compile(r'(<p class="[^"]*doc-provenance" data-running="[^"]*?)'
                                r' \(illustrative date\)"')


def finish(page: str, public: bool = False, date_kind: str | None = None) -> str:
    """Write the draft mark and the legend where the templates put them, saying what the
    page marks as illustrative (to the public, in ``legend_text``'s public words) and
    ``date_kind`` ("plan date"), an illustrative date only its footer prints; drop both
    from a page that marks nothing. The legend is written once: a second place a
    template put it is dropped."""
    page, draft, legend = str(page), str(DRAFT_MARK), str(ILLUSTRATIVE_LEGEND)
    page = _money_held_together(glossary_of_used_terms(page))
    found = marked_kinds(page)
    unsourced = _UNSOURCED_MARKED in page.split("<body", 1)[-1]
    drafted = [*found, date_kind] if date_kind and date_kind not in found else found
    if drafted:
        page = page.replace(draft, str(Markup.escape(draft_text(drafted))))
    else:
        page = _DRAFT_ELEMENT.sub("", page).replace(draft, "")
    if any(kind.endswith("date") for kind in drafted):
        page = _RUNNING_DATE_NOTE.sub(r'\1"', page)
    if not found and not unsourced:
        return _LEGEND_ELEMENT.sub("", page).replace(legend, "")
    first = page.find(legend)
    if first >= 0:
        end = first + len(legend)
        rest = _LEGEND_ELEMENT.sub("", page[end:]).replace(legend, "")
        page = page[:first] + str(legend_text(found, public, unsourced)) + rest
    return page


# --- build provenance -----------------------------------------------------------------


@dataclass(frozen=True)
class BuildInfo:
    """What a document records about the build that produced it, in its metadata only
    (never on the page). Nothing in it changes between two builds of the same sources
    at the same commit."""

    plan_version: str
    commit: str | None
    generator: str

    @property
    def provenance(self) -> str:
        """The version and commit, as the HTML and PDF metadata record them."""
        text = f"Plan version {self.plan_version}"
        return f"{text} · commit {self.commit}" if self.commit else text


def build_info(plan: Plan, commit: str | None) -> BuildInfo:
    """What the documents of ``plan`` record of this build, at ``commit`` (read with
    the plan's files: ``revisions.plan_commit``)."""
    from . import __version__

    return BuildInfo(plan.system.version, commit, f"lscplan {__version__}")


# --- figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    illustrative: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    total: bool = False


@dataclass(frozen=True)
class Figure:
    """A chart as a document shows it: title, inline SVG, a description written from
    the data, and the data as a table (columns are x labels). An illustrative chart is
    marked where its values are read, once each: the stamp on the chart, the sentence
    of its description, the cells of its table; never in its title too."""

    id: str
    title: str
    svg: Markup
    description: str
    illustrative: bool
    unit: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    @property
    def unit_label(self) -> str:
        return formatting.unit_label(self.unit)

    @property
    def name(self) -> str:
        """The chart's name (the data table's caption): its title."""
        return self.title


def _movement(label: str, first: float, last: float, y0: str, y1: str, unit: str) -> str:
    a, b = formatting.value(first, unit), formatting.value(last, unit)
    if a == b:
        return f"{label} stays at {a} from {y0} to {y1}"
    verb = "rises" if last > first else "falls"
    return f"{label} {verb} from {a} in {y0} to {b} in {y1}"


def _sentence(text: str) -> str:
    return formatting.sentence_case(text) + "."


def _trajectory_svg(*args: Any, **kwargs: Any) -> str:
    with unbounded():
        return chartcache.svg("trajectory_chart", *args, **kwargs)


def _bar_svg(*args: Any, **kwargs: Any) -> str:
    with unbounded():
        return chartcache.svg("bar_chart", *args, **kwargs)


def _fingerprint(*args: Any, **kwargs: Any) -> str:
    digest = hashlib.sha256(repr((args, sorted(kwargs.items()))).encode()).hexdigest()
    return f"<svg data-chart=\"{digest}\"></svg>"


def _cells(series: Series, years: Sequence[str], unit: str) -> tuple[Cell, ...]:
    return tuple(Cell(formatting.cell(series.get(y), unit), series.illustrative)
                 for y in years)


def _recoloured(draw: Callable[..., str], primary: str) -> Callable[..., str]:
    """``draw``, its SVG's NHS Blue (the first line, the bars: ``fill``/``stroke``
    attributes) in ``primary`` instead; the cached chart itself stays as drawn."""
    nhs_blue = f'="{charts.NHS_BLUE.lower()}"'

    def recoloured(*args: Any, **kwargs: Any) -> str:
        return draw(*args, **kwargs).replace(nhs_blue, f'="{primary.lower()}"')
    return recoloured


class Figures:
    """The charts of one plan, each made once however many documents show it."""

    def __init__(self, plan: Plan, draw: bool = True, theme: Theme | None = None):
        self.plan = plan
        self.draw = draw
        # draw=False: each chart is a fingerprint of what it would draw (for comparing
        # documents without drawing them, as lscplan diff does)
        self._line = _trajectory_svg if draw else _fingerprint
        self._bar = _bar_svg if draw else _fingerprint
        primary = dict(theme.colours).get("primary") if theme else None
        if primary and draw:  # a theme's primary colour where charts draw NHS Blue
            self._line = _recoloured(self._line, primary)
            self._bar = _recoloured(self._bar, primary)

    @cached_property
    def delivery(self) -> Any:
        """The delivery report's series, charts and icons (``delivery.Delivery``)."""
        from .delivery import Delivery

        return Delivery(self.plan, self.draw)

    def metric(self, metric: Metric, prefix: str = "chart") -> Figure:
        m, years = metric, self.plan.period.years
        x = (m.baseline.year, *years) if m.baseline.year not in years else years
        values = tuple(m.baseline.value if y == m.baseline.year else m.values.get(y)
                       for y in x)
        title = m.title
        better = "Higher" if m.higher_is_better else "Lower"
        parts = [_movement(m.title, m.baseline.value, m.target, f"{m.baseline.year} (baseline)",
                           years[-1], m.unit), f"{better} is better"]
        references, described = target_references(m, x)
        parts += described
        baseline_illus = m.baseline.provenance == "illustrative"
        if m.illustrative and baseline_illus:
            parts.append("these figures are illustrative")
        elif m.illustrative or baseline_illus:  # say which: the other is a source's
            parts.append(f"the figures after the {m.baseline.year} baseline are illustrative"
                         if m.illustrative else f"the {m.baseline.year} baseline is illustrative")
        description = " ".join(_sentence(p) for p in parts)
        chart_id = f"{prefix}-metric-{m.id}"
        svg = self._line(
            chart_id, title, x, (charts.Line(m.title, values, m.illustrative),), m.unit,
            description, references=references,
            point=charts.Point(m.baseline.year, m.baseline.value,
                               f"Baseline {m.baseline.year}", baseline_illus))
        cells = tuple(
            Cell(formatting.cell(v, m.unit),
                 m.baseline.provenance == "illustrative" if y == m.baseline.year
                 else m.values.illustrative)
            for y, v in zip(x, values, strict=True))
        columns = tuple(f"{y} (baseline)" if y == m.baseline.year else y for y in x)
        return Figure(chart_id, title, Markup(svg), description, m.illustrative, m.unit,
                      columns, (Row(m.title, cells),))

    def financial_trajectory(self, prefix: str = "chart") -> Figure:
        traj = self.plan.finance.trajectory
        surplus = traj.surplus
        years = surplus.years
        title = "System surplus or deficit"
        parts = [_movement("the system's surplus or deficit", surplus.first, surplus.last,
                           years[0], years[-1], "gbp-thousands")]
        if traj.balance_year:
            parts.append(f"the system is in financial balance from {traj.balance_year}")
        else:
            parts.append("the system does not reach financial balance within the plan")
        if traj.illustrative:
            parts.append("these figures are illustrative")
        description = " ".join(_sentence(p) for p in parts)
        chart_id = f"{prefix}-financial-trajectory"
        svg = self._line(
            chart_id, title, years,
            (charts.Line("Surplus or deficit", tuple(surplus.values[y] for y in years),
                         traj.illustrative),),
            "gbp-thousands", description, reference=charts.Reference(0, "Financial balance"))
        rows = (Row("Income", _cells(traj.income, years, "gbp-thousands")),
                Row("Expenditure", _cells(traj.expenditure, years, "gbp-thousands")),
                Row("Surplus or deficit", _cells(surplus, years, "gbp-thousands"), total=True))
        return Figure(chart_id, title, Markup(svg), description, traj.illustrative,
                      "gbp-thousands", years, rows)

    def activity(self, pod: PointOfDelivery, prefix: str = "chart") -> Figure:
        years = self.plan.period.years
        icps = [(self.plan.icp(i).label, s) for i, s in pod.by_icp.items()]
        title = f"{pod.title} by {self.plan.terms.place.short}"
        system = pod.system
        parts = [_movement(f"{pod.title} across the system", system.first, system.last,
                           years[0], years[-1], pod.unit)]
        parts += [_movement(name, s.first, s.last, years[0], years[-1], pod.unit)
                  for name, s in icps]
        if pod.illustrative:
            parts.append("these figures are illustrative")
        description = " ".join(_sentence(p) for p in parts)
        chart_id = f"{prefix}-activity-{pod.id}"
        lines = tuple(charts.Line(name, tuple(s.get(y) for y in years), s.illustrative)
                      for name, s in icps)
        svg = self._line(chart_id, title, years, lines, pod.unit, description)
        rows = tuple(Row(name, _cells(s, years, pod.unit)) for name, s in icps)
        rows += (Row("System total", _cells(system, years, pod.unit), total=True),)
        return Figure(chart_id, title, Markup(svg), description, pod.illustrative, pod.unit,
                      years, rows)

    def workforce(self, prefix: str = "chart") -> Figure:
        wf = self.plan.workforce
        years = self.plan.period.years
        illustrative = any(g.wte.illustrative for g in wf.groups)
        title = "Workforce by staff group (WTE)"
        total = wf.total
        parts = [_movement("the total workforce", total.first, total.last, years[0],
                           years[-1], "wte")]
        parts += [_movement(g.title, g.wte.first, g.wte.last, years[0], years[-1], "wte")
                  for g in wf.groups]
        if illustrative:
            parts.append("these figures are illustrative")
        description = " ".join(_sentence(p) for p in parts)
        chart_id = f"{prefix}-workforce"
        lines = tuple(charts.Line(g.title, tuple(g.wte.get(y) for y in years),
                                  g.wte.illustrative) for g in wf.groups)
        svg = self._line(chart_id, title, years, lines, "wte", description, zero=True)
        rows = tuple(Row(g.title, _cells(g.wte, years, "wte")) for g in wf.groups)
        rows += (Row("Total", _cells(total, years, "wte"), total=True),)
        return Figure(chart_id, title, Markup(svg), description, illustrative, "wte",
                      years, rows)

    def headline(self, metric: Metric) -> Figure:
        """The simple chart the public summary shows for a headline metric: the
        baseline against the last year of the plan."""
        m, last = metric, self.plan.period.last
        title = formatting.sentence_case(m.public_phrase or m.title)
        description = _sentence(_movement(m.public_phrase or m.title, m.baseline.value,
                                          m.target, m.baseline.year, last, m.unit))
        baseline_illus = m.baseline.provenance == "illustrative"
        if m.illustrative and baseline_illus:
            description += " These figures are illustrative."
        elif m.illustrative or baseline_illus:  # say which: the other is a source's
            description += (f" The figure for {last if m.illustrative else m.baseline.year}"
                            " is illustrative.")
        chart_id = f"summary-metric-{m.id}"
        labels = (f"Now ({m.baseline.year})", f"By {last}")
        unit = m.unit
        values: tuple[float, ...] = (m.baseline.value, m.target)
        if unit == "gbp-thousands":  # in £m, as the sentence beside it writes money
            unit, values = formatting.GBP_MILLIONS, tuple(v / 1000 for v in values)
        # each bar hatched, and the stamp saying so, only where its figure is illustrative
        svg = self._bar(chart_id, title, labels, values, unit, description,
                        illustrative=(baseline_illus, m.values.illustrative),
                        width=charts.WIDTH / 2)
        cells = (Cell(formatting.cell(values[0], unit), baseline_illus),
                 Cell(formatting.cell(values[1], unit), m.values.illustrative))
        return Figure(chart_id, title, Markup(svg), description, m.illustrative, unit,
                      labels, (Row(m.title, cells),))


def target_references(m: Metric, x: Sequence[str]
                      ) -> tuple[tuple[charts.Reference, ...], list[str]]:
    """A metric's targets as its chart draws them (an undated one a line, one due in a
    year of ``x`` a mark there, one due after the period nothing) and as its
    description says them, with whether the plan reaches each."""
    years, last = tuple(x), m.values.years[-1]
    references, parts = [], []
    for t in m.targets:
        shown = formatting.value(t.value, m.unit)
        year = t.year_in(years)
        invented = t.wholly_illustrative or t.part_marked("value")
        phrase = f"{t.label.lower()}: {t.sentence}"
        if t.wholly_illustrative:
            phrase += " (illustrative)"
        elif t.illustrative:
            phrase += f" ({t.illustrative_words})"
        if t.after(last):
            parts.append(f"{phrase}, after the plan period, which ends in {last}")
            continue
        if t.by is None:
            references.append(charts.Reference(t.value, f"{t.label} ({shown})",
                                               local=not t.national, illustrative=invented))
        elif year is not None:
            references.append(charts.Reference(t.value, f"{t.label} ({shown}, {year})",
                                               x=year, local=not t.national,
                                               illustrative=invented))
        parts.append(phrase)
        reached = "reaches" if m.reaches(t) else "does not reach"
        parts.append(f"the plan {reached} it by {year or last}")
    return tuple(references), parts


def target_sentence(target: Any) -> str:
    """A target in the public summary: "The national standard: 95% within four hours."
    or "Our local ambition: suicide down 10% by 2023/24." The text follows a colon as
    written, so any wording reads (a figure, a phrase, a clause); ``Target.sentence``
    adds its year."""
    who = "The national standard" if target.national else "Our local ambition"
    return f"{who}: {target.sentence}."


#: What the mark on a part of a target says it marks (``title``, and the legend).
_PART_MARKS = {"value": "figure", "change": "figure", "text": "target wording",
               "by": "target date"}


def _part_mark(target: Any, name: str) -> Markup:
    return illustrative_marker(target.part_marked(name), _PART_MARKS[name])


def target_words(target: Any) -> Markup:
    """The target's sentence (``Target.sentence``), with its wording and its year each
    marked when it alone is illustrative (the whole target's mark is the caller's)."""
    text, joiner, by = target.sentence_parts
    out = escape(text) + _part_mark(target, "text")
    if by is not None:
        out += escape(joiner) + escape(by) + _part_mark(target, "by")
    elif not target.part_marked("text"):  # the wording names the year itself
        out += _part_mark(target, "by")
    return out


def target_public(target: Any) -> Markup:
    """``target_sentence`` in the public summary, each illustrative part marked (one
    mark after the sentence when the whole target is illustrative)."""
    who = "The national standard" if target.national else "Our local ambition"
    return (Markup("{}: ").format(who) + target_words(target) + Markup(".")
            + illustrative_marker(target.wholly_illustrative))


def target_entry(target: Any, unit: str) -> Markup:
    """A target in the metrics table: "Local ambition: Suicide down 10% by 2023/24 (10%
    below the 2018/19 baseline: 10.8)", each illustrative part marked; a value computed
    from an illustrative baseline by a sourced change is marked and says so."""
    out = Markup("{}: ").format(target.label) + target_words(target)
    if target.change is not None:
        out += Markup(" ({}{}: {}{}{})").format(
            target.relative, _part_mark(target, "change"),
            formatting.cell(target.value, unit),
            illustrative_marker(target.part_marked("value")
                                and not target.part_marked("change")),
            ", computed from the illustrative baseline"
            if target.computed_from_illustrative else "")
    return out + illustrative_marker(target.wholly_illustrative)


def headline_sentence(metric: Metric, last_year: str) -> str:
    """A plain-English sentence for a headline metric of the public summary:
    "People seen within four hours at A&E: 95% by 2023/24, up from 84.5% in 2018/19."
    """
    m = metric
    phrase = formatting.sentence_case(m.public_phrase or m.title)
    target = formatting.value(m.target, m.unit)
    now = formatting.value(m.baseline.value, m.unit)
    if m.target == m.baseline.value:
        change = f"the same as in {m.baseline.year}"
    else:
        way = "up" if m.target > m.baseline.value else "down"
        change = f"{way} from {now} in {m.baseline.year}"
    return f"{phrase}: {target} by {last_year}, {change}."


#: A recommendation that only restates the paper's purpose ("For information.").
_PURPOSE_ONLY = re.compile(r"(?:for |to )?(?:information|noting|note|assurance|decision"
                           r"|discussion)\.?", re.IGNORECASE)
_PURPOSE_VERB = {"information": "note", "assurance": "note", "decision": "approve",
                 "discussion": "discuss"}


@dataclass(frozen=True)
class Asked:
    """A council report's recommendation: "The Committee is asked to" and what."""

    lead: str
    items: tuple[str, ...]


def council_recommendation(paper: Any) -> Asked:
    """A paper's recommendations in council form, from its meeting and purpose: "The
    Committee is asked to note the report." for a paper for information whose
    recommendation is only "For information."; "The Committee is asked to:" and each
    recommendation as what it is asked to do ("Endorse ..." -> "endorse ...")."""
    meeting = paper.meeting.lower()
    body = ("Cabinet" if "cabinet" in meeting else
            "The Committee" if "committee" in meeting else
            "The Board" if "board" in meeting else "The meeting")
    items = []
    for r in paper.recommendations:
        text = r.strip()
        if _PURPOSE_ONLY.fullmatch(text):
            continue
        text = re.sub(r"^to\s+", "", text, flags=re.IGNORECASE)
        if text[:1].isupper() and not text[:2].isupper():  # "Endorse", not "NHS"
            text = text[0].lower() + text[1:]
        items.append(text if text.endswith((".", ";")) else text + ".")
    verb = _PURPOSE_VERB.get(paper.purpose or "information", "note")
    if not items:
        return Asked(f"{body} is asked to {verb} the report.", ())
    if len(items) == 1:
        return Asked(f"{body} is asked to {items[0]}", ())
    return Asked(f"{body} is asked to:",
                 (*(i.rstrip(".") + ";" for i in items[:-1]), items[-1]))


# --- the environment -------------------------------------------------------------------


def entry_mark(item: Any) -> Markup:
    """The mark after an entry (a priority, an organisation, an executive): the
    illustrative mark when no source gives it and it is invented, the unsourced mark
    when it is known to be real but no source gives it yet, else nothing."""
    provenance = getattr(item, "provenance", None)
    if provenance == ILLUSTRATIVE:
        return illustrative_marker(True, "entry")
    return Markup(UNSOURCED_MARK) if provenance == UNSOURCED else Markup("")


def illustrative_marker(flag: bool, kind: str = "figure") -> Markup:
    """The superscript "i" that marks an illustrative value (nothing otherwise): a
    ``figure``, an ``entry`` (an invented priority, term or organisation), or a named
    value such as a ``meeting date``."""
    if not flag:
        return Markup("")
    return Markup(ILLUSTRATIVE_MARK).format(kind=kind)


def plan_section(file: str) -> str:
    """The part of the plan a source file holds, as documents name it (never the file):
    its kind's ``title`` (``kinds.FileKind.shown_as`` or its section's title)."""
    kind = kinds.file_kind(file)
    return (kind.title if kind else None) or "The plan"


TO_BE_CONFIRMED = Markup('<span class="tbc">To be confirmed</span>')


def confirmed(value: Any) -> Any:
    """A cover-sheet value, or the marked placeholder when no source gives it (or a
    generic Record leaves the field out)."""
    if value is None or isinstance(value, jinja2.Undefined) or value == "":
        return TO_BE_CONFIRMED
    return value


def _markdown(text: str, level: int = 1, appendices: Mapping[str, str] | None = None
              ) -> Markup:
    """Markdown as HTML; ``appendices`` (id -> letter) turns ``{appendix:ID}`` into
    links to a board paper's appendices."""
    parts = narrative.to_parts(text, level, appendices=appendices)
    return Markup("".join(p for p in parts if isinstance(p, str)))


def paper_parts(paper: Any, text: str, level: int = 1, numbered: str | None = None
                ) -> list[Any]:
    """A board paper's Markdown as HTML pieces, with each extract it places
    (``{extract:NAME}``) as the paper's ``Extract`` where it stands."""
    listed = {e.name: e for e in paper.extracts}
    out: list[Any] = []
    for part in narrative.to_parts(text, level, numbered=numbered,
                                   appendices=paper.appendix_letters):
        if isinstance(part, str):
            out.append(Markup(part))
        elif part.name in listed:
            out.append(listed[part.name])
        else:
            _fail(f"the paper {paper.id!r} does not list the extract {part.name!r}")
    return out


def _inline_markdown(text: str, appendices: Mapping[str, str] | None = None) -> Markup:
    return Markup(narrative.to_inline_html(text, appendices))


def _fail(message: str) -> NoReturn:
    raise jinja2.TemplateRuntimeError(message)


@jinja2.pass_context
def unit_of(context: Any, entity: Any, path: str) -> str:
    """The unit an entity of a generic kind declares for its figures at ``path``
    (``kinds.Figures.unit``), for a partial to write them in:
    ``{{ s.budget|value(unit_of(s, "budget")) }}``. A path that declares none, or figures
    written as given, fails the build: the partial asked for a unit there is none of."""
    name = vars(entity).get("_kind") if isinstance(entity, Record) else None
    kind = kinds.entity_kind(name or "")
    if kind is None:
        _fail(f"unit_of: {entity!r} is not an entity of a declared generic kind")
    plan = context.get("plan")
    unit = kinds.resolve_unit(kinds.unit_spec(kind, path), entity, plan)
    if unit is None:
        _fail(f"unit_of: the {kind.label} declares no unit for {path!r}")
    # a unit plan.yaml declares, as it declares it (its label, symbol and decimals)
    return next((u for u in getattr(plan, "units", ()) if u == unit), unit)


FILTERS: Mapping[str, Callable[..., Any]] = {
    "thousands": formatting.thousands,
    "signed": formatting.signed,
    "percent": formatting.percent,
    "money": formatting.money,
    "money_k": formatting.money_thousands,
    "date": formatting.iso_date,
    "year": formatting.financial_year,
    "value": formatting.value,
    "cell": formatting.cell,
    "unit": formatting.unit_label,
    "org_type": formatting.organisation_type,
    "sentence": formatting.sentence_case,
    "running": formatting.running_title,
    "with_years": formatting.with_years,
    "status": formatting.status_label,
    "plan_section": plan_section,
    "tbc": confirmed,
    "illus": illustrative_marker,
    "markdown": _markdown,
    "inline_markdown": _inline_markdown,
}


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept between runs in ``cache_dir()/templates``: compiling
    the templates is about a third of rendering a small plan's documents, and every
    ``build`` is a new process. Jinja checks each entry against its template's source
    (and Python's bytecode version); the key adds Jinja's version and the
    environment's options (``salt``), which change the compiled code. An entry that
    cannot be read or written is compiled again."""

    FOLDER = "templates"

    def __init__(self, salt: str):
        self.salt = salt

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        key = hashlib.sha256(f"{jinja2.__version__}\n{self.salt}\n{bucket.key}".encode())
        return cache_dir() / self.FOLDER / f"{key.hexdigest()}.jinja"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with (contextlib.suppress(OSError, ValueError, EOFError, TypeError),
              self._path(bucket).open("rb") as fh):
            bucket.load_bytecode(fh)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            path = self._path(bucket)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, bucket.bytecode_to_string())


#: The documents' Content-Security-Policy: nothing is loaded but their own inline CSS;
#: with a theme, its logo and typeface too, as the data: URLs they are embedded as.
CSP = Markup("default-src 'none'; style-src 'unsafe-inline'")
THEMED_CSP = Markup("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                    "font-src data:")
NHS_LOGO = Markup('<span class="nhs-logo" aria-hidden="true">NHS</span>')


def _logo(theme: Theme | None) -> Callable[[], Markup]:
    """The logo the documents show: the theme's, or the NHS logo."""
    logo = theme.logo if theme else None
    if logo is None:
        return lambda: NHS_LOGO
    alt = Markup(' alt="{}"').format(logo.alt)
    hidden = Markup("") if logo.alt else Markup(' aria-hidden="true"')
    shown = Markup('<img class="theme-logo" src="{}"').format(logo.uri) + alt + hidden + Markup(">")
    return lambda: shown


def _configure(env: jinja2.Environment, theme: Theme | None) -> jinja2.Environment:
    env.filters.update(FILTERS)
    env.globals.update(illus=illustrative_marker, entry_mark=entry_mark,
                       ILLUSTRATIVE_LEGEND=ILLUSTRATIVE_LEGEND,
                       target_entry=target_entry, target_public=target_public,
                       DRAFT_MARK=DRAFT_MARK, TO_BE_CONFIRMED=TO_BE_CONFIRMED,
                       STAFFING_TYPES=STAFFING_TYPES,
                       fail=_fail, sections=kinds.sectioned, extract_kind=kinds.extract_kind,
                       unit_of=unit_of,
                       paper_parts=paper_parts, theme=theme, logo=_logo(theme),
                       council_recommendation=council_recommendation,
                       CSP=THEMED_CSP if theme else CSP)
    env.tests["safe_url"] = narrative.safe_link
    return env


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment every document of a plan without a theme (and the diff
    page) renders with."""
    salt = "Environment " + ",".join(f"{k}={getattr(v, '__name__', v)}"
                                     for k, v in sorted(OPTIONS.items()))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             bytecode_cache=TemplateCache(salt), **OPTIONS)
    return _configure(env, None)


# --- themes ------------------------------------------------------------------------------


def _sandbox(theme: Theme) -> SandboxedEnvironment:
    env = ThemeSandbox(loader=ThemeLoader(theme.templates), **OPTIONS)
    _configure(env, theme)
    return env


# --- a themed render's time bound ------------------------------------------------------

#: How long one themed document may take to render (seconds; ``LSCPLAN_RENDER_SECONDS``
#: sets another): lscplan's own templates render the bundled plan's longest document in
#: about a second, so only a theme template that does not finish reaches it.
RENDER_SECONDS = 60.0


#: How much more memory (resident, bytes) the process may hold while a themed
#: document renders than when it began (``LSCPLAN_RENDER_MEMORY_MB`` sets another;
#: read from /proc, so on Linux only): rendering every document of the bundled plan,
#: charts drawn, grows it by 71 MB.
RENDER_MEMORY = 2 * 2**30
#: How often the watcher of a render looks at its memory (seconds).
_MEMORY_POLL = 0.05


class RenderStopped(Exception):
    """Raised in a render that ran past its time bound (or was stopped)."""


class RenderTooLarge(RenderStopped):
    """Raised in a render that grew the process's memory past ``render_memory()``."""


def render_memory() -> int:
    """The memory bound of a themed render (bytes): ``LSCPLAN_RENDER_MEMORY_MB`` when
    it is a positive number, else ``RENDER_MEMORY``."""
    import os

    try:
        megabytes = float(os.environ.get("LSCPLAN_RENDER_MEMORY_MB", ""))
    except ValueError:
        return RENDER_MEMORY
    return int(megabytes * 2**20) if 0 < megabytes < float("inf") else RENDER_MEMORY


def _resident() -> int | None:
    """The process's resident memory (bytes), or None where /proc does not say."""
    import os

    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def render_seconds() -> float:
    """The time bound of a themed render: ``LSCPLAN_RENDER_SECONDS`` when it is a
    positive number, else ``RENDER_SECONDS``."""
    import os

    try:
        seconds = float(os.environ.get("LSCPLAN_RENDER_SECONDS", ""))
    except ValueError:
        return RENDER_SECONDS
    return seconds if 0 < seconds < float("inf") else RENDER_SECONDS


def interrupt(thread_id: int, exc: type[BaseException] = RenderStopped) -> bool:
    """Raise ``exc`` in the thread ``thread_id`` at its next Python instruction (what
    stops a template's loop, which no signal reaches outside the main thread);
    whether the thread was found."""
    import ctypes

    found = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                                       ctypes.py_object(exc))
    return found == 1


class _Bound:
    """One render's time bound: what is left of it, and whether lscplan's own work
    (drawing a chart) has it paused."""

    def __init__(self, seconds: float):
        import threading
        import time

        self.left, self.since, self.paused = seconds, time.monotonic(), 0
        self.lock, self.done = threading.Lock(), threading.Event()
        self.fired = False

    def remaining(self) -> float | None:
        """Seconds left (None while paused); call with the lock held."""
        import time

        return None if self.paused else self.left - (time.monotonic() - self.since)


_BOUNDS: dict[int, _Bound] = {}  # thread id -> the bound of the render it runs


@contextlib.contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Run the block in this thread for at most ``seconds`` (not counting the time
    ``unbounded`` blocks take: lscplan drawing charts): past them, a watcher thread
    raises ``RenderStopped`` in it, which a template's loop meets at its next step;
    it raises ``RenderTooLarge`` when the process's memory has grown by more than
    ``render_memory()`` (looked at every 50 ms: a step that doubles a text is
    stopped within a few doublings). A stop that comes as the block ends is taken
    back."""
    import ctypes
    import threading

    target = threading.get_ident()
    bound = _Bound(seconds)
    start, memory = _resident(), render_memory()

    def watch() -> None:
        while not bound.done.wait(_MEMORY_POLL):
            with bound.lock:
                left = bound.remaining()
                if left is None or bound.done.is_set():
                    continue  # lscplan's own work (a chart) is never stopped half-way
                now = _resident() if start is not None else None
                if now is not None and start is not None and now - start > memory:
                    bound.fired = interrupt(target, RenderTooLarge)
                    return
                if left <= 0:
                    bound.fired = interrupt(target)
                    return

    _BOUNDS[target] = bound
    watcher = threading.Thread(target=watch, name="lscplan-render-bound", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with bound.lock:
            bound.done.set()
            if bound.fired:  # raised, or pending: clear what is still pending
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)
        _BOUNDS.pop(target, None)
        watcher.join()


@contextlib.contextmanager
def unbounded() -> Iterator[None]:
    """lscplan's own work inside a bounded render (a chart drawn with matplotlib, which
    may take seconds when the chart cache is cold): its time does not count, and it is
    never stopped half-way."""
    import threading
    import time

    bound = _BOUNDS.get(threading.get_ident())
    if bound is None:
        yield
        return
    with bound.lock:
        if not bound.paused:
            bound.left -= time.monotonic() - bound.since
        bound.paused += 1
    try:
        yield
    finally:
        with bound.lock:
            bound.paused -= 1
            if not bound.paused:
                bound.since = time.monotonic()


@lru_cache(maxsize=8)
def themed_environment(theme: Theme) -> SandboxedEnvironment:
    """The environment of a plan with a theme: Jinja's sandbox (no attribute whose name
    starts with ``_``, no changing the plan's lists and mappings), loading through
    ``ThemeLoader``. Every template of the document runs in it, lscplan's too."""
    return _sandbox(theme)


def theme_failure(exc: BaseException, theme: Theme, seconds: float = RENDER_SECONDS
                  ) -> Diagnostic | None:
    """A document failing in one of the theme's templates, as a located diagnostic
    (theme-template): Jinja names each template line it ran in the traceback, and the
    innermost one of the theme's is where it failed (for a render stopped at its time
    bound, ``seconds``, where it was running). None when no theme template ran."""
    files = {t.filename: t for t in theme.templates}
    where = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in files:
            where = (files[tb.tb_frame.f_code.co_filename], tb.tb_lineno)
        tb = tb.tb_next
    if where is None and isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename in files:
        where = (files[exc.filename], exc.lineno or 1)
    if where is None and isinstance(exc, RenderStopped):
        what = (f"made more than {render_memory() // 2**20:,} MB"
                if isinstance(exc, RenderTooLarge) else f"did not finish within {seconds:g} s")
        return error("theme-template", f"a document {what} while rendering, and was "
                     "stopped outside the theme's templates", Location("theme/templates"))
    if where is None:
        return None
    template, line = where
    lines = template.source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    column = len(text) - len(text.lstrip()) + 1
    if isinstance(exc, RenderTooLarge):
        message = (f"this template made more than {render_memory() // 2**20:,} MB while "
                   "rendering: lscplan stopped it here")
    elif isinstance(exc, RenderStopped):
        message = (f"this template did not finish within {seconds:g} s (a loop without "
                   "end, or far too long?): lscplan stopped it here")
    elif isinstance(exc, SecurityError):
        message = f"Jinja's sandbox refused what this template does: {exc}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = exc.message or f"there is no template {exc.name!r}"
    else:
        message = f"this template fails: {exc}"
    return error("theme-template", message, Location(template.file, line, column))


# --- a document -----------------------------------------------------------------------


def render_html(plan: Plan, doc: Document, info: BuildInfo, draw: bool = True,
                theme: Theme | None = None) -> str:
    """Render one document to a self-contained HTML page (``draw=False``: its charts
    as fingerprints of their data, which is enough to tell whether it changed), in the
    plan's ``theme`` when it has one. ``plan`` is the plan the document shows, as it
    stood on the document's date (``documents.Dated``, made before rendering starts).
    A theme template that fails raises ``PlanInvalid`` with the place it failed
    (theme-template)."""
    env = themed_environment(theme) if theme is not None else environment()
    context = {"plan": plan, "doc": doc, "info": info, "figures": Figures(plan, draw, theme),
               "headline_sentence": headline_sentence, "target_sentence": target_sentence,
               **doc.context}
    public = doc.id == PUBLIC_SUMMARY
    if theme is None:
        return finish(env.get_template(doc.template).render(**context), public, doc.date_kind)
    seconds = render_seconds()
    try:
        with time_bound(seconds):
            page = env.get_template(doc.template).render(**context)
    except Exception as exc:
        found = theme_failure(exc, theme, seconds)
        if found is None:
            raise
        raise PlanInvalid(Report([found])) from None
    if not keeps_policy(page):
        raise PlanInvalid(Report([_policy_dropped(theme, doc)]))
    return finish(page, public, doc.date_kind)


_POLICY_META = Markup('<meta http-equiv="Content-Security-Policy" content="{}">').format(
    THEMED_CSP)
#: What may come before the policy: nothing a browser loads or runs.
_BEFORE_POLICY = re.compile(r"\s*(?:<!DOCTYPE[^>]*>|<html[^>]*>|<head>|<meta charset=[^>]*>"
                            r"|<title>[^<]*</title>|<!--.*?-->|\s)*\Z", re.IGNORECASE | re.S)


def keeps_policy(page: str) -> bool:
    """A themed document declares lscplan's Content-Security-Policy before anything
    else a browser would load or run, so what a theme's templates write (a script, a
    remote image) a browser blocks; a second policy can only narrow it."""
    at = page.find(_POLICY_META)
    return at >= 0 and _BEFORE_POLICY.match(page[:at]) is not None


def _policy_dropped(theme: Theme, doc: Document) -> Diagnostic:
    own = theme.template("base.html.j2") or theme.template(doc.template)
    file = own.file if own else "theme/templates"
    return error("theme-template",
                 f"{doc.id} no longer opens with lscplan's Content-Security-Policy "
                 f"({_POLICY_META}); a theme's base.html.j2 or document template must keep "
                 "it first in <head>, as lscplan's base.html.j2 has it ({{{{ CSP }}}})",
                 Location(file, 1 if own else 0, 1 if own else 0))
