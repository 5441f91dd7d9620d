"""``lscplan serve``: a live preview of the plan's documents.

``serve`` builds the HTML of every document (``pipeline.build``, no PDF) into a
temporary folder, serves it with the standard library's ``ThreadingHTTPServer`` and
rebuilds whenever a file of the plan or of the templates changes (watchfiles). The
build is the incremental one, so an edit renders again only the documents it reaches.

Served pages (never the built files) carry a small script that polls
``/__lscplan/version`` and reloads the page when the preview's state changes; the
documents' Content-Security-Policy is widened, in the served copy only, by exactly
that script's sha256 and ``connect-src 'self'``. While the plan fails its checks,
every page shows the diagnostics as ``lscplan check`` prints them, and the server
keeps running; a theme template that does not finish is stopped at its time bound
(``render.time_bound``) and shown as such an error, and SIGTERM or Ctrl-C stops a
build at once. ``/`` lists the documents. Bound to a loopback address (the default),
the server answers only requests addressed to a loopback name (no DNS rebinding).
"""

from __future__ import annotations

import errno
import hashlib
import html
import ipaddress
import json
import re
import secrets
import shutil
import signal
import socket
import tempfile
import threading
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import digests, pipeline, write
from .errors import LscplanError, PlanInvalid, UsageError
from .progress import summary
from .reporters import text_report
from .resources import templates_dir

VERSION_PATH = "/__lscplan/version"

#: Polls the preview's version and reloads the page when it is not the page's own.
RELOAD_SCRIPT = (
    "(function(){var g=document.currentScript.dataset.generation;"
    "function poll(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){if(!r.ok){throw r}return r.text()})"
    ".then(function(v){if(v!==g){location.reload()}else{setTimeout(poll,1000)}},"
    "function(){setTimeout(poll,2000)})}"
    "setTimeout(poll,1000)})();"
)
SCRIPT_HASH = "'sha256-" + b64encode(hashlib.sha256(RELOAD_SCRIPT.encode()).digest()).decode() + "'"
_POLICY = re.compile(r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")',
                     re.IGNORECASE)
_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
_STYLE = ("body{font-family:Arial,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;"
          "color:#212b32}a{color:#005eb8}.id{color:#425563;font-size:.9em}"
          ".errors{border-left:.5rem solid #d5281b;padding:.5rem 1rem;background:#fff5f5}"
          "pre{white-space:pre-wrap;font-size:.9rem}")
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


# --- what is served ---------------------------------------------------------------------


def _allow(policy: str, directive: str, source: str) -> str:
    """``policy`` with ``source`` added to ``directive`` (which it gains if absent)."""
    parts = [p.strip() for p in policy.split(";") if p.strip()]
    for i, part in enumerate(parts):
        name, *sources = part.split()
        if name.lower() == directive:
            parts[i] = " ".join([name, *(s for s in sources if s != "'none'"), source])
            break
    else:
        parts.append(f"{directive} {source}")
    return "; ".join(parts)


def inject(page: str, generation: str) -> str:
    """``page`` as served: the reload script before ``</body>``, and each
    Content-Security-Policy it declares allowing that script and its polling."""
    def widen(m: re.Match) -> str:
        policy = _allow(_allow(m[2], "script-src", SCRIPT_HASH), "connect-src", "'self'")
        return m[1] + policy + m[3]

    page = _POLICY.sub(widen, page)
    tag = f'<script data-generation="{html.escape(generation)}">{RELOAD_SCRIPT}</script>\n'
    at = page.lower().rfind("</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def _page(title: str, body: str, generation: str) -> str:
    return inject(
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_PAGE_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<main>\n{body}</main>\n</body>\n</html>\n", generation)


@dataclass(frozen=True)
class Entry:
    """A document as served: its id, title, file name and HTML as built."""

    id: str
    title: str
    file: str
    page: str = field(repr=False)


@dataclass(frozen=True)
class State:
    """What the preview serves: the last good build's documents (held in memory, so a
    page and its generation always belong to the same build), and the failure (the
    diagnostics as ``check`` prints them) while the plan cannot be built."""

    generation: str
    name: str = ""
    documents: tuple[Entry, ...] = ()
    failure: str | None = None

    def document(self, file: str) -> Entry | None:
        return next((d for d in self.documents if d.file == file), None)

    def errors(self) -> str:
        if self.failure is None:
            return ""
        return ('<section class="errors" role="alert">\n<h2>The plan has errors</h2>\n'
                "<p>As <code>lscplan check</code> reports them. The documents show again "
                "once they are fixed; this page reloads itself.</p>\n"
                f"<pre>{html.escape(self.failure)}</pre>\n</section>\n")

    def index(self) -> str:
        items = "".join(f'<li><a href="{html.escape(d.file)}">{html.escape(d.title)}</a> '
                        f'<span class="id">{html.escape(d.id)}</span></li>\n'
                        for d in self.documents)
        listing = f"<ul>\n{items}</ul>\n" if items else "<p>No document is built yet.</p>\n"
        title = f"{self.name}: documents" if self.name else "Documents"
        return _page(title, f"<h1>{html.escape(title)}</h1>\n{self.errors()}{listing}"
                     "<p>HTML only (<code>lscplan build</code> writes the PDFs). Pages "
                     "reload themselves when the plan or the templates change.</p>\n",
                     self.generation)

    def error_page(self, entry: Entry) -> str:
        return _page(f"{entry.title}: the plan has errors",
                     f"<h1>{html.escape(entry.title)}</h1>\n{self.errors()}"
                     '<p><a href="/">All documents</a></p>\n', self.generation)


# --- building and watching ---------------------------------------------------------------


class _Stopped(Exception):
    """The preview stopped while a build was running."""


class Preview:
    """The state the watcher (which builds) shares with the request handlers (which
    serve); ``state`` is replaced whole, never changed in place."""

    def __init__(self, plan_dir: Path, out: Path, log: Callable[[str], None],
                 loopback: bool):
        self.plan_dir, self.out, self.log, self.loopback = plan_dir, out, log, loopback
        self.token = secrets.token_hex(4)
        self.count = 0
        self.key: Any = None
        self.state = State(f"{self.token}-0")
        self.stop, self.ready = threading.Event(), threading.Event()
        self.broken: Exception | None = None
        self.building = False

    def rebuild(self) -> None:
        """Bring the served folder up to date, or record why it cannot be."""
        digests.code_digest.cache_clear()  # a template may have changed
        failure = None
        self.building = True
        try:
            result = pipeline.build(self.plan_dir, self.out, write.BuildOptions(
                formats=("html",), progress=self._cancel_when_stopped))
        except PlanInvalid as exc:
            failure = text_report(exc.report, exc.sources, str(self.plan_dir))
        except LscplanError as exc:
            failure = f"lscplan: {exc}\n"
        except Exception as exc:  # whatever an edit does, the preview keeps running
            failure = f"lscplan: could not build the plan: {exc!r}\n"
        finally:
            self.building = False
        if self.stop.is_set():
            return
        if failure is None:
            self.log(summary(result))
        else:
            self.log(failure.rstrip("\n") + "\n(the pages show this until it is fixed)")
        self._publish(failure)

    def _cancel_when_stopped(self, event: write.Event) -> None:
        """A build's progress: once the preview stops, the build ends at its next
        step (leaving nothing behind), so the served folder can be removed."""
        if self.stop.is_set():
            raise _Stopped

    def _publish(self, failure: str | None) -> None:
        state = self.state
        name, docs = state.name, state.documents
        if failure is None:
            manifest = json.loads((self.out / write.MANIFEST).read_text(encoding="utf-8"))
            name = manifest["plan"]["name"]
            docs = tuple(Entry(d["id"], d["title"], d["html"],
                               (self.out / d["html"]).read_text(encoding="utf-8"))
                         for d in manifest["documents"] if d.get("html"))
            key: tuple[str | None, str, tuple[Any, ...]] = (
                failure, name, tuple((d["id"], d["title"], d["sha256"]["html"])
                                     for d in manifest["documents"] if d.get("html")))
        else:
            key = (failure, name, docs)
        if key != self.key:
            self.key, self.count = key, self.count + 1
        self.state = State(f"{self.token}-{self.count}", name, docs, failure)

    def _label(self, path: str) -> str:
        p = Path(path).resolve()
        for root, label in ((self.plan_dir, str(self.plan_dir).rstrip("/")),
                            (templates_dir(), "templates")):
            try:
                return f"{label}/{p.relative_to(root.resolve()).as_posix()}"
            except ValueError:
                continue
        return path

    def _names(self, changes: set[tuple[Any, str]]) -> str:
        """The files changed, leaving out those made and removed within the batch
        (an editor's temporary files)."""
        added = {p for change, p in changes if change.name == "added"}
        shown = {p for _, p in changes if Path(p).exists() or p not in added}
        return ", ".join(sorted({self._label(p) for p in shown})) or "temporary files"

    def _watch(self, force_polling: bool | None) -> None:
        import watchfiles

        for changes in watchfiles.watch(
                self.plan_dir, templates_dir(), stop_event=self.stop, yield_on_timeout=True,
                rust_timeout=500, raise_interrupt=False, force_polling=force_polling):
            if self.stop.is_set():
                return
            if not self.ready.is_set():  # watching from now on: the first build
                self.rebuild()
                self.ready.set()
            elif changes:
                self.log(f"changed: {self._names(changes)}")
                self.rebuild()

    def watch(self) -> None:
        """The watcher thread: the first build once changes are being watched, then a
        build after each batch of changes, until ``stop`` is set."""
        try:
            try:
                self._watch(None)
            except OSError as exc:  # e.g. the system's limit of watched folders
                if self.stop.is_set():
                    return
                self.log(f"lscplan: watching by polling ({exc})")
                self._watch(True)
        except Exception as exc:
            if not self.stop.is_set():
                self.broken = exc
                self.log(f"lscplan: stopped watching for changes: {exc}")
        finally:
            self.ready.set()

    def host_allowed(self, header: str | None) -> bool:
        """A request to a loopback server must name a loopback host."""
        if not self.loopback or not header:
            return True
        name = (urlsplit("//" + header).hostname or "").rstrip(".")
        return name in _LOOPBACK_NAMES or name.endswith(".localhost")


# --- serving ---------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "lscplan"

    def do_GET(self) -> None:
        preview = self.server.preview
        if not preview.host_allowed(self.headers.get("Host")):
            return self._send(HTTPStatus.FORBIDDEN, b"not a loopback host\n", "text/plain")
        path, state = urlsplit(self.path).path, preview.state
        if path == VERSION_PATH:
            return self._send(HTTPStatus.OK, state.generation.encode(), "text/plain")
        if path == "/":
            return self._html(HTTPStatus.OK, state.index())
        entry = state.document(path.removeprefix("/"))
        if entry is None:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
        if state.failure is not None:
            return self._html(HTTPStatus.INTERNAL_SERVER_ERROR, state.error_page(entry))
        self._html(HTTPStatus.OK, inject(entry.page, state.generation))

    def _html(self, status: HTTPStatus, page: str) -> None:
        self._send(status, page.encode("utf-8"), "text/html")

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], preview: Preview):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview = preview
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is no error; anything else is one line."""
        import sys

        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError):
            self.preview.log(f"lscplan: a request failed: {exc!r}")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() in _LOOPBACK_NAMES


def _bind(host: str, port: int, preview: Preview) -> _Server:
    try:
        return _Server((host, port), preview)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is already in use: stop what uses it "
                             "or choose another with --port") from None
        raise UsageError(f"cannot listen on {host} port {port}: {exc.strerror or exc}"
                         ) from None


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve(plan_dir: Path, host: str = "127.0.0.1", port: int = 8000,
          log: Callable[[str], None] = lambda line: None) -> None:
    """Build, serve and rebuild on every change until interrupted (Ctrl-C, or
    SIGTERM), then remove the served folder. ``port`` 0 takes a free port; ``log``
    receives each line to show. Raises ``UsageError`` when the plan directory or the
    address cannot be used."""
    pipeline.plan_directory(plan_dir)
    out = Path(tempfile.mkdtemp(prefix="lscplan-serve-"))
    preview = Preview(plan_dir, out, log, _loopback(host))
    watcher = threading.Thread(target=preview.watch, name="lscplan-watch", daemon=True)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    try:
        with _bind(host, port, preview) as httpd:
            watcher.start()
            while not preview.ready.wait(0.2):
                pass
            if preview.broken is not None:
                raise UsageError(f"cannot watch {plan_dir}: {preview.broken}")
            name = f"[{host}]" if ":" in host else host
            log(f"serving http://{name}:{httpd.server_address[1]}/ (Ctrl-C to stop)")
            httpd.serve_forever()
    except KeyboardInterrupt:
        log("stopped")
    finally:
        preview.stop.set()
        if preview.building and watcher.ident is not None:
            from .render import interrupt

            interrupt(watcher.ident, _Stopped)  # a theme template's loop ends at once
        try:
            if watcher.is_alive():  # a build running ends at its next document
                watcher.join(timeout=60)
        except KeyboardInterrupt:  # pressed again: leave now
            pass
        shutil.rmtree(out, ignore_errors=True)
        if main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
