"""What a reader of a changed document will see change: its sections (cut at its
headings) whose HTML differs, each with the first sentence that reads differently
before and after, for ``lscplan diff``'s documents list.

A section is the run of the page from one heading (``h1`` to ``h4``) to the next,
named by that heading's text; what comes before the first heading is ``(the top of
the document)``. Sections are paired by heading and, among sections of the same
heading, by order. A section whose words are the same but whose HTML is not (a chart,
a table's layout, a mark) is listed without sentences.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

TOP = "(the top of the document)"
_HEADINGS = {"h1", "h2", "h3", "h4"}
_SKIP = {"script", "style", "title"}
_BLOCKS = {"p", "li", "td", "th", "div", "section", "figure", "figcaption", "caption",
           "tr", "table", "ul", "ol", "dd", "dt", "blockquote", "br"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“‘(£])|\n+")


@dataclass(frozen=True)
class SectionChange:
    """A section of a document that reads or looks different: ``added``, ``removed``
    or ``changed``; for text, the first sentence that differs on each side (None on a
    side that has none there)."""

    heading: str
    op: str
    before: str | None = None
    after: str | None = None
    old_heading: str | None = None  # where the heading itself changed

    def as_dict(self) -> dict[str, str | None]:
        return {"heading": self.heading, "op": self.op, "before": self.before,
                "after": self.after, "old_heading": self.old_heading}


@dataclass
class _Section:
    heading: str
    html: list[str]
    text: list[str]


class _Cutter(HTMLParser):
    """A page cut into sections at its headings: each heading's text, HTML and words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections = [_Section(TOP, [], [])]
        self.heading: list[str] | None = None
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        if tag in _HEADINGS:
            self.heading = []
            self.sections.append(_Section("", [], []))
        if tag in _SKIP:
            self.skipping += 1
        if tag in _BLOCKS:
            self.sections[-1].text.append("\n")
        self.sections[-1].html.append(raw)

    def handle_endtag(self, tag: str) -> None:
        self.sections[-1].html.append(f"</{tag}>")
        if tag in _SKIP and self.skipping:
            self.skipping -= 1
        if tag in _HEADINGS and self.heading is not None:
            self.sections[-1].heading = " ".join("".join(self.heading).split()) or tag
            self.heading = None
        if tag in _BLOCKS:
            self.sections[-1].text.append("\n")

    def handle_data(self, data: str) -> None:
        self.sections[-1].html.append(data)
        if self.skipping:
            return
        if self.heading is not None:
            self.heading.append(data)
        else:
            self.sections[-1].text.append(data)


def _sections(page: str) -> list[tuple[str, str, str]]:
    cutter = _Cutter()
    cutter.feed(page)
    cutter.close()
    return [(s.heading, "".join(s.html), "".join(s.text)) for s in cutter.sections
            if s.heading != TOP or "".join(s.text).strip()]


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"[ \t\r\f\v]+", " ", text)
    return [s.strip() for s in _SENTENCE.split(flat) if s and s.strip()]


def _first_difference(old: str, new: str) -> tuple[str | None, str | None]:
    a, b = _sentences(old), _sentences(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            return (" ".join(a[i1:i2]) or None, " ".join(b[j1:j2]) or None)
    return None, None


def _keyed(sections: list[tuple[str, str, str]]) -> dict[tuple[str, int], tuple[str, str]]:
    out: dict[tuple[str, int], tuple[str, str]] = {}
    for heading, html, text in sections:
        n = sum(1 for h, _ in out if h == heading)
        out[(heading, n)] = (html, text)
    return out


def section_changes(old: str, new: str, limit: int = 300) -> tuple[SectionChange, ...]:
    """The sections of a page that differ between ``old`` and ``new`` HTML, in page
    order; a section whose heading changed where it stands (a retitled priority) is
    one section with its ``old_heading``. Each sentence is cut at ``limit``
    characters."""
    before, after = list(_keyed(_sections(old)).items()), list(_keyed(_sections(new)).items())
    matcher = difflib.SequenceMatcher(None, [k for k, _ in before], [k for k, _ in after],
                                      autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(before[i1:i2], after[j1:j2], strict=False))
        if tag == "replace" and i2 - i1 == j2 - j1:
            for (old_key, a), (new_key, b) in pairs:
                first, second = _first_difference(a[1], b[1])
                out.append(SectionChange(new_key[0], "changed", _cut(first, limit),
                                         _cut(second, limit),
                                         old_key[0] if old_key[0] != new_key[0] else None))
            continue
        if tag == "equal":
            for (key, a), (_key, b) in pairs:
                if a[0] != b[0]:
                    first, second = _first_difference(a[1], b[1])
                    out.append(SectionChange(key[0], "changed", _cut(first, limit),
                                             _cut(second, limit)))
            continue
        out += [SectionChange(key[0], "removed") for key, _ in before[i1:i2]]
        out += [SectionChange(key[0], "added") for key, _ in after[j1:j2]]
    return tuple(out)


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:text.rfind(" ", 0, limit - 2)] + " …"
