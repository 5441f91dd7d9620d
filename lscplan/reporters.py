"""Presenting results to people and machines: check diagnostics as text, JSON or
GitHub workflow commands. The only module that formats diagnostics (the diff's
reporters, in ``diff_report``, use it for a failing side)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from .diagnostics import Diagnostic, Report, Severity

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


#: The keys of ``check --format json``, with what each means (the documentation's JSON
#: reference is generated from it; a test holds it to the output).
JSON_CONTRACT: dict[str, str] = {
    "ok": "true when the plan passes: no errors (and, with `--strict`, no warnings).",
    "diagnostics": "Every problem found, in the order `check` found them.",
    "diagnostics[].severity": "`error` or `warning`.",
    "diagnostics[].rule": "The rule id (see [Check rules](rules.md)).",
    "diagnostics[].message": "What is wrong and what to do, in words.",
    "diagnostics[].file": "The file, relative to the plan folder.",
    "diagnostics[].line": "The line (from 1), or null for a problem with a whole file.",
    "diagnostics[].column": "The column (from 1), or null.",
    "diagnostics[].path": "The JSON pointer of the value in the file (`/metrics/0/unit`), "
                          "or null.",
}


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


#: The refusals ``workbook_report`` lists (a pasted block can make thousands).
WORKBOOK_SHOWN = 100


def workbook_notes(notes: Sequence[Diagnostic], workbook: str) -> str:
    """What ``import`` left alone as not lscplan's, a line each (at most
    ``WORKBOOK_SHOWN``)."""
    out = [f"{safe(workbook)}: {safe(d.location.pointer)}: {d.severity}[{d.rule}]: "
           f"{safe(d.message)}" for d in notes[:WORKBOOK_SHOWN]]
    if len(notes) > WORKBOOK_SHOWN:
        out.append(f"... and {len(notes) - WORKBOOK_SHOWN:,} more left alone")
    return "".join(line + "\n" for line in out)


def workbook_report(report: Report, workbook: str) -> str:
    """``import``'s refusals: ``WORKBOOK: Sheet!A1: error[rule]: message`` in workbook
    order (sheet by sheet, as found), then a count and that nothing was written."""
    out = []
    for d in report.diagnostics[:WORKBOOK_SHOWN]:
        where = f"{safe(workbook)}: {safe(d.location.pointer)}" if d.location.pointer else (
            safe(workbook))
        out.append(f"{where}: {d.severity}[{d.rule}]: {safe(d.message)}")
    n = len(report.errors)
    if n > WORKBOOK_SHOWN:
        out.append(f"... and {n - WORKBOOK_SHOWN:,} more")
    out.append(f"failed: {n} cell{'s' if n != 1 else ''} cannot be imported; nothing written"
               if report.diagnostics and report.diagnostics[0].location.pointer else
               "failed: the workbook cannot be imported; nothing written")
    return "\n".join(out) + "\n"
