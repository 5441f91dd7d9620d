"""Stage 4a, render narratives: the plan's Markdown to safe HTML.

CommonMark through markdown-it-py with raw HTML off, so ``<script>`` arrives as
text. Links survive only with an http, https or mailto URL; any other link
(``javascript:``, ``file:``, ``data:``) stays as the plain text that was written.
Images never reach the output: each is replaced by its alt text, whatever its URL,
so no document can pull in a local file or a tracking pixel. Headings are moved
under the heading of the section that shows the narrative, keeping their order.

Lists and blockquotes may nest ``MAX_DEPTH`` deep. markdown-it drops everything past
its nesting limit without a word, so that limit is set above ``MAX_DEPTH`` and
``check`` refuses deeper Markdown (``too_deep``, rule ``markdown-depth``): no text
is ever silently lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
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
    md.validateLink = lambda url: True
    try:
        return _image_rule(state, silent)
    finally:
        md.validateLink = validate


def _image_as_alt_text(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                       env: Any) -> str:
    from markdown_it.common.utils import escapeHtml

    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return escapeHtml(alt)


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": _MAX_LEVELS})
    md.validateLink = safe_link
    md.inline.ruler.at("image", _parse_any_image)
    md.add_render_rule("image", _image_as_alt_text)
    return md


def to_html(text: str, level: int = 1) -> str:
    """Render Markdown ``text`` to HTML for a section whose heading is at ``level``.

    The narrative's highest heading becomes ``h{level + 1}`` and the others keep
    their distance below it (never deeper than h6), so a document's headings stay
    in order whichever level the author started at.
    """
    md = _markdown()
    tokens = md.parse(text)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if levels:
        shift = level + 1 - min(levels)
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, max(1, int(token.tag[1]) + shift))}"
    return md.renderer.render(tokens, md.options, {})


def to_inline_html(text: str) -> str:
    """Render one paragraph of Markdown without the surrounding ``<p>``."""
    md = _markdown()
    return md.renderer.render(md.parseInline(text.strip()), md.options, {})


@cache
def _as_written() -> MarkdownIt:
    """A parser that keeps what the documents' parser refuses (raw HTML, every link),
    to find it."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": _MAX_LEVELS})
    md.validateLink = lambda url: True
    return md


def not_shown(text: str) -> list[tuple[int, str]]:
    """What documents will not show as written, with its line (0-based, within
    ``text``): raw HTML (shown as text), images (shown as their alt text) and links
    other than http, https and mailto (shown as plain text)."""
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
    return [(line, problem) for problem, line in found.items()]


def markup(text: str) -> int:
    """How many of markdown-it's costly markup characters ``text`` holds."""
    return sum(1 for c in text if c in _MARKUP)


def too_deep(text: str) -> int | None:
    """The line (0-based, within ``text``) of the first list or blockquote nested more
    than ``MAX_DEPTH`` deep, or None when the Markdown keeps within the limit."""
    depth = 0
    for token in _markdown().parse(text):
        depth += _CONTAINERS.get(token.type, 0)
        if depth > MAX_DEPTH:
            return token.map[0] if token.map else 0
    return None
