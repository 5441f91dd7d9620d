"""lscplan serve through the real entry point: a server on a free port over an
``lscplan init`` plan, fetched over HTTP while its sources are edited. Every wait is
a poll with a generous bound (the machine may be loaded); no timing is asserted."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import edit

from lscplan.serve import inject

STARTUP = 240  # seconds: imports and a first build on a busy machine
WAIT = 120  # seconds: a rebuild after an edit


class Served:
    """``lscplan serve PLAN --port 0`` running, its output collected as it comes."""

    def __init__(self, entry_point: Path, plan: Path, tmp: Path, *args: str):
        self.stderr_path = tmp / "serve-stderr.txt"
        self.stderr = self.stderr_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [str(entry_point), "serve", str(plan), "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True, encoding="utf-8")
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        line = self.wait_line(lambda text: text.startswith("serving "), STARTUP)
        self.url = re.search(r"http://\S+/", line)[0]

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, wanted, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.lines if wanted(line)]
            if found:
                return found[-1]
            assert self.proc.poll() is None, (
                f"serve exited with {self.proc.returncode}: {self.lines} "
                f"{self.stderr_path.read_text(encoding='utf-8')}")
            assert time.monotonic() < deadline, f"no such line in {timeout}s: {self.lines}"
            time.sleep(0.1)

    def get(self, path: str, **headers: str) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path.lstrip("/"), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def until(self, path: str, wanted, timeout: float = WAIT) -> tuple[int, str]:
        """Fetch ``path`` until ``wanted(status, body)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.get(path)
            if wanted(status, body):
                return status, body
            assert self.proc.poll() is None, f"serve exited: {self.lines}"
            assert time.monotonic() < deadline, (
                f"{path} never became as wanted in {timeout}s: {status} {body[:2000]}")
            time.sleep(0.2)

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=STARTUP)
        self.reader.join(timeout=60)
        self.proc.stdout.close()
        self.stderr.close()
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=60)
        self.proc.stdout.close()
        self.stderr.close()


@pytest.fixture
def served(entry_point: Path, tmp_path: Path):
    started: list[Served] = []

    def start(plan: Path, *args: str) -> Served:
        started.append(Served(entry_point, plan, tmp_path, *args))
        return started[-1]

    yield start
    for server in started:
        server.close()


def _csp_hashes(page: str) -> set[str]:
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)[1]
    script_src = next(d for d in policy.split(";") if d.split()[0] == "script-src")
    return set(re.findall(r"'sha256-([^']+)'", script_src))


def _script(page: str) -> tuple[str, str]:
    m = re.search(r'<script data-generation="([^"]+)">(.*?)</script>', page, re.S)
    assert m, "no reload script in the served page"
    return m[1], m[2]


def test_serve_previews_follows_edits_and_shows_errors(cli, served, tmp_path: Path) -> None:
    plan = tmp_path / "myplan"
    assert cli("init", plan).code == 0
    reference = tmp_path / "reference"
    assert cli("build", plan, "--out", reference, "--no-pdf", "-q").code == 0
    manifest = json.loads((reference / "manifest.json").read_text(encoding="utf-8"))
    files = [d["html"] for d in manifest["documents"]]

    server = served(plan)
    assert server.url.startswith("http://127.0.0.1:")  # loopback unless --host says
    status, index = server.get("/")
    assert status == 200
    assert re.findall(r'<a href="([^"]+)">', index) == files
    for d in manifest["documents"]:
        assert html.escape(d["title"]) in index

    # Each page is the built document with the reload script, which its CSP allows;
    # the files built into the served folder carry no script.
    folder = Path(re.search(r"outputs in (\S+)", server.lines[0])[1])
    for name in files:
        status, page = server.get(name)
        assert status == 200
        built = (reference / name).read_text(encoding="utf-8")
        generation, script = _script(page)
        assert page == inject(built, generation)
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert _csp_hashes(page) == {digest}
        assert "connect-src 'self'" in page
        assert (folder / name).read_bytes() == (reference / name).read_bytes()
        assert "<script" not in built
    version = server.get("/__lscplan/version")
    assert version == (200, generation)

    # An edit reaches the page, which a poller of the version sees as a new state.
    edit(plan / "priorities.yaml", "title: Neighbourhoods", "title: Neighbourhood care teams")
    _, page = server.until("public-summary.html",
                           lambda s, body: "Neighbourhood care teams" in body)
    assert _script(page)[0] != generation  # a page and its generation are of one build

    # A broken edit: every page shows check's diagnostics; the server keeps serving.
    edit(plan / "metrics.yaml", "unit: percent\n", "unit: percentage\n")
    check = cli("check", plan, "--format", "text")
    assert check.code == 1 and "error[reference]" in check.stdout
    shown = html.escape(check.stdout)
    status, page = server.until("public-summary.html", lambda s, body: shown in body)
    assert status == 500 and "Neighbourhood care teams" not in page
    _script(page)  # it reloads itself when the plan is fixed
    assert shown in server.get("/")[1]
    assert server.get("/__lscplan/version")[0] == 200

    # Fixed, the documents come back.
    edit(plan / "metrics.yaml", "unit: percentage\n", "unit: percent\n")
    status, page = server.until("public-summary.html", lambda s, body: s == 200)
    assert "Neighbourhood care teams" in page and "error[reference]" not in page

    # Only the documents are served, and only to a request naming a loopback host.
    assert server.get("/manifest.json")[0] == 404
    assert server.get("/../../etc/passwd")[0] == 404
    assert server.get("/", Host="attacker.example")[0] == 403
    assert server.get("/", Host="localhost:1")[0] == 200

    assert server.stop(signal.SIGINT) == 0
    assert server.lines[-1] == "stopped"
    assert "Traceback" not in server.stderr_path.read_text(encoding="utf-8")
    assert not folder.exists()


def test_serve_a_plan_broken_from_the_start(cli, served, tmp_path: Path) -> None:
    plan = tmp_path / "myplan"
    assert cli("init", plan).code == 0
    edit(plan / "metrics.yaml", "unit: percent\n", "unit: percentage\n")
    check = cli("check", plan)
    server = served(plan)
    status, index = server.get("/")
    assert status == 200 and html.escape(check.stdout) in index
    assert "<a href=" not in index
    edit(plan / "metrics.yaml", "unit: percentage\n", "unit: percent\n")
    server.until("/", lambda s, body: 'href="public-summary.html"' in body)
    assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.stderr_path.read_text(encoding="utf-8")


def test_serve_port_in_use_is_a_usage_error(cli, tmp_path: Path) -> None:
    plan = tmp_path / "myplan"
    assert cli("init", plan).code == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", plan, "--port", str(port))
    assert result.code == 2
    assert result.stderr.splitlines() == [
        f"lscplan: port {port} on 127.0.0.1 is already in use: stop what uses it or "
        "choose another with --port"]
    assert result.stdout == ""


def test_serve_without_a_plan_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("serve", tmp_path / "missing")
    assert result.code == 2 and result.stderr.startswith("lscplan: no plan directory")


def test_inject_widens_only_the_policy_it_needs() -> None:
    page = ('<html><head><meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; script-src 'none'\"></head><body>x</body></html>")
    served = inject(page, "g-1")
    assert "script-src 'sha256-" in served and "script-src 'none'" not in served
    assert "connect-src 'self'" in served and "default-src 'none'" in served
    assert served.index('<script data-generation="g-1">') < served.index("</body>")
    assert inject("<p>no body</p>", "g-2").startswith("<p>no body</p><script")


def test_serve_a_theme_template_that_never_finishes(cli, served, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The template is stopped at the time bound and the pages show where; fixed, the
    documents come back; SIGTERM ends a build that is stuck in such a template."""
    monkeypatch.setenv("LSCPLAN_RENDER_SECONDS", "10")  # lscplan's own: 1.3 s, idle
    plan = tmp_path / "myplan"
    assert cli("init", plan).code == 0
    templates = plan / "theme" / "templates"
    templates.mkdir(parents=True)
    endless = ("{% for i in range(100000) %}{% for j in range(100000) %}"
               "{% endfor %}{% endfor %}")
    vision = templates / "vision.html.j2"
    vision.write_text('{% macro render(plan, level=3, id="vision") %}\n<p>before</p>\n'
                      + endless + "\n{% endmacro %}\n", encoding="utf-8")
    server = served(plan)
    status, index = server.get("/")
    assert status == 200 and "theme/templates/vision.html.j2:3:1: error[theme-template]: " \
        "this template did not finish within 10 s" in html.unescape(index)
    vision.write_text('{% macro render(plan, level=3, id="vision") %}\n<p>fixed</p>\n'
                      "{% endmacro %}\n", encoding="utf-8")
    _, index = server.until("/", lambda s, body: "<a href=" in body)
    pages = [server.get(name) for name in re.findall(r'<a href="([^"]+)">', index)]
    assert all(status == 200 for status, _ in pages)
    assert any("<p>fixed</p>" in page for _, page in pages)

    # stuck again, this time far past any wait: SIGTERM ends it all the same
    monkeypatch.setenv("LSCPLAN_RENDER_SECONDS", "100000")
    assert server.stop(signal.SIGTERM) == 0
    stuck = served(plan)
    vision.write_text('{% macro render(plan, level=3, id="vision") %}\n<p>again</p>\n'
                      + endless + "\n{% endmacro %}\n", encoding="utf-8")
    stuck.wait_line(lambda line: line.startswith("changed: "), WAIT)
    assert stuck.stop(signal.SIGTERM) == 0
    assert stuck.lines[-1] == "stopped"
    assert "Traceback" not in stuck.stderr_path.read_text(encoding="utf-8")
