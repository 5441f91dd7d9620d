"""Every word a document prints about the plan's own structure is the plan's own.

The starter plan is built with every plan.yaml ``terms`` entry set to a nonsense word,
a board paper showing every extract and illustrative entries the annex lists. No
default structure word (place, priority, portfolio, programme, ICP, ambition, intent,
enabler ...) may then appear in any document's visible text, in the workbook (sheet
names, defined names, cells, comments: read back with openpyxl) or the Word files
(paragraphs, table cells, headers, footers: python-docx), or in ``check``'s messages
(on the plan, and on broken plans of tests/cases/invalid).

Method: the plan's own data could legitimately hold those words ("North Place", "takes
place"), so before building, every string in every plan file (ids, references and
mapping keys alike, so references still resolve; not a key that is itself a default
word, which is the format's own, nor the enumerated ``kind``/``type`` values or
extract names) has each default word replaced by a scrub word that is not one
of them. After that the plan's data holds no default word at all, so any default word
found in a document (text nodes, outside ``<style>``/``<script>``) or in a message can
only have come from a template or from lscplan's code: a word the terms should have
given. The HTML is rendered with charts as placeholders (``draw=False``), as in
tests/test_invariant.py; the workbook and Word files are built as ``build`` writes
them (no PDF).
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
import yaml
from helpers import apply_case, render_document

from lscplan import documents, render, revisions
from lscplan.pipeline import build, check
from lscplan.resources import starter_dir
from lscplan.write import BuildOptions

#: Default structure words: none may be printed when the plan names its own terms.
DEFAULT_WORDS = re.compile(
    r"\b(?:places?|priorit(?:y|ies)|portfolios?|programmes?|ICPs?|"
    r"Integrated Care Partnerships?|enablers?|enabling|ambitions?|intents?)\b",
    re.IGNORECASE)
#: Words that are not the plan's structure: a metric's targets are national standards
#: and local ambitions (the NHS's names for the two kinds of target, not the vision's
#: ambitions), and a programme management office is the name of an office.
NOT_STRUCTURE = re.compile(r"\blocal ambitions?\b|\bstandards and ambitions\b|"
                           r"\bprogramme management office\b", re.IGNORECASE)
#: A word or field a message quotes, or a file it names (``portfolios/finance.yaml``).
QUOTED = re.compile(r"'[^']*'|`[^`]*`|\"[^\"]*\"|[\w./-]+\.yaml\b")
#: The nonsense words each term becomes (singular, plural, short).
NONSENSE = {
    "place": ("wug", "wugs", "WG"),
    "priority": ("blick", "blicks", "blick"),
    "portfolio": ("dax", "daxes", "dax"),
    "programme": ("fep", "feps", "fep"),
    "enabler": ("toma", "tomas", "toma"),
    "ambition": ("zib", "zibs", "zib"),
    "intent": ("kiki", "kikis", "kiki"),
}
#: A default word in the plan's own text, but not an extract's name (``{extract:NAME}``).
UNLESS_EXTRACT = re.compile(r"(?<!\{extract:)" + DEFAULT_WORDS.pattern, re.IGNORECASE)
#: What a default word in the plan's own data becomes.
SCRUB = "zorb"
#: Values the schemas enumerate, left as they are.
ENUMERATED = {"kind", "type", "extracts"}
EXTRACTS = ["vision", "priorities", "metrics-table", "allocations-table",
            "financial-trajectory", "activity-table", "workforce-table", "golden-thread",
            "engagement", "glossary", "risk-register", "commitments", "executive-summary",
            "impact"]


def _scrub(data: Any, key: str | None = None) -> Any:
    if isinstance(data, dict):
        return {k if DEFAULT_WORDS.fullmatch(str(k)) else _scrub(k): _scrub(v, k)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_scrub(v, key) for v in data]
    if isinstance(data, str) and key not in ENUMERATED:
        return UNLESS_EXTRACT.sub(SCRUB, data)
    return data


def nonsense_plan(root: Path, source: Path | None = None, every_extract: bool = True
                  ) -> Path:
    """A copy of the starter plan (or ``source``) with its own words scrubbed, every
    term nonsense and (``every_extract``) a board paper showing every extract."""
    plan = root / "plan"
    shutil.copytree(source or starter_dir(), plan)
    for path in sorted(plan.rglob("*.yaml")):
        try:
            data = _scrub(yaml.safe_load(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue  # a case's broken YAML: left as it is
        if data is None:
            continue
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
    system = yaml.safe_load((plan / "plan.yaml").read_text(encoding="utf-8"))
    system["terms"] = {name: {"singular": s, "plural": p, "short": short}
                       for name, (s, p, short) in NONSENSE.items()}
    (plan / "plan.yaml").write_text(yaml.safe_dump(system, sort_keys=False), encoding="utf-8")
    if not every_extract:
        return plan
    vision = yaml.safe_load((plan / "vision.yaml").read_text(encoding="utf-8"))
    for part in ("ambitions", "intents"):  # illustrative entries: listed in the annex
        vision[part][0]["provenance"] = "illustrative"
    (plan / "vision.yaml").write_text(yaml.safe_dump(vision, sort_keys=False),
                                      encoding="utf-8")
    paper = yaml.safe_load((plan / "board/governing-body-update.yaml").read_text(
        encoding="utf-8"))
    paper.update(id="every-extract", extracts=[],
                 body="\n\n".join(["Every part of the plan."]
                                  + [f"{{extract:{e}}}" for e in EXTRACTS]
                                  + ["See {appendix:zorb-list} and "
                                     "{appendix:executive-summary}."]))
    paper["appendices"][0]["id"] = "zorb-list"
    paper["extracts"] = EXTRACTS
    (plan / "board/every-extract.yaml").write_text(
        yaml.safe_dump(paper, sort_keys=False), encoding="utf-8")
    return plan


class _Text(HTMLParser):
    """The visible text of a page: its text nodes outside style and script."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._hidden += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _found(text: str) -> list[str]:
    text = NOT_STRUCTURE.sub("", text)
    return [text[max(0, m.start() - 60):m.end() + 60] for m in DEFAULT_WORDS.finditer(text)]


def test_no_default_structure_word_anywhere(tmp_path: Path) -> None:
    plan_dir = nonsense_plan(tmp_path)
    checked = check(plan_dir)
    assert checked.report.errors == [], [d.message for d in checked.report.errors]
    found = {}
    for d in checked.report.diagnostics:
        if hits := _found(d.message):
            found[f"check {d.rule}"] = hits
    plan = checked.plan
    info = render.build_info(plan, revisions.plan_commit(plan_dir))
    docs = documents.for_plan(plan)
    assert "board-every-extract" in {d.id for d in docs}
    for doc in docs:
        if hits := _found(visible_text(render_document(plan, doc, info, draw=False))):
            found[doc.id] = hits
    assert found == {}, "\n".join(f"{where}: {hit!r}" for where, hits in found.items()
                                  for hit in hits)


def _workbook_text(path: Path) -> dict[str, str]:
    """Every text of a workbook by where it is: sheet names, each cell's text (headers,
    notes, labels), cell comments and data validations' messages, the defined names."""
    book = openpyxl.load_workbook(path)
    out = {f"{path.name} sheet name": " ".join(book.sheetnames),
           f"{path.name} defined names": " ".join(book.defined_names)}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    out[f"{path.name} {ws.title}!{cell.coordinate}"] = cell.value
                if cell.comment is not None:
                    out[f"{path.name} {ws.title}!{cell.coordinate} note"] = cell.comment.text
        for dv in ws.data_validations.dataValidation:
            out[f"{path.name} {ws.title} validation"] = " ".join(
                t for t in (dv.prompt, dv.promptTitle, dv.error, dv.errorTitle) if t)
    return out


def _word_text(path: Path) -> dict[str, str]:
    """Every text of a Word file: its paragraphs, its tables' cells (nested too), its
    headers and footers, and its core properties."""
    doc = docx.Document(str(path))
    out: dict[str, str] = {}

    def paragraphs(where: str, container: Any) -> None:
        for i, par in enumerate(container.paragraphs):
            out[f"{where} paragraph {i}"] = par.text
        for t, table in enumerate(container.tables):
            for r, row in enumerate(table.rows):
                for c, cell in enumerate(row.cells):
                    paragraphs(f"{where} table {t} ({r}, {c})", cell)

    paragraphs(path.name, doc)
    for n, section in enumerate(doc.sections):
        for part in ("header", "footer"):
            paragraphs(f"{path.name} section {n} {part}", getattr(section, part))
    props = doc.core_properties
    out[f"{path.name} properties"] = " ".join(
        str(v) for v in (props.title, props.subject, props.keywords, props.comments,
                         props.category) if v)
    return out


def test_no_default_structure_word_in_the_workbook_or_the_word_files(tmp_path: Path
                                                                      ) -> None:
    """The same plan built to its workbook and its Word files: no default structure
    word in any sheet name, header, note or cell, nor any Word paragraph, table cell,
    header or footer."""
    plan_dir = nonsense_plan(tmp_path)
    out = tmp_path / "out"
    build(plan_dir, out, BuildOptions(formats=("xlsx", "docx")))
    files = sorted(out.glob("*.xlsx")) + sorted(out.glob("*.docx"))
    assert {p.suffix for p in files} == {".xlsx", ".docx"}
    found = {}
    for path in files:
        texts = _workbook_text(path) if path.suffix == ".xlsx" else _word_text(path)
        for where, text in texts.items():
            if hits := _found(text):
                found[where] = hits
    assert found == {}, "\n".join(f"{where}: {hit!r}" for where, hits in found.items()
                                  for hit in hits)


#: The broken plans of tests/cases/invalid whose messages name the plan's structure.
INVALID = ["activity-total", "commitment-unmapped", "enabler-with-priorities",
           "golden-thread", "organisation-places", "priority-numbering", "stated-count",
           "unmeasured-priority", "unresolved-icp", "unresolved-impact-priority",
           "unresolved-place", "unresolved-programme", "workforce-place-missing",
           "workforce-place-total", "duplicate-id", "file-missing"]


@pytest.mark.parametrize("case", INVALID)
def test_check_messages_use_the_plans_words(tmp_path: Path, case: str) -> None:
    """``check``'s messages on a broken plan of tests/cases/invalid (broken, then given
    nonsense terms) name the plan's structure in its own words. A word a message quotes
    (a field of the format, ``'icps'``) is the format's, not the plan's."""
    found = {}
    for case_dir in [Path(__file__).parent / "cases" / "invalid" / case]:
        root = tmp_path / case_dir.name
        shutil.copytree(starter_dir(), root / "source")
        apply_case(root / "source", yaml.safe_load((case_dir / "case.yaml").read_text(
            encoding="utf-8")))
        plan_dir = nonsense_plan(root, root / "source", every_extract=False)
        for d in check(plan_dir).report.diagnostics:
            if hits := _found(QUOTED.sub("", d.message)):
                found.setdefault(f"{case_dir.name} ({d.rule})", hits)
    assert found == {}, "\n".join(f"{where}: {hit!r}" for where, hits in found.items()
                                  for hit in hits)
