"""A kind of plan file is its declaration: a made-up kind ("capital schemes") is
registered with its schema, its declaration in ``kinds.FILES``, its template partial
and a file in the plan, and nothing else. A plan using it checks (schema, the series
rule in the kind's unit, the illustrative count), builds (its section in the
submission, HTML and PDF, its figures written in its unit by the ``value`` filter; a
workbook sheet of its own, headed with its words, in its unit's number format), takes
an edited figure back from that sheet (``import``), and diffs (headed with the kind's
own words, the figures in its unit), reading the declaration and nothing else.

``NEEDED`` lists what the kind needed; ``tests/test_kinds.py`` holds every declared kind
to words, a unit for each figure and a section."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from helpers import edit
from openpyxl import load_workbook
from pypdf import PdfReader

from lscplan import diff_wording, kinds, load, resources, scaffold, workbook
from lscplan.diff import diff
from lscplan.diff_report import markdown_diff, text_diff
from lscplan.errors import LscplanError, WorkbookInvalid
from lscplan.pipeline import build, check
from lscplan.workbook_import import import_workbook
from lscplan.write import BuildOptions

#: Everything a new kind touches: its schema, its declaration, its partial and the
#: plan file using it (the starter plan's, for a kind every plan should have).
NEEDED = ("schemas/capital-schemes.schema.json", "kinds.FILES",
          "templates/partials/capital-schemes.html.j2", "capital-schemes.yaml")

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Capital schemes (capital-schemes.yaml)",
    "description": "The capital schemes the plan depends on. Optional.",
    "type": "object", "additionalProperties": False, "required": ["schemes"],
    "properties": {"schemes": {
        "description": "The schemes.", "type": "array", "minItems": 1,
        "items": {
            "description": "One scheme.", "type": "object", "additionalProperties": False,
            "required": ["id", "title", "cost", "provenance"],
            "properties": {
                "id": {"description": "Its id.", "$ref": "common.schema.json#/$defs/id"},
                "title": {"description": "Its name.",
                          "$ref": "common.schema.json#/$defs/text"},
                "cost": {"description": "What it costs each year, £'000.",
                         "type": "object",
                         "additionalProperties": {"type": "integer", "minimum": 0}},
                "provenance": {"description": "Where the figures come from.",
                               "$ref": "common.schema.json#/$defs/provenance"}}}}},
}
PARTIAL = (
    "{% macro render(plan, figures, level, id) %}\n"
    '<ul id="{{ id }}-list">{% for s in plan.capital_schemes %}<li>{{ s.title }}'
    '{{ illus(s.provenance == "illustrative") }}: {% for y, v in s.cost.items() %}{{ y }} '
    '{{ v|value(s.cost.unit) }}{{ "; " if not loop.last }}{% endfor %}; in all '
    '{{ s.cost.values.values()|sum|value(unit_of(s, "cost")) }}</li>{% endfor %}</ul>\n'
    "{% endmacro %}\n")
PLAN_FILE = """schemes:
  - id: new-hospital
    title: A new hospital for the north
    cost: {2019/20: 1000, 2020/21: 25000, 2021/22: 500}
    provenance: illustrative
"""
KIND = kinds.FileKind(
    "capital-schemes.yaml", "capital-schemes", "capital_schemes", (
        kinds.EntityKind("capital-scheme", "capital scheme", "Capital schemes",
                         ("capital_schemes",), provenance=("",),
                         figures=(kinds.Figures("", ("cost",), "capital scheme {e.title}",
                                                "gbp-thousands"),),
                         series=(("cost", "cost"),)),),
    required=False, records="schemes",
    section=kinds.Section("Capital schemes", "quantified", "capital-schemes"))


#: The same kind, each scheme naming the unit of its figures (``field:unit``).
OWN_UNIT = dataclasses.replace(KIND, entities=(dataclasses.replace(
    KIND.entities[0], figures=(kinds.Figures("", ("cost",), "capital scheme {e.title}",
                                             "field:unit"),)),))
OWN_UNIT_SCHEMA = json.loads(json.dumps(SCHEMA))
OWN_UNIT_SCHEMA["properties"]["schemes"]["items"]["properties"]["unit"] = {
    "description": "The unit of its figures.", "type": "string"}
OWN_UNIT_FILE = PLAN_FILE.replace("    cost:", "    unit: minutes\n    cost:")


@pytest.fixture
def with_new_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  request: pytest.FixtureRequest) -> Path:
    """The repository's templates and schemas, copied, with the new kind's schema and
    partial; the kind declared; a starter plan using it (``request.param``: another
    kind, its schema and its file)."""
    kind, schema_json, plan_text = getattr(request, "param", (KIND, SCHEMA, PLAN_FILE))
    data = tmp_path / "data"
    for name in ("templates", "schemas"):
        shutil.copytree(resources._resource(name), data / name)
    schema, _declaration, partial, plan_file = NEEDED
    (data / schema).write_text(json.dumps(schema_json))
    (data / partial).write_text(PARTIAL)
    monkeypatch.setattr(resources, "_resource", lambda name: data / name
                        if name in ("templates", "schemas") else resources._CHECKOUT / name)
    files = (*kinds.FILES, kind)
    for module in (kinds, load, scaffold):
        monkeypatch.setattr(module, "FILES", files)
    monkeypatch.setattr(kinds, "ENTITY_KINDS", tuple(k for f in files for k in f.entities))
    for cached in _caches():
        cached.cache_clear()
    plan = tmp_path / "plan"
    shutil.copytree(resources.starter_dir(), plan)
    (plan / plan_file).write_text(plan_text)
    yield plan
    for cached in _caches():
        cached.cache_clear()


def _caches():
    """The functools caches that hold templates or schemas read from disk."""
    from lscplan import render
    from lscplan.validate import schema

    found = []
    for module in (render, schema, resources):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                found.append(value)
    return found


def test_the_kind_is_declared_completely() -> None:
    from test_kinds import complete

    assert complete(KIND) == []


def test_a_kinds_sheet_is_named_apart_from_the_others() -> None:
    clash = kinds.EntityKind("x", "x", "Finance: by year/quarter [draft]", ("x",))
    assert workbook.sheet_name(clash) == "Finance by year quarter draft"
    assert workbook.sheet_name(kinds.EntityKind("x", "x", "finance", ("x",)),
                               ["Cover", "Finance"]) == "finance (2)"
    assert len(workbook.sheet_name(kinds.EntityKind("x", "x", "y" * 40, ("x",)),
                                   ["y" * 31])) == 31


def test_a_made_up_kind_checks_builds_and_diffs(with_new_kind: Path, tmp_path: Path
                                                ) -> None:
    plan = with_new_kind
    checked = check(plan)
    assert checked.report.errors == []
    assert any("capital-schemes.yaml" in d.location.file for d in checked.report.warnings)
    assert checked.plan.capital_schemes[0].title == "A new hospital for the north"
    assert checked.plan.capital_schemes[0].cost.unit == "gbp-thousands"
    # the illustrative count reads the declaration
    assert any(what == "capital scheme A new hospital for the north" and n == 3
               for _f, what, n, _loc in checked.plan.illustrative_figures())

    out = tmp_path / "out"
    build(plan, out, BuildOptions(formats={"html", "xlsx"}))
    html = (out / "ltp-submission.html").read_text()
    assert "Capital schemes" in html and "A new hospital for the north" in html
    assert "2020/21 £25m" in html  # written in the kind's unit
    assert "in all £26.5m" in html  # a partial asks for the unit the kind declares

    # a series must cover the period, as every declared series does, and says so in
    # its unit
    new = tmp_path / "new"
    shutil.copytree(plan, new)
    edit(new / "capital-schemes.yaml", ", 2021/22: 500}", "}")
    errors = check(new).report.errors
    assert [(d.rule, d.location.file) for d in errors] == [
        ("period-coverage", "capital-schemes.yaml")]
    edit(new / "capital-schemes.yaml", "{2019/20: 1000, ", "{2018/19: 40, 2019/20: 1000, ")
    assert "2018/19 (£40k), outside the plan period" in check(new).report.errors[-1].message

    edit(new / "capital-schemes.yaml", "{2018/19: 40, ", "{")
    edit(new / "capital-schemes.yaml", "2020/21: 25000}", "2020/21: 25000, 2021/22: 700}")
    result = diff(check(plan).plan, check(new).plan, documents=False)
    assert [(c.entity, c.id, c.field, c.old, c.new, c.unit) for c in result.changes] == [
        ("capital-scheme", "new-hospital", "cost.2021/22", 500, 700, "gbp-thousands")]
    assert diff_wording.kind_heading("capital-scheme") == "Capital schemes"
    assert diff_wording.kind_label("capital-scheme") == "capital scheme"
    text = diff_wording.change_message(result.changes[0])
    assert text.startswith("capital scheme `new-hospital`") and "£500k → £700k" in text, text
    assert "£500k → £700k" in text_diff(result)
    markdown = markdown_diff(result)
    assert "Capital schemes" in markdown and "£500k" in markdown and "£700k" in markdown


def _sheet_rows(path: Path, name: str) -> list[tuple]:
    return [tuple(r) for r in load_workbook(path)[name].iter_rows(values_only=True)]


def test_a_made_up_kind_has_its_sheet_and_imports(with_new_kind: Path, tmp_path: Path
                                                  ) -> None:
    plan = with_new_kind
    out = tmp_path / "out"
    build(plan, out, BuildOptions(formats={"xlsx"}))
    book = out / "ltp-submission.xlsx"
    wb = load_workbook(book)
    assert wb.sheetnames[-2:] == ["Capital schemes", workbook.ABOUT_SHEET]
    sheet = wb["Capital schemes"]
    rows = _sheet_rows(book, "Capital schemes")
    assert rows[0][0] == "Capital schemes (£'000)"
    assert rows[2][:5] == ("Capital scheme", "Measure", "2019/20", "2020/21", "2021/22")
    assert rows[3] == ("A new hospital for the north", "Cost", 1000, 25000, 500, "£'000",
                       "illustrative", "new-hospital")
    assert sheet["D4"].number_format == workbook.MONEY
    assert wb.defined_names["CapitalSchemesTable"].attr_text == (
        "'Capital schemes'!$A$3:$H$4")
    assert sheet["D4"].fill.fgColor.rgb.endswith("FFF2CC")  # illustrative: shaded
    cover = _sheet_rows(book, "Cover")
    assert any(r[:2] == ("Capital schemes", "Capital schemes (£'000)") for r in cover)

    sheet["E4"] = 650  # 2021/22 edited in the workbook
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    before = (plan / "capital-schemes.yaml").read_text()
    imported = import_workbook(edited, plan)
    assert [(c.sheet, c.cell, c.target.file, c.target.path, c.old, c.new)
            for c in imported.changes] == [
        ("Capital schemes", "E4", "capital-schemes.yaml",
         ("schemes", "0", "cost", "2021/22"), 500, 650)]
    assert (plan / "capital-schemes.yaml").read_text() == before.replace(
        "2021/22: 500}", "2021/22: 650}")
    assert [(c.entity, c.field, c.unit) for c in imported.diff.changes] == [
        ("capital-scheme", "cost.2021/22", "gbp-thousands")]

    # text in a figure cell is refused at the cell, and nothing is written
    sheet["C4"] = "1,000"
    wb.save(edited)
    with pytest.raises(WorkbookInvalid) as refused:
        import_workbook(edited, plan)
    assert [(d.rule, d.location.pointer) for d in refused.value.report.errors] == [
        ("workbook-number", "Capital schemes!C4")]
    assert "2021/22: 650}" in (plan / "capital-schemes.yaml").read_text()


@pytest.mark.pdf
def test_a_made_up_kind_builds_its_pdf(with_new_kind: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(with_new_kind, out, BuildOptions(only=["ltp-submission"], formats={"pdf"}, jobs=1))
    text = "".join(page.extract_text() for page in PdfReader(out / "ltp-submission.pdf").pages)
    assert "Capital schemes" in text and "A new hospital for the north" in text
    assert "2020/21 £25m" in text


def test_a_partial_asking_for_a_unit_the_kind_does_not_declare_fails(
        with_new_kind: Path, tmp_path: Path) -> None:
    partial = resources._resource("templates") / NEEDED[2].removeprefix("templates/")
    partial.write_text(PARTIAL.replace('unit_of(s, "cost")', 'unit_of(s, "title")'))
    for cached in _caches():
        cached.cache_clear()
    with pytest.raises(LscplanError) as failed:
        build(with_new_kind, tmp_path / "out", BuildOptions(formats={"html"}))
    assert "the capital scheme declares no unit for 'title'" in str(failed.value)


@pytest.mark.parametrize("with_new_kind", [(OWN_UNIT, OWN_UNIT_SCHEMA, OWN_UNIT_FILE)],
                         indirect=True)
def test_a_unit_the_entity_names_is_one_the_plan_has(with_new_kind: Path, tmp_path: Path
                                                     ) -> None:
    plan = with_new_kind
    checked = check(plan)
    assert checked.report.errors == []
    cost = checked.plan.capital_schemes[0].cost
    assert cost.unit == "minutes" and cost.unit.symbol == " min"  # as plan.yaml declares it
    out = tmp_path / "out"
    build(plan, out, BuildOptions(formats={"html", "xlsx"}))
    html = (out / "ltp-submission.html").read_text()
    assert "2020/21 25,000 min" in html and "in all 26,500 min" in html
    sheet = load_workbook(out / "ltp-submission.xlsx")["Capital schemes"]
    assert sheet["A1"].value == "Capital schemes (minutes)"
    assert sheet["D4"].number_format == '#,##0" min"'

    new = tmp_path / "new"
    shutil.copytree(plan, new)
    edit(new / "capital-schemes.yaml", "2021/22: 500}", "2021/22: 700}")
    changes = diff(checked.plan, check(new).plan, documents=False).changes
    assert "500 min → 700 min" in diff_wording.change_message(changes[0])

    edit(plan / "capital-schemes.yaml", "unit: minutes", "unit: furlongs")
    errors = check(plan).report.errors
    assert [(d.rule, d.location.file, d.location.line) for d in errors] == [
        ("reference", "capital-schemes.yaml", 4)]
    assert "capital scheme 'new-hospital' is in the unit 'furlongs'" in errors[0].message
