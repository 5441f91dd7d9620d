"""The contract's invariant: a plan ``check`` accepts, ``build`` renders.

Two halves. Every folder in tests/cases/builds edits the starter plan (as the cases
of test_validate.py do) into a plan that once passed ``check`` and then failed to
build; the plan must check without errors and build, and ``present``/``absent``
name text its documents must (not) hold. Then a property test: Hypothesis mutates
the starter plan within what the schemas allow (optional files removed, board paper
extracts and appendices pointing at optional parts, entities dated after the plan or
a paper, terms renamed, the period moved to 3 to 7 years, places and staff groups
added, lists emptied) and, whenever ``check`` finds no error, every document must
render and the workbook be written; a sample is laid out as PDF too. Each crash it
found is a case folder. The default run is bounded and derandomized;
``pytest -m fuzz_long`` runs a longer, randomized profile.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import apply_case
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from lscplan import documents, formats, pdf, render, revisions
from lscplan.pipeline import build, check
from lscplan.resources import starter_dir
from lscplan.write import BuildOptions

CASES = sorted((Path(__file__).parent / "cases" / "builds").iterdir())
#: Examples in the default run and in the long profile (``-m fuzz_long``).
DEFAULT_EXAMPLES = 100
LONG_EXAMPLES = 1500
YEAR = re.compile(r"^\d{4}/\d{2}$")


@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES])
def test_a_plan_check_accepts_builds(case_dir: Path, small_plan: Path, tmp_path: Path
                                     ) -> None:
    case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    apply_case(small_plan, case)
    assert check(small_plan).report.errors == []
    out = tmp_path / "out"
    build(small_plan, out, BuildOptions(formats=None if case.get("pdf") else {"html", "xlsx"}))
    for want in case.get("present", []):
        assert want["text"] in (out / f"{want['document']}.html").read_text(), want
    for unwanted in case.get("absent", []):
        assert unwanted["text"] not in (out / f"{unwanted['document']}.html").read_text()


# --- the property ------------------------------------------------------------------------


def _read(plan: Path, name: str) -> Any:
    return yaml.safe_load((plan / name).read_text(encoding="utf-8"))


def _write(plan: Path, name: str, data: Any) -> None:
    (plan / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                             encoding="utf-8")


def _walk(data: Any, visit) -> Any:
    """``data`` with every mapping passed through ``visit`` (innermost first)."""
    if isinstance(data, dict):
        return visit({k: _walk(v, visit) for k, v in data.items()})
    if isinstance(data, list):
        return [_walk(v, visit) for v in data]
    return data


def _years(first: int, count: int) -> list[str]:
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(first, first + count)]


def set_period(plan: Path, first: int, count: int) -> None:
    """Move the plan period to ``count`` years from ``first``: every series keyed by
    financial year takes the new years, each the value of the nearest old year (so
    every table still adds up year by year)."""
    new = _years(first, count)

    def visit(m: dict) -> dict:
        old = [k for k in m if isinstance(k, str) and YEAR.match(k)]
        if not old:
            return m
        rest = {k: v for k, v in m.items() if k not in old}
        nearest = {y: min(old, key=lambda o: abs(int(o[:4]) - int(y[:4]))) for y in new}
        return {**{y: m[nearest[y]] for y in new}, **rest}

    for path in plan.rglob("*.yaml"):
        name = path.relative_to(plan).as_posix()
        data = _walk(_read(plan, name), visit)
        if name == "plan.yaml":
            data["period"] = {"first": new[0], "last": new[-1]}
        _write(plan, name, data)


def add_place(plan: Path) -> None:
    """A third place, with no activity and no staff: every table still adds up."""
    system = _read(plan, "plan.yaml")
    if any(icp["id"] == "east-place" for icp in system["icps"]):
        return
    system["icps"].append({"id": "east-place", "name": "East Place"})
    _write(plan, "plan.yaml", system)

    def visit(m: dict) -> dict:
        if "north-place" in m and "south-place" in m and isinstance(m["north-place"], dict):
            m["east-place"] = {y: 0 for y in m["north-place"] if YEAR.match(str(y))}
        return m

    for name in ("activity.yaml", "workforce.yaml"):
        _write(plan, name, _walk(_read(plan, name), visit))


def add_staff_groups(plan: Path, count: int) -> None:
    """``count`` more staff groups, copies of the first with no staff in post."""
    data = _read(plan, "workforce.yaml")
    first = data["staff_groups"][0]

    def zero(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: zero(v) for k, v in value.items()}
        return 0 if isinstance(value, int | float) and not isinstance(value, bool) else value

    for i in range(len(data["staff_groups"]), len(data["staff_groups"]) + count):
        group = {k: zero(v) if k in ("wte", "vacancies", "by_place", "by_type") else v
                 for k, v in first.items()}
        group.update(id=f"extra-group-{i}", title=f"Extra staff group {i}")
        data["staff_groups"].append(group)
    _write(plan, "workforce.yaml", data)


LATER = {"id": "later-source", "title": "A later restatement", "published": "2022",
         "date": "2022-03-01"}
#: Files whose entities (the first of each list named) a mutation may date later.
DATED = {"priorities.yaml": "priorities", "metrics.yaml": "metrics",
         "risks.yaml": "risks", "commitments.yaml": "commitments",
         "portfolios/finance.yaml": None, "portfolios/out-of-hospital.yaml": None,
         "impact.yaml": "findings", "vision.yaml": "ambitions"}
OPTIONAL = ["risks.yaml", "commitments.yaml", "summary.yaml", "impact.yaml",
            "board/governing-body-update.yaml"]
EXTRACTS = ["vision", "priorities", "metrics-table", "allocations-table",
            "financial-trajectory", "activity-table", "workforce-table", "golden-thread",
            "engagement", "glossary", "risk-register", "commitments", "executive-summary",
            "impact"]
PAPER = "board/governing-body-update.yaml"


def date_later(plan: Path, name: str, which: int) -> None:
    """Cite a source published after the plan's date from an entity of ``name``."""
    if not (plan / name).exists():
        return
    system = _read(plan, "plan.yaml")
    if LATER not in system["sources"]:
        system["sources"].append(dict(LATER))
        _write(plan, "plan.yaml", system)
    data, key = _read(plan, name), DATED[name]
    items = data.get(key) if key else None
    if key is None:
        data["provenance"] = LATER["id"]
    elif items:
        items[which % len(items)]["provenance"] = LATER["id"]
    _write(plan, name, data)


def add_appendix(plan: Path, extract: str) -> None:
    if not (plan / PAPER).exists():
        return
    paper = _read(plan, PAPER)
    appendices = paper.setdefault("appendices", [])
    name = f"more-{len(appendices)}-{extract}"
    appendices.append({"id": name, "title": f"More: {extract}", "extracts": [extract]})
    paper["body"] += f"\n\nSee {{appendix:{name}}}.\n"
    _write(plan, PAPER, paper)


def rename_terms(plan: Path, word: str) -> None:
    system = _read(plan, "plan.yaml")
    system["terms"] = {t: {"singular": f"{word}{t}", "plural": f"{word}{t}s"}
                       for t in (system.get("terms") or {})}
    _write(plan, "plan.yaml", system)


def empty_list(plan: Path, name: str, key: str) -> None:
    if (plan / name).exists():
        data = _read(plan, name)
        if isinstance(data.get(key), list):
            data[key] = []
            _write(plan, name, data)


MUTATIONS = st.one_of(
    st.tuples(st.just("remove"), st.sampled_from(OPTIONAL)),
    st.tuples(st.just("appendix"), st.sampled_from(EXTRACTS)),
    st.tuples(st.just("later"), st.sampled_from(sorted(DATED)), st.integers(0, 5)),
    st.tuples(st.just("paper-earlier"), st.sampled_from(["2018-01-10", "2019-06-01"])),
    st.tuples(st.just("terms"), st.sampled_from(["zork", "Blip ", "x"])),
    st.tuples(st.just("period"), st.integers(2019, 2021), st.integers(3, 7)),
    st.tuples(st.just("place")),
    st.tuples(st.just("groups"), st.integers(1, 8)),
    st.tuples(st.just("empty"), st.sampled_from(
        [("risks.yaml", "risks"), ("commitments.yaml", "commitments"),
         ("engagement.yaml", "planned"), ("plan.yaml", "glossary"),
         ("plan.yaml", "executives"), ("impact.yaml", "findings")])),
)


def mutate(plan: Path, mutation: tuple) -> None:
    what, *args = mutation
    if what == "remove":
        (plan / args[0]).unlink(missing_ok=True)
    elif what == "appendix":
        add_appendix(plan, args[0])
    elif what == "later":
        date_later(plan, args[0], args[1])
    elif what == "paper-earlier" and (plan / PAPER).exists():
        paper = _read(plan, PAPER)
        paper["paper_date"] = paper["meeting_date"] = args[0]
        _write(plan, PAPER, paper)
    elif what == "terms":
        rename_terms(plan, args[0])
    elif what == "period":
        set_period(plan, *args)
    elif what == "place":
        add_place(plan)
    elif what == "groups":
        add_staff_groups(plan, args[0])
    elif what == "empty":
        empty_list(plan, *args[0])


def render_everything(plan_dir: Path, layout: bool) -> int:
    """Check the plan; when it has no errors, render every document (its charts left
    as placeholders) and write the workbook, and lay out the PDFs when ``layout``.
    How many documents it rendered (0: the plan has errors)."""
    checked = check(plan_dir)
    if checked.report.errors:
        note(f"check: {checked.report.errors[0].message}")
        event(f"check refused it ({checked.report.errors[0].rule})")
        return 0
    event("check accepted it: rendered")
    plan = checked.plan
    info = render.build_info(plan, revisions.plan_commit(plan_dir))
    docs = documents.for_plan(plan)
    for doc in docs:
        shown = documents.plan_on(plan, doc)  # as a build makes it, before rendering
        html = render.render_html(shown, doc, info, draw=layout)
        rendered = formats.Rendered(doc.id, doc.title, html, "0" * 64,
                                    pdf.epoch_of(plan.system.date),
                                    (str(render.templates_dir()), str(plan_dir)), shown, doc)
        for fmt in doc.formats:
            if fmt == "xlsx" or (fmt == "pdf" and layout):
                formats.FORMATS[fmt].produce(rendered)
    return len(docs)


_COMMON: dict[str, Any] = {
    "deadline": None, "suppress_health_check": [HealthCheck.too_slow,
                                                  HealthCheck.function_scoped_fixture]}


def _property(tmp_path: Path, mutations: list[tuple], layout: bool) -> None:
    plan = tmp_path / "plan"
    shutil.rmtree(plan, ignore_errors=True)
    shutil.copytree(starter_dir(), plan)
    for mutation in mutations:
        mutate(plan, mutation)
    note(f"mutations: {mutations}")
    render_everything(plan, layout)


@settings(max_examples=DEFAULT_EXAMPLES, derandomize=True, **_COMMON)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=4))
def test_whatever_check_accepts_renders(tmp_path: Path, mutations: list[tuple]) -> None:
    _property(tmp_path, mutations, layout=False)


@pytest.mark.pdf
@pytest.mark.slow
@settings(max_examples=4, derandomize=True, **_COMMON)
@given(mutations=st.lists(MUTATIONS, min_size=2, max_size=4))
def test_whatever_check_accepts_lays_out_as_pdf(tmp_path: Path, mutations: list[tuple]
                                                ) -> None:
    _property(tmp_path, mutations, layout=True)


@pytest.mark.fuzz_long
@settings(max_examples=LONG_EXAMPLES, **_COMMON)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=6))
def test_whatever_check_accepts_renders_long(tmp_path: Path, mutations: list[tuple]
                                             ) -> None:
    _property(tmp_path, mutations, layout=False)
