"""``lscplan diff``'s reporters: text (coloured on a terminal), Markdown for a pull
request comment, JSON, and a self-contained HTML review page. Every sentence comes
from ``diff_wording``; the comparison (``lscplan.diff``) hands over data only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from . import formatting
from .diagnostics import Report
from .diff_wording import (
    change_message,
    change_name,
    consequence_message,
    consequence_value,
    consequence_what,
    document_message,
    documents_heading,
    failing_line,
    field_phrase,
    finding_message,
    findings_heading,
    fmt_value,
    kind_heading,
    meaning,
    moved_by,
    placed,
    plural,
    provenance_line,
    reorder_message,
    section_lines,
)
from .reporters import safe, text_report

if TYPE_CHECKING:
    from .diff import (
        Change,
        Consequence,
        DiffResult,
        Words,
    )
    from .errors import PlanInvalid

# --- the formats ---------------------------------------------------------------------------
# Each takes a DiffResult (lscplan.diff) and returns the whole output as text.

_DIFF_MARKERS = {"added": "+", "removed": "-", "changed": "~"}
_FINDING_MARKERS = {"introduced": "+", "fixed": "-", "changed": "~"}
_FINDING_STYLES = {"introduced": "red", "fixed": "green", "changed": "yellow"}
_DIFF_STYLES = {"added": "green", "removed": "red", "changed": "yellow"}
_ELIDE_KEEP = 6




def _diff_counts(result: DiffResult) -> str:
    summary = result.summary
    if not summary["total"]:
        return "no changes"
    ops = ", ".join(f"{n} {op}" for op, n in summary["by_op"].items())
    return f"{plural(summary['total'], 'change')} ({ops})"


def _elide(text: str, where: str) -> str:
    """Shorten an unchanged run of words to the few next to a change (``where`` is
    ``start``, ``middle`` or ``end`` of the text)."""
    lead, core, tail = _split_space(text)
    words = re.findall(r"\S+\s*", core)
    keep = _ELIDE_KEEP
    if len(words) <= 2 * keep + 2:
        return text
    head, end = "".join(words[:keep]).rstrip(), "".join(words[-keep:])
    if where == "start":
        return "… " + end + tail
    if where == "end":
        return lead + head + " …"
    return lead + head + " … " + end + tail


def _runs_for_reading(words: Words) -> list[tuple[str, str]]:
    """Word runs with long unchanged stretches elided, for the text and Markdown
    formats; a paragraph break added or removed shows as ``¶``."""
    out = []
    for i, (op, text) in enumerate(words):
        if op == "=":
            where = "start" if i == 0 else "end" if i == len(words) - 1 else "middle"
            text = _elide(text, where)
        elif not text.strip():
            text = PILCROW
        out.append((op, text))
    return out


PILCROW = "¶"


def _one_line(text: str) -> str:
    return safe(text).replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ")


def _split_space(text: str) -> tuple[str, str, str]:
    """(leading whitespace, the words, trailing whitespace): markers go round the words."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core)
    return text[:start], core, text[start + len(core):]


def _diff_lines(result: DiffResult) -> list[list[tuple[str, str]]]:
    """The text format as lines of (text, rich style) segments, every value made safe."""
    lines: list[list[tuple[str, str]]] = [
        [(_one_line(f"{result.old_label} → {result.new_label}: "), "bold"),
         (_diff_counts(result), "bold")]]
    failing = failing_line(result)
    if failing:
        lines.append([(_one_line(failing), "bold red")])
    sources = provenance_line(result)
    if sources:
        lines.append([(_one_line(sources), "bold")])
    if result.findings:
        lines += [[], [(findings_heading(result), "bold underline")]]
        for f in result.findings:
            style = _FINDING_STYLES[f.op]
            lines.append([("  ", ""), (_FINDING_MARKERS[f.op] + " ", style),
                          (_one_line(finding_message(f)), "")])
    for kind, changes in result.groups():
        lines.append([])
        lines.append([(kind_heading(kind), "bold underline")])
        for c in changes:
            style = _DIFF_STYLES[c.op]
            lines.append([("  ", ""), (_DIFF_MARKERS[c.op] + " ", style),
                          (_one_line(change_message(c)), "")])
            if c.words is not None:
                lines += _word_diff_lines(c.words)
            for q, shared in placed(result, c):
                note = f" ({shared})" if shared else ""
                lines.append([("      ↳ ", "dim"),
                              (_one_line(consequence_message(q) + note), "dim")])
    lines += _unexplained_lines(result)
    if result.reorders:
        lines += [[], [("Order", "bold underline")]]
        lines += [[("  ", ""), ("↕ ", "yellow"), (_one_line(reorder_message(r)), "")]
                  for r in result.reorders]
    if _shows_documents(result):
        lines += [[], [(_one_line(documents_heading(result)), "bold underline")]]
        for d in result.documents or ():
            lines.append([("  ", ""), (_DIFF_MARKERS[d.op] + " ", _DIFF_STYLES[d.op]),
                          (_one_line(document_message(d)), "")])
            lines += [[("      ", ""), (_one_line(line), "dim")] for line in section_lines(d)]
    return lines


def _word_diff_lines(words: Any) -> list[list[tuple[str, str]]]:
    """A text's word diff as indented lines: removed words ``[-...-]`` in red, added
    ``{+...+}`` in green, the rest dim."""
    lines: list[list[tuple[str, str]]] = []
    line: list[tuple[str, str]] = [("      ", "")]
    for op, text in _runs_for_reading(words):
        for n, part in enumerate(text.split("\n")):
            if n:
                lines.append(line if len(line) > 1 else [])
                line = [("      ", "")]
            if not part:
                continue
            if op == "=":
                line.append((safe(part), "dim"))
                continue
            lead, core, tail = _split_space(part)
            marked = f"[-{safe(core)}-]" if op == "-" else f"{{+{safe(core)}+}}"
            line += [(lead, ""), (marked, "red" if op == "-" else "green"), (tail, "")]
    lines.append(line)
    return lines


def _shows_documents(result: DiffResult) -> bool:
    """Whether to say what happens to the documents: when something changed and they
    were compared, or when they could not be."""
    return bool(result.withheld) or (result.documents is not None
                                     and bool(result.changes or result.reorders))


def _unexplained_lines(result: DiffResult) -> list[list[tuple[str, str]]]:
    if not result.unexplained:
        return []
    lines: list[list[tuple[str, str]]] = [[], [("Derived figures", "bold underline")]]
    for q in result.unexplained:
        lines.append([("  ~ ", "yellow"), (_one_line(consequence_message(q) + " (derived, "
                                                     + moved_by(q, result) + ")"), "")])
    return lines


def text_diff(result: DiffResult, color: bool = False) -> str:
    """Changes grouped by entity kind, marked ``+`` added, ``-`` removed, ``~`` changed;
    coloured (with rich) only when ``color``, which the CLI sets for a terminal."""
    lines = _diff_lines(result)
    if not color:
        return "\n".join("".join(text for text, _ in line) for line in lines) + "\n"
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard",
                      highlight=False, soft_wrap=True, width=200)
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(part, style=style or None)
        console.print(text)
    return buffer.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: str) -> str:
    """Text for one Markdown table cell: nothing in it can format, link, break the
    table or open HTML."""
    text = safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # a zero-width space after @ (as an entity): "@name" reads the same and pings no one
    text = text.replace("@", "@&#8203;")
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def _md_code(text: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9 ._/:#*-]+", text):
        return f"`{text}`"
    return md_escape(text)


def _md_message(text: str) -> str:
    """A message for a Markdown cell, its `ids` kept as code spans."""
    return "".join(_md_code(part) if i % 2 else md_escape(part)
                   for i, part in enumerate(text.split("`")))


def _md_cell_value(value: object, limit: int = 160, unit: str | None = None,
                   item: bool = False) -> str:
    if value is None:
        return ""
    if item and isinstance(value, str):  # a list item is shown whole, never cut
        return md_escape(value)
    if isinstance(value, dict):  # a whole entity or object: its title, else its fields
        title = next((value[k] for k in ("title", "name", "label")
                      if isinstance(value.get(k), str)), None)
        text = title if title is not None else fmt_value(value, unit)
    elif isinstance(value, str):
        text = value
    else:
        text = fmt_value(value, unit)
    if len(text) > limit:
        text = text[:limit].rstrip() + " …"
    return md_escape(text)


def _md_words(change: Change, side: str) -> str:
    """One side of a reworded text for its Markdown column, in its own spacing, the
    words only it has struck through (old) or in bold (new)."""
    from .diff_text import side_runs

    wrap = "~~" if side == "-" else "**"
    out = []
    words = (side_runs(change.old, change.new, side)
             if isinstance(change.old, str) and isinstance(change.new, str)
             else change.words or ())
    for op, text in _runs_for_reading(words):
        if op == "=":
            out.append(md_escape(text))
        elif op == side:
            lead, core, tail = _split_space(text)
            if core:
                out.append(f"{md_escape(lead)}{wrap}{md_escape(core)}{wrap}{md_escape(tail)}")
    return "".join(out)


#: A Markdown diff stays under this many characters (GitHub's comment limit is 65,536).
MARKDOWN_BUDGET = 60_000
#: A Markdown section with more rows than this is folded in <details>.
FOLD_ROWS = 12
_YEAR = re.compile(r"\d{4}/\d{2}")
_ROOM = 2_000  # kept for the notes on what was folded and left out


@dataclass
class _Section:
    """One Markdown section: a heading, a table head (or none, for a list), rows."""

    heading: str
    head: list[str]
    rows: list[str]
    left_out: int = 0

    def text(self, fold: bool) -> str:
        if not self.rows and not self.head and not self.left_out:  # a heading alone
            return f"\n\n{self.heading}"
        body = ["", *self.head, *self.rows] if self.head else ["", *self.rows]
        if self.left_out:
            body += ["", f"*{plural(self.left_out, 'more row')} left out here.*"]
        if fold:
            return "\n".join(["", "", f"<details><summary><b>{self.heading}</b> "
                               f"({plural(len(self.rows) + self.left_out, 'row')})</summary>",
                               *body, "", "</details>"])
        return "\n".join(["", "", f"#### {self.heading}", *body])


#: A document's op in a Markdown list, where ``- +`` would read as a nested list.
_MD_DOCUMENT_OPS = {"added": "**added**", "removed": "**removed**", "changed": "**changed**"}

_TABLE = ["| | entity | field | old | new |", "|---|---|---|---|---|"]


def _series_key(field_name: str | None) -> tuple[str, str] | None:
    """``values.2023/24`` -> (``values.*``, ``2023/24``); None without one year in it."""
    if not field_name:
        return None
    parts = field_name.split(".")
    at = [i for i, p in enumerate(parts) if _YEAR.fullmatch(p)]
    if len(at) != 1:
        return None
    year, parts[at[0]] = parts[at[0]], "*"
    return ".".join(parts), year


_T = TypeVar("_T")


def _series_runs(items: list[_T], key: Callable[[_T], object]) -> list[list[_T]]:
    """Items grouped by ``key(item)`` (None: alone), each group where its first is."""
    groups: list[list[_T]] = []
    index: dict[object, list[_T]] = {}
    for item in items:
        k = key(item)
        if k is not None and k in index:
            index[k].append(item)
        else:
            groups.append([item])
            if k is not None:
                index[k] = groups[-1]
    return groups


def _in_series(field_name: str | None) -> tuple[str, str]:
    """The series key of a field in a run of two or more, which only fields with one
    (``_series_key``) are grouped into."""
    key = _series_key(field_name)
    if key is None:
        raise ValueError(f"{field_name!r} is not one year of a series")
    return key


def _change_series(c: Change) -> tuple[str, str | None, str] | None:
    if c.item or c.words is not None:
        return None
    s = _series_key(c.field)
    return None if s is None else (c.entity, c.id, s[0])


def _strip(years: list[str], marked: set[str]) -> str:
    """The year strip: every year of the series, those that changed in bold."""
    return " · ".join(f"**{y}**" if y in marked else y for y in years)


def _series_years(about: dict[str, Any], pattern: str, extra: set[str]) -> list[str]:
    node: Any = about
    for part in pattern.split("."):
        if part == "*":
            break
        node = node.get(part) if isinstance(node, dict) else None
    years = set(node) if isinstance(node, dict) else set()
    return sorted(years | extra)


def _md_change_rows(result: DiffResult, group: list[Change]) -> list[str]:
    c = group[0]
    if len(group) == 1:
        name = _md_message(change_message(c) if c.field is None else change_name(c))
        field_cell = _md_code(c.field) if c.field else ""
        if c.words is not None:
            old, new = _md_words(c, "-"), _md_words(c, "+")
        else:
            old = _md_cell_value(c.old, unit=c.unit_before, item=c.item)
            new = _md_cell_value(c.new, unit=c.unit, item=c.item)
        rows = [f"| {_DIFF_MARKERS[c.op]} | {name}{_md_place(c)} | {field_cell} | {old} | "
                f"{new} |"]
    else:
        pattern = _in_series(c.field)[0]
        changed = {_in_series(x.field)[1]: x for x in group}
        strip = _strip(_series_years(c.about, pattern, set(changed)), set(changed))
        ops = {x.op for x in group}
        marker = _DIFF_MARKERS[ops.pop()] if len(ops) == 1 else "~"
        old = _strip_values([x.old for x in changed.values()], c.unit_before)
        new = _strip_values([x.new for x in changed.values()], c.unit)
        rows = [f"| {marker} | {_md_message(change_name(c))}{_md_place(c)} | "
                f"{_md_code(pattern)}<br>{strip} | {old} | {new} |"]
    seen: list[tuple[Consequence, str | None]] = []
    for member in group:
        seen += [p for p in placed(result, member) if p not in seen]
    for run in _series_runs(seen, lambda p: None if p[1] else (
            (p[0].entity, p[0].id, (_series_key(p[0].field) or (None,))[0])
            if _series_key(p[0].field) else None)):
        rows.append(_md_consequence_row(run))
    return rows


def _place_text(c: Change) -> str:
    """Where the change lives: ``metrics.yaml:30`` (the new side's; the old side's too
    where it differs: ``(was metrics.yaml:28)``), or nothing."""
    from .diff_places import as_text

    old, new = (as_text(p) for p in c.where)
    shown = new or old
    if old and new and old != new:
        shown += f" (was {old})"
    return shown


def _md_place(c: Change) -> str:
    """Where the change lives, under its entity in a Markdown row."""
    shown = _place_text(c)
    return f"<br><sub>{md_escape(shown)}</sub>" if shown else ""


def _strip_values(values: list[Any], unit: str | None) -> str:
    """The values of a year strip's bold years, in order, the unit said once."""
    if unit in (None, "number", "percent", "gbp-thousands") or formatting.as_unit(unit).symbol:
        return md_escape(" · ".join(fmt_value(v, unit) for v in values))
    return md_escape(" · ".join(fmt_value(v) for v in values) + " " +
                     formatting.unit_label(unit))


def _md_consequence_row(run: list[tuple[Consequence, str | None]]) -> str:
    q, shared = run[0]
    if len(run) == 1:  # the figure named once; the new value with the amount it moved
        what = consequence_what(q) + (f" ({shared})" if shared else "")
        return (f"| ↳ | {_md_message(what)} | "
                f" | {md_escape(consequence_value(q, q.old))}"
                f" | {md_escape(consequence_value(q, q.new) + _moved(q))} |")
    pattern, first_year = _in_series(q.field)
    what = " ".join(consequence_what(q).replace(first_year, "").split())
    years = [_in_series(x.field)[1] for x, _ in run]
    old = md_escape(" · ".join(consequence_value(x, x.old) for x, _ in run))
    new = md_escape(" · ".join(consequence_value(x, x.new) for x, _ in run))
    return (f"| ↳ | {_md_message(what)} | {md_escape(field_phrase(pattern))}<br>"
            f"{_strip(years, set(years))} | {old} | {new} |")


def _moved(q: Consequence) -> str:
    """`` (+£1,000k)``: how far a derived figure moved, where that is not the figure
    itself (a change from baseline is written signed already)."""
    from .diff_wording import consequence_delta

    amount = consequence_delta(q)
    return f" ({amount})" if amount else ""


def _md_sections(result: DiffResult) -> list[_Section]:
    sections = []
    if result.findings:
        rows = []
        for f in result.findings:
            d, loc = f.diagnostic, f.diagnostic.location
            where = loc.file + (f":{loc.line}:{loc.column}" if loc.line else "")
            was = f" (was: {f.was})" if f.was is not None else ""
            rows.append(f"| {_FINDING_MARKERS[f.op]} {f.op} | {d.severity} | "
                        f"`{md_escape(d.rule)}` | {_md_code(where)} | "
                        f"{md_escape(d.message + was)} |")
        sections.append(_Section(md_escape(findings_heading(result)),
                                 ["| | severity | rule | where | message |",
                                  "|---|---|---|---|---|"], rows))
    if _shows_documents(result):
        sections.append(_Section(md_escape(documents_heading(result)), [], [
            f"- {_MD_DOCUMENT_OPS[d.op]} {_md_message(document_message(d))}"
            + "".join(f"\n  - {md_escape(line)}" for line in section_lines(d))
            for d in result.documents or ()]))
    for kind, changes in result.groups():
        rows = []
        for group in _series_runs(list(changes), _change_series):
            rows += _md_change_rows(result, group)
        sections.append(_Section(md_escape(kind_heading(kind)), list(_TABLE), rows))
    if result.reorders:
        sections.append(_Section("Order", [], [f"- {_md_message(reorder_message(r))}"
                                              for r in result.reorders]))
    if result.unexplained:
        sections.append(_Section("Derived figures", ["| | figure | field | old | new |",
                                                     "|---|---|---|---|---|"], [
            f"| ~ | {_md_message(consequence_what(q))} (derived) | "
            f"{md_escape(field_phrase(q.field))} | {md_escape(consequence_value(q, q.old))} | "
            f"{md_escape(consequence_value(q, q.new))} |" for q in result.unexplained]))
    return sections


def markdown_diff(result: DiffResult, color: bool = False, budget: int = MARKDOWN_BUDGET,
                  full_diff: str | None = None) -> str:
    """A summary and a table per entity kind, fit for a pull-request comment: a series'
    changed years in one row with a year strip, a long section folded in <details>,
    and the whole under ``budget`` characters, saying what it folded and left out and
    where the full diff is (``full_diff``, else how to make it)."""
    head = [f"**lscplan diff** {md_escape(result.old_label)} → {md_escape(result.new_label)}: "
            f"{_diff_counts(result)}"]
    if result.summary["consequences"]:
        head[0] += f", {plural(result.summary['consequences'], 'derived figure')} moved"
    failing = failing_line(result)
    if failing:
        head += ["", f"**{md_escape(failing)}**"]
    sources = provenance_line(result)
    if sources:
        head += ["", md_escape(sources)]
    sections = _md_sections(result)
    room = budget - len("\n".join(head)) - _ROOM
    texts = [s.text(len(s.rows) > FOLD_ROWS) for s in sections]
    while sum(map(len, texts)) > room:  # the longest section gives up a tenth of its rows
        i = max(range(len(sections)), key=lambda n: len(texts[n]))
        s = sections[i]
        cut = max(1, len(s.rows) // 10)
        s.rows, s.left_out = s.rows[:-cut], s.left_out + cut
        texts[i] = s.text(len(s.rows) + s.left_out > FOLD_ROWS)
    folded = [s for s in sections if len(s.rows) + s.left_out > FOLD_ROWS]
    trimmed = [s for s in sections if s.left_out]
    notes = []
    if folded:
        notes.append("Folded (open each to read it): " + ", ".join(
            f"{s.heading} ({plural(len(s.rows) + s.left_out, 'row')})" for s in folded) + ".")
    if trimmed:
        notes.append(f"Left out to keep this under {budget:,} characters: " + ", ".join(
            f"{s.heading} ({s.left_out} of {plural(len(s.rows) + s.left_out, 'row')})"
            for s in trimmed) + ".")
    if folded or trimmed:
        where = md_escape(full_diff) if full_diff else (
            "run `lscplan diff --format html` to make the HTML page")
        notes.append(f"The full diff: {where}.")
        head += ["", " ".join(notes)]
    return "\n".join(head) + "".join(texts) + "\n"


def json_diff(result: DiffResult, color: bool = False) -> str:
    """The contract: ``{"changes": [...], "summary": {...}}`` plus ``consequences`` and
    ``sides``; each record with its ``message`` in words; keys sorted."""
    payload = result.as_dict()
    for record, change in zip(payload["changes"], result.changes, strict=True):
        record["message"] = change_message(change)
        record["meaning"] = meaning(change)
    for record, q in zip(payload["consequences"], result.consequences, strict=True):
        record["message"] = consequence_message(q)
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


@dataclass(frozen=True)
class _HtmlConsequence:
    message: tuple[tuple[bool, str], ...]
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class _HtmlChange:
    op: str
    marker: str
    name: tuple[tuple[bool, str], ...]
    field: str
    message: tuple[tuple[bool, str], ...]
    old: str
    new: str
    old_fields: tuple[tuple[str, str], ...]
    new_fields: tuple[tuple[str, str], ...]
    words: tuple[tuple[str, str], ...]
    consequences: tuple[_HtmlConsequence, ...]
    where: str = ""  # metrics.yaml:30 (was metrics.yaml:28)


@dataclass(frozen=True)
class _HtmlGroup:
    kind: str
    heading: str
    changes: tuple[_HtmlChange, ...]


def _html_fields(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((key, _html_value(v)) for key, v in value.items() if v not in (None, [], {}))


def _html_value(value: object, unit: str | None = None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else fmt_value(value, unit)


def _code_spans(message: str) -> tuple[tuple[bool, str], ...]:
    """A message split at its backticks: (is code, text) pieces for <code>."""
    return tuple((i % 2 == 1, part) for i, part in enumerate(message.split("`")) if part)


def _html_change(c: Change, result: DiffResult) -> _HtmlChange:
    return _HtmlChange(
        op=c.op, marker=_DIFF_MARKERS[c.op], name=_code_spans(change_name(c)),
        field=c.field or "", message=_code_spans(change_message(c)),
        old="" if isinstance(c.old, dict) else _html_value(c.old, c.unit_before),
        new="" if isinstance(c.new, dict) else _html_value(c.new, c.unit),
        old_fields=_html_fields(c.old), new_fields=_html_fields(c.new),
        words=tuple((op, PILCROW + text if op != "=" and not text.strip() else text)
                    for op, text in c.words or ()),
        consequences=tuple(
            _HtmlConsequence(_code_spans(consequence_what(q) + (f" ({s})" if s else "")),
                             field_phrase(q.field), consequence_value(q, q.old),
                             consequence_value(q, q.new)) for q, s in placed(result, c)),
        where=_place_text(c))


def html_diff(result: DiffResult, color: bool = False) -> str:
    """A self-contained review page: summary counts, changes grouped by entity, old and
    new side by side, long text redlined with <del> and <ins>. Autoescaped."""
    from .diff import OPS

    summary = result.summary
    groups = tuple(_HtmlGroup(kind, kind_heading(kind),
                              tuple(_html_change(c, result) for c in items))
                   for kind, items in result.groups())
    by_entity = tuple((kind_heading(kind), tuple(counts[op] for op in OPS))
                      for kind, counts in summary["by_entity"].items())
    from .render import environment

    template = environment().get_template("diff.html.j2")
    return template.render(
        failing=failing_line(result), findings_heading=findings_heading(result),
        findings=tuple((f.op, finding_message(f)) for f in result.findings),
        reorders=tuple(_code_spans(reorder_message(r)) for r in result.reorders),
        unexplained=tuple(_code_spans(consequence_message(q)) for q in result.unexplained),
        documents_heading=documents_heading(result) if _shows_documents(result) else None,
        documents=tuple((d.op, _DIFF_MARKERS[d.op], _code_spans(document_message(d)),
                         tuple(section_lines(d))) for d in result.documents or ()),
        sources=provenance_line(result),
        old_label=result.old_label, new_label=result.new_label, counts=_diff_counts(result),
        total=summary["total"], by_op=tuple(summary["by_op"].items()), ops=OPS,
        by_entity=by_entity, consequences=summary["consequences"], groups=groups)


def json_trouble(message: str, failures: tuple[PlanInvalid, ...] = ()) -> str:
    """The JSON error object for versions that cannot be compared
    (``schemas/diff.schema.json#/$defs/error``)."""
    from .diff import JSON_VERSION, side_of

    payload = {"version": JSON_VERSION, "error": message,
               "failing": [side_of(f.side) for f in failures],
               "diagnostics": [{"side": side_of(f.side), **d.as_dict()}
                               for f in failures for d in f.report.errors]}
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def diff_trouble(failures: tuple[PlanInvalid, ...]) -> str:
    """Each failing version's errors, naming it (its warnings counted, not listed)."""
    out = []
    for failure in failures:
        errors, warnings = failure.report.errors, failure.report.warnings
        out.append(f"lscplan: {failure.side} fails its checks:\n")
        listed = text_report(Report(list(errors)), failure.sources, failure.plan_dir)
        out.append(listed[:listed.rstrip("\n").rfind("\n") + 1])
        out.append(f"failed: {plural(len(errors), 'error')}"
                   + (f" ({plural(len(warnings), 'warning')} not shown)\n"
                      if warnings else "\n"))
    return "".join(out)


DIFF_FORMATS: dict[str, Callable[..., str]] = {
    "text": text_diff,
    "markdown": markdown_diff,
    "json": json_diff,
    "html": html_diff,
}
