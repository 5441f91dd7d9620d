"""A kind of plan file is its declaration: a made-up kind ("capital schemes") is
registered with its schema, its declaration in ``kinds.FILES``, its template partial
and a file in the plan, and nothing else; a plan using it checks (schema, the series
rule, the illustrative count), builds (its section in the submission), and diffs
(headed with the kind's own words), reading the declaration and nothing else.

``NEEDED`` lists what the kind needed. Not yet from the declaration: a workbook
sheet (``workbook.py`` lays its sheets out by hand) and so ``import``; the kind's
units (a generic kind's figures carry none)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import edit

from lscplan import diff_wording, kinds, load, resources, scaffold
from lscplan.diff import diff
from lscplan.pipeline import build, check
from lscplan.write import BuildOptions

#: Everything a new kind touches (besides a plan file using it).
NEEDED = ("schemas/capital-schemes.schema.json", "kinds.FILES",
          "templates/partials/capital-schemes.html.j2")

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
    '{{ v|money_k }}{{ "; " if not loop.last }}{% endfor %}</li>{% endfor %}</ul>\n'
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
                         figures=(kinds.Figures("", ("cost",), "capital scheme {e.title}"),),
                         series=(("cost", "cost"),)),),
    required=False, records="schemes",
    section=kinds.Section("Capital schemes", "quantified", "capital-schemes"))


@pytest.fixture
def with_new_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's templates and schemas, copied, with the new kind's schema and
    partial; the kind declared; a starter plan using it."""
    data = tmp_path / "data"
    for name in ("templates", "schemas"):
        shutil.copytree(resources._resource(name), data / name)
    (data / "schemas" / "capital-schemes.schema.json").write_text(json.dumps(SCHEMA))
    (data / "templates" / "partials" / "capital-schemes.html.j2").write_text(PARTIAL)
    monkeypatch.setattr(resources, "_resource", lambda name: data / name
                        if name in ("templates", "schemas") else resources._CHECKOUT / name)
    files = (*kinds.FILES, KIND)
    for module in (kinds, load, scaffold):
        monkeypatch.setattr(module, "FILES", files)
    monkeypatch.setattr(kinds, "ENTITY_KINDS", tuple(k for f in files for k in f.entities))
    for cached in _caches():
        cached.cache_clear()
    plan = tmp_path / "plan"
    shutil.copytree(resources.starter_dir(), plan)
    (plan / "capital-schemes.yaml").write_text(PLAN_FILE)
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


def test_a_made_up_kind_checks_builds_and_diffs(with_new_kind: Path, tmp_path: Path
                                                ) -> None:
    plan = with_new_kind
    checked = check(plan)
    assert checked.report.errors == []
    assert any("capital-schemes.yaml" in d.location.file for d in checked.report.warnings)
    assert checked.plan.capital_schemes[0].title == "A new hospital for the north"
    # the illustrative count reads the declaration
    assert any(what == "capital scheme A new hospital for the north" and n == 3
               for _f, what, n, _loc in checked.plan.illustrative_figures())

    out = tmp_path / "out"
    build(plan, out, BuildOptions(formats={"html", "xlsx"}))
    html = (out / "ltp-submission.html").read_text()
    assert "Capital schemes" in html and "A new hospital for the north" in html
    assert "2020/21 25,000" in html

    # a series must cover the period, as every declared series does
    new = tmp_path / "new"
    shutil.copytree(plan, new)
    edit(new / "capital-schemes.yaml", ", 2021/22: 500}", "}")
    errors = check(new).report.errors
    assert [(d.rule, d.location.file) for d in errors] == [
        ("period-coverage", "capital-schemes.yaml")]

    edit(new / "capital-schemes.yaml", "2020/21: 25000}", "2020/21: 25000, 2021/22: 700}")
    changes = diff(check(plan).plan, check(new).plan, documents=False).changes
    assert [(c.entity, c.id, c.field, c.old, c.new) for c in changes] == [
        ("capital-scheme", "new-hospital", "cost.2021/22", 500, 700)]
    assert diff_wording.kind_heading("capital-scheme") == "Capital schemes"
    assert diff_wording.kind_label("capital-scheme") == "capital scheme"
