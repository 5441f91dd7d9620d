"""The PDF format: a document's HTML laid out by WeasyPrint.

PDFs are WeasyPrint's tagged PDF/UA-1, with the document's title, author and
language, and the plan version and commit as custom entries (``version``, ``commit``:
build details stay in the metadata, never on the page). They are byte-identical run
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
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .resources import fonts_dir, templates_dir

if TYPE_CHECKING:
    from .formats import Output, Rendered

PDF_VARIANT = "pdf/ua-1"
PDF_CUSTOM_METADATA = ("version", "commit")  # <meta> names copied into the PDF


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
    URLFetcher, URLFetcherResponse = urls.URLFetcher, urls.URLFetcherResponse
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


# --- layout ---------------------------------------------------------------------------


def layout(rendered: Rendered) -> Output:
    """Lay out one document's HTML as a PDF (the PDF format's ``produce``; it runs in
    a worker process, so it is a module-level function of picklable arguments)."""
    from .formats import Output

    HTML, CSS = weasyprint().HTML, weasyprint().CSS
    # imported once weasyprint() has imported WeasyPrint with its HarfBuzz notice silenced
    from weasyprint.text.fonts import FontConfiguration
    options = {"pdf_variant": PDF_VARIANT, "pdf_identifier": rendered.input[:32].encode(),
               "uncompressed_pdf": False, "custom_metadata": True}
    fonts, font_config = fonts_dir(), FontConfiguration()
    fetcher = safe_fetcher((*rendered.roots, fonts))
    with source_date_epoch(rendered.epoch), reproducible():
        html = HTML(string=rendered.html, base_url=templates_dir().as_uri() + "/",
                    url_fetcher=fetcher)
        # The bundled typeface, so the PDF is the same whatever fonts the machine has.
        typeface = CSS(filename=fonts / "fonts.css", url_fetcher=fetcher,
                       font_config=font_config)
        document = html.render(stylesheets=[typeface], font_config=font_config, **options)
        custom = document.metadata.custom  # the HTML's other <meta> names
        document.metadata.custom = {k: custom[k] for k in PDF_CUSTOM_METADATA if k in custom}
        data = document.write_pdf(**options)
    return Output(data, len(document.pages))
