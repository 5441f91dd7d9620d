"""write (through pipeline.build): PDFs read back, the manifest, byte-identical
rebuilds, atomic replacement, incremental builds, and what hostile input can reach.

PDF layout takes seconds, so the starter plan and the bundled plan are each built
once per session (``starter_build``, ``bundled_build`` in conftest); tests that change
things work on copies of those builds. Tests
that lay out a PDF are marked ``pdf`` (``make test-fast`` leaves them out).
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import edit
from pypdf import PdfReader

from lscplan import chartcache, charts, documents, files, formats, pdf, render, write
from lscplan.errors import BuildError, PlanInvalid, UsageError
from lscplan.pipeline import build, check
from lscplan.resources import bundled_plan_dir, starter_dir
from lscplan.write import BuildOptions

#: The starter plan's documents with the formats each declares (documents.DOCUMENTS), in
#: manifest order: read from the declaration, not written out again here.
STARTER_FORMATS = {d.id: tuple(d.formats)
                   for d in documents.for_plan(check(starter_dir()).plan)}
STARTER_DOCS = list(STARTER_FORMATS)
BOARD = "board-governing-body-update"


def starter_files(*formats: str) -> set[str]:
    """The files a build of the starter plan writes (in ``formats``: all by default)."""
    return {f"{d}.{fmt}" for d, declared in STARTER_FORMATS.items() for fmt in declared
            if not formats or fmt in formats}


def pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _build(plan: Path, out: Path, **kwargs) -> SimpleNamespace:
    events: list[write.Event] = []
    result = build(plan, out, BuildOptions(progress=events.append, **kwargs))
    return SimpleNamespace(plan=plan, out=out, result=result, events=events)


@pytest.fixture
def clone(starter_build, tmp_path) -> SimpleNamespace:
    """A copy of the starter plan and of its build, to change."""
    shutil.copytree(starter_build.plan, tmp_path / "plan")
    shutil.copytree(starter_build.out, tmp_path / "build")
    return SimpleNamespace(plan=tmp_path / "plan", out=tmp_path / "build")


def actions(events: list[write.Event], action: str) -> list[str]:
    return [e.file or e.document for e in events if e.action == action]


# --- what a build writes ---------------------------------------------------------------


@pytest.mark.pdf
def test_build_writes_every_document(starter_build):
    names = starter_files()
    assert {"ltp-submission.xlsx", f"{BOARD}.docx"} < names  # a workbook, Word files
    assert set(os.listdir(starter_build.out)) == names | {"manifest.json"}
    assert sorted(starter_build.result.built) == sorted(names)
    assert starter_build.result.rendered_pdfs == STARTER_DOCS
    built = {e.file: e.pages for e in starter_build.events if e.action == "built"}
    assert built[f"{BOARD}.pdf"] >= 2 and built[f"{BOARD}.html"] is None
    assert built["ltp-submission.xlsx"] is None  # no pages: not a paged format


@pytest.mark.pdf
def test_manifest(starter_build):
    raw = (starter_build.out / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(raw)
    assert raw == json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert [d["id"] for d in manifest["documents"]] == STARTER_DOCS
    assert manifest["plan"] == {"id": "example-ics", "name": "Healthier Example",
                                "version": "0.1", "date": "2019-11-15", "status": "draft",
                                "commit": None}
    for entry in manifest["documents"]:
        assert set(entry) >= {"id", "title", "html", "pdf", "pages", "sha256", "input"}
        for fmt in ("html", "pdf"):
            assert entry[fmt] == f"{entry['id']}.{fmt}"
            assert entry["sha256"][fmt] == files.sha256_file(starter_build.out / entry[fmt])
        assert entry["pages"] == len(PdfReader(starter_build.out / entry["pdf"]).pages)
    submission = manifest["documents"][0]
    assert submission["xlsx"] == "ltp-submission.xlsx"
    assert submission["sha256"]["xlsx"] == files.sha256_file(
        starter_build.out / "ltp-submission.xlsx")
    assert manifest["documents"][0]["title"] == (
        "Example Strategic Plan 2019/20 to 2021/22")


@pytest.mark.pdf
def test_pdf_text(starter_build):
    plan = check(starter_build.plan).plan
    text = pdf_text(starter_build.out / "ltp-submission.pdf")
    assert plan.vision.statement in text
    for pr in plan.priorities:
        assert pr.statement in text
    assert "315,000" in text and "Healthier Example" in text
    # the contents carries page numbers from target-counter
    assert re.search(r"1 Strategic narrative \.*\s*3\b", text) or re.search(
        r"Strategic narrative[ .]*\d", text)
    assert "Page 2 of" in text and "Version 0.1 · Draft · 15 November 2019" in text
    board = pdf_text(starter_build.out / f"{BOARD}.pdf")
    for fact in ("Agenda item 9.0", "Governing Body – 19 November 2019", "Sam Lee",
                 "4 November 2019", "AF100", "To note progress with the plan.",
                 "sam.lee@example.nhs.uk", "Better Health - improve population health"):
        assert fact in board, fact


@pytest.mark.pdf
def test_pdf_metadata_and_tags(starter_build):
    manifest = json.loads((starter_build.out / "manifest.json").read_text())
    entry = manifest["documents"][0]
    reader = PdfReader(starter_build.out / "ltp-submission.pdf")
    assert reader.metadata.title == entry["title"]
    assert reader.metadata.author == "Example ICS strategy team"
    assert reader.metadata["/CreationDate"].startswith("D:20191115")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    assert reader.trailer["/ID"][0] == entry["input"][:32]
    assert reader.outline  # bookmarks from the headings
    # build details are metadata only: the version here, never on a page
    assert reader.metadata["/version"] == "0.1" and "/viewport" not in reader.metadata


def figures_alt(path: Path) -> list[str]:
    """The /Alt of every Figure of a PDF's structure tree, in document order."""
    found: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") or isinstance(kid, dict):
                walk(kid)

    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.mark.pdf
def test_each_chart_is_a_figure_described_in_full(starter_build):
    """A screen reader meets each chart of a PDF as a Figure whose alternative text is
    its title and its description (the data in words), as the HTML's SVG gives them."""
    for doc in STARTER_DOCS:
        page = (starter_build.out / f"{doc}.html").read_text(encoding="utf-8")
        charts = re.findall(r'<svg class="chart"[^>]*><title[^>]*>(.*?)</title>'
                            r'<desc[^>]*>(.*?)</desc>', page)
        alts = figures_alt(starter_build.out / f"{doc}.pdf")
        wanted = [f"{html.unescape(t).rstrip('.')}. {html.unescape(d).rstrip('.')}."
                  for t, d in charts]
        # the charts in order; any other figure (a Making Data Count icon) says what it is
        assert [a for a in alts if a in wanted] == wanted and charts, doc
        assert all(a.strip() for a in alts), doc
        assert all(len(html.unescape(d).split()) > 10 for _t, d in charts)  # in words


@pytest.mark.pdf
def test_every_page_carries_the_draft_mark_while_figures_are_illustrative(starter_build):
    for doc in STARTER_DOCS:
        pages = PdfReader(starter_build.out / f"{doc}.pdf").pages
        unmarked = [i + 1 for i, page in enumerate(pages)
                    if "Contains illustrative " not in re.sub(r"\s+", " ", page.extract_text())]
        assert not unmarked, f"{doc}: pages {unmarked} lack the draft mark"


# --- the same sources, the same bytes ---------------------------------------------------


@pytest.mark.pdf
def test_same_sources_same_bytes(starter_build, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")  # the plan's date wins, and is restored
    again = _build(starter_build.plan, tmp_path / "again", jobs=1, force=True)
    assert os.environ["SOURCE_DATE_EPOCH"] == "1"
    assert snapshot(again.out) == snapshot(starter_build.out)


@pytest.mark.pdf
def test_charts_not_in_the_cache_are_drawn_in_the_workers(starter_build, tmp_path,
                                                          monkeypatch):
    """A first build (no chart cache) with worker processes draws no chart in this
    process, stores every chart in the cache, and writes the same bytes."""
    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(tmp_path / "cache"))
    chartcache.forget()

    def here(*args, **kwargs):
        raise AssertionError("a chart drawn in the main process")

    monkeypatch.setattr(charts, "trajectory_chart", here)
    monkeypatch.setattr(charts, "bar_chart", here)
    # Word files are not in it: their charts are pictures drawn where the file is written
    first = _build(starter_build.plan, tmp_path / "first", jobs=2,
                   formats=["html", "pdf", "xlsx"])
    assert snapshot(first.out) == {name: data for name, data in
                                   snapshot(starter_build.out).items()
                                   if not name.endswith(".docx") and name != "manifest.json"
                                   } | {"manifest.json": snapshot(first.out)["manifest.json"]}
    shown = {chart for page in first.out.glob("*.html")
             for chart in re.findall(r'<svg class="chart".*?</svg>', page.read_text(), re.S)}
    assert len(list((tmp_path / "cache" / chartcache.FOLDER).glob("*.svg"))) == len(shown) > 3
    chartcache.forget()


def test_a_build_without_pdfs_draws_many_missing_charts_in_workers(small_plan, tmp_path,
                                                                  monkeypatch):
    """With no PDF to lay out, workers still start when a document has enough charts
    not in the cache (here one is enough): none is drawn in this process, every one
    is stored in the cache, and the files are those of a build in one process."""
    here = _build(small_plan, tmp_path / "here", formats=["html"], jobs=1)  # the run's cache
    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(write, "CHARTS_FOR_WORKERS", 1)
    chartcache.forget()

    def drawn_here(*args, **kwargs):
        raise AssertionError("a chart drawn in the main process")

    monkeypatch.setattr(charts, "trajectory_chart", drawn_here)
    monkeypatch.setattr(charts, "bar_chart", drawn_here)
    pooled = _build(small_plan, tmp_path / "pooled", formats=["html"], jobs=2)
    assert snapshot(pooled.out) == snapshot(here.out)
    assert len(list((tmp_path / "cache" / chartcache.FOLDER).glob("*.svg"))) > 3
    assert not any("processes" in (e.file or "") for e in pooled.events)  # no layout
    chartcache.forget()


def _wait_for(done, seconds: float = 30) -> bool:
    """Poll ``done()`` until it holds or ``seconds`` pass; what it last said."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    return done()


def _running(pid: int) -> bool:
    """The process ``pid`` exists and has not ended (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except (FileNotFoundError, ProcessLookupError):  # gone, or going as it is read
        return False


def test_workers_start_before_the_check_only_for_a_build_into_a_new_folder(tmp_path):
    """A build into a folder no build has written lays out every PDF, so its workers
    start before the plan is checked; any other build (a rebuild, no PDFs, one job,
    one document) starts them only once it knows there is layout to do. Workers not
    taken are stopped, not waited for."""
    fresh = write.workers_ahead(tmp_path / "new", BuildOptions(jobs=2))
    with fresh:
        assert fresh.pool is not None and len(fresh.processes) == 2
    assert fresh.pool is None
    # (Not process.join: the pool's own thread may reap them first, and join then
    # never learns the exit code.)
    assert _wait_for(lambda: not any(_running(p.pid) for p in fresh.processes))
    built = tmp_path / "built"
    built.mkdir()
    (built / write.MANIFEST).write_text("{}")
    for out, options in ((built, BuildOptions(jobs=2)),
                         (tmp_path / "new", BuildOptions(jobs=2, formats=["html"])),
                         (tmp_path / "new", BuildOptions(jobs=1)),
                         (tmp_path / "new", BuildOptions(jobs=2, only=["public-summary"]))):
        with write.workers_ahead(out, options) as ahead:
            assert ahead.pool is None, (out, options)


def test_a_failing_build_into_a_new_folder_leaves_no_worker_running(small_plan, tmp_path):
    import multiprocessing

    edit(small_plan / "finance.yaml", "    allocation: 315000", "    allocation: 315001")
    with pytest.raises(PlanInvalid):
        build(small_plan, tmp_path / "fresh", BuildOptions(jobs=2))
    assert not (tmp_path / "fresh").exists()
    assert _wait_for(lambda: multiprocessing.active_children() == [])


def test_source_date_epoch_is_restored(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with pdf.source_date_epoch(123):
        assert os.environ["SOURCE_DATE_EPOCH"] == "123"
    assert "SOURCE_DATE_EPOCH" not in os.environ
    assert pdf.epoch_of("2019-11-15") == 1573776000


# --- incremental ------------------------------------------------------------------------


@pytest.mark.pdf
def test_rebuild_with_nothing_changed_renders_nothing(clone):
    before = snapshot(clone.out)
    again = _build(clone.plan, clone.out)
    assert again.result.built == [] and again.result.rendered_pdfs == []
    assert actions(again.events, "unchanged") == STARTER_DOCS
    assert actions(again.events, "render") == []
    assert snapshot(clone.out) == before


@pytest.mark.pdf
def test_one_board_paper_change_renders_only_that_paper(clone):
    before = snapshot(clone.out)
    edit(clone.plan / "board/governing-body-update.yaml", "Sam Lee", "Kim Patel")
    again = _build(clone.plan, clone.out)
    assert again.result.rendered_pdfs == [BOARD]
    assert sorted(again.result.built) == sorted(f"{BOARD}.{fmt}"
                                                for fmt in STARTER_FORMATS[BOARD])
    assert actions(again.events, "unchanged") == [d for d in STARTER_DOCS if d != BOARD]
    after = snapshot(clone.out)
    for name in ("ltp-submission.pdf", "ltp-submission.html", "public-summary.pdf"):
        assert after[name] == before[name]
    assert "Kim Patel" in pdf_text(clone.out / f"{BOARD}.pdf")
    manifest = json.loads(after["manifest.json"])
    board = manifest["documents"][STARTER_DOCS.index(BOARD)]
    assert board["sha256"]["pdf"] == files.sha256_bytes(after[f"{BOARD}.pdf"])


@pytest.mark.pdf
def test_force_and_only(clone):
    again = _build(clone.plan, clone.out, only=["public-summary"], force=True)
    assert again.result.rendered_pdfs == ["public-summary"]
    assert [d.id for d in again.result.documents] == ["public-summary"]
    manifest = json.loads((clone.out / "manifest.json").read_text())
    assert [d["id"] for d in manifest["documents"]] == STARTER_DOCS  # still complete


@pytest.mark.pdf
def test_outputs_of_a_removed_paper_are_removed(clone):
    (clone.plan / "board/governing-body-update.yaml").unlink()
    again = _build(clone.plan, clone.out)
    assert not (clone.out / f"{BOARD}.pdf").exists()
    assert not (clone.out / f"{BOARD}.html").exists()
    assert sorted(actions(again.events, "removed")) == sorted(
        f"{BOARD}.{fmt}" for fmt in STARTER_FORMATS[BOARD])
    manifest = json.loads((clone.out / "manifest.json").read_text())
    assert [d["id"] for d in manifest["documents"]] == [d for d in STARTER_DOCS if d != BOARD]


@pytest.mark.pdf
def test_html_only_then_everything(tmp_path):
    shutil.copytree(starter_dir(), tmp_path / "plan")
    first = _build(tmp_path / "plan", tmp_path / "out", formats=["html"])
    assert sorted(os.listdir(tmp_path / "out")) == sorted(
        [f"{d}.html" for d in STARTER_DOCS] + ["manifest.json"])
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    assert all(d["pdf"] is None and d["pages"] is None for d in manifest["documents"])
    assert first.result.rendered_pdfs == []
    second = _build(tmp_path / "plan", tmp_path / "out", formats=["pdf"], only=[BOARD])
    assert second.result.built == [f"{BOARD}.pdf"]
    assert actions(second.events, "unchanged") == []


@pytest.mark.pdf
def test_force_without_pdf_keeps_the_pdf_that_is_still_good(clone):
    before = snapshot(clone.out)
    again = _build(clone.plan, clone.out, formats=["html"], force=True)
    assert sorted(again.result.built) == sorted(f"{d}.html" for d in STARTER_DOCS)
    assert actions(again.events, "removed") == []
    assert snapshot(clone.out) == before  # the same HTML, the PDFs kept, the same manifest


def test_a_new_format_needs_no_change_to_the_build(small_plan, tmp_path, monkeypatch):
    """A format is a declaration: the build writes it, lists it in the manifest and
    keeps it while the document's sources are unchanged."""
    made: list[str] = []

    def outline(rendered: formats.Rendered) -> formats.Output:
        made.append(rendered.id)
        headings = re.findall(r"<h1[^>]*>(.*?)</h1>", rendered.html)
        text = f"{rendered.document.title} ({rendered.plan.system.name})\n" + "\n".join(headings)
        return formats.Output(text.encode())

    monkeypatch.setitem(formats.FORMATS, "txt", formats.Format("txt", outline, from_html=False))
    monkeypatch.setattr(documents, "DOCUMENTS", tuple(
        dataclasses.replace(kind, formats=(*kind.formats, "txt"))
        if kind.id == "public-summary" else kind for kind in documents.DOCUMENTS))
    out = tmp_path / "out"
    first = _build(small_plan, out, formats=["html", "txt"])
    assert made == ["public-summary"]
    assert "public-summary.txt" in first.result.built
    assert (out / "public-summary.txt").read_text().startswith("Our plan for health and care")
    entry = json.loads((out / "manifest.json").read_text())["documents"][1]
    assert entry["txt"] == "public-summary.txt" and entry["pdf"] is None
    assert entry["sha256"]["txt"] == files.sha256_file(out / "public-summary.txt")
    again = _build(small_plan, out, formats=["html", "txt"])
    assert again.result.built == [] and made == ["public-summary"]
    edit(small_plan / "plan.yaml", "Healthier Example", "Healthiest Example")
    third = _build(small_plan, out, formats=["html", "txt"])
    assert "public-summary.txt" in third.result.built and len(made) == 2
    assert "Healthiest Example" in (out / "public-summary.txt").read_text()


def test_each_document_gets_the_plan_at_its_date_before_rendering_starts(
        bundled_plan, tmp_path, monkeypatch):
    """The plan as of a document's date is made once per date, by the documents stage
    (``documents.Dated``), for the documents the build renders and before any of them
    is rendered; render and the workbook take the plan they are given (the workbook
    gets the one its HTML was rendered from). An incremental build dates only what it
    renders again."""
    from lscplan import model, workbook

    order: list[tuple[str, str, str]] = []
    real_as_of, real_render, real_layout = (model.Plan.as_of, render.render_html,
                                            workbook.layout)
    shown: dict[str, object] = {}

    def as_of(plan, day):
        caller = Path(sys._getframe(1).f_code.co_filename).name
        order.append(("as_of", day, caller))
        return real_as_of(plan, day)

    def render_html(plan, doc, info, **options):
        order.append(("render", doc.id, ""))
        shown[doc.id] = plan
        return real_render(plan, doc, info, **options)

    def layout(plan, doc):
        assert plan is shown[doc.id]  # the plan its HTML was rendered from
        return real_layout(plan, doc)

    monkeypatch.setattr(model.Plan, "as_of", as_of)
    monkeypatch.setattr(render, "render_html", render_html)
    monkeypatch.setattr(workbook, "layout", layout)
    out = tmp_path / "out"
    _build(bundled_plan, out, formats=["html", "xlsx"])
    plan = check(bundled_plan).plan
    docs = documents.for_plan(plan)
    dated = [(day, caller) for what, day, caller in order if what == "as_of"]
    assert sorted(dated) == sorted({(d.date, "documents.py") for d in docs})  # once a date
    assert len(dated) < len(docs)  # two documents share the plan's date
    first_render = next(i for i, (what, *_) in enumerate(order) if what == "render")
    assert all(what == "render" for what, *_ in order[first_render:])
    for doc in docs:  # each document rendered from the plan as of its own date
        assert shown[doc.id] == real_as_of(plan, doc.date)

    order.clear()
    _build(bundled_plan, out, formats=["html", "xlsx"])
    assert order == []  # nothing to render, nothing dated
    paper = next(d for d in docs if d.id == "board-hosc-briefing-2019")
    edit(bundled_plan / paper.own_file, "This report provides", "This report gives")
    _build(bundled_plan, out, formats=["html", "xlsx"])
    assert [what for what, *_ in order] == ["as_of", "render"]
    assert order[0][1] == paper.date and order[1][1] == paper.id


# --- nothing written on failure ----------------------------------------------------------


@pytest.mark.pdf
def test_invalid_plan_writes_nothing(clone, tmp_path):
    before = snapshot(clone.out)
    edit(clone.plan / "finance.yaml", "    allocation: 315000", "    allocation: 315001")
    with pytest.raises(PlanInvalid) as caught:
        build(clone.plan, clone.out, BuildOptions(force=True))
    assert caught.value.report.errors
    assert snapshot(clone.out) == before
    with pytest.raises(PlanInvalid):
        build(clone.plan, tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()


@pytest.mark.pdf
def test_unknown_document_is_a_usage_error(clone):
    before = snapshot(clone.out)
    with pytest.raises(UsageError, match=", ".join(STARTER_DOCS)):
        build(clone.plan, clone.out, BuildOptions(only=["nope"]))
    assert snapshot(clone.out) == before


@pytest.mark.pdf
def test_failed_render_leaves_previous_outputs(clone, monkeypatch):
    before = snapshot(clone.out)
    real = render.render_html

    def failing(plan, doc, info, **options):
        if doc.id == BOARD:
            raise RuntimeError("template trouble")
        return real(plan, doc, info, **options)

    monkeypatch.setattr(render, "render_html", failing)
    with pytest.raises(BuildError, match="template trouble"):
        build(clone.plan, clone.out, BuildOptions(force=True, jobs=1))
    assert snapshot(clone.out) == before  # nothing replaced, no temporary files left


def test_staging_commits_together_or_not_at_all(tmp_path):
    (tmp_path / "a.html").write_text("old")
    staging = files.Staging(tmp_path)
    staging.write("a.html", b"new")
    staging.write("b.pdf", b"new")
    assert (tmp_path / "a.html").read_text() == "old"
    staging.discard()
    assert sorted(os.listdir(tmp_path)) == ["a.html"]
    staging.write("a.html", b"new")
    staging.commit()
    assert (tmp_path / "a.html").read_text() == "new"
    assert oct((tmp_path / "a.html").stat().st_mode & 0o777) != oct(0o600)


# --- hostile input ----------------------------------------------------------------------


HOSTILE = ("\n  <script>alert('x')</script> ![x](file:///etc/passwd)\n"
           "  [click](javascript:alert(1)) <img src=file:///etc/passwd>\n"
           "  <link rel=stylesheet href=file:///etc/passwd>\n")


@pytest.mark.pdf
def test_hostile_narrative_reaches_neither_html_nor_pdf(small_plan, tmp_path):
    edit(small_plan / "portfolios/out-of-hospital.yaml",
         "  [the strategy](https://example.org/strategy).\n",
         "  [the strategy](https://example.org/strategy).\n" + HOSTILE)
    edit(small_plan / "board/governing-body-update.yaml", "{appendix:executive-summary}.\n",
         "{appendix:executive-summary}.\n" + HOSTILE)
    out = tmp_path / "out"
    build(small_plan, out, BuildOptions(only=["ltp-submission", BOARD], jobs=1))
    passwd = Path("/etc/passwd").read_text()[:40]
    for doc in ("ltp-submission", BOARD):
        html = (out / f"{doc}.html").read_text()
        for bad in ("<script", "<img", "<link", 'href="javascript', 'src="file', 'href="file'):
            assert bad not in html
        assert "&lt;script&gt;" in html  # shown as text, never run
        reader = PdfReader(out / f"{doc}.pdf")
        assert all(not page.images for page in reader.pages)
        uris = [a.get_object().get("/A", {}).get("/URI", "")
                for page in reader.pages for a in page.get("/Annots", []) or []]
        assert not [u for u in uris if u and not str(u).startswith(("https:", "mailto:"))]
        assert passwd not in pdf_text(out / f"{doc}.pdf")


def test_fetcher_allows_only_the_templates_and_the_plan(tmp_path):
    root = tmp_path / "plan"
    root.mkdir()
    (root / "ok.css").write_text("p { color: red }")
    (root / "escape.css").symlink_to("/etc/passwd")
    fetcher = pdf.safe_fetcher([root])
    response = fetcher.fetch((root / "ok.css").as_uri())
    assert response.read() == b"p { color: red }"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in ("file:///etc/passwd", (root / "escape.css").as_uri(),
                (root / ".." / "plan" / ".." / "x").as_uri(), "http://example.org/x.png",
                "https://example.org/x.css", "ftp://example.org/x", "file://host/etc/passwd"):
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(url)


@pytest.mark.pdf
def test_outside_files_never_reach_the_pdf(tmp_path):
    HTML = pdf.weasyprint().HTML
    fetcher = pdf.safe_fetcher([tmp_path])
    html = ('<link rel="stylesheet" href="file:///etc/passwd">'
            '<link rel="attachment" href="file:///etc/passwd">'
            '<p>text</p><img src="file:///etc/passwd" alt="x">'
            '<img src="https://example.org/pixel.png" alt="y">')
    data = HTML(string=html, base_url=tmp_path.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert "file:///etc/passwd" in fetcher.refused
    assert "https://example.org/pixel.png" in fetcher.refused
    out = tmp_path / "x.pdf"
    out.write_bytes(data)
    reader = PdfReader(out)
    assert not reader.pages[0].images
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))


# --- the bundled plan -------------------------------------------------------------------


@pytest.mark.pdf
def test_bundled_plan_submission(bundled_build):
    plan = bundled_build.plan_model
    text = pdf_text(bundled_build.out / "ltp-submission.pdf")
    assert re.sub(r"\s+", " ", plan.vision.statement) in text
    assert len(plan.priorities) == 8
    for pr in plan.priorities:
        assert pr.title in text
        assert re.sub(r"\s+", " ", pr.statement) in text
    assert "2,601,966" in text
    for pf in plan.portfolios:
        assert pf.title in text
    manifest = json.loads((bundled_build.out / "manifest.json").read_text())
    ids = [d["id"] for d in manifest["documents"]]
    assert ids[:3] == ["ltp-submission", "public-summary", "delivery-report"]
    assert ids[3:] == sorted(f"board-{p.id}" for p in plan.board_papers)
    assert all(d["pdf"] and d["html"] and d["pages"] for d in manifest["documents"])


@pytest.mark.pdf
def test_bundled_plan_public_summary(bundled_build):
    plan = bundled_build.plan_model
    text = pdf_text(bundled_build.out / "public-summary.pdf")
    for pr in plan.priorities:
        assert pr.title in text
    assert "Words we use" in text
    assert len(PdfReader(bundled_build.out / "public-summary.pdf").pages) <= 12


@pytest.mark.pdf
def test_bundled_plan_morecambe_bay_cover_sheet(bundled_build):
    text = pdf_text(bundled_build.out / "board-mbccg-governing-body-2019-11-19.pdf")
    for fact in ("Agenda item 9.0", "Governing Body – 19 November 2019",
                 "Update on the Lancashire and South Cumbria ICS Plan",
                 "Anthony Gardner", "4 November 2019", "BHCP Leadership Team",
                 "NHS Long Term Plan", "AF196", "N/A",
                 "Better Health - improve population health and wellbeing",
                 "anthony.gardner@morecambebayccg.nhs.uk"):
        assert fact in text, fact


@pytest.mark.pdf
def test_pdfs_are_the_same_whatever_fonts_the_machine_has(cli, tmp_path):
    """Set in the bundled typeface only: a machine without a single font configured
    builds the same PDF bytes as this one (which has DejaVu and may have more)."""
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    shutil.copytree(bundled_plan_dir(), tmp_path / "plan")
    pdfs = {}
    for name, extra in (("default", {}), ("no-fonts", {"FONTCONFIG_FILE": str(empty)})):
        out = tmp_path / name
        result = cli("build", tmp_path / "plan", "--out", out, "--formats", "pdf", "--jobs", "2",
                     "--only", "public-summary",
                     "--only", "board-mbccg-governing-body-2019-11-19",
                     env={**os.environ, **extra})
        assert result.code == 0, result.stderr
        pdfs[name] = snapshot(out)
    assert pdfs["default"].keys() == pdfs["no-fonts"].keys()
    for name, data in pdfs["default"].items():
        assert data == pdfs["no-fonts"][name], name
    bundled = {"lscplan-Sans", "lscplan-Sans-Bold", "lscplan-Sans-Italic",
               "lscplan-Sans-Bold-Italic"}
    assert embedded_fonts(tmp_path / "default" / "public-summary.pdf") == bundled
    assert embedded_fonts(tmp_path / "default" / "board-mbccg-governing-body-2019-11-19.pdf"
                          ) <= bundled


def embedded_fonts(path: Path) -> set[str]:
    """The fonts a PDF's pages and their drawings use, without subset prefixes."""
    found: set[str] = set()

    def walk(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            found.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in PdfReader(path).pages:
        walk(page.get("/Resources"))
    return found


def visible_text(path: Path) -> str:
    """What a reader of an HTML page sees: no styles, tags or attributes."""
    page = re.sub(r"<style.*?</style>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.pdf
def test_a_plan_in_its_own_words(tmp_path):
    """A three-year plan that calls its places "places" and its priorities "ambitions":
    no document, HTML or PDF, says ICP, five-year or priority."""
    plan = tmp_path / "plan"
    shutil.copytree(starter_dir(), plan)
    edit(plan / "plan.yaml", "priority: {singular: priority, plural: priorities}",
         "priority: {singular: ambition, plural: ambitions}")
    edit(plan / "plan.yaml", "title: Example Strategic Plan",
         "title: Our Strategic Plan 2019 to 2022")
    _build(plan, tmp_path / "build", jobs=2)
    outputs = sorted((tmp_path / "build").glob("*.html")) + sorted(
        (tmp_path / "build").glob("*.pdf"))
    assert len(outputs) == 2 * len(STARTER_DOCS)
    for path in outputs:
        text = pdf_text(path) if path.suffix == ".pdf" else visible_text(path)
        for word in ("ICP", "Integrated Care Partnership", "five-year", "five year",
                     "priorit"):
            assert word.lower() not in text.lower(), (path.name, word)
        assert "Ambition 1" in text or path.name.startswith(("public", "board", "delivery")), (
            path.name)
    submission = visible_text(tmp_path / "build" / "ltp-submission.html")
    assert "Our three-year response" in submission
    assert "Our 2 places" in submission
    assert "Our Strategic Plan 2019 to 2022 2019/20" not in submission


class _NoHarfBuzzSubset:
    """Stands for libharfbuzz-subset on a machine that has it: WeasyPrint would subset
    fonts with it (other bytes than fontTools makes), here it would fail."""

    def __getattr__(self, name: str):
        raise AssertionError(f"HarfBuzz-Subset used: {name}")


@pytest.mark.pdf
def test_fonts_are_subset_the_same_whatever_libraries_the_machine_has(monkeypatch):
    from weasyprint.pdf import fonts

    html = ("<!DOCTYPE html><html lang='en'><head><title>t</title></head><body>"
            "<table><tr><th>Year</th><td>2019/20</td></tr></table><p>Plan</p></body></html>")
    rendered = formats.Rendered("t", "t", html, "0" * 64, 1573776000,
                                (str(render.templates_dir()),))
    here = pdf.layout(rendered).data
    monkeypatch.setattr(fonts, "harfbuzz_subset", _NoHarfBuzzSubset())
    assert pdf.layout(rendered).data == here
    assert isinstance(fonts.harfbuzz_subset, _NoHarfBuzzSubset)  # put back as it was


@pytest.mark.pdf
def test_bundled_board_papers_as_a_board_secretary_sends_them(tmp_path):
    """Read back from the PDFs: the CCG paper's paragraphs run 1 to 16 through the whole
    body; the HOSC briefing is a council report; no page holds only a heading; no
    paper carries the plan extracts it never asked for."""
    papers = ["board-hosc-briefing-2019", "board-mbccg-governing-body-2019-11-19",
              "board-shared-strategy-2019-24"]
    out = tmp_path / "out"
    build(bundled_plan_dir(), out, BuildOptions(only=papers, formats=("pdf",)))
    for doc in papers:
        for number, page in enumerate(PdfReader(out / f"{doc}.pdf").pages, 1):
            lines = [line for line in (page.extract_text() or "").splitlines() if line.strip()]
            # a running header and footer, and at least a paragraph of text
            assert sum(len(line.split()) for line in lines) > 60, (doc, number, lines)
    mbccg = pdf_text(out / "board-mbccg-governing-body-2019-11-19.pdf")
    body = mbccg[mbccg.index("Context 1."):]
    at = [body.index(f" {n}. ") for n in range(1, 17)]
    assert at == sorted(at)
    assert "Extracts from" not in mbccg and "Metrics plan" not in mbccg
    hosc = pdf_text(out / "board-hosc-briefing-2019.pdf")
    assert "Electoral divisions affected" in hosc and "Background and Advice" in hosc
    assert "Cover sheet" not in hosc and "Agenda item" not in hosc
    shared = pdf_text(out / "board-shared-strategy-2019-24.pdf")
    assert "Appendix A: Strategic narrative slide set" in shared
    assert shared.rindex("Appendix A: Strategic narrative slide set") > shared.index(
        "Expectations of governing bodies and boards")
