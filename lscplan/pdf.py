"""The PDF format: a document's HTML laid out by WeasyPrint.

PDFs are WeasyPrint's tagged PDF/UA-1, with the document's title, author and
language, each chart a Figure whose /Alt is its title and description
(``chart_figures``), and the plan version and commit as custom entries (``version``,
``commit``: build details stay in the metadata, never on the page). They are byte-identical run
after run: ``SOURCE_DATE_EPOCH`` is the plan's own date while WeasyPrint writes (font
subsets carry it), the PDF /ID comes from the document's content, and no date but the
document's own enters the metadata, and the structure tree's table headers are
numbered in the order they are met (``reproducible``). They are the same on every
machine too: they are set in the bundled typeface (``lscplan/fonts``, declared by its
``fonts.css`` under a family name no system has), never in a font the machine happens
to have, and its subsets are always made by fontTools, whatever libraries the machine
has.
WeasyPrint fetches through ``safe_fetcher``: ``data:`` URLs and files inside the
templates, the plan directory or the bundled fonts only; no other file, no network.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .outputs import Output, Page, Rendered
from .resources import fonts_dir, templates_dir

PDF_VARIANT = "pdf/ua-1"
PDF_CUSTOM_METADATA = ("version", "commit")  # <meta> names copied into the PDF
#: WeasyPrint cannot tag ("Table wrapper without a table") a captioned table kept on one
#: page (``break-inside: avoid``) that is taller than a page: its caption is left on one
#: page and its rows moved to the next. A document it fails on is laid out again with
#: every table free to break between rows, so that any table a plan can hold lays out.
TABLES_MAY_BREAK = "table { break-inside: auto !important; }"


def weasyprint():
    """Import WeasyPrint (on first use only: ``check`` never needs it). Its notice that
    a future version will need the HarfBuzz subsetting library is not lscplan's to
    act on, so it is silenced rather than shown to every user (or failing tests)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset will be required",
                                category=DeprecationWarning)
        import weasyprint as module
        import weasyprint.urls
    return module


# --- the URL fetcher ------------------------------------------------------------------


class FetchRefused(Exception):
    """WeasyPrint asked for something outside what a document may use."""


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def safe_fetcher(roots: Sequence[Path | str]):
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and ``file:`` URLs whose
    resolved path (symlinks followed) lies inside one of ``roots``; anything else,
    another local file or any network address, raises ``FetchRefused``."""
    urls = weasyprint().urls
    URLFetcher: Any = urls.URLFetcher  # WeasyPrint's classes are untyped
    URLFetcherResponse = urls.URLFetcherResponse
    allowed = tuple(Path(r).resolve() for r in roots)

    class SafeFetcher(URLFetcher):
        refused: list[str]

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.refused = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc not in ("", "localhost"):
                    return self._refuse(url)
                path = Path(unquote(parts.path)).resolve()
                if not _inside(path, allowed) or not path.is_file():
                    return self._refuse(url)
                mime, _ = mimetypes.guess_type(path.name)
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(),
                    {"Content-Type": mime or "application/octet-stream"})
            return self._refuse(url)

        def _refuse(self, url: str) -> Any:
            self.refused.append(url)
            raise FetchRefused(f"lscplan does not let documents fetch {url}")

    return SafeFetcher()


# --- reproducible dates ---------------------------------------------------------------


@contextlib.contextmanager
def source_date_epoch(epoch: int) -> Iterator[None]:
    """Set ``SOURCE_DATE_EPOCH`` for the duration, then restore what was there."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def epoch_of(day: str) -> int:
    """Midnight UTC at the start of ``day`` (``YYYY-MM-DD``), in seconds."""
    d = datetime.fromisoformat(day[:10]).replace(tzinfo=UTC)
    return int(d.timestamp())


@contextlib.contextmanager
def reproducible() -> Iterator[None]:
    """While WeasyPrint writes, two things it would otherwise do differently from run
    to run or machine to machine: it names each table header of the PDF/UA structure
    tree by ``id(box)``, a memory address (the headers are numbered in the order met
    instead: every box lives until the PDF is written, so no address is reused); and
    it subsets fonts with HarfBuzz where the machine has libharfbuzz-subset, with
    fontTools where not (fontTools, the same everywhere, always)."""
    from weasyprint.pdf import fonts, tags

    numbers: dict[int, int] = {}

    def number(obj: object) -> int:
        return numbers.setdefault(id(obj), len(numbers) + 1)

    subset = fonts.harfbuzz_subset
    tags.id = number  # the module's global shadows the builtin it calls
    fonts.harfbuzz_subset = None
    try:
        yield
    finally:
        del tags.id
        fonts.harfbuzz_subset = subset


# --- charts as figures ------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def describe_charts(root: Any) -> int:
    """Give each chart of a parsed document (an inline ``<svg role="img">`` with its
    ``<title>`` and ``<desc>``) an ``alt`` of its title and description, which
    ``chart_figures`` makes the /Alt of its Figure. Returns how many it described."""
    described = 0
    for svg in root.iter(f"{SVG}svg"):
        if svg.get("role") != "img":
            continue
        words = [" ".join("".join(el.itertext()).split())
                 for el in (svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")) if el is not None]
        words = [w.rstrip(".") for w in words if w]
        if words:
            svg.set("alt", ". ".join(words) + ".")
            described += 1
    return described


@contextlib.contextmanager
def chart_figures() -> Iterator[None]:
    """While WeasyPrint writes, an inline SVG is tagged as a Figure of the structure
    tree (as an ``<img>`` is; WeasyPrint leaves it NonStruct, so a screen reader would
    meet a chart as nothing), whose /Alt is its ``alt`` (``describe_charts``)."""
    from weasyprint.pdf import tags

    pdf_tag = tags._get_pdf_tag

    def tag(element_tag: str | None) -> str:
        return "Figure" if element_tag == f"{SVG}svg" else pdf_tag(element_tag)

    tags._get_pdf_tag = tag
    try:
        yield
    finally:
        tags._get_pdf_tag = pdf_tag


# --- layout ---------------------------------------------------------------------------


def layout(rendered: Rendered) -> Output:
    """Lay out one document's HTML as a PDF (the PDF format's ``produce``; it runs in
    a worker process, so it is a module-level function of picklable arguments), with
    how full each page is (``page_flow``)."""
    document, data = _laid_out(rendered)
    return Output(data, len(document.pages), page_flow(document))


def page_texts(rendered: Rendered) -> tuple[str, ...]:
    """The words of each page of one document laid out as its PDF is (``diff``'s
    pages that change), the running header and footer included."""
    from weasyprint.formatting_structure import boxes

    document, _data = _laid_out(rendered)
    out = []
    for page in document.pages:
        words = [box.text for box in page._page_box.descendants()
                 if isinstance(box, boxes.TextBox)]
        out.append(" ".join(" ".join(words).split()))
    return tuple(out)


def _laid_out(rendered: Rendered) -> tuple[Any, bytes]:
    """The laid-out WeasyPrint document and its PDF bytes."""
    HTML, CSS = weasyprint().HTML, weasyprint().CSS
    # imported once weasyprint() has imported WeasyPrint with its HarfBuzz notice silenced
    from weasyprint.text.fonts import FontConfiguration
    options = {"pdf_variant": PDF_VARIANT, "pdf_identifier": rendered.input[:32].encode(),
               "uncompressed_pdf": False, "custom_metadata": True}
    fonts, font_config = fonts_dir(), FontConfiguration()
    fetcher = safe_fetcher((*rendered.roots, fonts))
    with source_date_epoch(rendered.epoch), reproducible(), chart_figures():
        html = HTML(string=rendered.html, base_url=templates_dir().as_uri() + "/",
                    url_fetcher=fetcher)
        describe_charts(html.etree_element)
        # The bundled typeface, so the PDF is the same whatever fonts the machine has.
        typeface = CSS(filename=fonts / "fonts.css", url_fetcher=fetcher,
                       font_config=font_config)
        sheets = [typeface]
        try:
            document, data = _write(html, sheets, font_config, options)
        except ValueError as error:
            if "Table wrapper without a table" not in str(error):
                raise
            sheets.append(CSS(string=TABLES_MAY_BREAK, font_config=font_config))
            document, data = _write(html, sheets, font_config, options)
    return document, data


def _write(html: Any, stylesheets: list, font_config: Any, options: dict) -> tuple[Any, bytes]:
    """Lay out ``html`` and write it as a PDF: the laid-out document and the bytes."""
    document = html.render(stylesheets=stylesheets, font_config=font_config, **options)
    custom = document.metadata.custom  # the HTML's other <meta> names
    document.metadata.custom = {k: custom[k] for k in PDF_CUSTOM_METADATA if k in custom}
    return document, document.write_pdf(**options)


# --- page flow ------------------------------------------------------------------------

FORCED_BREAKS = frozenset({"page", "left", "right", "recto", "verso"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
#: a heading, or a heading group (``<hgroup>``: a heading with its kicker and lede), with
#: fewer lines than this under it at a page's foot, its text going on over the page, is
#: stranded: a reader meets the heading (and an intro of two lines) on one page and
#: what it heads on the next
UNDER_HEADING = 3
HALF_EMPTY = 0.45  # a page less full than this, not the last of its section, is a fault
LEFT_OVER = 0.1  # the last page of a section of several pages, less full than this, too
LONG_CELL = 10  # lines: a longer cell wants a wider column, or its text out of the table


def _out_of_flow(box: Any) -> bool:
    position = box.style["position"]
    return not isinstance(position, str) or position in ("absolute", "fixed")


def _walk(box: Any, ancestors: tuple[Any, ...], leaves: list, seen: list) -> None:
    """Collect the lines and pictures under ``box`` (each with its ancestors) in the
    order they are read, and every box met; boxes taken out of the flow (the page band,
    the running draft mark, text only screen readers get) do not count."""
    from weasyprint.formatting_structure import boxes

    if _out_of_flow(box):
        return
    seen.append(box)
    if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
        leaves.append((box, ancestors))
        return
    if isinstance(box, boxes.ParentBox):
        for child in box.children:
            _walk(child, (*ancestors, box), leaves, seen)


def _lines(box: Any) -> int:
    from weasyprint.formatting_structure import boxes

    return sum(1 for b in box.descendants() if isinstance(b, boxes.LineBox))


def _cell_lines(seen: Sequence[Any]) -> int:
    from weasyprint.formatting_structure import boxes

    return max((len(box.children) for box in seen if isinstance(box, boxes.TableCellBox)
                and all(isinstance(c, boxes.LineBox) for c in box.children)), default=0)


def _heading(ancestors: Sequence[Any]) -> Any:
    """The outermost heading group or heading among ``ancestors``, if any."""
    return next((a for a in ancestors if a.element is not None
                 and (a.element_tag == "hgroup" or a.element_tag in HEADINGS)), None)


def _heading_text(box: Any) -> str:
    element = box.element
    if box.element_tag == "hgroup":
        element = next((e for e in element if e.tag in HEADINGS), element)
    return " ".join("".join(element.itertext()).split())


def _stranded(leaves: Sequence[tuple[Any, tuple[Any, ...]]]) -> Any:
    """The page's last heading (or heading group) if fewer than ``UNDER_HEADING`` lines
    follow it on the page (a picture counts as enough), with its parent (whose going on
    over the page makes the heading stranded); None if there is none."""
    from weasyprint.formatting_structure import boxes

    under = 0
    for leaf, ancestors in reversed(leaves):
        heading = _heading(ancestors)
        if heading is not None:
            parent = next((a for a in reversed(ancestors[:ancestors.index(heading)])
                           if a.element is not None), None)
            return (heading, parent) if under < UNDER_HEADING else None
        under += UNDER_HEADING if isinstance(leaf, boxes.ReplacedBox) else 1
        if under >= UNDER_HEADING:
            return None
    return None


def page_flow(document: Any) -> tuple[Page, ...]:
    """Measure a WeasyPrint document, page by page (see ``Page``). A section starts
    on the page where an element with a forced break before it first appears, after
    the page where one with a forced break after it last appears, and wherever the
    named page changes (a cover)."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    starts: set[int] = set()
    measured = []
    elements: list[set[int]] = []  # the elements each page holds a part of
    stranded: list[Any] = []  # each page's stranded heading and its parent, if any
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        leaves: list = []
        seen: list = []
        for child in page_box.children[:1]:  # the root box; the rest are margin boxes
            _walk(child, (), leaves, seen)
        for box in seen:
            if box.element is None:
                continue
            key = id(box.element)
            if key not in first:
                first[key] = number
                if box.style["break_before"] in FORCED_BREAKS:
                    starts.add(number)
            if box.style["break_after"] in FORCED_BREAKS:
                last[key] = number
        if number > 1 and page_box.page_type.name != document.pages[number - 2
                                                                   ]._page_box.page_type.name:
            starts.add(number)
        top, height = page_box.content_box_y(), page_box.height
        bottom = max((b.position_y + b.margin_height() for b, _ in leaves), default=top)
        elements.append({id(b.element) for b in seen if b.element is not None})
        stranded.append(_stranded(leaves))
        margins = max((_lines(b) for b in page_box.children[1:]), default=0)
        measured.append((number, min(1.0, (bottom - top) / height), margins,
                         _cell_lines(seen)))
    starts |= {n + 1 for n in last.values()}
    count = len(measured)
    # a heading is stranded only if what it heads goes on over the page
    texts = [_heading_text(found[0]) if found and n < count and (
        found[1] is None or id(found[1].element) in elements[n]) else None
        for n, found in enumerate(stranded, 1)]
    return tuple(Page(n, round(fill, 3), n == count or n + 1 in starts, texts[n - 1],
                      margins, cells)
                 for n, fill, margins, cells in measured)


def flow_faults(pages: Sequence[Page]) -> list[str]:
    """What a reader would notice in the page flow: a page less than half full
    (``HALF_EMPTY``) that is not the last of its section; the last page of a section
    of several pages holding no more than a line or two (less than a tenth full: what
    a forced break or the document's end leaves over); a heading (or heading group)
    stranded at a page's foot, with less than ``UNDER_HEADING`` lines under it; a
    running header or footer on two lines; and a table cell of plain text squeezed
    into more than ``LONG_CELL`` lines."""
    faults = []
    for i, page in enumerate(pages):
        alone = i == 0 or pages[i - 1].section_ends  # the whole of its section
        if page.fill < HALF_EMPTY and not page.section_ends:
            faults.append(f"page {page.number} is {page.fill:.0%} full, "
                          "and its section goes on over the page")
        elif page.fill < LEFT_OVER and not alone:
            faults.append(f"page {page.number} is {page.fill:.0%} full: "
                          "its section's last lines, pushed over the page")
        if page.last_heading is not None:
            faults.append(f"page {page.number} ends with the heading "
                          f"\u201c{page.last_heading}\u201d")
        if page.margin_lines > 1:
            faults.append(f"page {page.number}: a running header or footer takes "
                          f"{page.margin_lines} lines")
        if page.cell_lines > LONG_CELL:
            faults.append(f"page {page.number}: a table cell takes {page.cell_lines} lines")
    return faults
