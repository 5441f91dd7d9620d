"""render: the Jinja environment, the documents of a plan, and their HTML.

The golden files in tests/golden/ hold the HTML of every document of the starter
plan. Regenerate them after an intended change with ``make golden`` (which runs
this module's golden test with LSCPLAN_REGENERATE_GOLDEN=1) and review the diff.
Chart drawings are replaced by a placeholder before comparing: the charts have
their own tests, and their coordinates depend on the fonts installed. So is the
inlined stylesheet, which is templates/style.css verbatim (asserted below).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from helpers import edit, render_document

from lscplan import chartcache, documents, formatting, render, revisions
from lscplan.model import Appendix, Extract
from lscplan.pipeline import check
from lscplan.resources import starter_dir

GOLDEN = Path(__file__).parent / "golden"
INFO = render.BuildInfo("0.1", None, "lscplan test")


@pytest.fixture(scope="module")
def starter():
    checked = check(starter_dir())
    assert checked.plan is not None and checked.report.ok()
    return checked.plan


@pytest.fixture(scope="module")
def pages(starter) -> dict[str, str]:
    return {doc.id: render_document(starter, doc, INFO) for doc in documents.for_plan(starter)}


def _without_drawings(html: str) -> str:
    head = r'(<svg class="chart"[^>]*><title[^<]*</title><desc[^<]*</desc>)'
    html = re.sub(head + r".*?</svg>", r"\1[drawing]</svg>", html, flags=re.S)
    return re.sub(r"(<style>).*?(</style>)", r"\1[templates/style.css]\2", html, count=1,
                  flags=re.S)


def test_stylesheet_is_inlined_verbatim(pages):
    css = (render.templates_dir() / "style.css").read_text(encoding="utf-8").strip()
    for html in pages.values():
        assert css in html


def _contrast(hex_a: str, hex_b: str) -> float:
    """WCAG 2.1 contrast ratio of two #RRGGBB colours."""
    def luminance(h: str) -> float:
        channels = [int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    light, dark = sorted((luminance(hex_a), luminance(hex_b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_page_margin_text_has_aa_contrast():
    """The running header and footer exist only in the PDF, where axe cannot see them:
    their small text on white must reach 4.5:1 (the footer's #768692 was 3.75:1)."""
    css = (render.templates_dir() / "style.css").read_text(encoding="utf-8")
    colours = re.findall(r"@(?:top|bottom)-[a-z-]+\s*\{[^}]*?color:\s*(#[0-9A-Fa-f]{6})", css)
    assert len(colours) >= 4
    for colour in colours:
        assert _contrast(colour, "#FFFFFF") >= 4.5, colour
    assert _contrast("#768692", "#FFFFFF") < 4.5  # the test can fail
    # NHS mid grey is for rules and borders, never for text.
    assert not re.search(r"(?<![-\w])color:\s*(var\(--nhs-mid-grey\)|#768692)", css, re.I)


# --- the environment --------------------------------------------------------------------


def test_environment_is_strict_and_escapes():
    env = render.environment()
    assert env is render.environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ paper.missing_field }}").render(paper=object())
    assert env.from_string("{{ x }}").render(x="<script>") == "&lt;script&gt;"


@pytest.mark.parametrize(("expr", "expected"), [
    ("2601966|thousands", "2,601,966"),
    ("-12000|thousands", "−12,000"),
    ("87.5|percent", "87.5%"),
    ("5|percent(1)", "5.0%"),
    ("2601966|money", "£2.6bn"),
    ("-72000|money", "−£72m"),
    ("20500000|money", "£20.5bn"),
    ("1000000|money", "£1bn"),
    ("805000|money", "£805m"),
    ("72500|money", "£72.5m"),
    ("471|money", "£471k"),
    ("0|money", "£0"),
    ("15000|signed", "+15,000"),
    ("-1.5|signed", "−1.5"),
    ("2019|year", "2019/20"),
    ("'2019-11-15'|date", "15 November 2019"),
    ("85|value('percent')", "85%"),
    ("18|value('weeks')", "18 weeks"),
    ("'upper-tier-council'|org_type", "County council"),
    ("'a&E'|sentence", "A&amp;E"),
    ("'Allocations'|with_years('2019/20', '2020/21', ', ')", "Allocations, 2019/20 to 2020/21"),
    ("'Allocations 2019/20 to 2020/21'|with_years('2019/20', '2020/21')",
     "Allocations 2019/20 to 2020/21"),
    ("'Strategic Plan 2019-2024'|with_years('2019/20', '2023/24')", "Strategic Plan 2019-2024"),
])
def test_filters(expr, expected):
    assert render.environment().from_string("{{ " + expr + " }}").render() == expected


def test_illustrative_marker():
    env = render.environment()
    assert env.from_string("{{ illus(true) }}").render() == (
        '<sup class="illus" title="illustrative figure"><span aria-hidden="true">i</span>'
        '<span class="visually-hidden"> (illustrative figure)</span></sup>')
    assert env.from_string("{{ illus(false) }}").render() == ""
    # an invented entry is marked as an entry, a date as what it is
    assert "(illustrative entry)" in env.from_string('{{ illus(true, "entry") }}').render()
    assert 'title="illustrative meeting date"' in env.from_string(
        '{{ illus(true, "meeting date") }}').render()


class _SpokenText(HTMLParser):
    """The text a screen reader reads: aria-hidden subtrees left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        hidden = (self.stack and self.stack[-1]) or dict(attrs).get("aria-hidden") == "true"
        if tag not in ("br", "img", "meta", "link", "input", "hr"):
            self.stack.append(bool(hidden))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"\s+", " ", "".join(parser.parts))


def test_what_a_screen_reader_reads(pages):
    """Marked figures read "(illustrative)", not "84.5% i"; a numbered heading reads
    "1. Neighbourhoods", not "1Neighbourhoods"; every document opens with a skip link
    to its main content; a board paper does not repeat its title as a heading."""
    summary = _SpokenText.of(pages["public-summary"])
    assert " (illustrative figure)" in summary
    assert not re.search(r"\d i\b", summary)
    assert re.search(r"\b1\. \w", summary) and not re.search(r"<h3>[^<]*\b1[A-Z]", summary)
    for doc_id, html in pages.items():
        assert '<a class="skip-link" href="#main">' in html, doc_id
        assert html.count('<main id="main">') == 1, doc_id
        title = re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1)
        assert not re.search(r"<h[2-6][^>]*>" + re.escape(title) + "</h", html), doc_id


def test_markdown_filter_is_safe():
    out = render.environment().from_string("{{ t|markdown(2) }}").render(
        t="# H\n\n<b>x</b> [y](javascript:alert(1))")
    assert out.startswith("<h3>H</h3>") and "<b>" not in out and "href" not in out


# --- documents ----------------------------------------------------------------------------


def test_documents_of_the_starter_plan(starter):
    docs = documents.for_plan(starter)
    assert [d.id for d in docs] == ["ltp-submission", "public-summary", "delivery-report",
                                    "board-governing-body-update"]
    assert docs[0].title == "Example Strategic Plan 2019/20 to 2021/22"
    assert docs[3].title == "Update on the Example ICS Plan"
    assert docs[3].context["paper"].id == "governing-body-update"


def test_build_info_provenance(tmp_path):
    assert render.BuildInfo("1.0", "abc1234", "x").provenance == "Plan version 1.0 · commit abc1234"
    assert render.BuildInfo("1.0", None, "x").provenance == "Plan version 1.0"
    assert revisions.plan_commit(tmp_path) is None


def test_footer_shows_version_status_and_date_never_the_commit(starter):
    info = render.BuildInfo("0.1", "abc1234", "lscplan test")
    docs = documents.for_plan(starter)
    assert docs[0].footer == "Version 0.1 · Draft · 15 November 2019"
    assert docs[2].footer == "Version 0.1 · Draft · 30 September 2019"  # dated at its month
    assert docs[3].footer == "Draft · 4 November 2019"  # the paper's own status and date
    for doc in docs:
        html = render_document(starter, doc, info)
        assert '<meta name="commit" content="abc1234">' in html
        assert html.count("abc1234") == 1  # in the metadata, nowhere on the page
        assert doc.footer in html
        assert not re.search(r"\b\w+\.yaml\b|\bline \d", _without_drawings(html)), doc.id


def test_draft_mark_while_any_figure_is_illustrative(starter, pages):
    assert starter.has_illustrative
    for html in pages.values():
        assert '<p class="draft-mark" role="note">Contains illustrative ' in html
    sourced = dataclasses.replace(starter, activity=(), metrics=(), system=dataclasses.replace(
        starter.system, population=(), icps=(), publication=None))
    sourced = dataclasses.replace(sourced, finance=dataclasses.replace(
        sourced.finance, trajectory=dataclasses.replace(sourced.finance.trajectory,
                                                        provenance="example-briefing"),
        efficiency=dataclasses.replace(sourced.finance.efficiency,
                                       provenance="example-briefing")),
        workforce=dataclasses.replace(sourced.workforce, groups=()))
    assert sourced.has_illustrative  # an illustrative entry (a commitment) makes a draft too
    sourced = dataclasses.replace(sourced, more={**sourced.more, "commitments": (),
                                                 "actuals": None})
    assert not sourced.has_illustrative
    assert not any(d.draft for d in documents.for_plan(sourced))


def test_provenance_names_the_commit_that_last_changed_the_plan(small_plan, tmp_path):
    import subprocess

    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                               *args], cwd=tmp_path, check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q")
    git("add", "plan")
    git("commit", "-qm", "plan")
    plan_commit = git("rev-parse", "--short", "HEAD")
    (tmp_path / "README").write_text("elsewhere\n")
    git("add", "README")
    git("commit", "-qm", "not the plan")
    assert revisions.plan_commit(small_plan) == plan_commit
    (small_plan / "vision.yaml").write_text("changed\n")
    assert revisions.plan_commit(small_plan) == f"{plan_commit} with uncommitted changes"


# --- golden HTML -------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", ["ltp-submission", "public-summary", "delivery-report",
                                    "board-governing-body-update"])
def test_golden(pages, doc_id):
    path = GOLDEN / f"{doc_id}.html"
    got = _without_drawings(pages[doc_id])
    if os.environ.get("LSCPLAN_REGENERATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), "no golden file: run `make golden`"
    assert got == path.read_text(encoding="utf-8"), (
        f"{doc_id}.html differs from {path}; if the change is intended, run `make golden`")


# --- structure -------------------------------------------------------------------------


class Outline(HTMLParser):
    """What the structure checks need from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.html_lang: str | None = None
        self.headings: list[int] = []
        self.ids: Counter[str] = Counter()
        self.tables: list[dict] = []
        self.figures: list[dict] = []
        self.svgs: list[dict] = []
        self.illus = 0
        self.tags: Counter[str] = Counter()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        if tag == "html":
            self.html_lang = a.get("lang")
        if a.get("id"):
            self.ids[a["id"]] += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "table":
            self.tables.append({"caption": False, "th": 0, "th_scoped": 0})
        if tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        if tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
            self.tables[-1]["th_scoped"] += "scope" in a
        if tag == "figure":
            self.figures.append({"figcaption": False, "svg": False, "table": False,
                                 "description": False})
        if self.figures and "figure" in self.stack:
            f = self.figures[-1]
            f["figcaption"] |= tag == "figcaption"
            f["svg"] |= tag == "svg"
            f["table"] |= tag == "table"
            f["description"] |= "chart-description" in (a.get("class") or "")
        if tag == "svg":
            self.svgs.append(a)
        if tag == "sup" and "illus" in (a.get("class") or ""):
            self.illus += 1
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag not in ("br", "meta", "img", "link", "input", "hr", "path", "use", "rect"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def _outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("doc_id", ["ltp-submission", "public-summary", "delivery-report",
                                    "board-governing-body-update"])
def test_structure(pages, doc_id):
    html = pages[doc_id]
    o = _outline(html)
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">")
    # its title runs in the printed page's header (the delivery report's did not)
    assert re.search(r'<h1 class="doc-title" data-running="[^"]+">', html), doc_id
    assert o.html_lang == "en-GB"
    assert o.headings.count(1) == 1 and o.headings[0] == 1
    for before, after in zip(o.headings, o.headings[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    assert not [i for i, n in o.ids.items() if n > 1], "duplicate ids"
    assert o.tables and all(t["caption"] for t in o.tables)
    assert all(t["th"] and t["th"] == t["th_scoped"] for t in o.tables)
    for f in o.figures:
        assert f["figcaption"] and f["svg"] and f["table"] and f["description"]
    for svg in o.svgs:  # a chart is labelled by its title; an icon by its aria-label
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") in o.ids or svg.get("aria-label")
    assert o.illus > 0  # the starter plan has illustrative figures; they are marked
    if doc_id == "public-summary":  # to the public: what the value is to them
        assert "= not final yet: an example figure" in html
        assert "no source document" not in html
    else:
        assert "= illustrative: no source document gives this figure" in html
    assert "\"lscplan Sans\", Frutiger, Arial, \"Liberation Sans\", Arimo, sans-serif" in html
    assert "#005EB8" in html
    assert not o.tags["script"] and not o.tags["img"] and not o.tags["link"]
    assert all(h.startswith(("#", "http:", "https:", "mailto:")) for h in o.hrefs)


def test_submission_contents_and_sections(pages, starter):
    html = pages["ltp-submission"]
    assert "target-counter(attr(href), page)" in html  # page numbers in the contents
    for section in ("narrative", "system", "case-for-change", "vision", "priorities",
                    "portfolios", "engagement", "metrics-plan", "quantified-plan", "finance",
                    "activity", "workforce", "golden-thread", "glossary", "sources",
                    "illustrative-figures"):
        assert f'<a href="#{section}">' in html and f'id="{section}"' in html
    assert starter.vision.statement in html
    for pf in starter.portfolios:
        assert f'id="portfolio-{pf.id}"' in html
    assert "Healthier Example</th>" in html and "315,000" in html and "5.0%" in html
    assert html.count('<figure class="chart-figure"') == len(starter.metrics) + 3


def test_charts_describe_their_data(pages):
    html = pages["ltp-submission"]
    assert ("A&amp;E four-hour standard rises from 85% in 2018/19 (baseline) to 95% in "
            "2021/22.") in html
    assert "The system is in financial balance from 2021/22." in html
    # each target in the table, with its kind, its year and its mark
    assert "National standard: 95% within four hours</span>" in html
    assert ('Local ambition: 97% within four hours by 2025<sup class="illus"' in html)
    assert ("National standard: 95% within four hours. The plan reaches it by 2021/22. "
            "Local ambition: 97% within four hours by 2025 (illustrative), after the plan "
            "period, which ends in 2021/22.") in html


def test_a_target_due_within_the_period_is_a_mark_in_its_year(small_plan):
    edit(small_plan / "metrics.yaml", "by: 2025", "by: 2020/21")
    plan = check(small_plan).plan
    figure = render.Figures(plan).metric(plan.metric("ae-four-hour"))
    assert ("Local ambition: 97% within four hours by 2020/21 (illustrative). The plan does "
            "not reach it by 2020/21.") in figure.description
    # the ambition is illustrative, the line and the standard are not: its label says so
    assert ">Local ambition (97%, 2020/21, illustrative)</text>" in figure.svg
    assert ">Illustrative figures</text>" not in figure.svg
    assert ">National standard (95%)</text>" in figure.svg


def test_public_summary_is_plain(pages, starter):
    html = pages["public-summary"]
    assert "We want everyone in Example to live a long and healthy life." in html
    for pr in starter.priorities:
        assert pr.public_summary in html
    assert ("People at A&amp;E seen within four hours: 95% by 2021/22, up from 85% in "
            "2018/19.") in html
    assert "The national standard: 95% within four hours." in html
    assert ('Our local ambition: 97% within four hours by 2025.<sup class="illus"'
            in html)
    assert "Words we use" in html


def test_public_summary_says_how_to_get_in_touch_and_in_what_formats(pages, starter):
    """The publication block: contacts (each illustrative one marked), the other formats
    and how to ask, and the publication date, which is the summary's date."""
    html = pages["public-summary"]
    section = html[html.index('<section class="publication"'):]
    section = section[:section.index("</section>")]
    assert '<h2 id="contact-heading">Contact us</h2>' in section
    mark = str(render.illustrative_marker(True, "entry"))  # contact details: entries
    assert f'<a href="https://www.example.nhs.uk">https://www.example.nhs.uk</a>{mark}' in section
    email = "enquiries@example.nhs.uk"
    assert f'<a href="mailto:{email}">{email}</a>{mark}' in section
    assert f"01632 960 000{mark}" in section
    assert ("You can ask for this guide in easy read, large print or another language. "
            "Get in touch in any of the ways above") in section
    dated = render.illustrative_marker(True, "publication date")
    assert f"Published 15 November 2019{dated}." in section
    summary = next(d for d in documents.for_plan(starter) if d.id == "public-summary")
    assert summary.date == starter.system.publication.date


def test_the_publication_date_dates_the_public_summary(small_plan):
    edit(small_plan / "plan.yaml", 'publication:  # how the public summary is published: '
         'put your own details here\n  date: "2019-11-15"',
         'publication:\n  date: "2019-12-02"')
    edit(small_plan / "plan.yaml", "  provenance: illustrative\n  contacts:",
         "  provenance: example-briefing\n  contacts:")
    plan = check(small_plan).plan
    docs = {d.id: d for d in documents.for_plan(plan)}
    assert docs["public-summary"].date == "2019-12-02"
    assert docs["ltp-submission"].date == "2019-11-15"
    html = render_document(plan, docs["public-summary"], INFO)
    assert "Published 2 December 2019." in html and "2 December 2019" in docs[
        "public-summary"].footer
    # without the block: no such section, and the summary has the plan's date
    text = (small_plan / "plan.yaml").read_text(encoding="utf-8")
    (small_plan / "plan.yaml").write_text(text[:text.index("publication:")],
                                          encoding="utf-8")
    plan = check(small_plan).plan
    summary = next(d for d in documents.for_plan(plan) if d.id == "public-summary")
    assert summary.date == "2019-11-15"
    assert "Contact us" not in render_document(plan, summary, INFO)


def test_what_happens_next_lists_nothing_over_before_the_document_date(bundled_plan):
    """Planned engagement whose ``until`` is past by a document's date is not listed as
    still to come; a document dated before it lists it."""
    plan = check(bundled_plan).plan
    over = {e.id for e in plan.engagement.planned if e.until and e.until < plan.system.date}
    assert over == {"strategy-co-production", "system-leaders-local-engagement"}
    docs = {d.id: d for d in documents.for_plan(plan)}
    for doc_id in ("public-summary", "ltp-submission"):
        html = render_document(plan, docs[doc_id], INFO, draw=False)
        nxt = html[html.index(">What happens next<" if doc_id == "public-summary"
                              else ">What we will do next<"):]
        nxt = nxt[:nxt.index("</section>")]
        for e in plan.engagement.planned:
            assert (e.title in nxt) == (e.id not in over), (doc_id, e.id)
    early = plan.as_of("2019-06-01")  # the June 2019 paper's date: both still to come
    assert {e.id for e in early.engagement.planned} >= over


def test_board_paper_cover_sheet(pages):
    html = pages["board-governing-body-update"]
    for field in ("Agenda item", "Meeting title and date", "Report title", "Paper prepared by",
                  "Date of paper", "Executive sponsor", "Responsible manager",
                  "Committees where paper previously presented", "Background papers",
                  "Summary of report", "Recommendations", "Identified risks",
                  "Impact assessment", "Strategic objective", "Please contact"):
        assert f">{field}" in html, field
    assert "Governing Body – 19 November 2019" in html
    assert "4 November 2019" in html and "AF100" in html
    assert '<td class="select">Yes</td>' in html and '<td class="select">No</td>' in html
    assert "mailto:sam.lee@example.nhs.uk" in html
    assert '>Appendices</th><td colspan="3"><a href="#appendix-priorities">Appendix A</a>: ' \
        "What the partnership will do" in html


def test_board_paper_body_appendices_and_extracts(pages):
    """Paragraphs are numbered through the whole body; the extracts it lists stand
    where the body marks them, the appendix after the body, referred to by letter."""
    html = pages["board-governing-body-update"]
    body = html[html.index('<section class="paper-body"'):html.index('<section class="appendix"')]
    numbers = re.findall(r'<p class="numbered" id="para-(\d+)"><span class="para-number">'
                         r'(\d+)\. </span>', body)
    assert numbers == [("1", "1"), ("2", "2"), ("3", "3")]  # not restarting per section
    assert '<a href="#appendix-priorities" class="appendix-ref">Appendix A</a>' in body
    assert "{appendix:" not in html and "{extract:" not in html
    # the allocations table in the Finance section, the chart under Urgent care
    finance, urgent = body.index(">Finance</h3>"), body.index(">Urgent care</h3>")
    assert finance < body.index("<caption>Core CCG allocations") < urgent
    assert urgent < body.index('id="chart-metric-ae-four-hour"')
    # nothing the paper does not ask for, and the priorities only in Appendix A
    assert "Extracts from the" not in html and "Metrics plan" not in html
    appendix = html[html.index('<section class="appendix"'):]
    assert 'id="appendix-priorities"' in appendix
    assert ">Appendix A: What the partnership will do</h2>" in appendix
    assert "priorities" in appendix and 'class="priorities"' not in body


def test_missing_value_fails_the_render(starter):
    env = render.environment()
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("board-paper.html.j2").render(
            plan=starter, doc=documents.for_plan(starter)[2], info=INFO,
            figures=render.Figures(starter), headline_sentence=render.headline_sentence)


def test_unknown_extract_fails(starter):
    paper = starter.board_papers[0]
    bad = dataclasses.replace(paper, appendices=(Appendix(
        "x", "A", "X", None, (Extract("nonsense", None, loc=paper.loc),), loc=paper.loc),))
    doc = documents.Document(bad.doc_id, bad.title, "board-paper.html.j2", {"paper": bad})
    with pytest.raises(jinja2.TemplateRuntimeError, match="unknown extract nonsense"):
        render_document(starter, doc, INFO)


def test_board_papers_show_only_in_their_own_document(pages, small_plan):
    """The incremental build relies on this (documents.inputs): a board paper's file
    changes no other document."""
    paper = small_plan / "board/governing-body-update.yaml"
    edit(paper, "Sam Lee", "Kim Patel")
    edit(paper, "The plan has three components.", "The plan has four components.")
    (small_plan / "board/another.yaml").write_text(
        paper.read_text().replace("id: governing-body-update", "id: another"))
    checked = check(small_plan)
    assert checked.report.ok(), checked.report.errors
    every = documents.for_plan(checked.plan)
    docs = {d.id: d for d in every}
    assert set(docs) == {*pages, "board-another"}

    def board_inputs(doc_id: str) -> list[str]:
        inputs = documents.inputs(docs[doc_id], every, checked.sources, checked.plan)
        return [p for p in inputs if p.startswith("board/")]

    for doc_id in ("ltp-submission", "public-summary"):
        assert render_document(checked.plan, docs[doc_id], INFO) == pages[doc_id]
        assert board_inputs(doc_id) == []
    assert board_inputs("board-another") == ["board/another.yaml"]
    assert board_inputs("board-governing-body-update") == ["board/governing-body-update.yaml"]


def test_public_summary_explains_only_public_terms(small_plan):
    path = small_plan / "plan.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(
        "glossary:\n",
        "glossary:\n  - term: Programme Management Office (PMO)\n"
        "    definition: The team that supports the portfolios.\n"
        "    provenance: example-briefing\n"), encoding="utf-8")
    plan = check(small_plan).plan
    html = {d.id: render_document(plan, d, INFO) for d in documents.for_plan(plan)}
    assert "Programme Management Office (PMO)" in html["ltp-submission"]
    assert "Programme Management Office (PMO)" not in html["public-summary"]
    assert "Integrated care system (ICS)" in html["public-summary"]


def test_unknown_cover_sheet_fields_print_as_a_marked_placeholder(small_plan):
    import yaml

    paper = small_plan / "board" / "governing-body-update.yaml"
    data = yaml.safe_load(paper.read_text(encoding="utf-8"))
    for key in ("agenda_item", "sponsor", "paper_date", "previous_committees",
                "strategic_objectives"):
        del data[key]
    data["illustrative"] = ["meeting_date"]
    paper.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    checked = check(small_plan)
    assert checked.plan is not None and checked.report.ok(), checked.report
    doc = next(d for d in documents.for_plan(checked.plan) if d.id.startswith("board-"))
    html = render_document(checked.plan, doc, INFO)
    tbc = str(render.TO_BE_CONFIRMED)
    assert html.count(tbc) >= 5
    assert f"Agenda item {tbc}" in html
    assert "None stated" not in html and "Not stated" not in html
    assert re.search(r"19 November 2019<sup class=\"illus\"", html)  # the assumed date
    assert doc.date == "2019-11-19"  # no paper date: the meeting's


def test_bundled_papers_never_print_none_for_what_no_source_gives(bundled_plan):
    checked = check(bundled_plan)
    assert checked.plan is not None
    for doc in documents.for_plan(checked.plan):
        if "paper" not in doc.context:
            continue
        html = render_document(checked.plan, doc, INFO)
        assert "Not stated" not in html and "None stated" not in html, doc.id
        if doc.context["paper"].purpose == "decision":
            assert "Identified risks" in html and str(render.TO_BE_CONFIRMED) in html


@pytest.mark.slow
def test_a_document_shows_only_what_the_plan_knew_on_its_date(bundled_plan):
    """The February 2019 HOSC briefing, asking for every extract, cites nothing
    published after February 2019; the November 2019 submission nothing from 2021."""
    edit(bundled_plan / "board" / "hosc-briefing-2019.yaml", "extracts: [allocations-table]\n",
         "extracts: [allocations-table]\nappendices:\n  - id: plan\n    title: The plan\n"
         "    extracts: [vision, priorities, engagement, glossary]\n")
    checked = check(bundled_plan)
    plan = checked.plan
    assert plan is not None and checked.report.ok()
    later = plan.later_sources("2019-02-28")
    assert later == {"shared-strategy-paper-2019", "mbccg-governing-body-2019",
                     "pennine-icp-proposition-2021", "nhse-ae-statistics",
                     "ltp-implementation-framework"}
    docs = {d.id: d for d in documents.for_plan(plan)}
    hosc = render_document(plan, docs["board-hosc-briefing-2019"], INFO)
    for item in plan.engagement.undertaken + plan.engagement.planned + plan.priorities:
        title = item.title.replace("&", "&amp;").replace("'", "&#39;")
        assert (title in hosc) == (item.provenance not in later), item.id
    assert "228,427" in hosc  # the allocations, published early 2019: kept
    for source in later:
        assert plan.source(source).title.split(":")[0] not in hosc
    warned = [d for d in checked.report if d.rule == "postdates"]
    assert any("hosc-briefing-2019" in d.message and "'engagement'" in d.message
               for d in warned)
    submission = render_document(plan, docs["ltp-submission"], INFO)
    assert "1,800,000" not in submission and not re.search(r"\b2021\b(?!/)", submission)
    assert "1,700,000" in submission or "1.7 million" in submission


def test_a_kind_with_a_section_is_shown_through_its_partial_alone(starter, tmp_path,
                                                                 monkeypatch):
    # issue 9: a new file kind's partial is placed by its declaration, with no line in
    # the document templates: here the engagement kind, declared with a Section and a
    # partial of its own, appears in the submission, its contents and a paper's extracts
    import shutil

    from lscplan import kinds

    templates = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), templates)
    (templates / "partials" / "partners.html.j2").write_text(
        '{% macro render(plan, figures, level, id) %}<ul id="{{ id }}-list">'
        "{% for p in plan.engagement.partners %}<li>{{ p.name }}</li>{% endfor %}</ul>"
        "{% endmacro %}\n", encoding="utf-8")
    declared = tuple(
        dataclasses.replace(f, section=kinds.Section("Our partners", "major", "partners",
                                                     "partials/partners.html.j2"))
        if f.schema == "engagement" else f for f in kinds.FILES)
    monkeypatch.setattr(kinds, "FILES", declared)
    monkeypatch.setattr(render, "templates_dir", lambda: templates)
    render.environment.cache_clear()
    try:
        docs = documents.for_plan(starter)
        html = render_document(starter, docs[0], INFO)
        paper = starter.board_papers[0]
        shown = dataclasses.replace(paper, appendices=(Appendix(
            "partners", "A", "Our partners", "Who we work with.",
            (Extract("partners", None, loc=paper.loc),), loc=paper.loc),))
        board = render_document(starter, documents.Document(
            shown.doc_id, shown.title, "board-paper.html.j2", {"paper": shown}), INFO)
    finally:
        render.environment.cache_clear()
    partner = starter.engagement.partners[0].name
    assert '<a href="#engagement">5 Our partners</a>' in html
    assert '<h2 id="engagement-heading">5 Our partners</h2>' in html
    assert f'<ul id="engagement-list"><li>{partner}</li>' in html
    assert "<h3>Our partners</h3>" in board
    assert f'<ul id="appendix-partners-1-engagement-list"><li>{partner}</li>' in board


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WHEN = re.compile(r"\b(?:(\d{1,2}) )?(" + "|".join(_MONTHS) + r") (\d{4})\b|\b(20\d\d)\b(?![/-])")


def _later_mentions(html: str, day: str) -> list[str]:
    """Dates the visible text of ``html`` mentions that fall after ``day``: "July 2019",
    "15 November 2019", or a year alone after its year."""
    text = re.sub(r"<(style|title)>.*?</\1>|<meta[^>]*>", " ", html, flags=re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    found = []
    for m in _WHEN.finditer(text):
        if m[4]:
            if m[4] > day[:4]:
                found.append(text[max(0, m.start() - 60):m.end()])
            continue
        month = f"{m[3]}-{_MONTHS.index(m[2]) + 1:02d}"
        if (f"{month}-{int(m[1]):02d}" if m[1] else month) > day[:len(month) + (3 if m[1] else 0)]:
            found.append(text[max(0, m.start() - 60):m.end()])
    return found


def test_early_papers_say_nothing_from_after_their_date(bundled_plan):
    """The February 2019 HOSC briefing and the June 2019 shared-strategy paper, each
    shown with every extract of the plan in an appendix, mention no date after their
    own, leave out the passages dated later, and never print a left-out value as
    None; the paper of November 2019 keeps the passage its own source dates."""
    every = "[vision, priorities, metrics-table, allocations-table, financial-trajectory, " \
            "activity-table, workforce-table, golden-thread, engagement, glossary]"
    for name in ("hosc-briefing-2019", "shared-strategy-2019-24"):
        path = bundled_plan / "board" / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nprovenance:", "\n" + (
            "appendices:\n" if "appendices:" not in text else "") +
            f"  - id: whole-plan\n    title: The plan\n    extracts: {every}\nprovenance:", 1)
            if "appendices:" not in text else text.replace(
            "appendices:\n", f"appendices:\n  - id: whole-plan\n    title: The plan\n"
            f"    extracts: {every}\n", 1), encoding="utf-8")
    checked = check(bundled_plan)
    plan = checked.plan
    assert plan is not None and checked.report.ok(), checked.report.errors
    docs = {d.id: d for d in documents.for_plan(plan)}
    for doc_id, day in (("board-hosc-briefing-2019", "2019-02-01"),
                        ("board-shared-strategy-2019-24", "2019-06-03")):
        assert docs[doc_id].date == day
        html = render_document(plan, docs[doc_id], INFO)
        assert _later_mentions(html, day) == [], doc_id
        assert ">None<" not in html and "<p>None</p>" not in html, doc_id
        assert "Healthier Pennine Lancashire represents" not in " ".join(html.split())
    hosc = render_document(plan, docs["board-hosc-briefing-2019"], INFO)
    assert plan.vision.statement not in hosc  # the vision came with the June paper
    shared = render_document(plan, docs["board-shared-strategy-2019-24"], INFO)
    assert plan.vision.statement in shared
    assert _later_mentions("in July 2019, 4 November 2019 and 2021", "2019-06-30") == [
        "in July 2019", "in July 2019, 4 November 2019", "in July 2019, 4 November 2019 and 2021"]


def test_a_dated_passage_is_left_out_before_its_date(bundled_plan):
    checked = check(bundled_plan)
    plan = checked.plan
    assert plan is not None
    pennine = plan.icp("pennine-lancashire")
    assert "{from:pennine-icp-proposition-2021}" in pennine.description
    docs = {d.id: d for d in documents.for_plan(plan)}
    with chartcache.missing():  # the passages are looked for, not the charts: not drawn
        submission = render_document(plan, docs["ltp-submission"], INFO)
    submission = " ".join(submission.split())
    assert "Identified in 2016 as the East Lancashire health economy" in submission
    assert "Healthier Pennine Lancashire represents" not in submission  # 2021
    assert "{from:" not in submission

    def described(day: str, icp: str) -> str:
        return " ".join(plan.as_of(day).icp(icp).description.split())

    assert "Healthier Pennine Lancashire represents" in described("2021-06-01",
                                                                  "pennine-lancashire")
    assert "Bay Health and Care Partners, is" in described("2019-11-15", "morecambe-bay")
    assert "Bay Health and Care Partners, is" not in described("2019-06-01", "morecambe-bay")
    assert "Better Care Together vanguard" in described("2019-06-01", "morecambe-bay")
    # the portfolios' passages from the November 2019 paper: in the submission, not
    # in the plan as it stood in June 2019
    assert "Morecambe Bay Needs Assessment (2019) found that cancer" in submission

    def narratives(day: str) -> str:
        return " ".join(" ".join(pf.narrative.split()) for pf in plan.as_of(day).portfolios)

    assert narratives("2019-06-01").count("Morecambe Bay Needs Assessment") == 0
    assert narratives("2019-11-15").count("Morecambe Bay Needs Assessment") == 8
    assert "on 4 April 2019" in narratives("2019-06-01")
    assert "on 4 April 2019" not in narratives("2019-03-01")
    warned = [d for d in checked.report.warnings if d.rule == "postdates"
              and "pennine-icp-proposition-2021" in d.message and "passage" in d.message]
    assert [(d.location.file, d.location.line) for d in warned] == [
        ("plan.yaml", _line_of(bundled_plan / "plan.yaml", "{from:pennine-icp"))]


def _line_of(path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_paper_formats(bundled_plan):
    """The HOSC briefing is a council committee report; the CCG paper an NHS cover
    sheet, its sixteen paragraphs numbered 1 to 16 through the whole body."""
    checked = check(bundled_plan)
    plan = checked.plan
    docs = {d.id: d for d in documents.for_plan(plan)}
    hosc = render_document(plan, docs["board-hosc-briefing-2019"], INFO)
    assert 'class="nhs-logo"' not in hosc and "Cover sheet" not in hosc
    for heading in ("Report to", "Meeting to be held on", "Report of",
                    "Electoral divisions affected", "Executive Summary", "Recommendation",
                    "Background and Advice", "Consultations", "Implications",
                    "List of Background Papers"):
        assert f">{heading}<" in hosc, heading
    assert '<span class="section-number">1.</span> Introduction' in hosc
    finance = hosc.index("Finance</h3>")
    assert finance < hosc.index("<caption>Core CCG allocations") < hosc.index(
        "Involving local people")
    mbccg = render_document(plan, docs["board-mbccg-governing-body-2019-11-19"], INFO)
    assert 'class="nhs-logo"' in mbccg and "Electoral divisions" not in mbccg
    numbers = re.findall(r'<span class="para-number">(\d+)\. </span>', mbccg)
    assert numbers == [str(n) for n in range(1, 17)]
    assert "appendix 1" not in mbccg.lower() and "appendix 2" not in mbccg.lower()
    assert "Extracts from" not in mbccg and "<caption>Core CCG allocations" not in mbccg
    shared = render_document(plan, docs["board-shared-strategy-2019-24"], INFO)
    assert ">Appendix A: Strategic narrative slide set</h2>" in shared
    assert shared.count('<a href="#appendix-slides" class="appendix-ref">Appendix A</a>') == 2


def test_bundled_public_summary_speaks_plainly_of_engagement():
    """Engagement figures read as sentences ("About 250 leaders took part."), not as a
    machine's "Leaders and senior representatives involved (around): 250"; the plain
    accounts and definitions are shown, the submission's wording stays in the submission."""
    from lscplan.resources import bundled_plan_dir

    plan = check(bundled_plan_dir()).plan
    doc = next(d for d in documents.for_plan(plan) if d.id == "public-summary")
    with chartcache.missing():  # sentences are read, not charts: not drawn
        html = render_document(plan, doc, INFO)
    assert "About 250 leaders took part." in html
    assert "(around):" not in html and "Weeks of discussion:" not in html
    assert "Healthwatch asked local people how they use technology" in html
    assert "A group that speaks up for people who use health and care services." in html
    assert "The independent champion for people" not in html


def test_the_submission_presents_the_risk_register_and_the_commitments(bundled_plan):
    plan = check(bundled_plan).plan
    doc = documents.for_plan(plan)[0]
    with chartcache.missing():  # tables are read, not charts: not drawn
        html = render_document(plan, doc, INFO)
    assert '<a href="#risks">5 Risk register</a>' in html
    assert '<a href="#commitments">6 Long Term Plan commitments</a>' in html
    register = html[html.index('id="risks-table"'):html.index('id="commitments"')]
    for risk in plan.risks:
        assert risk.title in register
        # scores no source gives carry the mark; owners no source gives are placeholders
        assert f'{risk.scores.score}<sup class="illus"' in register
    assert register.count("To be confirmed") == len(plan.risks)
    table = html[html.index('id="commitments-table"'):]
    for c in plan.commitments:
        _, prog = plan.programme(c.programmes[0])
        assert c.title in table and prog.title in table


def test_the_submission_maps_the_plan_to_the_implementation_framework(bundled_plan):
    """The framework map: a numbered part in the contents, after the commitments; each
    chapter and area with the portfolios, metrics and commitments that answer it, and
    "Not answered in this plan" where nothing does (the assurance lead worked out by
    hand that personalised care, diabetes, CVD and respiratory were unanswered)."""
    plan = check(bundled_plan).plan
    doc = documents.for_plan(plan)[0]
    with chartcache.missing():  # tables are read, not charts: not drawn
        html = render.render_html(plan, doc, INFO)
    assert '<a href="#framework">7 The Implementation Framework and this plan</a>' in html
    assert html.index('id="commitments"') < html.index('id="framework"')
    part = html[html.index('id="framework"'):html.index("</section>",
                                                         html.index('id="framework"'))]
    assert "NHS Long Term Plan Implementation Framework (NHS England, June 2019)" in part
    rows = re.findall(r'<tr class="(?:chapter|area)">\n<th scope="row">(.*?)</th>\n<td>(.*?)</td>',
                      part)
    by_title = {re.sub(r"<[^>]+>", "", th).replace("&#39;", "'"): td for th, td in rows}
    fw = plan.framework_map
    assert len(rows) == len(fw.entries)
    for title in ("Giving people more control over their own health and more personalised "
                  "care", "Diabetes", "Cardiovascular disease", "Respiratory disease"):
        assert by_title[title] == "<strong>Not answered in this plan</strong>", title
    cancer = by_title["Better care for major health conditions: improving cancer outcomes"]
    assert "Services for people with cancer" in cancer  # a portfolio
    assert "Cancer treatment within 62 days of urgent referral" in cancer  # a metric
    assert "Earlier diagnosis of cancer" in cancer  # a commitment
    assert "Finance" in by_title["8. Using taxpayers' investment to maximum effect"]
    unanswered = part[part.index('id="framework-unanswered"'):part.index("</ul>")]
    assert "Diabetes" in unanswered and "Respiratory disease" in unanswered
    assert "Stroke care" not in unanswered
    # the framework is a source, named in the sources annex with its publisher
    assert "<strong>NHS Long Term Plan Implementation Framework</strong>. NHS England, June " \
        "2019." in html


def test_a_plan_without_a_framework_shows_no_map(starter):
    without = dataclasses.replace(starter, more={**starter.more, "framework": None})
    assert without.framework_map is None
    doc = documents.for_plan(without)[0]
    with chartcache.missing():
        html = render.render_html(without, doc, INFO)
    assert 'id="framework"' not in html and "Implementation Framework and this" not in html


def test_a_paper_reproduces_the_register_as_an_extract(starter):
    paper = starter.board_papers[0]
    extract = render.environment().get_template("partials/extract.html.j2").module
    html = str(extract.render(starter, render.Figures(starter),
                              Extract("risk-register", None, loc=paper.loc), 3, "appendix-a"))
    assert "<h3>Risk register</h3>" in html and 'id="appendix-a-risks-table"' in html
    assert starter.risks[0].title in html


def test_the_submission_opens_with_the_executive_summary(bundled_plan):
    """The executive summary comes first, its figures computed from the plan's own
    tables, and every partner that has not signed off is "To be confirmed"."""
    plan = check(bundled_plan).plan
    doc = documents.for_plan(plan)[0]
    html = render_document(plan, doc, INFO)
    contents = html[html.index('id="contents-heading"'):html.index('<main')]
    assert contents.index('href="#summary">Executive summary') < contents.index(
        'href="#narrative"')
    summary = html[html.index('id="summary"'):html.index('id="narrative"')]
    assert plan.summary.foreword.text.split("\n")[0] in summary
    assert formatting.money(plan.finance.allocations.sum_allocation) in summary
    assert f"<td class=\"num\">{len(plan.programmes)}</td>" in summary
    sign_off = summary[summary.index('class="sign-off'):]
    assert sign_off.count("To be confirmed") == len(plan.summary.sign_off)
    for so in plan.summary.sign_off:
        assert plan.organisation(so.organisation).name in sign_off


def test_a_signed_off_partner_shows_its_date_and_body(starter):
    doc = documents.for_plan(starter)[0]
    html = render_document(starter, doc, INFO)
    sign_off = html[html.index('class="sign-off'):html.index('id="narrative"')]
    north, hospitals = sign_off.split("</tr>")[1:3]
    assert "12 November 2019" in north and "Governing Body" in north
    assert "To be confirmed" not in north
    assert "Trust Board" in hospitals and "To be confirmed" in hospitals


def test_the_impact_summary_is_in_the_strategic_narrative(bundled_plan):
    plan = check(bundled_plan).plan
    html = render_document(plan, documents.for_plan(plan)[0], INFO)
    narrative = html[html.index('id="narrative"'):html.index('id="metrics-plan"')]
    impact = narrative[narrative.index('id="impact"'):]
    assert "Assessment: in progress</strong>" in impact
    # the assessment's state no source gives is marked
    assert impact.index('class="illus"') < impact.index("has not yet been completed")
    for f in plan.impact.findings:
        assert f.group in impact


def test_each_place_has_a_summary_from_the_plan_tables(bundled_plan):
    """A place's summary sums its CCGs' allocation rows and shows its own activity,
    so it cannot drift from the tables."""
    plan = check(bundled_plan).plan
    html = render_document(plan, documents.for_plan(plan)[0], INFO)
    places = html[html.index('<section id="places">'):html.index('id="case-for-change"')]
    for icp in plan.system.icps:
        assert f"<h4>{icp.name}</h4>" in places
    central = places[places.index('id="places-central-lancashire"'):
                     places.index('id="places-west-lancashire"')]
    rows = [r for r in plan.finance.allocations.rows
            if r.organisation in {"greater-preston-ccg", "chorley-and-south-ribble-ccg"}]
    total = plan.place_allocations("central-lancashire")
    assert total.allocation == sum(r.allocation for r in rows)
    assert formatting.money(total.allocation) in central
    assert "Lancashire Teaching Hospitals NHS Foundation Trust" in central
    ae = next(p for p in plan.activity if p.id == "ae-attendances")
    s = ae.by_icp["central-lancashire"]
    assert f"A&amp;E attendances: {formatting.thousands(s.first)} to " in central


def test_a_paper_attaches_the_executive_summary(pages):
    html = pages["board-governing-body-update"]
    appendix = html[html.index('id="appendix-executive-summary"'):]
    assert ">Appendix B: Plan summary</h2>" in appendix
    assert "Partner sign-off" in appendix and "12 November 2019" in appendix


def test_an_organisation_is_listed_under_each_place_it_serves(small_plan):
    edit(small_plan / "plan.yaml", "    icp: south-place\n",
         "    places: [south-place, north-place]\n")
    plan = check(small_plan).plan
    html = render_document(plan, documents.for_plan(plan)[0], INFO)
    start = html.index('<table class="icps')
    icps = html[start:html.index("</table>", start)]
    north, south = icps.split("North Place</th>")[1].split("South Place</th>")
    assert "NHS South CCG" in north and "NHS North CCG" in north
    assert "NHS South CCG" in south and "NHS North CCG" not in south
    assert ("<th scope=\"row\">Example Hospitals NHS Foundation Trust</th><td>NHS trust</td>"
            "<td>North Place; South Place</td>") in html
    assert ("<th scope=\"row\">Example County Council</th><td>County council</td>"
            "<td>System-wide</td>") in html


def test_workforce_per_place_and_by_staffing_type(pages, small_plan):
    html = pages["ltp-submission"]
    places = html[html.index('<table class="workforce-places'):]
    places = places[:places.index("</table>")]
    assert "<caption>Staff in post (WTE) by place and staff group</caption>" in places
    assert '<th scope="rowgroup" colspan="4">Registered nurses and midwives</th>' in places
    assert re.search(r'<th scope="row">South Place</th><td class="num">1,200<sup class="illus"',
                     places)
    assert "All staff groups" not in places  # one group: its rows are the totals
    types = html[html.index('<table class="workforce-staffing-types'):]
    assert re.search(r'<th scope="row">Agency</th><td class="num">100<sup class="illus"', types)
    # without them, the workforce section is as it was
    text = (small_plan / "workforce.yaml").read_text(encoding="utf-8")
    (small_plan / "workforce.yaml").write_text(text[:text.index("    by_place:")],
                                               encoding="utf-8")
    plan = check(small_plan).plan
    plain = render_document(plan, documents.for_plan(plan)[0], INFO)
    assert "workforce-places" not in plain and "staffing type" not in plain


def _paper_html(plan_dir: Path) -> str:
    plan = check(plan_dir).plan
    assert plan is not None
    doc = next(d for d in documents.for_plan(plan) if d.id == "board-governing-body-update")
    return render_document(plan, doc, INFO)


def test_boards_and_committees(pages, small_plan):
    html = pages["ltp-submission"]
    boards = html[html.index('<table class="boards'):]
    boards = boards[:boards.index("</table>")]
    assert re.search(r'<th scope="row">Partnership Board</th>'
                     r"<td>The partnership as a whole</td>", boards)
    assert "<li>NHS North CCG</li><li>NHS South CCG</li>" in boards
    # the starter paper names no board: its cover sheet has no line for one
    assert '<th scope="row">Board or committee</th>' not in pages["board-governing-body-update"]
    paper = small_plan / "board" / "governing-body-update.yaml"
    # a joint committee of the CCGs: the partnership's, with its members on the cover sheet
    edit(paper, "organisation: north-ccg\n", "board: joint-committee\n")
    html = _paper_html(small_plan)
    assert '<p class="system doc-system">Healthier Example</p>' in html
    assert re.search(r'<th scope="row">Board or committee</th><td colspan="3">Joint Committee of '
                     r'the CCGs, a joint committee of NHS North CCG, '
                     r"NHS South CCG</td>", html)
    # a board of one organisation: the organisation heads the paper
    edit(small_plan / "plan.yaml", "  boards:  #", """  boards:
    - id: north-governing-body
      name: Governing Body of NHS North CCG
      organisation: north-ccg
      provenance: example-briefing  #""")
    edit(paper, "board: joint-committee\n", "board: north-governing-body\n")
    html = _paper_html(small_plan)
    assert '<p class="system doc-system">NHS North CCG</p>' in html
    assert ("<td colspan=\"3\">Governing Body of NHS North CCG, a board of NHS North CCG</td>"
            in html)
    # the partnership's own board
    edit(paper, "board: north-governing-body\n", "board: partnership-board\n")
    assert "a board of the partnership as a whole, Healthier Example</td>" in _paper_html(
        small_plan)


def test_workforce_totals_of_all_staff_groups_by_place(small_plan):
    """With two groups giving their places, the table ends with all groups' totals; in a
    plan without its own terms the heading says ICP, as it is written."""
    edit(small_plan / "plan.yaml", "  place: {singular: place, plural: places}\n", "")
    edit(small_plan / "workforce.yaml", "staff_groups:\n", """staff_groups:
  - id: medical
    title: Doctors
    provenance: illustrative
    wte: {2019/20: 500, 2020/21: 510, 2021/22: 520}
    by_place:
      north-place: {2019/20: 300, 2020/21: 300, 2021/22: 310}
      south-place: {2019/20: 200, 2020/21: 210, 2021/22: 210}
""")
    plan = check(small_plan).plan
    html = render_document(plan, documents.for_plan(plan)[0], INFO)
    table = html[html.index('<table class="workforce-places'):]
    table = table[:table.index("</table>")]
    assert "<caption>Staff in post (WTE) by ICP and staff group</caption>" in table
    assert '<th scope="col">Staff group: ICP</th>' in table
    totals = table[table.index(">All staff groups</th>"):]
    assert re.search(r'<th scope="row">North Place</th><td class="num">2,100<sup', totals)
    assert re.search(r'<th scope="row">South Place</th>.*?1,510<sup', totals)
    assert "workforce-staffing-types" in html and "All staff groups</th>" not in \
        html[html.index('<table class="workforce-staffing-types'):]  # doctors give no types


def test_a_place_of_its_own_provenance_is_marked_and_listed(small_plan):
    """A place no source gives is marked wherever it is named (the places table, its
    summary, activity by place) and listed in Annex C."""
    edit(small_plan / "plan.yaml", "  - id: south-place\n    name: South Place\n",
         "  - id: south-place\n    name: South Place\n    provenance: illustrative\n")
    checked = check(small_plan)
    assert checked.report.ok(), checked.report.errors
    plan = checked.plan
    assert plan.icp("south-place").illustrative and not plan.icp("north-place").illustrative
    html = render_document(plan, documents.for_plan(plan)[0], INFO)
    mark = render.ILLUSTRATIVE_MARK.format(kind="entry")
    assert f'<th scope="row">South Place{mark}</th>' in html
    assert f"<h4>South Place{mark}</h4>" in html
    assert "<h4>North Place</h4>" in html
    assert "South Place (illustrative)" in html  # activity rows and legends, in words
    annex = html[html.index('id="illustrative-figures"'):]
    assert "<caption>Illustrative entries in this plan</caption>" in annex
    assert '<tr><th scope="row">South Place</th>' in annex


def test_a_place_with_an_unknown_provenance_is_refused(small_plan):
    edit(small_plan / "plan.yaml", "  - id: south-place\n    name: South Place\n",
         "  - id: south-place\n    name: South Place\n    provenance: no-such-source\n")
    errors = check(small_plan).report.errors
    assert [(d.rule, d.location.file) for d in errors] == [("reference", "plan.yaml")]


def test_the_public_summary_draws_money_in_the_unit_its_text_writes():
    """A reader's money chart is in £m like the sentence beside it ("−£72m"), never in
    £'000 ("−72,000")."""
    from lscplan.resources import bundled_plan_dir

    plan = check(bundled_plan_dir()).plan
    metric = next(m for m in plan.headline_metrics if m.unit == "gbp-thousands")
    fig = render.Figures(plan, draw=True).headline(metric)
    sentence = render.headline_sentence(metric, plan.period.last)
    assert "−£72m" in sentence
    assert fig.unit_label == "£m"
    assert [c.text for c in fig.rows[0].cells] == ["−72", "0"]
    assert "72,000" not in fig.svg and "−£72m" in fig.svg


def test_stated_counts_and_held_counts_are_both_shown_for_what_they_are():
    """Governance states 12 portfolios and 42 programmes; the bundled plan sets out 18 and
    54. The submission says both, and "the plan in figures" names what it counts."""
    from lscplan.resources import bundled_plan_dir

    plan = check(bundled_plan_dir()).plan
    doc = documents.for_plan(plan)[0]
    with chartcache.missing():
        html = render_document(plan, doc, INFO)
    text = re.sub(r"<sup.*?</sup>", "", html, flags=re.S)
    assert re.search(r"It supports 12 portfolios and 42 programmes\. This plan sets out "
                     r"18 portfolios and 54 programmes\.", text)
    figures = text[text.index('id="summary-figures">The plan in figures</h'):]
    figures = figures[:figures.index("</table>")]
    assert "Programmes set out in this plan</th><td class=\"num\">54<" in figures
    assert "Partners whose boards sign the plan off</th><td class=\"num\">17<" in figures
    assert "plan's own tables" not in html


#: A heading and the caption of the table right under it.
_HEADED_TABLE = re.compile(r"<h([1-6])[^>]*>((?:(?!</h).)*)</h\1>\s*"
                           r"<table[^>]*>\s*<caption[^>]*>(.*?)</caption>", re.S)


def test_a_table_caption_adds_to_the_heading_above_it(pages):
    """Issue 28: the submission's "The plan in figures" heading was followed by a
    caption in the same words, read twice on the page: a caption says more."""
    seen = 0
    for doc, html in pages.items():
        for _level, heading, caption in _HEADED_TABLE.findall(html):
            words = [re.sub(r"<[^>]+>", "", t).strip().lower() for t in (heading, caption)]
            assert words[0] != words[1], (doc, heading)
            seen += 1
    assert seen
    assert "<caption>Who the plan serves, what it sets out and its money</caption>" in pages[
        "ltp-submission"]


def test_a_council_paper_recommends_in_council_form():
    from types import SimpleNamespace as Paper

    asked = render.council_recommendation(Paper(
        meeting="Health Overview and Scrutiny Committee", purpose="information",
        recommendations=("For information.",)))
    assert (asked.lead, asked.items) == ("The Committee is asked to note the report.", ())
    asked = render.council_recommendation(Paper(
        meeting="Cabinet", purpose="decision",
        recommendations=("Endorse the plan", "To note the NHS position.")))
    assert asked.lead == "Cabinet is asked to:"
    assert asked.items == ("endorse the plan;", "note the NHS position.")
    asked = render.council_recommendation(Paper(
        meeting="Joint Committee", purpose="discussion",
        recommendations=("For discussion.",)))
    assert asked.lead == "The Committee is asked to discuss the report."


def test_a_council_committee_paper_is_laid_out_as_a_council_report(small_plan):
    """A paper naming no format takes its meeting's: a council's gets the council
    layout, without the NHS logo."""
    edit(small_plan / "board" / "governing-body-update.yaml", "organisation: north-ccg\n",
         "organisation: example-council\n")
    checked = check(small_plan)
    assert checked.report.ok(), checked.report.errors
    paper = checked.plan.board_papers[0]
    assert paper.format == "local-authority"
    doc = next(d for d in documents.for_plan(checked.plan) if d.id.startswith("board-"))
    html = render_document(checked.plan, doc, INFO)
    assert 'class="nhs-logo"' not in html
    assert "The Committee is asked to" in html or "The meeting is asked to" in html


@pytest.fixture(scope="module")
def bundled_summary() -> str:
    from lscplan.resources import bundled_plan_dir

    plan = check(bundled_plan_dir()).plan
    doc = next(d for d in documents.for_plan(plan) if d.id == "public-summary")
    with chartcache.missing():
        return render_document(plan, doc, INFO)


def test_the_public_summary_has_an_accessibility_statement(bundled_summary):
    """The statement the Public Sector Bodies Accessibility Regulations 2018 ask for,
    from the publication block: how to report a problem, the enforcement route, the date."""
    html = bundled_summary
    section = html[html.index('<section id="accessibility"'):]
    section = section[:section.index("</section>")]
    assert "Web Content Accessibility Guidelines, version 2.1, level AA" in section
    assert 'href="mailto:healthierlsc@example.nhs.uk"' in section
    assert "phone 01632 960 100" in section
    assert "Equality Advisory and Support Service" in section
    assert "We wrote this statement on 15 November 2019" in section


def test_the_public_summary_glossary_holds_only_the_terms_it_uses(bundled_summary):
    html = bundled_summary
    glossary = html[html.index('<dl class="glossary">'):]
    glossary = glossary[:glossary.index("</dl>")]
    terms = re.findall(r"<dt>(.*?)</dt>", glossary)
    assert "Vanguard" not in terms and "Integrated Care Partnership (ICP)" not in terms
    rest = html.replace(glossary, "")
    for term in terms:
        assert render._uses(render._words_of(rest), term), term
    assert "A&amp;E" in terms and "Healthwatch" in terms


def test_the_public_summary_says_who_works_together_in_each_area(bundled_summary):
    html = bundled_summary
    section = html[html.index('<section id="your-area"'):]
    section = section[:section.index("</section>")]
    for place in ("Central Lancashire", "West Lancashire", "Pennine Lancashire",
                  "Fylde Coast", "Morecambe Bay"):
        assert f"<th scope=\"row\">{place}</th>" in section, place
    assert "Blackburn with Darwen Council" in section


def test_the_public_summary_reflows_at_phone_width():
    """At 390 px the chart grid is one column and the area table stacks (the stylesheet's
    phone rules; `make a11y` checks the pages at that width in Chromium)."""
    css = (render.templates_dir() / "style.css").read_text(encoding="utf-8")
    phone = css[css.index("@media screen and (max-width: 40rem)"):]
    phone = phone[:phone.index("\n}\n")]
    assert "body.summary .headline-figures { display: block; }" in phone
    assert "table.your-area" in phone
    assert re.search(r"body\.summary \{ font-size: 12pt;", css)  # clear print: 12 pt
    assert "overflow: visible" in css[css.index("figure svg.chart { display"):][:120]


def test_the_running_header_is_a_title_cut_after_a_whole_word():
    """The HOSC paper's header read "…NHS Long Ter…": a title too long for one line is
    cut after a word (never "and" or "the") before the header's width."""
    title = ("Healthier Lancashire and South Cumbria Integrated Care System and the NHS Long "
             "Term Plan")
    assert formatting.running_title(title) == (
        "Healthier Lancashire and South Cumbria Integrated Care System…")
    assert formatting.running_title("Short title") == "Short title"
    css = (render.templates_dir() / "style.css").read_text(encoding="utf-8")
    top_left = css[css.index("@top-left {"):]
    assert "text-overflow" not in top_left[:top_left.index("}")]
    assert "string-set: doctitle attr(data-running)" in css


def test_a_target_relative_to_the_baseline_shows_both_ways(small_plan):
    """The metrics table gives a ``change`` target as written and as the value computed
    from the baseline."""
    edit(small_plan / "metrics.yaml",
         "        value: 97  # or relative to the baseline: change: +10%\n",
         "        change: +10%\n")
    checked = check(small_plan)
    assert checked.report.errors == []
    doc = next(d for d in documents.for_plan(checked.plan) if d.id == "ltp-submission")
    html = render_document(checked.plan, doc, render.BuildInfo("0.1", None, "t"),
                           draw=False)
    assert ("Local ambition: 97% within four hours by 2025 (10% above the 2018/19 "
            "baseline: 93.5%)") in html


def test_only_the_illustrative_parts_of_a_target_are_marked(small_plan):
    """A target whose change and wording cite a source, computed from an illustrative
    baseline and due by an illustrative date: the metrics table and the public summary
    mark the date and the computed value (saying why), not the wording."""
    from test_model import PARTS_SOURCED
    edit(small_plan / "metrics.yaml", *PARTS_SOURCED)
    checked = check(small_plan)
    assert checked.report.errors == []
    info = render.BuildInfo("0.1", None, "t")
    pages = {d.id: render_document(checked.plan, d, info, draw=False)
             for d in documents.for_plan(checked.plan)
             if d.id in ("ltp-submission", "public-summary")}
    date = render.illustrative_marker(True, "target date")
    figure = render.illustrative_marker(True)
    assert (f"Local ambition: 97% within four hours by 2025{date} (10% above the 2018/19 "
            f"baseline: 93.5%{figure}, computed from the illustrative baseline)"
            ) in pages["ltp-submission"]
    assert ("Local ambition date for metric A&amp;E four-hour standard"
            in pages["ltp-submission"])  # the register, per part
    assert ("its value and date are illustrative, computed from the illustrative baseline"
            in pages["ltp-submission"])  # the chart's description
    assert f"Our local ambition: 97% within four hours by 2025{date}.</li>" in (
        pages["public-summary"])


def test_an_illustrative_year_the_wording_names_is_marked_after_it(small_plan):
    """A sourced wording that names its year, the year (``by``) illustrative: the
    mark follows the wording, which is where the year is printed."""
    edit(small_plan / "metrics.yaml",
         "        text: 97% within four hours\n        by: 2025\n"
         "        provenance: illustrative\n",
         "        text: 97% within four hours by 2025\n"
         "        by: {value: 2025, provenance: illustrative}\n"
         "        provenance: example-briefing\n")
    checked = check(small_plan)
    assert checked.report.errors == []
    target = checked.plan.metric("ae-four-hour").targets[1]
    date = render.illustrative_marker(True, "target date")
    assert render.target_words(target) == f"97% within four hours by 2025{date}"


def test_a_negative_sum_of_money_does_not_break_after_its_minus():
    """Issue 28: at phone width the public summary read "up from −" / "£72m in 2018/19".
    The page's text holds the minus to the pound sign; a chart's drawn text is left as
    drawn."""
    page = render.finish("<p>up from \u2212£72m</p><svg><text>\u2212£80m</text></svg>")
    assert "<p>up from \u2212\u2060£72m</p>" in page
    assert "<text>\u2212£80m</text>" in page
