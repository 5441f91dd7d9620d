"""Check reporters, each handed a hand-built report and held to its exact output."""

from __future__ import annotations

import json

from lscplan.diagnostics import Location, Report, error, warning
from lscplan.reporters import (
    github_report,
    json_report,
    safe,
    text_report,
    workbook_report,
)


def sample() -> Report:
    report = Report()
    report.extend([
        warning("illustrative", "3 figures in metrics.yaml are illustrative",
                Location("metrics.yaml", 3, 5, "/metrics/0")),
        error("schema", "unit must be one of: percent, number; found 'pct'",
              Location("metrics.yaml", 8, 11, "/metrics/0/unit")),
        error("file-missing", "the plan has no workforce.yaml", Location("workforce.yaml")),
    ])
    return report


SOURCES = {"metrics.yaml": ["# metrics", "metrics:", "  - id: x", "", "", "", "", "    unit: pct"]}


def test_text_is_sorted_and_shows_the_source_line() -> None:
    assert text_report(sample(), SOURCES, "plan") == (
        "plan/metrics.yaml:3:5: warning[illustrative]: 3 figures in metrics.yaml are "
        "illustrative\n"
        "     3 |   - id: x\n"
        "       |     ^\n"
        "plan/metrics.yaml:8:11: error[schema]: unit must be one of: percent, number; "
        "found 'pct'\n"
        "     8 |     unit: pct\n"
        "       |           ^\n"
        "plan/workforce.yaml: error[file-missing]: the plan has no workforce.yaml\n"
        "failed: 2 errors, 1 warning\n"
    )


def test_json_contract() -> None:
    payload = json.loads(json_report(sample()))
    assert payload["ok"] is False
    assert payload["diagnostics"][1] == {
        "severity": "error", "rule": "schema",
        "message": "unit must be one of: percent, number; found 'pct'",
        "file": "metrics.yaml", "line": 8, "column": 11, "path": "/metrics/0/unit",
    }


def test_github_commands_are_escaped() -> None:
    report = Report()
    report.extend([error("schema", "100% wrong\n::error::forged",
                         Location("a,b:c.yaml", 2, 3))])
    assert github_report(report) == (
        "::error file=a%2Cb%3Ac.yaml,line=2,col=3,title=schema::100%25 wrong%0A::error::forged\n"
    )


def test_github_strict_and_warnings() -> None:
    report = Report()
    report.extend([warning("illustrative", "x", Location("m.yaml", 1, 1))])
    assert github_report(report).startswith("::warning ")
    assert github_report(report, strict=True).startswith("::error ")


def test_safe_escapes_terminal_and_bidi_controls() -> None:
    assert safe("a\x1b[31mb\u202ec\x07") == "a\\u001b[31mb\\u202ec\\u0007"
    assert safe("plain text, £ and é") == "plain text, £ and é"


def test_workbook_refusals_in_workbook_order() -> None:
    report = Report([
        error("workbook-number", "text, not a number ('1,000')",
              Location("w.xlsx", 7, 4, "Finance!D7")),
        error("workbook-unknown", "a row lscplan's workbook does not have",
              Location("w.xlsx", 2, 1, "Metrics!A2")),
    ])
    assert workbook_report(report, "in/w.xlsx") == (
        "in/w.xlsx: Finance!D7: error[workbook-number]: text, not a number ('1,000')\n"
        "in/w.xlsx: Metrics!A2: error[workbook-unknown]: a row lscplan's workbook does "
        "not have\n"
        "failed: 2 cells cannot be imported; nothing written\n")
    whole = Report([error("workbook-file", "not an Excel workbook", Location("w.xlsx"))])
    assert workbook_report(whole, "w.xlsx") == (
        "w.xlsx: error[workbook-file]: not an Excel workbook\n"
        "failed: the workbook cannot be imported; nothing written\n")


def test_workbook_refusals_are_capped() -> None:
    from lscplan.reporters import WORKBOOK_SHOWN

    report = Report([error("workbook-unknown", "a value", Location("w.xlsx", r, 1, f"S!A{r}"))
                     for r in range(1, WORKBOOK_SHOWN + 6)])
    lines = workbook_report(report, "w.xlsx").splitlines()
    assert len(lines) == WORKBOOK_SHOWN + 2
    assert lines[-2:] == ["... and 5 more",
                          f"failed: {WORKBOOK_SHOWN + 5} cells cannot be imported; "
                          "nothing written"]
