"""Stage 4a, render narratives: the plan's Markdown to safe HTML.

CommonMark through markdown-it-py with raw HTML off, so ``<script>`` arrives as
text. Links survive only with an http, https or mailto URL; any other link
(``javascript:``, ``file:``, ``data:``) stays as the plain text that was written.
Images never reach the output: each is replaced by its alt text, whatever its URL,
so no document can pull in a local file or a tracking pixel. Headings are moved
under the heading of the section that shows the narrative, keeping their order.

Three markers, in braces, are the plan's own: ``{appendix:ID}`` (a board paper's
reference to one of its appendices, shown as a link "Appendix A"), ``{extract:NAME}``
alone in a paragraph (the place where a board paper shows a plan extract) and
``{from:WHEN}`` at the start of a paragraph, list item or heading (the passage, or
the heading's whole section, is known only from WHEN: a date ``YYYY-MM-DD`` or the id
of a source, whose date applies; ``passages_as_of`` leaves it out before then).
``markers`` finds them with their lines for ``check``.

Lists and blockquotes may nest ``MAX_DEPTH`` deep. markdown-it drops everything past
its nesting limit without a word, so that limit is set above ``MAX_DEPTH`` and
``check`` refuses deeper Markdown (``too_deep``, rule ``markdown-depth``): no text
is ever silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline.image import image as _image_rule
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
#: Lists and blockquotes nested inside each other; a real narrative needs 3 or 4.
MAX_DEPTH = 16
#: markdown-it's nesting limit in its own levels: a list takes two (list and item), a
#: blockquote one; text inside the deepest container sits one level further in.
_MAX_LEVELS = 2 * MAX_DEPTH + 2
#: Markup characters in all the Markdown of one file; the busiest bundled file has 40.
#: markdown-it's time grows faster than the text on runs of them (20,000 ``![`` take
#: seconds), so ``check`` refuses a file past this before parsing it (``markdown-size``).
MAX_MARKUP = 5000
_MARKUP = frozenset("[]!*_`")
_CONTAINERS = {"bullet_list_open": 1, "ordered_list_open": 1, "blockquote_open": 1,
               "bullet_list_close": -1, "ordered_list_close": -1, "blockquote_close": -1}


def safe_link(url: str) -> bool:
    """True for the only URLs a narrative may link to: http, https and mailto."""
    return isinstance(url, str) and url.strip().lower().startswith(ALLOWED_SCHEMES)


def _parse_any_image(state: StateInline, silent: bool) -> bool:
    # Parse ``![alt](url)`` whatever the URL, so that even a refused URL is consumed
    # as an image (and rendered as its alt text) rather than left in the text.
    md = state.md
    validate = md.validateLink
    # markdown-it-py's documented way to choose links, which its annotations call a method
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    try:
        return _image_rule(state, silent)
    finally:
        md.validateLink = validate  # type: ignore[method-assign]  # as above


def _image_as_alt_text(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                       env: Any) -> str:
    from markdown_it.common.utils import escapeHtml

    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return escapeHtml(alt)


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": _MAX_LEVELS})
    md.validateLink = safe_link  # type: ignore[method-assign]  # see _parse_any_image
    md.inline.ruler.at("image", _parse_any_image)
    md.add_render_rule("image", _image_as_alt_text)
    return md


def to_html(text: str, level: int = 1) -> str:
    """Render Markdown ``text`` to HTML for a section whose heading is at ``level``.

    The narrative's highest heading becomes ``h{level + 1}`` and the others keep
    their distance below it (never deeper than h6), so a document's headings stay
    in order whichever level the author started at. ``{from:...}`` markers are not
    shown.
    """
    return "".join(p for p in to_parts(text, level) if isinstance(p, str))


@dataclass(frozen=True)
class Placed:
    """A plan extract a text places where it stands: ``{extract:NAME}``."""

    name: str


def to_parts(text: str, level: int = 1, *, numbered: str | None = None,
             appendices: Mapping[str, str] | None = None) -> list[str | Placed]:
    """``text`` as HTML (as ``to_html``), cut where a paragraph holds only an
    ``{extract:NAME}`` marker (a ``Placed`` there). ``numbered="paragraphs"`` numbers
    every other top-level paragraph 1, 2, 3 ... through the whole text, as NHS board
    papers do (``<p class="numbered" id="para-N">`` starting with the number);
    ``numbered="sections"`` numbers the highest headings instead, as council reports
    do. ``appendices`` maps an appendix id to its letter: ``{appendix:ID}`` becomes a
    link "Appendix A"."""
    md = _markdown()
    tokens = md.parse(text)
    _lettered_lists(tokens)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = level + 1 - min(levels) if levels else 0
    parts: list[str | Placed] = []
    start, number = 0, 0
    for i, token in enumerate(tokens):
        if token.type == "inline":
            _mark_inline(token, appendices or {})
        if token.type in ("heading_open", "heading_close"):
            top = token.tag == f"h{min(levels)}"
            token.tag = f"h{min(6, max(1, int(token.tag[1]) + shift))}"
            if numbered == "sections" and top and token.type == "heading_open":
                number += 1
                _number(tokens[i + 1], number, "section-number")
        if token.type != "paragraph_open" or token.level != 0:
            continue
        placed = _placed_at(tokens, i)
        if placed:
            parts.append(md.renderer.render(tokens[start:i], md.options, {}))
            parts.append(placed)
            start = i + 3
        elif numbered == "paragraphs":
            number += 1
            token.attrSet("class", "numbered")
            token.attrSet("id", f"para-{number}")
            _number(tokens[i + 1], number, "para-number")
    parts.append(md.renderer.render(tokens[start:], md.options, {}))
    return [p for p in parts if p != ""]


_LETTER = re.compile(r"\(?([a-z])\)\s+")


def _lettered_lists(tokens: list[Token]) -> None:
    """A bullet list whose items are lettered in their text ("a) ...", "b) ...") becomes
    a list lettered a, b, c ..., the letters taken out of the text: never "• a)"."""
    for i, token in enumerate(tokens):
        if token.type != "bullet_list_open":
            continue
        depth, close = token.level, None
        firsts: list[int | None] = []  # each item's first inline token
        for j in range(i + 1, len(tokens)):
            t = tokens[j]
            if t.type == "bullet_list_close" and t.level == depth:
                close = j
                break
            if t.type == "list_item_open" and t.level == depth + 1:
                firsts.append(next((k for k in range(j + 1, len(tokens))
                                    if tokens[k].type == "inline"), None))
        lettered = [(k, m) for k in firsts
                    if k is not None and (m := _LETTER.match(tokens[k].content))]
        if close is None or not lettered or len(lettered) < len(firsts) or [
                m.group(1) for _, m in lettered] != [chr(ord("a") + n)
                                                     for n in range(len(lettered))]:
            continue
        for k, m in lettered:
            inline = tokens[k]
            inline.content = inline.content[m.end():]
            first = inline.children[0] if inline.children else None
            if first is not None and first.type == "text":
                first.content = _LETTER.sub("", first.content, count=1)
        token.type, token.tag = "ordered_list_open", "ol"
        token.attrSet("type", "a")
        tokens[close].type, tokens[close].tag = "ordered_list_close", "ol"


_MARKER = re.compile(r"\{(appendix|extract|from):([^{}\s]*)\}")
_EXTRACT = re.compile(r"\{extract:([^{}\s]+)\}")
_FROM = re.compile(r"\{from:([^{}\s]*)\}\s*")


def _number(inline: Token, number: int, kind: str) -> None:
    """Put ``number`` before a paragraph's or heading's text. A paragraph's number hangs
    in the margin: the space after it is inside its box, so its first line starts where
    the others do (a space outside it would push the first line in by a space)."""
    label = Token("html_inline", "", 0)
    label.content = (f'<span class="{kind}">{number}. </span>' if kind == "para-number"
                     else f'<span class="{kind}">{number}.</span> ')
    inline.children = [label, *(inline.children or [])]


def _mark_inline(token: Token, appendices: Mapping[str, str]) -> None:
    """Drop ``{from:...}`` markers from a paragraph's text and turn ``{appendix:ID}``
    into a link to the appendix (its id unknown: left as written)."""
    children: list[Token] = []
    for child in token.children or []:
        if child.type != "text" or "{" not in child.content:
            children.append(child)
            continue
        text = _FROM.sub("", child.content)
        at = 0
        for m in re.finditer(r"\{appendix:([^{}\s]+)\}", text):
            if m[1] not in appendices:
                continue
            children.append(_text(text[at:m.start()]))
            link = Token("link_open", "a", 1)
            link.attrSet("href", f"#appendix-{m[1]}")
            link.attrSet("class", "appendix-ref")
            children += [link, _text(f"Appendix {appendices[m[1]]}"),
                         Token("link_close", "a", -1)]
            at = m.end()
        children.append(_text(text[at:]))
    token.children = [c for c in children if c.type != "text" or c.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


@dataclass(frozen=True)
class Marker:
    """A marker written in a text: its kind (appendix, extract, from), what it names
    and its line (0-based, within the text)."""

    kind: str
    value: str
    line: int
    opens: bool = False  # it is the first thing in its paragraph, list item or heading


def markers(text: str) -> Iterator[Marker]:
    """Every ``{appendix:...}``, ``{extract:...}`` and ``{from:...}`` in ``text``,
    outside code, in order."""
    return iter(_read(str(text)).markers)


def dated_passages(text: str) -> tuple[tuple[str, int, int, int], ...]:
    """(when, marker line, first line, end line) of every passage a ``{from:WHEN}``
    marker dates: the paragraph it opens, the list item it opens (the item's first
    paragraph), or a heading's section up to the next heading as high or higher."""
    if "{from:" not in text:
        return ()
    return _read(str(text)).dated


def placed(text: str) -> tuple[Placed, ...]:
    """The plan extracts ``text`` places (``to_parts`` cuts the text there), in order."""
    return _read(str(text)).placed


@dataclass(frozen=True)
class _Read:
    """What one parse of a text tells ``markers``, ``dated_passages``, ``placed`` and
    ``too_deep``."""

    markers: tuple[Marker, ...]
    dated: tuple[tuple[str, int, int, int], ...]
    placed: tuple[Placed, ...]
    too_deep: int | None


#: Texts whose reading is kept (the bundled plan has about 300 Markdown texts).
TEXTS_KEPT = 8192


@lru_cache(maxsize=TEXTS_KEPT)
def _read(text: str) -> _Read:
    """One parse of ``text``, once: ``check`` asks every question of every text, the
    plan at each document's date asks again, and so do ``serve``'s and ``diff``'s
    checks of files that did not change."""
    tokens = _markdown().parse(text)
    return _Read(tuple(_find_markers(tokens)), tuple(_find_dated(tokens, text)),
                 tuple(_find_placed(tokens)), _find_too_deep(tokens))


def _find_markers(tokens: Sequence[Token]) -> Iterator[Marker]:
    for token in tokens:
        if token.type != "inline":
            continue
        line = token.map[0] if token.map else 0
        for n, child in enumerate(token.children or []):
            if child.type == "softbreak":
                line += 1
            elif child.type == "text":
                for m in _MARKER.finditer(child.content):
                    yield Marker(m[1], m[2], line, n == 0 and m.start() == 0)


def _find_dated(tokens: Sequence[Token], text: str) -> Iterator[tuple[str, int, int, int]]:
    end = len(text.splitlines())
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        m = _FROM.match(token.content)
        opener = tokens[i - 1]
        if not m or not opener.map:
            continue
        first, last = opener.map
        if opener.type == "heading_open":
            depth = int(opener.tag[1])
            last = next((t.map[0] for t in tokens[i:] if t.type == "heading_open"
                         and int(t.tag[1]) <= depth and t.map), end)
        elif i >= 2 and (item := tokens[i - 2]).type == "list_item_open" and item.map:
            first, last = item.map
        yield m[1], first, first, last


def _placed_at(tokens: Sequence[Token], i: int) -> Placed | None:
    """The extract placed by the top-level paragraph opening at ``tokens[i]``, when
    the paragraph holds only its ``{extract:NAME}`` marker."""
    alone = _EXTRACT.fullmatch(tokens[i + 1].content.strip())
    return Placed(alone[1]) if alone else None


def _find_placed(tokens: Sequence[Token]) -> Iterator[Placed]:
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            placed = _placed_at(tokens, i)
            if placed:
                yield placed


def _find_too_deep(tokens: Sequence[Token]) -> int | None:
    depth = 0
    for token in tokens:
        depth += _CONTAINERS.get(token.type, 0)
        if depth > MAX_DEPTH:
            return token.map[0] if token.map else 0
    return None


def passages_as_of(text: str, known: Callable[[str], bool]) -> str:
    """``text`` without the passages whose ``{from:WHEN}`` is not ``known`` yet
    (``known(when)`` false)."""
    drop: set[int] = set()
    for when, _line, first, last in dated_passages(text):
        if not known(when):
            drop.update(range(first, last))
    if not drop:
        return text
    lines = text.splitlines(keepends=True)
    return "".join(line for n, line in enumerate(lines) if n not in drop)


def to_inline_html(text: str, appendices: Mapping[str, str] | None = None) -> str:
    """Render one paragraph of Markdown without the surrounding ``<p>``; its markers as
    ``to_parts`` shows them (``appendices``: a board paper's, id -> letter)."""
    md = _markdown()
    tokens = md.parseInline(text.strip())
    for token in tokens:
        if token.type == "inline":
            _mark_inline(token, appendices or {})
    return md.renderer.render(tokens, md.options, {})


@cache
def _as_written() -> MarkdownIt:
    """A parser that keeps what the documents' parser refuses (raw HTML, every link),
    to find it."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": _MAX_LEVELS})
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # see _parse_any_image
    return md


def not_shown(text: str) -> list[tuple[int, str]]:
    """What documents will not show as written, with its line (0-based, within
    ``text``): raw HTML (shown as text), images (shown as their alt text) and links
    other than http, https and mailto (shown as plain text)."""
    return list(_not_shown(str(text)))


@lru_cache(maxsize=TEXTS_KEPT)
def _not_shown(text: str) -> tuple[tuple[int, str], ...]:
    found: dict[str, int] = {}
    for token in _as_written().parse(text):
        line = token.map[0] if token.map else 0
        for t in [token, *(token.children or [])]:
            if t.type in ("html_inline", "html_block"):
                problem = f"raw HTML {t.content.strip()[:40]!r} (shown as text)"
            elif t.type == "image":
                problem = (f"an image {t.attrGet('src')!r} (documents show no images, only "
                           "its alt text)")
            elif t.type == "link_open" and not safe_link(str(t.attrGet("href"))):
                problem = (f"a link to {t.attrGet('href')!r} (only http, https and mailto "
                           "links are kept)")
            else:
                continue
            found.setdefault(problem, line)
    return tuple((line, problem) for problem, line in found.items())


def markup(text: str) -> int:
    """How many of markdown-it's costly markup characters ``text`` holds."""
    return sum(1 for c in text if c in _MARKUP)


def too_deep(text: str) -> int | None:
    """The line (0-based, within ``text``) of the first list or blockquote nested more
    than ``MAX_DEPTH`` deep, or None when the Markdown keeps within the limit."""
    return _read(str(text)).too_deep
