"""Shared fixtures: an isolated HOME, caches and working directory for every test, the
starter and bundled plans copied somewhere writable, each built once per session (PDF
layout takes seconds), and the real CLI entry point."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

import lscplan
from lscplan.resources import bundled_plan_dir, starter_dir


def pytest_configure(config: pytest.Config) -> None:
    """A run started in the background by a shell without job control (``make test &``
    in a script) inherits SIGINT ignored, and so would every process it starts, among
    them ``lscplan serve``, which the tests stop with SIGINT as Ctrl-C would: Python's
    own handling of SIGINT is restored first."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def matplotlib_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("matplotlib")


@pytest.fixture(scope="session")
def lscplan_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lscplan's cache folder for the whole run, shared by the xdist workers (their
    base folders have one parent). Its entries are keyed by content (a chart's call,
    a passage's text, a template's source, with the code and versions that make
    them), so a test can only ever read back what it would have made itself; tests
    of a cache's own behaviour point ``LSCPLAN_CACHE_DIR`` at a folder of their own."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "lscplan-cache"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
             matplotlib_dir: Path, lscplan_cache: Path) -> Path:
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("work")
    monkeypatch.setenv("HOME", str(home))
    # No test reads or writes the user's caches; lscplan's own, keyed by content, is
    # shared by the run (charts drawn, templates compiled and passages scored once).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(lscplan_cache))
    # matplotlib's font list is not the user's cache: built once for the whole run.
    monkeypatch.setenv("MPLCONFIGDIR", str(matplotlib_dir))
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def small_plan(tmp_path: Path) -> Path:
    """A writable copy of the starter plan (the small fixture plan)."""
    target = tmp_path / "plan"
    shutil.copytree(starter_dir(), target)
    return target


def build_plan(plan: Path, out: Path, **kwargs) -> SimpleNamespace:
    """Build ``plan`` into ``out`` through the pipeline, recording its events."""
    from lscplan.pipeline import build
    from lscplan.write import BuildOptions

    events: list = []
    result = build(plan, out, BuildOptions(progress=events.append, **kwargs))
    return SimpleNamespace(plan=plan, out=out, result=result, events=events)


def _session_build(factory: pytest.TempPathFactory, source: Path, name: str,
                   **kwargs) -> SimpleNamespace:
    """A copy of ``source`` built with caches of its own (a session fixture is made
    before ``isolated`` applies). Tests read the build; those that change it copy it."""
    root = factory.mktemp(name)
    shutil.copytree(source, root / "plan")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
        patch.setenv("LSCPLAN_CACHE_DIR", str(root / "lscplan-cache"))
        return build_plan(root / "plan", root / "build", **kwargs)


@pytest.fixture(scope="session")
def starter_build(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The starter plan, built (HTML, PDF, workbook) once per session."""
    return _session_build(tmp_path_factory, starter_dir(), "starter", jobs=2)


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The bundled plan, built once per session, with its checked model."""
    from lscplan.pipeline import check

    built = _session_build(tmp_path_factory, bundled_plan_dir(), "bundled")
    built.plan_model = check(built.plan).plan
    return built


@pytest.fixture
def bundled_plan(tmp_path: Path) -> Path:
    """A writable copy of the bundled Lancashire and South Cumbria plan."""
    target = tmp_path / "lsc-plan"
    shutil.copytree(bundled_plan_dir(), target)
    return target


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def entry_point() -> Path:
    """The ``lscplan`` entry point installed beside the interpreter running the tests,
    checked to run the code under test (not another installation, nor whichever
    ``lscplan`` is first on PATH)."""
    exe = Path(sys.executable).with_name("lscplan")
    assert exe.is_file(), f"{exe} is missing: install lscplan into this environment"
    interpreter = exe.read_text(encoding="utf-8").splitlines()[0].removeprefix("#!").strip()
    probe = subprocess.run([interpreter, "-c", "import lscplan; print(lscplan.__file__)"],
                           capture_output=True, text=True, check=True, timeout=60)
    assert Path(probe.stdout.strip()) == Path(lscplan.__file__), (
        f"{exe} runs {probe.stdout.strip()}, not the code under test ({lscplan.__file__})")
    return exe


def _process(entry_point: Path) -> Callable[..., Result]:
    def run(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> Result:
        proc = subprocess.run(
            [str(entry_point), *map(str, args)], capture_output=True, text=True, cwd=cwd,
            env=env, timeout=600,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def cli_process(entry_point: Path) -> Callable[..., Result]:
    """Run the ``lscplan`` entry point in a new Python process, as a user would: for the
    tests that need a process's own hash seed (the same bytes from two runs) or its
    own imports."""
    return _process(entry_point)


class Zygote:
    """``tests/cli_zygote.py``: one process per test worker that has imported lscplan
    and forks a child for each command (see its docstring for what a child shares)."""

    def __init__(self, interpreter: str, folder: Path):
        self.folder = folder
        self.proc = subprocess.Popen(
            [interpreter, str(Path(__file__).with_name("cli_zygote.py"))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        assert self.proc.stdout.readline() == "ready\n", "the zygote did not start"
        self.count = 0

    def run(self, argv0: str, args: list[str], cwd: Path, env: dict) -> Result:
        self.count += 1
        out, err = (self.folder / f"{self.count}.{n}" for n in ("out", "err"))
        out.touch()
        err.touch()
        request = {"argv0": argv0, "args": args, "cwd": str(cwd), "env": env,
                   "stdout": str(out), "stderr": str(err), "timeout": 600}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        code = json.loads(self.proc.stdout.readline())["code"]
        if code is None:
            raise subprocess.TimeoutExpired([argv0, *args], 600)
        text = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
        out.unlink()
        err.unlink()
        return Result(code, *text)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()


@pytest.fixture(scope="session")
def zygote(entry_point: Path, tmp_path_factory: pytest.TempPathFactory):
    interpreter = entry_point.read_text(encoding="utf-8").splitlines()[0].removeprefix("#!")
    started = Zygote(interpreter.strip(), tmp_path_factory.mktemp("cli-output"))
    yield started
    started.close()


@pytest.fixture
def cli(entry_point: Path, zygote: Zygote) -> Callable[..., Result]:
    """Run the ``lscplan`` entry point as a user would, in a process of its own forked
    from one that has imported lscplan already (``Zygote``)."""

    def run(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> Result:
        return zygote.run(str(entry_point), [str(a) for a in args],
                          Path(cwd) if cwd else Path.cwd(),
                          dict(os.environ) if env is None else dict(env))

    return run
