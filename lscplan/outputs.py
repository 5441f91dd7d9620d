"""What a format is given and gives back: a ``Rendered`` document in, an ``Output``
out (with how each page is filled, ``Page``, for a paged format). Every format
(``pdf``, ``workbook``), the registry of formats (``formats``) and the build loop
(``write``) use these types, so they live below all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rendered:
    """A document ready for its formats: its HTML and what a format may need."""

    id: str
    title: str
    html: str
    input: str  # the digest of the HTML and the renderers' versions
    epoch: int  # the plan's date, in seconds since 1970 (SOURCE_DATE_EPOCH)
    roots: tuple[str, ...]  # the only directories a document may read files from
    plan: Any = field(default=None, compare=False)  # as of its date; in this process only
    document: Any = field(default=None, compare=False)  # in this process only

    def for_worker(self) -> Rendered:
        return Rendered(self.id, self.title, self.html, self.input, self.epoch, self.roots)


@dataclass(frozen=True)
class Page:
    """How one laid-out page is filled. ``fill`` is the share of the page's content
    area, from its top to the bottom of its last line or picture, that is used;
    ``section_ends`` says the next page starts with a forced break (a new chapter, an
    appendix, a change of page layout) or there is none; ``last_heading`` is the text
    of the heading (h1 to h4, or the heading of an ``<hgroup>``) stranded at the page's
    foot, if one is: fewer than ``pdf.UNDER_HEADING`` lines under it there, and what it
    heads going on over the page."""

    number: int
    fill: float
    section_ends: bool
    last_heading: str | None = None
    margin_lines: int = 0  # the most lines a running header or footer takes
    cell_lines: int = 0  # the most lines a table cell of plain text (no paragraphs) takes


@dataclass(frozen=True)
class Output:
    data: bytes
    pages: int | None = None
    flow: tuple[Page, ...] = ()  # how each page is filled, for a paged format
