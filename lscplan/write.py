"""Stage 5, write: every document in each of its formats, replaced atomically, and
the manifest last.

``write_documents`` reads top to bottom, one function per stage:

1. ``plan_work``: for each document asked for, which of its files the previous build
   left that are still good, and so whether it must be rendered at all; and, for each
   that must, the plan it shows (the plan as of its date, ``Work.dated``), made
   before any document is rendered;
2. ``render``: each such document's HTML, then the output of every format wanted
   (``formats.FORMATS``: HTML, PDF, the workbook; a format knows how to make itself from the
   rendered document, and whether it runs in worker processes);
3. ``stage``: every new output written to a temporary file beside its target;
4. ``commit``: all of them moved into place together, then the outputs that are no
   longer wanted (an out-of-date PDF of a document now built without one, the files
   of a removed board paper) deleted;
5. ``write_manifest``: every document of the plan, written last.

Builds are incremental. Each manifest entry records ``sources`` (a digest of the
plan files the document depends on, the templates, the package's code and the
versions of the renderers) and ``input`` (a digest of the rendered HTML and the
renderer versions). When ``sources`` is unchanged and the files on disk still have
their recorded sha256, nothing is rendered; otherwise the HTML is rendered (cheap)
and a format made from the HTML (the PDF) is produced again only when ``input``
changed. A failed build leaves the previous outputs as they were.

``jobs``: formats that run in worker processes (PDF layout) do so in parallel
(spawned, so nothing is shared). The default is one worker per CPU, at most one per
output to produce; with one such output (or ``jobs=1``) it is done in this process.
The number of workers never changes the bytes written. The charts of a document
that are not in the chart cache (``chartcache``) are drawn in the workers too, all at
once, before its layout is handed to them; the longest document (by the previous
build's pages) goes first. A build into a folder no build has written starts its
workers before the plan is checked (``workers_ahead``), so that they have imported
WeasyPrint (and, the chart cache empty, matplotlib) by the time the first document
is rendered.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import chartcache
from .digests import code_digest, renderer_versions
from .documents import Document
from .errors import BuildError, LscplanError
from .files import Staging, remove_leftovers, sha256_bytes, sha256_file, write_atomic
from .formats import FORMATS, Format, Output, Rendered
from .pdf import PDF_VARIANT
from .resources import fonts_dir

MANIFEST = "manifest.json"


# --- what a build is asked for --------------------------------------------------------


@dataclass(frozen=True)
class BuildOptions:
    """What the person building chose: the documents (``only``: ids; None for every
    one; the manifest always lists them all), the formats (names; None for every
    format each document declares), ``force`` to produce even what is up to date,
    ``jobs`` worker processes (None: one per CPU), and a ``progress`` callback that
    receives ``Event`` values."""

    only: Sequence[str] | None = None
    formats: Collection[str] | None = None
    force: bool = False
    jobs: int | None = None
    progress: Callable[[Event], None] | None = None

    def wants(self, fmt: str) -> bool:
        return self.formats is None or fmt in self.formats


@dataclass(frozen=True)
class Work:
    """What a plan gives the build (made by ``pipeline.build``): every document in
    manifest order, ``dated(document)`` the plan it shows (``documents.Dated``: the
    plan as of its date), ``render(document, plan)`` its HTML from that plan, ``digests``
    (document id -> ``sources_digest``), the plan's entry for the manifest, its date as
    ``epoch`` seconds and the directories documents may read files from. The dated
    plan is handed to formats made from the plan (the workbook) too."""

    documents: Sequence[Document]
    dated: Callable[[Document], Any]
    render: Callable[[Document, Any], str]
    digests: Mapping[str, str]
    plan_meta: Mapping[str, Any]
    epoch: int
    roots: tuple[str, ...]


# --- progress and results ----------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """What a build reports as it goes.

    ``start`` (``count`` documents to consider), ``render`` (a document's turn has
    come), ``done`` (a document is staged), then, once the outputs are in place,
    ``built`` (a file was written), ``unchanged`` (a document needed nothing) and
    ``removed`` (a stale output was deleted).
    """

    action: str
    document: str | None = None
    file: str | None = None
    pages: int | None = None
    count: int | None = None


Progress = Callable[[Event], None]


@dataclass
class DocumentResult:
    id: str
    title: str
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pages: int | None = None
    #: how each page of the PDF laid out by this build is filled (``pdf.page_flow``)
    flow: tuple = ()


@dataclass
class BuildResult:
    out_dir: Path
    manifest: Path
    documents: list[DocumentResult]
    #: The plan's warnings, and how many of its figures are illustrative (set by
    #: ``pipeline.build``, for the build's summary line).
    warnings: int = 0
    illustrative: int = 0

    @property
    def built(self) -> list[str]:
        """Every file this build wrote (manifest excepted)."""
        return [f for d in self.documents for f in d.built]

    @property
    def rendered_pdfs(self) -> list[str]:
        """The ids of the documents whose PDF was laid out."""
        return [d.id for d in self.documents if f"{d.id}.pdf" in d.built]

    @property
    def unchanged(self) -> list[str]:
        return [d.id for d in self.documents if not d.built]


# --- digests ----------------------------------------------------------------------------


def sources_digest(sources: Mapping[str, Sequence[str]], provenance: str) -> str:
    """A digest of everything a document is made from: the plan files it depends on
    (``sources``: path -> lines), the templates, lscplan's own code, the renderers'
    versions and the provenance line it prints."""
    h = hashlib.sha256(code_digest().encode())
    h.update(b"\0" + provenance.encode() + b"\0")
    for name in sorted(sources):
        h.update(f"plan/{name}\0".encode())
        h.update("\n".join(sources[name]).encode() + b"\0")
    return h.hexdigest()


@cache
def _fonts_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(fonts_dir().iterdir()):
        h.update(f"{path.name}\0".encode() + path.read_bytes() + b"\0")
    return h.hexdigest()


def input_digest(html: str) -> str:
    """What a document's PDF depends on: its HTML, the bundled typeface and the
    renderers' versions."""
    head = f"{renderer_versions()}\n{PDF_VARIANT}\n{_fonts_digest()}\n"
    return sha256_bytes(head.encode() + html.encode())


# --- the manifest ----------------------------------------------------------------------


def read_manifest(out_dir: Path) -> dict[str, dict]:
    """The previous build's entries by document id; empty when there is none or it
    cannot be read (the build then simply renders everything)."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        docs = data["documents"]
        return {d["id"]: d for d in docs if isinstance(d, dict) and isinstance(d.get("id"), str)}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def manifest_bytes(entries: list[dict], plan_meta: Mapping[str, Any]) -> bytes:
    from . import __version__

    payload = {"documents": entries, "generator": f"lscplan {__version__}",
               "plan": dict(plan_meta)}
    return (json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()




def _blank_entry(doc: Document) -> dict:
    return {"id": doc.id, "title": doc.title, **dict.fromkeys(doc.formats), "pages": None,
            "sha256": dict.fromkeys(doc.formats), "input": None, "sources": None}


def _current(out_dir: Path, entry: Mapping | None, fmt: str) -> bool:
    """The entry records this format and the file on disk still has its sha256."""
    if not entry or entry.get(fmt) != f"{entry['id']}.{fmt}":
        return False
    recorded = (entry.get("sha256") or {}).get(fmt)
    return bool(recorded) and sha256_file(out_dir / entry[fmt]) == recorded


def _carry(out_dir: Path, doc: Document, previous: Mapping) -> dict | None:
    """A previous entry kept for a document this build did not consider, with only
    the outputs that are still on disk as recorded (None when there are none)."""
    kept = _blank_entry(doc)
    kept["input"], kept["sources"] = previous.get("input"), previous.get("sources")
    formats = [FORMATS[f] for f in doc.formats if _current(out_dir, previous, f)]
    for fmt in formats:
        kept[fmt.name], kept["sha256"][fmt.name] = previous[fmt.name], previous["sha256"][fmt.name]
        if fmt.paged:
            kept["pages"] = previous.get("pages")
    return kept if formats else None


# --- the build ------------------------------------------------------------------------


@dataclass
class Step:
    """One document's part in this build, filled in stage by stage."""

    doc: Document
    digest: str
    previous: dict | None
    wanted: tuple[Format, ...]
    entry: dict
    result: DocumentResult
    render: bool = False
    plan: Any = None  # the plan the document shows, when it is rendered
    outputs: dict[str, Output] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)

    def keep(self, fmt: Format) -> None:
        """Record the previous build's output of ``fmt`` as this build's."""
        prev = self.previous or {}
        self.entry[fmt.name] = prev[fmt.name]
        self.entry["sha256"][fmt.name] = prev["sha256"][fmt.name]
        if fmt.paged:
            self.entry["pages"] = prev.get("pages")
        if fmt in self.wanted:
            self.result.unchanged.append(prev[fmt.name])


def _still_good(out_dir: Path, step: Step, fmt: Format, html_input: str | None = None
                ) -> bool:
    """The previous output of ``fmt`` is on disk as recorded and was made from the
    same sources (or, for a format made from the HTML, the same HTML)."""
    prev = step.previous
    if not prev or not _current(out_dir, prev, fmt.name):
        return False
    return prev.get("sources") == step.digest or (
        fmt.from_html and html_input is not None and prev.get("input") == html_input)


def plan_work(work: Work, previous: Mapping[str, dict], out_dir: Path,
              options: BuildOptions) -> list[Step]:
    """Stage 1: a step for each document asked for, keeping what the previous build
    left that is still good; ``step.render`` says whether anything is left to make,
    and ``step.plan`` is then the plan the document shows (``work.dated``)."""
    only = set(options.only) if options.only else None
    steps = []
    for doc in work.documents:
        if only is not None and doc.id not in only:
            continue
        step = Step(doc, work.digests[doc.id], previous.get(doc.id),
                    tuple(FORMATS[f] for f in doc.formats if options.wants(f)),
                    _blank_entry(doc), DocumentResult(doc.id, doc.title))
        for fmt in (FORMATS[f] for f in doc.formats):
            if not (options.force and fmt in step.wanted) and _still_good(out_dir, step, fmt):
                step.keep(fmt)
        step.render = any(step.entry[f.name] is None for f in step.wanted)
        if step.render:
            step.plan = _dated(work, doc)
        else:
            step.entry["input"] = (step.previous or {}).get("input")
            step.entry["sources"] = step.digest
        steps.append(step)
    return steps


def render(steps: Sequence[Step], work: Work, out_dir: Path, options: BuildOptions,
           report: Callable[[Event], None], ahead: Ahead | None = None) -> None:
    """Stage 2: render each step's HTML, then produce every wanted format not kept;
    a format that runs in worker processes is handed to them as soon as the HTML is
    ready, so PDF layout runs while the next documents are rendered. Outputs no
    longer wanted nor good are marked stale."""
    may_pool = sum(1 for s in steps if s.render and any(f.pooled for f in s.wanted))
    with Workers(options.jobs, may_pool, report, ahead) as workers:
        for step in _longest_first(steps):
            if not step.render:
                report(Event("done", step.doc.id))
                _mark_stale(out_dir, step)
                continue
            doc = step.doc
            report(Event("render", doc.id, f"{doc.id}.html"))
            html = _html(work, step, workers)
            rendered = Rendered(doc.id, doc.title, html, input_digest(html), work.epoch,
                                work.roots, step.plan, doc)
            step.entry["input"], step.entry["sources"] = rendered.input, step.digest
            for fmt in (FORMATS[f] for f in doc.formats):
                if step.entry[fmt.name] is not None:
                    continue
                if not (options.force and fmt in step.wanted) and _still_good(
                        out_dir, step, fmt, rendered.input):
                    step.keep(fmt)
                elif fmt in step.wanted and fmt.pooled:
                    workers.submit(step, fmt, rendered)
                elif fmt in step.wanted:
                    step.outputs[fmt.name] = _produce(fmt, rendered)
            _mark_stale(out_dir, step)
            if not workers.has(step):
                report(Event("done", doc.id))


def _dated(work: Work, doc: Document) -> Any:
    try:
        return work.dated(doc)
    except Exception as exc:  # the plan failing to be cut to the document's date
        raise BuildError(f"could not render {doc.id}: {exc}") from exc


def _render(work: Work, step: Step) -> str:
    try:
        return work.render(step.doc, step.plan)
    except LscplanError:  # a theme's template failing, located: as it is
        raise
    except Exception as exc:  # a template failing on this plan's data
        raise BuildError(f"could not render {step.doc.id}: {exc}") from exc


def _html(work: Work, step: Step, workers: Workers) -> str:
    """A document's HTML. With worker processes, the charts it shows that are not in
    the cache are drawn there, all at once and before any later document's, rather
    than one by one here: the document is rendered with placeholders for them, then
    again once they are drawn (the bytes are the same either way). A build that has
    no workers but may start them for charts renders with placeholders first too, to
    count the charts missing."""
    if workers.pool is None and not workers.may_start:
        return _render(work, step)
    with chartcache.missing() as missing:
        html = _render(work, step)
    if not missing:
        return html
    if workers.pool is None and not workers.start_for_charts(len(missing)):
        return _render(work, step)  # too few to be worth the workers: drawn here
    workers.draw(list(missing.values()))
    return _render(work, step)


def _longest_first(steps: Sequence[Step]) -> list[Step]:
    """The steps in the order to render them: the documents with most pages in the
    previous build first (the build cannot end before the longest layout does), the
    others in manifest order."""
    def pages(step: Step) -> int:
        return -int((step.previous or {}).get("pages") or 0)
    return sorted(steps, key=pages)


def _produce(fmt: Format, rendered: Rendered) -> Output:
    try:
        return fmt.produce(rendered)
    except Exception as exc:
        raise BuildError(f"could not write {fmt.file(rendered.id)}: {exc}") from exc


def _warm() -> None:
    """A worker's start: import WeasyPrint while the main process renders HTML, and
    arrange for the worker to end at once when the pool stops it."""
    from .pdf import weasyprint

    weasyprint()
    atexit.register(_end_at_once)


def _warm_charts() -> None:
    """A chart worker's start: import matplotlib while the main process renders."""
    from .charts import warm

    warm()
    atexit.register(_end_at_once)


def _warm_both() -> None:
    """The start of a worker started before a first build's check, the chart cache
    empty: WeasyPrint and matplotlib both, while the main process checks the plan."""
    from .charts import warm

    warm()
    _warm()


def _end_at_once() -> None:
    """A worker's exit (its first exit handler, once the pool has stopped it and every
    result is sent): without collecting its garbage, which for the last document laid
    out is half a million objects, a second for the submission, that the build would
    wait for; the system frees the memory."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


#: How many charts not in the cache a document must show for a build with no output
#: for worker processes (one without PDFs) to start them all the same, to draw those:
#: starting them (a new Python each, matplotlib imported) costs about as much as
#: drawing a dozen charts here.
CHARTS_FOR_WORKERS = 12


class Workers:
    """The worker processes for pooled formats (PDF layout). With more than one
    output that may go to them and more than one job allowed, they start at once
    (spawned, so nothing is shared, each importing WeasyPrint meanwhile) and take each
    output as it is submitted; otherwise each output is produced here, one at a
    time, when ``collect`` comes. A build with no such output starts them only to
    draw charts, when a document has many not in the cache (``start_for_charts``).
    ``jobs`` never changes the bytes written."""

    def __init__(self, jobs: int | None, expected: int, report: Callable[[Event], None],
                 ahead: Ahead | None = None):
        self.jobs = jobs or os.cpu_count() or 1
        self.count = min(self.jobs, expected)
        self.may_start = expected == 0 and self.jobs > 1  # for charts alone
        self.report = report
        self.ahead = ahead
        self.pool: Any = None
        self.tasks: list[tuple[Any, Step, Format, Rendered]] = []

    def __enter__(self) -> Workers:
        if self.count > 1:
            self.pool = self._take() or _pool(self.count, _warm)
        return self

    def _take(self) -> Any:
        return self.ahead.take() if self.ahead is not None else None

    def start_for_charts(self, charts: int) -> bool:
        """Start workers to draw ``charts`` charts, if they are many enough."""
        if self.may_start and charts >= CHARTS_FOR_WORKERS:
            self.pool = self._take() or _pool(min(self.jobs, charts), _warm_charts)
            self.may_start = False
        return self.pool is not None

    def submit(self, step: Step, fmt: Format, rendered: Rendered) -> None:
        future = self.pool.submit(fmt.produce, rendered.for_worker()) if self.pool else None
        self.tasks.append((future, step, fmt, rendered))

    def draw(self, calls: Sequence[chartcache.Call]) -> None:
        """Draw charts in the workers (they store them in the cache folder too) and
        keep them in memory here."""
        futures = [(call, self.pool.submit(chartcache.draw, call)) for call in calls]
        for call, future in futures:
            try:
                chartcache.remember(call.key, future.result())
            except Exception as exc:
                raise BuildError(f"could not draw a chart ({call.args[0]}): {exc}") from exc

    def has(self, step: Step) -> bool:
        return any(s is step for _, s, _, _ in self.tasks)

    def collect(self) -> None:
        """Wait for every output submitted (or produce each here, without a pool)."""
        if not self.tasks:
            return
        if self.pool is None:
            for _, step, fmt, rendered in self.tasks:
                self.report(Event("render", step.doc.id, fmt.file(step.doc.id)))
                step.outputs[fmt.name] = _produce(fmt, rendered)
                self.report(Event("done", step.doc.id))
            return
        from concurrent.futures import as_completed

        self.report(Event("render", file=f"{len(self.tasks)} files in {self.count} processes"))
        tasks = {future: (step, fmt, rendered) for future, step, fmt, rendered in self.tasks}
        for future in as_completed(tasks):
            step, fmt, rendered = tasks[future]
            try:
                step.outputs[fmt.name] = future.result()
            except Exception as exc:
                raise BuildError(f"could not write {fmt.file(rendered.id)}: {exc}") from exc
            self.report(Event("done", step.doc.id))

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        try:
            if kind is None:
                self.collect()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=kind is None, cancel_futures=kind is not None)


class Ahead:
    """Worker processes started before the plan is checked (``workers_ahead``), until
    the build ``take``s them; those not taken (the plan failed its checks) are
    stopped at once when the build ends, rather than waited for."""

    def __init__(self, pool: Any = None, processes: Collection[Any] = ()):
        self.pool, self.processes = pool, processes

    def take(self) -> Any:
        pool, self.pool = self.pool, None
        return pool

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.take().shutdown(wait=False, cancel_futures=True)
            for process in self.processes:
                process.terminate()


def workers_ahead(out_dir: Path, options: BuildOptions) -> Ahead:
    """For a build into a folder no build has written (every document's PDF to lay
    out), the worker processes started now, to import WeasyPrint (and matplotlib,
    when the chart cache is empty) while the main process checks the plan, so that
    the first layout (or the first charts) need not wait for them. Any other build,
    which may have nothing to lay out, starts them only once it knows."""
    jobs = options.jobs or os.cpu_count() or 1
    if options.only is not None:
        jobs = min(jobs, len(set(options.only)))
    if jobs < 2 or not options.wants("pdf") or (out_dir / MANIFEST).exists():
        return Ahead()
    import multiprocessing

    before = set(multiprocessing.active_children())
    pool = _pool(jobs, _warm_both if chartcache.empty() else _warm)
    return Ahead(pool, set(multiprocessing.active_children()) - before)


def _pool(count: int, warm: Callable[[], None]) -> Any:
    """``count`` worker processes, started now: a pool spawns a process only when a
    task finds none idle, so one task each is submitted (which does nothing), and
    each worker runs ``warm`` while the main process goes on."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=count, initializer=warm,
                               mp_context=multiprocessing.get_context("spawn"))
    for _ in range(count):
        pool.submit(_started)
    return pool


def _started() -> None:
    """The task that starts a worker."""


def _mark_stale(out_dir: Path, step: Step) -> None:
    """The previous outputs of formats not wanted now that are no longer good."""
    prev = step.previous or {}
    wanted = {f.name for f in step.wanted}
    for name in step.doc.formats:
        if (name not in wanted and step.entry[name] is None
                and prev.get(name) == f"{step.doc.id}.{name}"
                and (out_dir / prev[name]).exists()):
            step.stale.append(prev[name])


def stage(steps: Sequence[Step], staging: Staging) -> None:
    """Stage 3: every new output to a temporary file beside its target."""
    for step in steps:
        for fmt in (FORMATS[f] for f in step.doc.formats if f in step.outputs):
            output, name = step.outputs[fmt.name], fmt.file(step.doc.id)
            staging.write(name, output.data)
            step.entry[fmt.name] = name
            step.entry["sha256"][fmt.name] = sha256_bytes(output.data)
            if fmt.paged:
                step.entry["pages"] = output.pages
                step.result.flow = output.flow
            step.result.built.append(name)
        step.result.pages = step.entry["pages"]


def commit(staging: Staging, steps: Sequence[Step], work: Work,
           previous: Mapping[str, dict], out_dir: Path,
           report: Callable[[Event], None]) -> None:
    """Stage 4: move the staged outputs into place together, then delete the stale
    ones and the outputs of documents the plan no longer has."""
    staging.commit()
    known = {d.id for d in work.documents}
    gone = [(doc_id, prev[f]) for doc_id, prev in sorted(previous.items())
            if doc_id not in known for f in FORMATS
            if prev.get(f) == f"{doc_id}.{f}" and (out_dir / prev[f]).exists()]
    for doc_id, name in [(s.doc.id, n) for s in steps for n in s.stale] + gone:
        (out_dir / name).unlink(missing_ok=True)
        for step in steps:
            if step.doc.id == doc_id:
                step.result.removed.append(name)
        report(Event("removed", doc_id, name))


def write_manifest(steps: Sequence[Step], work: Work, previous: Mapping[str, dict],
                   out_dir: Path) -> None:
    """Stage 5: the manifest lists every document of the plan, in order; those not
    considered now keep their previous entry while their files are still as
    recorded. It is rewritten only when it changed."""
    entries = {s.doc.id: s.entry for s in steps}
    final = []
    for doc in work.documents:
        if doc.id in entries:
            final.append(entries[doc.id])
        elif doc.id in previous and (kept := _carry(out_dir, doc, previous[doc.id])):
            final.append(kept)
    manifest = manifest_bytes(final, work.plan_meta)
    if sha256_file(out_dir / MANIFEST) != sha256_bytes(manifest):
        write_atomic(out_dir / MANIFEST, manifest)


def write_documents(work: Work, out_dir: Path, options: BuildOptions,
                    ahead: Ahead | None = None) -> BuildResult:
    """Bring ``out_dir`` up to date for the documents ``options`` asks for, then
    write the manifest; with the workers ``ahead`` started, if any."""
    report = options.progress or (lambda event: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out_dir)
    previous = read_manifest(out_dir)
    steps = plan_work(work, previous, out_dir, options)
    report(Event("start", count=len(steps)))
    staging = Staging(out_dir)
    try:
        render(steps, work, out_dir, options, report, ahead)
        stage(steps, staging)
        commit(staging, steps, work, previous, out_dir, report)
    finally:
        staging.discard()
    write_manifest(steps, work, previous, out_dir)
    for step in steps:
        for name in step.result.built:
            paged = FORMATS[name.rsplit(".", 1)[1]].paged
            report(Event("built", step.doc.id, name, step.entry["pages"] if paged else None))
        if not step.result.built:
            report(Event("unchanged", step.doc.id))
    return BuildResult(out_dir, out_dir / MANIFEST, [s.result for s in steps])
