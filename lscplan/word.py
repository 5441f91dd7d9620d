"""Word: a document as ``.docx``, made from its rendered HTML (python-docx).

``produce(rendered)`` walks the HTML the build has just rendered (the same content
as the HTML and PDF, not a second set of templates) and writes it as Word: headings
as Word's Heading 1 to 4 (the navigation pane and a screen reader find them), tables
as Word tables whose header rows repeat on every page (the NHS cover sheet among
them), numbered paragraphs and ordered lists as Word numbering, bullets as Word's
list styles, charts as pictures with their title and description as alternative
text (drawn again as PNG by lscplan's own chart code: ``chartcache.png``), and the
illustrative mark (a superscript *i*, and the draft mark in every page's header).
The core properties give the title, author, date, status and version.

The same HTML gives the same bytes: the document's date is the file's created and
modified date and the date of every zip entry, and pictures and numbering are
numbered in the order they appear.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from . import chartcache, formatting
from .files import fixed_zip
from .outputs import Output, Rendered

#: The inline SVG charts of a page, taken out before it is parsed (each placed again
#: as a picture, in order).
_SVG = re.compile(r"<svg\b.*?</svg>\n?", re.S)
_CHART_TAG = "lscplan-chart"
_SPACE = re.compile(r"\s+")
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCKS = {"p", "ul", "ol", "li", "table", "figure", "figcaption", "blockquote", "dl", "dt",
          "dd", "section", "hgroup", "div", "main", "header", "footer", "article", "aside",
          "nav", _CHART_TAG, *HEADINGS}
PICTURE_WIDTH_INCHES = 6.3  # the A4 text width between 2.5 cm margins: no chart wider
ILLUSTRATIVE_COLOUR = "8A5A00"


def _skipped(el: Any) -> bool:
    """What the page shows only on screen and keeps from a screen reader: the skip
    link, the coloured band, the logo drawn in CSS. (Text the page gives only to a
    screen reader, ``visually-hidden``, is kept: Word has one text for both.)"""
    classes = set((el.get("class") or "").split())
    return (el.get("aria-hidden") == "true" or "skip-link" in classes
            or "page-band" in classes)


class _Flow:
    """Where paragraphs and tables go: the document body or a table cell (whose
    first, empty paragraph is used before another is added)."""

    def __init__(self, parent: Any, cell: bool = False) -> None:
        self.parent = parent
        self.spare = parent.paragraphs[0] if cell else None

    def paragraph(self, style: str | None = None) -> Any:
        if self.spare is not None:
            par, self.spare = self.spare, None
            if style:
                par.style = style
            return par
        return self.parent.add_paragraph(style=style)


class _Writer:
    def __init__(self, doc: Any, charts: list[str]) -> None:
        self.doc = doc
        self.charts = charts
        self.numbering = _Numbering(doc)
        #: lists are lettered a), b) (within them i), ii)): never numbered like the
        #: paragraphs they sit among
        self.lettering = _Numbering(doc, LETTERED)
        self.paragraph_numbers: int | None = None  # the num of the numbered paragraphs

    # --- blocks -------------------------------------------------------------------

    def blocks(self, el: Any, flow: _Flow, list_level: int = 0) -> None:
        """The children of ``el`` as paragraphs and tables; loose text between block
        children becomes a paragraph of its own."""
        loose: list[Any] = []
        if el.text and el.text.strip():
            loose.append(el.text)
        for child in el:
            if not isinstance(child.tag, str) or _skipped(child):
                if isinstance(child.tag, str) and child.tail and child.tail.strip():
                    loose.append(child.tail)
                continue
            if child.tag in BLOCKS:
                self._loose(loose, flow)
                loose = []
                self.block(child, flow, list_level)
                if child.tail and child.tail.strip():
                    loose.append(child.tail)
            else:
                loose.append(child)
        self._loose(loose, flow)

    def _loose(self, parts: list[Any], flow: _Flow) -> None:
        if parts:
            self.runs(flow.paragraph(), parts)

    def block(self, el: Any, flow: _Flow, list_level: int = 0) -> None:
        tag = el.tag
        classes = set((el.get("class") or "").split())
        if tag in HEADINGS:
            self.runs(flow.paragraph(f"Heading {min(HEADINGS[tag], 4)}"), _inline(el))
        elif tag == "p" and "numbered" in classes:
            par = flow.paragraph()
            if self.paragraph_numbers is None:
                self.paragraph_numbers = self.numbering.new()
            self.numbering.apply(par, self.paragraph_numbers, 0)
            # the number is Word's now: the typed one is left out (its tail is the text)
            self.runs(par, [(c.tail or "") if _is(c) and "para-number" in (c.get("class") or "")
                            else c for c in _inline(el)])
        elif tag == "p" and "draft-mark" in classes:
            par = flow.paragraph()
            run = par.add_run(_text(el))
            run.bold = True
            run.font.color.rgb = _rgb(ILLUSTRATIVE_COLOUR)
        elif tag == "p":
            self.runs(flow.paragraph(), _inline(el))
        elif tag in ("figcaption", "dt"):
            par = flow.paragraph("Caption" if tag == "figcaption" else None)
            par.paragraph_format.keep_with_next = True  # on the page of what it names
            self.runs(par, _inline(el), bold=tag == "dt")
        elif tag == "dd":
            par = flow.paragraph()
            par.paragraph_format.left_indent = _inches(0.3)
            self.runs(par, _inline(el))
        elif tag == "blockquote":
            self.quote(el, flow)
        elif tag in ("ul", "ol"):
            self.listing(el, flow, list_level)
        elif tag == "table":
            self.table(el, flow)
        elif tag == _CHART_TAG:
            self.chart(el, flow)
        else:  # a section, a figure, a header: its content
            self.blocks(el, flow, list_level)

    def quote(self, el: Any, flow: _Flow) -> None:
        before = len(self.doc.paragraphs) if isinstance(flow.parent, type(self.doc)) else None
        self.blocks(el, flow)
        if before is not None:
            for par in self.doc.paragraphs[before:]:
                par.style = "Quote"

    def listing(self, el: Any, flow: _Flow, level: int) -> None:
        ordered = el.tag == "ol"
        num = self.lettering.new() if ordered else None
        for item in el:
            if not _is(item) or item.tag != "li":
                continue
            inline = [item.text] if item.text else []
            nested: list[Any] = []  # lxml elements
            for child in item:
                if not _is(child):
                    continue
                (nested if child.tag in BLOCKS else inline).append(child)
                if child.tag in BLOCKS and child.tail and child.tail.strip():
                    inline.append(child.tail)
            if num is not None:  # ordered
                par = flow.paragraph("List Number")
                self.lettering.apply(par, num, level)
            else:
                par = flow.paragraph("List Bullet" if level == 0 else
                                     f"List Bullet {min(level + 1, 3)}")
            self.runs(par, inline)
            for child in nested:
                if child.tag in ("ul", "ol"):
                    self.listing(child, flow, level + 1)
                else:
                    self.block(child, flow, level + 1)

    def table(self, el: Any, flow: _Flow) -> None:
        """A Word table: the caption above it, header rows (``thead``) repeated on
        every page, column spans merged, figures right-aligned, totals bold."""
        caption = el.find("caption")
        if caption is not None:
            par = flow.paragraph("Caption")
            par.paragraph_format.keep_with_next = True
            self.runs(par, _inline(caption))
        rows = []
        for part in el:
            if not _is(part):
                continue
            if part.tag == "tr":
                rows.append((part, False))
            elif part.tag in ("thead", "tbody", "tfoot"):
                rows += [(tr, part.tag == "thead") for tr in part if _is(tr) and tr.tag == "tr"]
        if not rows:
            return
        width = max(sum(int(c.get("colspan") or 1) for c in tr if _is(c) and c.tag in
                        ("td", "th")) for tr, _ in rows)
        if isinstance(flow.parent, type(self.doc)):
            table = self.doc.add_table(rows=0, cols=width)
        else:  # a table in a table cell: its rows as paragraphs of the cell
            for tr, _ in rows:
                self.runs(flow.paragraph(), [" · ".join(_text(c) for c in tr if _is(c))])
            return
        table.style = "Table Grid"
        for tr, head in rows:
            row = table.add_row()
            if head:
                _repeat_header(row)
            col = 0
            for cell_el in tr:
                if not _is(cell_el) or cell_el.tag not in ("td", "th"):
                    continue
                span = int(cell_el.get("colspan") or 1)
                cell = row.cells[col]
                if span > 1:
                    cell = cell.merge(row.cells[min(col + span, width) - 1])
                col += span
                self.cell(cell, cell_el, head, "total" in (tr.get("class") or ""))
        flow.parent.add_paragraph()  # a table is followed by a paragraph in Word

    def cell(self, cell: Any, el: Any, head: bool, total: bool) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        flow = _Flow(cell, cell=True)
        self.blocks(el, flow)
        numeric = "num" in (el.get("class") or "").split()
        for par in cell.paragraphs:
            if numeric:
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if el.tag == "th" or head or total:
                for run in par.runs:
                    run.bold = True

    def chart(self, el: Any, flow: _Flow) -> None:
        """A chart as a picture, its title and description its alternative text."""
        svg = self.charts[int(el.get("data-n"))]
        picture = chartcache.png(svg.rstrip("\n") + "\n") or chartcache.png(svg.rstrip("\n"))
        if picture is None:
            return  # a chart this process did not draw: its description and data stay
        title, desc = _svg_text(svg, "title"), _svg_text(svg, "desc")
        run = flow.paragraph().add_run()
        shape = run.add_picture(io.BytesIO(picture))  # its own size (the PNG says its dpi)
        widest = _inches(PICTURE_WIDTH_INCHES)
        if shape.width > widest:
            shape.height = int(shape.height * widest / shape.width)
            shape.width = widest
        doc_pr = run._r.xpath(".//wp:docPr")[0]
        doc_pr.set("title", title)
        doc_pr.set("descr", f"{title}. {desc}" if desc else title)

    # --- inline content ----------------------------------------------------------

    def runs(self, par: Any, parts: list[Any], bold: bool = False) -> None:
        """Text and inline elements as runs: bold, italic, superscript, links; spaces
        collapsed as a browser collapses them."""
        pieces = list(_pieces(parts, {"bold": bold}))
        out: list[tuple[str, dict[str, Any]]] = []
        for text, fmt in pieces:
            text = _SPACE.sub(" ", text)
            if out and out[-1][0].endswith(" ") and text.startswith(" "):
                text = text[1:]
            if not out and text.startswith(" "):
                text = text[1:]
            if text or fmt.get("break"):
                out.append((text, fmt))
        if out and out[-1][0].endswith(" "):
            out[-1] = (out[-1][0].rstrip(" "), out[-1][1])
        for text, fmt in out:
            if fmt.get("link"):
                _hyperlink(par, text, fmt["link"])
                continue
            run = par.add_run(text)
            if fmt.get("break"):
                run.add_break()
            run.bold = fmt.get("bold") or None
            run.italic = fmt.get("italic") or None
            if fmt.get("sup"):
                run.font.superscript = True
            if fmt.get("illustrative"):
                run.italic = True
                run.font.color.rgb = _rgb(ILLUSTRATIVE_COLOUR)


def _pieces(parts: list[Any], fmt: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for part in parts:
        if isinstance(part, str):
            yield part, fmt
            continue
        if not _is(part):
            if part.tail:
                yield part.tail, fmt
            continue
        classes = set((part.get("class") or "").split())
        if part.tag == "sup" and "illus" in classes:  # the illustrative mark, as on paper
            yield "i", {**fmt, "sup": True, "illustrative": True}
        elif part.tag == "sup" and "unsourced" in classes:  # the unsourced mark
            yield "u", {**fmt, "sup": True}
        elif part.tag == "br":
            yield "", {**fmt, "break": True}
        elif not _skipped(part):
            inner = {**fmt}
            if part.tag in ("strong", "b"):
                inner["bold"] = True
            elif part.tag in ("em", "i", "cite"):
                inner["italic"] = True
            elif part.tag == "sup":
                inner["sup"] = True
            elif part.tag == "a" and (part.get("href") or "").startswith(
                    ("http:", "https:", "mailto:")):
                inner["link"] = part.get("href")
            yield from _pieces(_inline(part), inner)
        if part.tail:
            yield part.tail, fmt


def _is(el: Any) -> bool:
    return isinstance(el.tag, str)


def _inline(el: Any) -> list[Any]:
    """An element's content: its text, then its children (each carrying its tail)."""
    return ([el.text] if el.text else []) + [c for c in el]


def _text(el: Any) -> str:
    return _SPACE.sub(" ", "".join(el.itertext())).strip()


def _svg_text(svg: str, tag: str) -> str:
    from html import unescape

    found = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", svg, re.S)
    return unescape(found.group(1)).strip() if found else ""


def _rgb(hex_colour: str) -> Any:
    from docx.shared import RGBColor

    return RGBColor.from_string(hex_colour)


def _inches(value: float) -> Any:
    from docx.shared import Inches

    return Inches(value)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _hyperlink(par: Any, text: str, url: str) -> None:
    """A link Word follows (python-docx has no call for one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel = par.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    colour, underline = OxmlElement("w:color"), OxmlElement("w:u")
    colour.set(qn("w:val"), "005EB8")
    underline.set(qn("w:val"), "single")
    props.append(colour)
    props.append(underline)
    run.append(props)
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    link.append(run)
    par._p.append(link)


#: Word numbering levels: (format, text) of each level, ``%n`` the level's number
NUMBERED = (("decimal", "%1."), ("lowerLetter", "%2."), ("lowerRoman", "%3."))
LETTERED = (("lowerLetter", "%1)"), ("lowerRoman", "%2)"), ("decimal", "%3."))


class _Numbering:
    """Word numbering: one list definition (``levels``: 1., then a., then i. unless
    told), and a new instance of it, starting at 1, for each numbered sequence."""

    def __init__(self, doc: Any, levels: tuple[tuple[str, str], ...] = NUMBERED) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        self.numbering = doc.part.numbering_part.element
        ids = [int(a.get(_w("abstractNumId"))) for a in
               self.numbering.findall(_w("abstractNum"))]
        self.abstract = max(ids, default=0) + 1
        xml = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{567 * (i + 1)}" w:hanging="567"/></w:pPr></w:lvl>'
            for i, (fmt, text) in enumerate(levels))
        abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId='
                             f'"{self.abstract}"><w:multiLevelType w:val="multilevel"/>'
                             f'{xml}</w:abstractNum>')
        first_num = self.numbering.find(_w("num"))
        if first_num is not None:  # abstract definitions come before the instances
            first_num.addprevious(abstract)
        else:
            self.numbering.append(abstract)

    def new(self) -> int:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        num = self.numbering.add_num(self.abstract)
        num.append(parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="0">'
                             '<w:startOverride w:val="1"/></w:lvlOverride>'))
        return int(num.get(_w("numId")))

    def apply(self, par: Any, num: int, level: int) -> None:
        props = par._p.get_or_add_pPr()
        num_pr = props.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = min(level, 2)
        num_pr.get_or_add_numId().val = num


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _meta(root: Any, name: str) -> str:
    found = root.find(f".//meta[@name='{name}']")
    return (found.get("content") or "") if found is not None else ""


def write(html: str, title: str, status: str = "", version: str = "") -> bytes:
    """The .docx bytes of a rendered page: the same bytes for the same page."""
    import docx
    import lxml.html
    from docx.shared import Cm

    charts: list[str] = []

    def hold(match: re.Match) -> str:
        charts.append(match.group(0))
        return f'<{_CHART_TAG} data-n="{len(charts) - 1}"></{_CHART_TAG}>'

    root = lxml.html.document_fromstring(_SVG.sub(hold, html))
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as the PDFs
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    _typeface(doc)
    body = doc.paragraphs[0]._p if doc.paragraphs else None
    if body is not None:
        body.getparent().remove(body)
    writer = _Writer(doc, charts)
    writer.blocks(root.find("body"), _Flow(doc))
    draft = root.find(".//p[@class='draft-mark']")
    provenance = root.find(".//*[@class='provenance doc-provenance']")
    header = section.header.paragraphs[0]
    header.text = title
    if draft is not None:  # the draft mark on every page, as the PDF's footers say it
        run = header.add_run(f"  ·  {_text(draft)}")
        run.bold = True
        run.font.color.rgb = _rgb(ILLUSTRATIVE_COLOUR)
    if provenance is not None:
        section.footer.paragraphs[0].text = provenance.get("data-running") or _text(provenance)
    stamp = _date(_meta(root, "dcterms.modified") or _meta(root, "dcterms.created"))
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = _meta(root, "author")
    props.subject = _meta(root, "description")
    props.content_status = status
    props.version = version
    props.comments = ""
    props.keywords = ""
    props.revision = 1
    props.created = props.modified = stamp
    props.language = root.get("lang") or "en-GB"
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue(), stamp)


#: The typeface the HTML asks for after Frutiger (and whose metrics lscplan's PDFs use).
TYPEFACE = "Arial"


def _typeface(doc: Any) -> None:
    """Text and headings in Arial, as the HTML and PDF (not the template's theme fonts,
    which name Calibri and Cambria)."""
    from docx.oxml.ns import qn

    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Caption",
                 "Quote", "Title"):
        style = doc.styles[name]
        style.font.name = TYPEFACE
        fonts = style.element.rPr.rFonts
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        fonts.set(qn("w:cs"), TYPEFACE)


def _date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text[:10])
    except ValueError:
        return datetime(1980, 1, 1)


def produce(rendered: Rendered) -> Output:
    """The ``Format`` entry: the document's HTML as Word."""
    doc = rendered.document
    status = formatting.status_label(doc.status) if doc is not None else ""
    version = (doc.version or "") if doc is not None else ""
    return Output(write(rendered.html, rendered.title, status, version))
