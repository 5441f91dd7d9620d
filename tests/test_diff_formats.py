"""The diff formats (``diff_report.DIFF_FORMATS``), each handed a hand-built result and
held to its exact output: text, Markdown, JSON and the HTML review page."""

from __future__ import annotations

import json
import re

from lscplan.diff import Change, Consequence, DiffResult, DocumentChange
from lscplan.diff_report import DIFF_FORMATS, html_diff, json_diff, markdown_diff, text_diff

METRIC = ("metric", "ae-four-hour", "values.2021/22")
RESULT = DiffResult((
    Change("changed", "vision", None, "statement", "Our plan is b for all.",
           "Our plan is x for all.",
           (("=", "Our plan is "), ("-", "b "), ("+", "x "), ("=", "for all."))),
    Change("changed", "priority", "money", "title", "Money | matters",
           "Money <script>alert(1)</script>", about={"number": 2}),
    Change("removed", "programme", "screening", None,
           {"title": "Screening", "description": None, "provenance": "example-briefing",
            "portfolio": "cancer"}, None),
    Change("changed", *METRIC, 95.0, 96.0, unit="percent"),
), "old (HEAD~1)", "new (working tree)", (
    Consequence("metric", "ae-four-hour", "change", 10.0, 11.0, (METRIC,), "percent"),))

EMPTY = DiffResult((), "old (a)", "new (b)")


def test_the_formats() -> None:
    assert set(DIFF_FORMATS) == {"text", "markdown", "json", "html"}


def test_text() -> None:
    assert text_diff(RESULT) == """\
old (HEAD~1) → new (working tree): 4 changes (0 added, 1 removed, 3 changed)

Vision
  ~ the vision, statement reworded
      Our plan is [-b-] {+x+} for all.

Priorities
  ~ priority 2 `money` retitled: “Money | matters” → “Money <script>alert(1)</script>”

Programmes
  - programme `screening` removed from portfolio `cancer`

Metrics
  ~ metric `ae-four-hour`, 2021/22: 95.0% → 96.0%
      ↳ change from baseline: +10.0pp → +11.0pp
"""
    assert text_diff(EMPTY) == "old (a) → new (b): no changes\n"


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in text_diff(RESULT)
    coloured = text_diff(RESULT, color=True)
    assert "\x1b[31m[-b-]" in coloured and "\x1b[32m{+x+}" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == text_diff(RESULT)


def test_text_makes_values_safe() -> None:
    hostile = DiffResult((Change("changed", "system", None, "name", "\x1b[2Jx\u202e",
                                 "two\nlines"),))
    out = text_diff(hostile)
    assert "\x1b" not in out and "\u202e" not in out
    assert "“\\u001b[2Jx\\u202e” → “two\\nlines”" in out
    assert "\x1b[2J" not in text_diff(hostile, color=True)


def test_text_elides_long_unchanged_runs() -> None:
    words = " ".join(f"w{i}" for i in range(40))
    change = Change("changed", "vision", None, "statement", "", "",
                    (("=", words + " "), ("+", "new "), ("=", words)))
    out = text_diff(DiffResult((change,)))
    assert "      … w34 w35 w36 w37 w38 w39 {+new+} w0 w1 w2 w3 w4 w5 …\n" in out


def test_markdown() -> None:
    assert markdown_diff(RESULT) == """\
**lscplan diff** old (HEAD\\~1) → new (working tree): 4 changes (0 added, 1 removed, \
3 changed), 1 derived figure moved

#### Vision

| | entity | field | old | new |
|---|---|---|---|---|
| ~ | the vision | `statement` | Our plan is ~~b~~ for all. | Our plan is **x** for all. |

#### Priorities

| | entity | field | old | new |
|---|---|---|---|---|
| ~ | priority 2 `money` | `title` | Money \\| matters | \
Money &lt;script&gt;alert(1)&lt;/script&gt; |

#### Programmes

| | entity | field | old | new |
|---|---|---|---|---|
| - | programme `screening` removed from portfolio `cancer` |  | Screening |  |

#### Metrics

| | entity | field | old | new |
|---|---|---|---|---|
| ~ | metric `ae-four-hour` | `values.2021/22` | 95.0% | 96.0% |
| ↳ | change from baseline |  | +10.0pp | +11.0pp |
"""


def test_markdown_cells_cannot_break_the_table() -> None:
    change = Change("changed", "glossary", "a|b", "definition", "one\ntwo | three",
                    "[link](javascript:x) *bold* `code`")
    row = markdown_diff(DiffResult((change,))).splitlines()[-1]
    assert row == ("| ~ | glossary term a\\|b | `definition` | one<br>two \\| three | "
                   "\\[link\\](javascript:x) \\*bold\\* \\`code\\` |")
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # six cell borders, no more


def test_json_is_the_contract() -> None:
    payload = json.loads(json_diff(RESULT))
    assert list(payload) == ["changes", "consequences", "diagnostics", "documents",
                             "documents_withheld", "failing", "reorders", "sides", "summary",
                             "version"]  # sorted keys
    assert payload["version"] == 1
    first = payload["changes"][0]
    assert {k: first[k] for k in ("op", "entity", "id", "field", "old", "new")} == {
        "op": "changed", "entity": "vision", "id": None, "field": "statement",
        "old": "Our plan is b for all.", "new": "Our plan is x for all."}
    assert first["words"] == [["=", "Our plan is "], ["-", "b "], ["+", "x "], ["=", "for all."]]
    assert first["message"] == "the vision, statement reworded"
    assert payload["consequences"] == [{
        "entity": "metric", "id": "ae-four-hour", "field": "change", "old": 10.0, "new": 11.0,
        "unit": "percent", "message": "change from baseline: +10.0pp → +11.0pp",
        "causes": [{"entity": "metric", "id": "ae-four-hour", "field": "values.2021/22"}]}]
    assert payload["summary"] == {
        "total": 4, "consequences": 1,
        "provenance": {"sourced": 0, "illustrative": 0, "resourced": 0},
        "by_op": {"added": 0, "removed": 1, "changed": 3},
        "by_entity": {"vision": {"added": 0, "removed": 0, "changed": 1},
                      "priority": {"added": 0, "removed": 0, "changed": 1},
                      "programme": {"added": 0, "removed": 1, "changed": 0},
                      "metric": {"added": 0, "removed": 0, "changed": 1}}}
    assert payload["sides"] == {"old": "old (HEAD~1)", "new": "new (working tree)"}
    assert json_diff(RESULT) == json_diff(RESULT)
    assert json.loads(json_diff(EMPTY))["changes"] == []


def test_html_review_page() -> None:
    page = html_diff(RESULT)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "Money &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Our plan is <del>b </del>for all." in page
    assert "Our plan is <ins>x </ins>for all." in page
    assert "<h2 id=\"programme\">Programmes</h2>" in page
    assert "<dt>portfolio</dt><dd>cancer</dd>" in page  # the removed programme, field by field
    assert ("programme <code>screening</code> removed from portfolio <code>cancer</code>"
            in page)
    assert "change from baseline" in page and "+10.0pp" in page
    assert re.search(r"<th>All \(4\)</th><th class=\"n\">0</th><th class=\"n\">1</th>"
                     r"<th class=\"n\">3</th>", page)
    assert "http" not in page.replace('http-equiv', '')  # self-contained: nothing fetched
    assert "No changes." in html_diff(EMPTY)


def test_html_escapes_every_value() -> None:
    evil = "\"><script>alert(1)</script><img src=x onerror=alert(1)>"
    change = Change("changed", "board-paper", evil, evil, evil, evil,
                    (("=", evil), ("-", evil), ("+", evil)))
    moved = Consequence("allocations", None, "total.allocation", evil, evil, (change.key,))
    page = html_diff(DiffResult((change, Change("added", "metric", "m", None, None,
                                                {"title": evil})), evil, evil, (moved,)))
    assert "<script" not in page and "<img" not in page


def test_markdown_pings_no_one_and_keeps_each_sides_spaces() -> None:
    reworded = Change("changed", "vision", None, "statement",
                      "Ask @alice about the heart. Commissioners agree.",
                      "Ask @alice about the heart.\n\nCommissioners agree.",
                      (("=", "Ask @alice about the heart."), ("+", "\n\n"),
                       ("=", "Commissioners agree.")))
    shorter = Change("changed", "vision", None, "ambition", "Our Plan is good for you.",
                     "Our Plan for you.", (("=", "Our Plan"), ("-", "is good"),
                                           ("=", "for you.")))
    out = markdown_diff(DiffResult((reworded, shorter)))
    assert "@alice" not in out and "@&#8203;alice" in out
    assert "the heart. Commissioners agree. |" in out  # the old column
    assert "| Our Plan ~~is good~~ for you. | Our Plan for you. |" in out


def test_markdown_documents_are_words_not_nested_bullets() -> None:
    docs = (DocumentChange("ltp-submission", "changed", "The plan"),
            DocumentChange("board-x", "added", "X"))
    out = markdown_diff(DiffResult(RESULT.changes, documents=docs))
    assert "- **changed** `ltp-submission`: changes" in out
    assert "- **added** `board-x`: a new document" in out
    assert "- + " not in out and "- ~ " not in out


def test_a_consequence_row_says_how_far_it_moved_and_money_keeps_its_unit() -> None:
    key = ("allocation", "north", "baseline")
    result = DiffResult((Change("changed", *key, 1000, 2000, unit="gbp-thousands"),
                         Change("added", "trajectory", None, "years.2024/25", None,
                                {"income": 4140000, "expenditure": 4100000},
                                unit="gbp-thousands")),
                        consequences=(Consequence("allocations", None, "total.baseline",
                                                  5000, 6000, (key,), "gbp-thousands"),))
    out = markdown_diff(result)
    assert "| ↳ | system baseline total |  | £5,000k | £6,000k (+£1,000k) |" in out
    assert "income: £4,140,000k; expenditure: £4,100,000k" in out
    assert "income: £4,140,000k" in text_diff(result)


def test_markdown_says_no_document_changes_in_a_line_not_an_empty_heading() -> None:
    provenance = Change("changed", "source", "briefing", "published", "early 2019", "2019")
    out = markdown_diff(DiffResult((provenance,), documents=()))
    assert "\n\nDocuments: a build writes every document as before\n" in out
    assert "#### Documents" not in out
