"""Presenting results to people and machines: check diagnostics as text, JSON or
GitHub workflow commands; diff results as text, Markdown, JSON or an HTML review page.
The only module that formats diagnostics."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Report, Severity

if TYPE_CHECKING:
    from .diff import Change, DiffResult, Words
    from .errors import VersionsInvalid

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                     r"\u2060-\u2069\ufeff]")


def safe(text: str) -> str:
    """Escape control, bidirectional and invisible characters so no value can drive the
    terminal or disguise itself."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _counts(report: Report) -> str:
    e, w = len(report.errors), len(report.warnings)
    return f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"


def text_report(report: Report, sources: dict[str, list[str]] | None = None,
                plan_dir: str = "", strict: bool = False) -> str:
    """Compiler-style: ``file:line:col: severity[rule]: message``, the source line and a
    caret under the column."""
    out: list[str] = []
    prefix = plan_dir.rstrip("/") + "/" if plan_dir else ""
    for d in report:
        loc = d.location
        where = f"{prefix}{safe(loc.file)}"
        if loc.line:
            where += f":{loc.line}:{loc.column}"
        out.append(f"{where}: {d.severity}[{d.rule}]: {safe(d.message)}")
        lines = (sources or {}).get(loc.file) or []
        if 0 < loc.line <= len(lines):
            source = safe(lines[loc.line - 1].replace("\t", " "))
            out.append(f"  {loc.line:>4} | {source}")
            out.append(f"       | {' ' * max(loc.column - 1, 0)}^")
    out.append(("ok: " if report.ok(strict) else "failed: ") + _counts(report))
    return "\n".join(out) + "\n"


def json_report(report: Report, sources: dict[str, list[str]] | None = None,
                plan_dir: str = "", strict: bool = False) -> str:
    payload = {
        "ok": report.ok(strict),
        "diagnostics": [d.as_dict() for d in report],
    }
    return json.dumps(payload, indent=2, ensure_ascii=True) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(report: Report, sources: dict[str, list[str]] | None = None,
                  plan_dir: str = "", strict: bool = False) -> str:
    """GitHub Actions workflow commands, escaped so a value cannot forge another."""
    out = []
    prefix = plan_dir.rstrip("/") + "/" if plan_dir else ""
    for d in report:
        level = "error" if d.severity is Severity.ERROR or strict else "warning"
        props = [f"file={_gh_property(prefix + d.location.file)}"]
        if d.location.line:
            props += [f"line={d.location.line}", f"col={d.location.column}"]
        props.append(f"title={_gh_property(d.rule)}")
        out.append(f"::{level} {','.join(props)}::{_gh_data(safe(d.message))}")
    return "\n".join(out) + ("\n" if out else "")


CHECK_FORMATS: dict[str, Callable[..., str]] = {
    "text": text_report,
    "json": json_report,
    "github": github_report,
}


def diagnostic_line(d: Diagnostic) -> str:
    loc = d.location
    return f"{safe(loc.file)}:{loc.line}:{loc.column}: {d.severity}[{d.rule}]: {safe(d.message)}"


# --- diff: what changed between two versions of a plan ------------------------------------
# Each format takes a DiffResult (lscplan.diff) and returns the whole output as text.

_DIFF_MARKERS = {"added": "+", "removed": "-", "changed": "~"}
_DIFF_STYLES = {"added": "green", "removed": "red", "changed": "yellow"}
_ELIDE_KEEP = 6


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _diff_counts(result: DiffResult) -> str:
    summary = result.summary
    if not summary["total"]:
        return "no changes"
    ops = ", ".join(f"{n} {op}" for op, n in summary["by_op"].items())
    return f"{_plural(summary['total'], 'change')} ({ops})"


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
    """Word runs with long unchanged stretches elided, for the text and Markdown formats."""
    out = []
    for i, (op, text) in enumerate(words):
        if op == "=":
            where = "start" if i == 0 else "end" if i == len(words) - 1 else "middle"
            text = _elide(text, where)
        out.append((op, text))
    return out


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
    from .diff import kind_heading

    lines: list[list[tuple[str, str]]] = [
        [(_one_line(f"{result.old_label} → {result.new_label}: "), "bold"),
         (_diff_counts(result), "bold")]]
    for kind, changes in result.groups():
        lines.append([])
        lines.append([(kind_heading(kind), "bold underline")])
        for c in changes:
            style = _DIFF_STYLES[c.op]
            lines.append([("  ", ""), (_DIFF_MARKERS[c.op] + " ", style),
                          (_one_line(c.message), "")])
            if c.words is not None:
                line: list[tuple[str, str]] = [("      ", "")]
                for op, text in _runs_for_reading(c.words):
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
                        line += [(lead, ""), (marked, "red" if op == "-" else "green"),
                                 (tail, "")]
                lines.append(line)
            for q in c.consequences:
                lines.append([("      ↳ ", "dim"), (_one_line(q.message), "dim")])
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
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def _md_code(text: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9 ._/:#-]+", text):
        return f"`{text}`"
    return md_escape(text)


def _md_message(text: str) -> str:
    """A message for a Markdown cell, its `ids` kept as code spans."""
    return "".join(_md_code(part) if i % 2 else md_escape(part)
                   for i, part in enumerate(text.split("`")))


def _md_cell_value(value: object, limit: int = 160) -> str:
    from .diff import fmt_value

    if value is None:
        return ""
    if isinstance(value, dict):  # a whole entity or object: its title, else its fields
        title = next((value[k] for k in ("title", "name", "label")
                      if isinstance(value.get(k), str)), None)
        text = title if title is not None else fmt_value(value)
    elif isinstance(value, str):
        text = value
    else:
        text = fmt_value(value)
    if len(text) > limit:
        text = text[:limit].rstrip() + " …"
    return md_escape(text)


def _md_words(words: Words, side: str) -> str:
    wrap = "~~" if side == "-" else "**"
    out = []
    for op, text in _runs_for_reading(words):
        if op == "=":
            out.append(md_escape(text))
        elif op == side:
            lead, core, tail = _split_space(text)
            if core:
                out.append(f"{md_escape(lead)}{wrap}{md_escape(core)}{wrap}{md_escape(tail)}")
    return "".join(out)


def markdown_diff(result: DiffResult, color: bool = False) -> str:
    """A summary line and a table per entity kind, fit for a pull-request comment."""
    from .diff import field_phrase, kind_heading

    out = [f"**lscplan diff** {md_escape(result.old_label)} → {md_escape(result.new_label)}: "
           f"{_diff_counts(result)}"]
    if result.summary["consequences"]:
        out[0] += f", {_plural(result.summary['consequences'], 'derived figure')} moved"
    for kind, changes in result.groups():
        out += ["", f"#### {md_escape(kind_heading(kind))}", "",
                "| | entity | field | old | new |", "|---|---|---|---|---|"]
        for c in changes:
            name = _md_message(c.message if c.field is None else c.label)
            field_cell = _md_code(c.field) if c.field else ""
            if c.words is not None:
                old, new = _md_words(c.words, "-"), _md_words(c.words, "+")
            else:
                old, new = _md_cell_value(c.old), _md_cell_value(c.new)
            out.append(f"| {_DIFF_MARKERS[c.op]} | {name} | {field_cell} | {old} | {new} |")
            for q in c.consequences:
                out.append(f"| ↳ | {_md_message(q.message)} | {md_escape(field_phrase(q.field))}"
                           f" | {_md_cell_value(q.old)} | {_md_cell_value(q.new)} |")
    return "\n".join(out) + "\n"


def json_diff(result: DiffResult, color: bool = False) -> str:
    """The contract: ``{"changes": [...], "summary": {...}}`` plus ``sides``; keys sorted."""
    return json.dumps(result.as_dict(), indent=2, sort_keys=True, ensure_ascii=True) + "\n"


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


@dataclass(frozen=True)
class _HtmlGroup:
    kind: str
    heading: str
    changes: tuple[_HtmlChange, ...]


def _html_fields(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((key, _html_value(v)) for key, v in value.items() if v not in (None, [], {}))


def _html_value(value: object) -> str:
    from .diff import fmt_value

    if value is None:
        return ""
    return value if isinstance(value, str) else fmt_value(value)


def _code_spans(message: str) -> tuple[tuple[bool, str], ...]:
    """A message split at its backticks: (is code, text) pieces for <code>."""
    return tuple((i % 2 == 1, part) for i, part in enumerate(message.split("`")) if part)


def _html_change(c: Change) -> _HtmlChange:
    from .diff import field_phrase, fmt_value

    return _HtmlChange(
        op=c.op, marker=_DIFF_MARKERS[c.op], name=_code_spans(c.label),
        field=c.field or "", message=_code_spans(c.message),
        old="" if isinstance(c.old, dict) else _html_value(c.old),
        new="" if isinstance(c.new, dict) else _html_value(c.new),
        old_fields=_html_fields(c.old), new_fields=_html_fields(c.new),
        words=tuple(c.words or ()),
        consequences=tuple(
            _HtmlConsequence(_code_spans(q.message), field_phrase(q.field), fmt_value(q.old),
                             fmt_value(q.new)) for q in c.consequences))


def html_diff(result: DiffResult, color: bool = False) -> str:
    """A self-contained review page: summary counts, changes grouped by entity, old and
    new side by side, long text redlined with <del> and <ins>. Autoescaped."""
    from .diff import OPS, kind_heading

    summary = result.summary
    groups = tuple(_HtmlGroup(kind, kind_heading(kind), tuple(_html_change(c) for c in items))
                   for kind, items in result.groups())
    by_entity = tuple((kind_heading(kind), tuple(counts[op] for op in OPS))
                      for kind, counts in summary["by_entity"].items())
    from .render import environment

    template = environment().get_template("diff.html.j2")
    return template.render(
        old_label=result.old_label, new_label=result.new_label, counts=_diff_counts(result),
        total=summary["total"], by_op=tuple(summary["by_op"].items()), ops=OPS,
        by_entity=by_entity, consequences=summary["consequences"], groups=groups)


def diff_trouble(exc: VersionsInvalid) -> str:
    """Why a diff could not be made: each failing version's diagnostics, naming it."""
    out = []
    for failure in exc.failures:
        out.append(f"lscplan: {failure.side} fails its checks:\n")
        out.append(text_report(failure.report, failure.sources, failure.plan_dir))
    return "".join(out)


DIFF_FORMATS: dict[str, Callable[..., str]] = {
    "text": text_diff,
    "markdown": markdown_diff,
    "json": json_diff,
    "html": html_diff,
}
