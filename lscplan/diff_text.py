"""Text as ``lscplan diff`` compares it: as it reads once Markdown renders it
(``same``), and word by word (``word_diff``)."""

from __future__ import annotations

import difflib
import itertools
import json
import re
from decimal import Decimal
from typing import Any

#: Text longer than this many words (or with a line break) gets a word-level diff.
LONG_TEXT_WORDS = 8

Words = tuple[tuple[str, str], ...]

_BLOCK_START = re.compile(r"([-*+]|\d+[.)])\s|[#>|]")


def _norm_text(text: str) -> str:
    """Text as it reads (as Markdown renders it): whitespace inside a paragraph
    collapsed, while paragraphs, list items, headings, quotes and table rows keep
    their line breaks."""
    out = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip()):
        lines = [" ".join(line.split()) for line in paragraph.splitlines() if line.strip()]
        if lines:
            joined = lines[0]
            for before, line in itertools.pairwise(lines):
                own_line = _BLOCK_START.match(line) or before.startswith(("#", "|"))
                joined += ("\n" if own_line else " ") + line
            out.append(joined)
    return "\n\n".join(out)


def canonical(value: Any) -> Any:
    if isinstance(value, str):
        return _norm_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(
            v, sort_keys=True, default=str))
    return value


def same(a: Any, b: Any) -> bool:
    """Equal as the plan reads: lists in any order, numbers by value, text reflowed."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return canonical(a) == canonical(b)


def is_long(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and any(
        "\n" in t.strip() or len(t.split()) > LONG_TEXT_WORDS for t in (a, b))


def word_diff(old: str, new: str) -> Words:
    """A word-level diff of two texts as runs of ``("=", text)``, ``("-", text)`` and
    ``("+", text)``. Words and punctuation are separate tokens (``communities`` and
    ``.``), compared without their whitespace, so reflowing a paragraph changes
    nothing; a paragraph break is a token of its own, so splitting or joining
    paragraphs is a ``"\n\n"`` run added or removed. Each run keeps the spacing of
    the text it came from."""
    a, b = _tokens(old), _tokens(new)
    runs: list[tuple[str, str]] = []

    def add(op: str, tokens: list[tuple[str, str]]) -> None:
        text = "".join(w + s for w, s in tokens)
        if not text:
            return
        if runs and runs[-1][0] == op:
            runs[-1] = (op, runs[-1][1] + text)
        else:
            runs.append((op, text))

    matcher = difflib.SequenceMatcher(None, [w for w, _ in a], [w for w, _ in b],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("=", b[j1:j2])
            continue
        removed = a[i1:i2]
        if removed and i1 and j1 and a[i1 - 1][1] and not b[j1 - 1][1]:
            # the old text had a space here that the new one closed up ("Plan is
            # good." -> "Plan."): the removed words carry it, so neither side loses it
            removed = [("", a[i1 - 1][1]), *removed]
        add("-", removed)
        add("+", b[j1:j2])
    if runs:
        runs[-1] = (runs[-1][0], runs[-1][1].rstrip(" \n") or runs[-1][1])
    return tuple(runs)


def side_runs(old: str, new: str, side: str) -> Words:
    """One side of ``word_diff(old, new)`` (``side`` ``"-"``: the old text, ``"+"``: the
    new) as that side reads, with its own spacing: its unchanged runs (``=``) and its
    own changed runs (``side``), so a column showing only the old text keeps the old
    text's spaces ("heart. Commissioners", never "heart.Commissioners")."""
    a, b = _tokens(old), _tokens(new)
    runs: list[tuple[str, str]] = []

    def add(op: str, tokens: list[tuple[str, str]]) -> None:
        text = "".join(w + s for w, s in tokens)
        if text and runs and runs[-1][0] == op:
            runs[-1] = (op, runs[-1][1] + text)
        elif text:
            runs.append((op, text))

    matcher = difflib.SequenceMatcher(None, [w for w, _ in a], [w for w, _ in b],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        own = a[i1:i2] if side == "-" else b[j1:j2]
        add("=" if tag == "equal" else side, own)
    if runs:
        runs[-1] = (runs[-1][0], runs[-1][1].rstrip(" \n") or runs[-1][1])
    return tuple(runs)


#: A word (letters, digits and what joins them inside one: 1,500  95.0%  A&E  it's
#: 2019/20  long-term), or one punctuation mark.
_TOKEN = re.compile(r"[\w£$%]+(?:[.,'’&/:-][\w%]+)*|[^\w\s]")
PARAGRAPH = "\n\n"


def _tokens(text: str) -> list[tuple[str, str]]:
    """(token, the spacing after it) pairs; a paragraph break is the token "\n\n"."""
    out: list[tuple[str, str]] = []
    body = text.strip()
    matches = list(_TOKEN.finditer(body))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        space = body[m.end():end]
        if space.count("\n") > 1:
            out += [(m.group(), ""), (PARAGRAPH, "")]
        else:
            out.append((m.group(), "\n" if "\n" in space else " " if space else ""))
    return out
