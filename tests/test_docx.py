"""Word (``lscplan.word``): every board paper and the public summary as ``.docx``, read
back with python-docx: Word headings in the HTML's order, the cover sheet as a Word
table, numbered paragraphs as Word numbering, header rows that repeat, charts as
pictures with alternative text, the illustrative mark, core properties, and the same
bytes from the same sources."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import lxml.html
import pytest
from docx.oxml.ns import qn

from lscplan import documents
from lscplan.pipeline import check
from lscplan.resources import bundled_plan_dir


def _html(out: Path, doc_id: str):
    text = (out / f"{doc_id}.html").read_text(encoding="utf-8")
    return text, lxml.html.document_fromstring(re.sub(r"<svg\b.*?</svg>", "", text, flags=re.S))


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _numbered(par) -> int | None:
    props = par._p.pPr
    if props is None or props.numPr is None or props.numPr.numId is None:
        return None
    return props.numPr.numId.val


@pytest.fixture(scope="module")
def word_build(tmp_path_factory):
    """The bundled plan built once, HTML and Word, for the read-back tests."""
    from conftest import _session_build

    built = _session_build(tmp_path_factory, bundled_plan_dir(), "word",
                           formats=["html", "docx"])
    manifest = json.loads((built.out / "manifest.json").read_text())
    return built.plan, built.out, {d["id"]: d for d in manifest["documents"]}


def test_every_board_paper_and_the_summary_is_a_word_file(word_build) -> None:
    plan_dir, out, manifest = word_build
    plan = check(plan_dir).plan
    docs = documents.for_plan(plan)
    worded = [d for d in docs if "docx" in d.formats]
    assert {d.id for d in worded} == {"public-summary", *(d.id for d in docs
                                                          if d.id.startswith("board-"))}
    assert len(worded) >= 3
    marked = 0
    for d in worded:
        entry = manifest[d.id]
        assert entry["docx"] == f"{d.id}.docx" and len(entry["sha256"]["docx"]) == 64
        word = docx.Document(out / entry["docx"])
        props = word.core_properties
        assert props.title == d.title
        assert props.author == plan.system.author
        assert props.content_status == "Draft"
        assert props.created == props.modified == datetime.fromisoformat(d.date).replace(
            tzinfo=UTC)
        assert props.version == (d.version or "")
        section = word.sections[0]
        assert round(section.page_width.cm, 1) == 21.0  # A4, as the PDFs
        # the draft mark on every page (the header) and at the top, as the HTML says it
        _t, root = _html(out, d.id)
        marks = root.find_class("draft-mark")
        if not marks:
            assert "illustrative" not in section.header.paragraphs[0].text
            continue
        mark = _text(marks[0])
        assert mark.startswith("Contains illustrative ") or mark.endswith(" illustrative")
        assert "draft" not in mark.lower()  # the footer's status says that
        assert mark in section.header.paragraphs[0].text
        assert word.paragraphs[0].text == mark
        marked += 1
    assert marked >= 1


def test_headings_are_words_headings_in_the_htmls_order(word_build) -> None:
    _plan_dir, out, manifest = word_build
    for doc_id, entry in manifest.items():
        if not entry.get("docx"):
            continue
        _text_html, root = _html(out, doc_id)
        wanted = [(int(h.tag[1]), _text(h)) for h in root.iter("h1", "h2", "h3", "h4")
                  if not h.get("aria-hidden")]
        word = docx.Document(out / entry["docx"])
        got = [(int(p.style.name.split()[-1]), p.text) for p in word.paragraphs
               if p.style.name.startswith("Heading ")]
        assert [t for _, t in got] == [t for _, t in wanted], doc_id
        assert [level for level, _ in got] == [level for level, _ in wanted]
        assert got[0][0] == 1


def test_the_nhs_cover_sheet_is_a_word_table(word_build) -> None:
    _plan_dir, out, manifest = word_build
    doc_id = next(i for i in manifest if i.startswith("board-")
                  and 'class="cover-sheet"' in (out / f"{i}.html").read_text())
    word = docx.Document(out / f"{doc_id}.docx")
    cover = word.tables[0]
    labels = [row.cells[0].text for row in cover.rows]
    assert labels[:4] == ["Agenda item", "Meeting title and date", "Report title", "Purpose"]
    assert all(c.paragraphs[0].runs[0].bold for c in (row.cells[0] for row in cover.rows))
    # a value that spans the sheet is one merged cell
    assert cover.rows[2].cells[1]._tc is cover.rows[2].cells[3]._tc


def test_numbered_paragraphs_are_word_numbering(word_build) -> None:
    _plan_dir, out, manifest = word_build
    checked = 0
    for doc_id, entry in manifest.items():
        if not entry.get("docx"):
            continue
        _t, root = _html(out, doc_id)
        numbered = root.find_class("numbered")
        if not numbered:
            continue
        word = docx.Document(out / entry["docx"])
        nums = [(p, _numbered(p)) for p in word.paragraphs if p.style.name == "Normal"
                and _numbered(p) is not None]
        assert len(nums) == len(numbered)
        assert len({n for _, n in nums}) == 1  # one sequence: 1, 2, 3 ... through the paper
        for (par, _), html_par in zip(nums, numbered, strict=True):
            number = html_par.find_class("para-number")[0].text_content().strip()
            assert not par.text.startswith(number)  # Word numbers it
            assert par.text[:40] in _text(html_par)
        checked += 1
    assert checked >= 1



def _level_format(word, num_id: int, level: int = 0) -> tuple[str, str]:
    """The (numFmt, lvlText) of a Word numbering instance's level."""
    from docx.oxml.ns import qn

    numbering = word.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if int(n.get(qn("w:numId"))) == num_id)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == abstract_id)
    lvl = next(v for v in abstract.findall(qn("w:lvl")) if v.get(qn("w:ilvl")) == str(level))
    return (lvl.find(qn("w:numFmt")).get(qn("w:val")), lvl.find(qn("w:lvlText")).get(qn("w:val")))


def test_a_list_among_numbered_paragraphs_is_lettered(word_build) -> None:
    """Issue 28: the Morecambe Bay paper's list under paragraph 8 was numbered 1 to 11
    in Word as in the PDF, then came paragraph 9: a list is lettered a), b) ..."""
    _plan_dir, out, manifest = word_build
    word = docx.Document(out / manifest["board-mbccg-governing-body-2019-11-19"]["docx"])
    items = [p for p in word.paragraphs if p.style.name == "List Number"]
    assert items and items[0].text.startswith("Significant challenge with health inequalities")
    assert {_level_format(word, _numbered(p)) for p in items} == {("lowerLetter", "%1)")}
    paragraphs = {_numbered(p) for p in word.paragraphs if p.style.name == "Normal"
                  and _numbered(p) is not None}
    assert {_level_format(word, n) for n in paragraphs} == {("decimal", "%1.")}

def test_tables_repeat_their_header_rows(word_build) -> None:
    _plan_dir, out, manifest = word_build
    with_heads = 0
    for doc_id, entry in manifest.items():
        if not entry.get("docx"):
            continue
        _t, root = _html(out, doc_id)
        heads = len(root.findall(".//thead"))
        word = docx.Document(out / entry["docx"])
        repeated = sum(1 for t in word.tables
                       if t.rows[0]._tr.trPr is not None
                       and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None)
        assert repeated == heads, doc_id
        with_heads += heads
    assert with_heads > 5


def test_charts_are_pictures_with_alternative_text(word_build) -> None:
    _plan_dir, out, _manifest = word_build
    text, _root = _html(out, "public-summary")
    svgs = re.findall(r"<svg\b.*?</svg>", text, flags=re.S)
    assert svgs
    word = docx.Document(out / "public-summary.docx")
    shapes = list(word.inline_shapes)
    assert len(shapes) == len(svgs)
    for shape, svg in zip(shapes, svgs, strict=True):
        title = html.unescape(re.search(r"<title[^>]*>(.*?)</title>", svg).group(1))
        described = shape._inline.docPr.get("descr")
        assert shape._inline.docPr.get("title") == title
        assert described.startswith(title + ". ") and len(described) > len(title) + 20
    with zipfile.ZipFile(out / "public-summary.docx") as z:
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
        assert pictures and all(z.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in pictures)


def test_the_illustrative_mark_is_kept(word_build) -> None:
    _plan_dir, out, manifest = word_build
    for doc_id, entry in manifest.items():
        if not entry.get("docx"):
            continue
        _t, root = _html(out, doc_id)
        marks = len(root.find_class("illus"))
        body = docx.Document(out / entry["docx"]).element.body
        runs = [r for r in body.iter(qn("w:r"))
                if r.rPr is not None and r.rPr.find(qn("w:vertAlign")) is not None
                and "".join(t.text or "" for t in r.iter(qn("w:t"))) == "i"]
        assert len(runs) == marks, doc_id
        # the screen-reader text of the page stays out of the printed words
        text = "\n".join(p.text for p in docx.Document(out / entry["docx"]).paragraphs)
        assert "(illustrative)i" not in text


def test_same_sources_same_bytes(cli_process, small_plan: Path, tmp_path: Path) -> None:
    """Two builds in new processes write the same Word files, dated the document's
    date inside and on every zip entry."""
    one, two = tmp_path / "one", tmp_path / "two"
    for out in (one, two):
        result = cli_process("build", small_plan, "--out", out, "--formats", "docx", "-q")
        assert result.code == 0, result.stderr
    files = sorted(p.name for p in one.glob("*.docx"))
    assert files and files == sorted(p.name for p in two.glob("*.docx"))
    assert not list(one.glob("*.html"))  # --formats docx: Word alone
    for name in files:
        data = (one / name).read_bytes()
        assert data == (two / name).read_bytes(), name
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            dates = {i.date_time for i in z.infolist()}
            core = z.read("docProps/core.xml").decode()
        assert len(dates) == 1
        day = "-".join(f"{n:02d}" for n in next(iter(dates))[:3])
        assert core.count(f"{day}T00:00:00Z") == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_it(word_build, tmp_path: Path) -> None:
    """A word processor (LibreOffice, headless) opens a board paper and lays it out."""
    from pypdf import PdfReader

    _plan_dir, out, manifest = word_build
    doc_id = next(i for i in manifest if i.startswith("board-"))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(out / f"{doc_id}.docx")], check=True, capture_output=True,
                   timeout=180)
    reader = PdfReader(tmp_path / f"{doc_id}.pdf")
    assert len(reader.pages) >= 2
    first = " ".join(reader.pages[0].extract_text().split())
    assert " illustrative" in first and docx.Document(out / f"{doc_id}.docx").paragraphs[0].text[
        :20] in first


def test_captions_keep_with_what_they_name_and_the_typeface_is_arial(word_build) -> None:
    _plan_dir, out, _manifest = word_build
    word = docx.Document(out / "public-summary.docx")
    captions = [p for p in word.paragraphs if p.style.name == "Caption"]
    assert captions and all(p.paragraph_format.keep_with_next for p in captions)
    for name in ("Normal", "Heading 1", "Heading 2", "Caption"):
        assert word.styles[name].font.name == "Arial"
