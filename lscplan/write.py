"""Stage 5, write: HTML and PDF files, replaced atomically, and the manifest last.

PDFs are WeasyPrint's tagged PDF/UA-1, with the document's title, author and
language. They are byte-identical run after run: ``SOURCE_DATE_EPOCH`` is the plan's
own date while WeasyPrint writes (font subsets carry it), the PDF /ID comes from the
document's content, and no date but the plan's enters the metadata. WeasyPrint
fetches through ``safe_fetcher``: ``data:`` URLs and files inside the templates or
the plan directory only; no other file, no network.

Builds are incremental. Each manifest entry records ``sources`` (a digest of the
plan files the document depends on, the templates, the package's code and the
versions of the renderers) and
``input`` (a digest of the rendered HTML and the renderer versions). When
``sources`` is unchanged and the files on disk still have their recorded sha256,
nothing is rendered; otherwise the HTML is rendered (cheap) and the PDF is laid out
again only when ``input`` changed. Every output of a build is staged in a temporary
file beside its target and moved into place only when all of them are ready, so a
failed build leaves the previous outputs as they were.

``jobs``: PDFs of independent documents are laid out in parallel worker processes
(spawned, so nothing is shared). The default is one worker per CPU, at most one per
PDF to lay out; with one PDF (or ``jobs=1``) it is done in this process. The number
of workers never changes the bytes written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import BuildError
from .resources import templates_dir

MANIFEST = "manifest.json"
PDF_VARIANT = "pdf/ua-1"
FORMATS = ("html", "pdf")
#: Packages whose version changes what a build writes.
RENDERERS = ("lscplan", "weasyprint", "pydyf", "fonttools", "matplotlib", "jinja2",
             "markdown-it-py")


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


def _versions() -> str:
    out = []
    for name in RENDERERS:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} -")
    return "\n".join(out)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


@cache
def _code_digest() -> str:
    """The templates, lscplan's own code and the renderers' versions."""
    h = hashlib.sha256(_versions().encode())
    package = Path(__file__).resolve().parent
    for root, label in ((templates_dir(), "templates"), (package, "lscplan")):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if label == "lscplan" and path.suffix != ".py":
                continue
            h.update(f"{label}/{rel.as_posix()}\0".encode() + path.read_bytes() + b"\0")
    return h.hexdigest()


def sources_digest(sources: Mapping[str, Sequence[str]], provenance: str) -> str:
    """A digest of everything a document is made from: the plan files it depends on
    (``sources``: path -> lines), the templates, lscplan's own code, the renderers'
    versions and the provenance line it prints."""
    h = hashlib.sha256(_code_digest().encode())
    h.update(b"\0" + provenance.encode() + b"\0")
    for name in sorted(sources):
        h.update(f"plan/{name}\0".encode())
        h.update("\n".join(sources[name]).encode() + b"\0")
    return h.hexdigest()


def input_digest(html: str) -> str:
    """What a document's PDF depends on: its HTML and the renderers' versions."""
    return sha256_bytes(f"{_versions()}\n{PDF_VARIANT}\n".encode() + html.encode())


# --- WeasyPrint --------------------------------------------------------------------------


def weasyprint():
    """Import WeasyPrint (on first use only: ``check`` never needs it). Its notice that
    a future version will need the HarfBuzz subsetting library is not lscplan's to
    act on, so it is silenced rather than shown to every user (or failing tests)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset will be required",
                                category=DeprecationWarning)
        import weasyprint as module
        import weasyprint.urls
    return module


# --- the URL fetcher ------------------------------------------------------------------


class FetchRefused(Exception):
    """WeasyPrint asked for something outside what a document may use."""


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def safe_fetcher(roots: Sequence[Path | str]):
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and ``file:`` URLs whose
    resolved path (symlinks followed) lies inside one of ``roots``; anything else,
    another local file or any network address, raises ``FetchRefused``."""
    urls = weasyprint().urls
    URLFetcher, URLFetcherResponse = urls.URLFetcher, urls.URLFetcherResponse
    allowed = tuple(Path(r).resolve() for r in roots)

    class SafeFetcher(URLFetcher):
        refused: list[str]

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.refused = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc not in ("", "localhost"):
                    return self._refuse(url)
                path = Path(unquote(parts.path)).resolve()
                if not _inside(path, allowed) or not path.is_file():
                    return self._refuse(url)
                mime, _ = mimetypes.guess_type(path.name)
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(),
                    {"Content-Type": mime or "application/octet-stream"})
            return self._refuse(url)

        def _refuse(self, url: str) -> Any:
            self.refused.append(url)
            raise FetchRefused(f"lscplan does not let documents fetch {url}")

    return SafeFetcher()


# --- PDF --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfTask:
    """Everything needed to lay out one PDF, picklable for a worker process."""

    document: str
    html: str
    identifier: str
    epoch: int
    roots: tuple[str, ...]


@contextlib.contextmanager
def source_date_epoch(epoch: int) -> Iterator[None]:
    """Set ``SOURCE_DATE_EPOCH`` for the duration, then restore what was there."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def epoch_of(day: str) -> int:
    """Midnight UTC at the start of ``day`` (``YYYY-MM-DD``), in seconds."""
    d = datetime.fromisoformat(day[:10]).replace(tzinfo=UTC)
    return int(d.timestamp())


def render_pdf(task: PdfTask) -> tuple[str, int, bytes]:
    """Lay out one document: (document id, page count, PDF bytes)."""
    HTML = weasyprint().HTML
    options = {"pdf_variant": PDF_VARIANT, "pdf_identifier": task.identifier.encode(),
               "uncompressed_pdf": False}
    with source_date_epoch(task.epoch):
        html = HTML(string=task.html, base_url=templates_dir().as_uri() + "/",
                    url_fetcher=safe_fetcher(task.roots))
        document = html.render(**options)
        data = document.write_pdf(**options)
    return task.document, len(document.pages), data


def _render_pdfs(tasks: list[PdfTask], jobs: int | None, progress: Progress
                 ) -> dict[str, tuple[int, bytes]]:
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    results: dict[str, tuple[int, bytes]] = {}
    if workers <= 1:
        for task in tasks:
            progress(Event("render", task.document, f"{task.document}.pdf"))
            doc_id, pages, data = render_pdf(task)
            results[doc_id] = (pages, data)
            progress(Event("done", doc_id))
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        progress(Event("render", file=f"{len(tasks)} PDFs in {workers} processes"))
        futures = [pool.submit(render_pdf, task) for task in tasks]
        for future in as_completed(futures):
            doc_id, pages, data = future.result()
            results[doc_id] = (pages, data)
            progress(Event("done", doc_id))
    return results


# --- atomic files ---------------------------------------------------------------------


class Staging:
    """Outputs written to temporary files beside their targets, moved into place
    together by ``commit`` or thrown away by ``discard``."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.staged: dict[str, Path] = {}

    def write(self, name: str, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.out_dir, prefix=f".{name}.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o666 & ~_umask())  # as open() would make it, not mkstemp's 0600
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        old = self.staged.pop(name, None)
        if old:
            old.unlink(missing_ok=True)
        self.staged[name] = Path(tmp)

    def commit(self) -> None:
        for name, tmp in self.staged.items():
            os.replace(tmp, self.out_dir / name)
        self.staged.clear()
        _fsync_dir(self.out_dir)

    def discard(self) -> None:
        for tmp in self.staged.values():
            tmp.unlink(missing_ok=True)
        self.staged.clear()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    staging = Staging(path.parent)
    try:
        staging.write(path.name, data)
        staging.commit()
    finally:
        staging.discard()


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


def _expected(doc_id: str, fmt: str) -> str:
    return f"{doc_id}.{fmt}"


def _current(out_dir: Path, entry: Mapping | None, fmt: str) -> bool:
    """The entry records this format and the file on disk still has its sha256."""
    if not entry or entry.get(fmt) != _expected(entry["id"], fmt):
        return False
    recorded = (entry.get("sha256") or {}).get(fmt)
    return bool(recorded) and sha256_file(out_dir / entry[fmt]) == recorded


def _blank_entry(doc_id: str, title: str) -> dict:
    return {"id": doc_id, "title": title, "html": None, "pdf": None, "pages": None,
            "sha256": {"html": None, "pdf": None}, "input": None, "sources": None}


def _keep(out_dir: Path, entry: Mapping, fmt: str, into: dict) -> bool:
    if not _current(out_dir, entry, fmt):
        return False
    into[fmt] = entry[fmt]
    into["sha256"][fmt] = entry["sha256"][fmt]
    if fmt == "pdf":
        into["pages"] = entry.get("pages")
    return True


def _carry(out_dir: Path, entry: Mapping, title: str) -> dict | None:
    """A previous entry kept for a document this build did not render, with only the
    outputs that are still on disk as recorded."""
    kept = _blank_entry(entry["id"], title)
    kept["input"], kept["sources"] = entry.get("input"), entry.get("sources")
    if not any([_keep(out_dir, entry, fmt, kept) for fmt in FORMATS]):
        return None
    return kept


# --- the build ------------------------------------------------------------------------


def write_documents(
    documents: Sequence[Any],
    selected: Sequence[str],
    render: Callable[[Any], str],
    out_dir: Path,
    *,
    digests: Mapping[str, str],
    plan_meta: Mapping[str, Any],
    epoch: int,
    roots: Sequence[Path],
    html: bool = True,
    pdf: bool = True,
    force: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Bring ``out_dir`` up to date for the ``selected`` documents (ids) of
    ``documents`` (objects with ``id`` and ``title``), then write the manifest.

    ``render(document)`` returns a document's HTML; it is called only for documents
    whose ``digests`` (id -> ``sources_digest``) differ from the previous build's (or
    for all, with ``force``).
    """
    report = progress or (lambda event: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(out_dir)
    wanted = {"html": html, "pdf": pdf}
    entries: dict[str, dict] = {}
    results: dict[str, DocumentResult] = {}
    tasks: list[PdfTask] = []
    htmls: dict[str, bytes] = {}
    stale: list[tuple[str, str]] = []
    chosen = [d for d in documents if d.id in set(selected)]
    report(Event("start", count=len(chosen)))
    staging = Staging(out_dir)
    try:
        for doc in chosen:
            result = results[doc.id] = DocumentResult(doc.id, doc.title)
            prev = previous.get(doc.id)
            digest = digests[doc.id]
            if (not force and prev and prev.get("sources") == digest
                    and all(_current(out_dir, prev, f) for f in FORMATS if wanted[f])):
                entry = _blank_entry(doc.id, doc.title)
                entry["input"], entry["sources"] = prev.get("input"), digest
                for fmt in FORMATS:
                    _keep(out_dir, prev, fmt, entry)
                entries[doc.id] = entry
                result.unchanged += [entry[f] for f in FORMATS if entry[f]]
                result.pages = entry["pages"]
                report(Event("done", doc.id))
                continue
            report(Event("render", doc.id, f"{doc.id}.html"))
            try:
                text = render(doc)
            except Exception as exc:  # a template failing on this plan's data
                raise BuildError(f"could not render {doc.id}: {exc}") from exc
            data = text.encode("utf-8")
            entry = _blank_entry(doc.id, doc.title)
            entry["input"], entry["sources"] = input_digest(text), digest
            entries[doc.id] = entry
            same_input = bool(prev) and not force and prev.get("input") == entry["input"]
            for fmt in FORMATS:
                name = _expected(doc.id, fmt)
                if wanted[fmt]:
                    if same_input and _keep(out_dir, prev, fmt, entry):
                        result.unchanged.append(name)
                    elif fmt == "html":
                        htmls[doc.id] = data
                        entry["html"], entry["sha256"]["html"] = name, sha256_bytes(data)
                    else:
                        tasks.append(PdfTask(doc.id, text, entry["input"][:32], epoch,
                                             tuple(str(r) for r in roots)))
                elif not (same_input and _keep(out_dir, prev, fmt, entry)) and prev \
                        and prev.get(fmt) == name and (out_dir / name).exists():
                    stale.append((doc.id, name))
            if doc.id not in {t.document for t in tasks}:
                report(Event("done", doc.id))
        for doc_id, data in htmls.items():
            staging.write(_expected(doc_id, "html"), data)
            results[doc_id].built.append(_expected(doc_id, "html"))
        try:
            pdfs = _render_pdfs(tasks, jobs, report) if tasks else {}
        except Exception as exc:
            raise BuildError(f"could not write a PDF: {exc}") from exc
        for doc_id, (pages, data) in sorted(pdfs.items()):
            name = _expected(doc_id, "pdf")
            staging.write(name, data)
            entries[doc_id].update(pdf=name, pages=pages)
            entries[doc_id]["sha256"]["pdf"] = sha256_bytes(data)
            results[doc_id].built.append(name)
        for doc_id in results:
            results[doc_id].pages = entries[doc_id]["pages"]
        # The manifest: every document of the plan, in order; those not built now
        # keep their previous entry while their files are still as recorded.
        final = []
        for doc in documents:
            if doc.id in entries:
                final.append(entries[doc.id])
            elif doc.id in previous:
                kept = _carry(out_dir, previous[doc.id], doc.title)
                if kept:
                    final.append(kept)
        known = {d.id for d in documents}
        for doc_id, prev in sorted(previous.items()):
            if doc_id not in known:
                stale += [(doc_id, prev[f]) for f in FORMATS
                          if prev.get(f) == _expected(doc_id, f)
                          and (out_dir / prev[f]).exists()]
        staging.commit()
    finally:
        staging.discard()
    for doc_id, name in stale:
        (out_dir / name).unlink(missing_ok=True)
        if doc_id in results:
            results[doc_id].removed.append(name)
        report(Event("removed", doc_id, name))
    manifest = manifest_bytes(final, plan_meta)
    if sha256_file(out_dir / MANIFEST) != sha256_bytes(manifest):
        write_atomic(out_dir / MANIFEST, manifest)
    for result in results.values():
        for name in result.built:
            report(Event("built", result.id, name,
                         result.pages if name.endswith(".pdf") else None))
        if not result.built:
            report(Event("unchanged", result.id))
    return BuildResult(out_dir, out_dir / MANIFEST, list(results.values()))
