"""Property-based test: no input crashes ``lscplan check``.

Hypothesis feeds arbitrary bytes, and arbitrary mutations of the starter plan's
files, to ``check`` running in a separate worker process (tests/fuzz_worker.py), so
that a segfault or a hang is caught rather than taking the test run down. Each run
must exit 0 or 1, print no traceback, answer within a time bound, and every
diagnostic must name its file and, where the problem has a place, a line and column
that exist in that file.

The default run tries a fixed number of examples, derandomized so it is
reproducible; ``pytest -m fuzz_long`` runs the longer, randomized profile.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lscplan.resources import starter_dir

#: Every test here is slow (a fuzzing campaign): ``make test-fast`` leaves the module out.
pytestmark = pytest.mark.slow

#: Examples in the default run and in the long profile (``-m fuzz_long``).
DEFAULT_EXAMPLES = 300
LONG_EXAMPLES = 3000
#: Seconds one check of a small plan may take before it counts as a hang.
TIME_BOUND = 30
#: Problems with a whole file, which have no line or column.
WHOLE_FILE_RULES = {"file-missing", "file-empty", "file-unreadable", "file-not-regular",
                    "file-outside-plan", "file-unknown", "file-too-large"}

STARTER = starter_dir()
FILES = sorted(p.relative_to(STARTER).as_posix() for p in STARTER.rglob("*.yaml"))
#: Characters that mean something to YAML or Markdown, for mutations to insert.
SPECIAL = [*"[]{}:-,&*!|>'\"%@`#?\n\t <", "\x00", "\u0430", "\u202e", "\ufeff", "- ", ": ",
           "&a ", "*a", "!!python/none", "---\n", "%YAML 1.1\n", "[" * 200, "- " * 200,
           "> " * 40, "  " * 50]


#: Markdown that documents could mishandle: deep nesting, raw HTML, odd links.
MARKDOWN = ["".join("  " * i + f"- level {i}\n" for i in range(40)), "> " * 40 + "quote",
            "<script>alert(1)</script>", "![x](file:///etc/passwd)", "[x](javascript:1)",
            "# " * 10 + "heading\n\n###### h6\n\n#", "*" * 500, "[" * 500 + "]" * 500,
            "| a | b |\n|---|---|\n| 1 | 2 |", "```\n" + "x" * 1000]


def _scalars(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _scalars(value)
    elif isinstance(node, list):
        for value in node:
            yield from _scalars(value)
    else:
        yield node


class Worker:
    """The worker process: restarted after a crash, so one finding does not hide others."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def check(self, plan: Path) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("fuzz_worker.py"))],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{plan}\n")
        self.proc.stdin.flush()
        answer = _readline(self.proc, TIME_BOUND)
        if answer is None:
            self.proc.kill()
            code = self.proc.wait()
            self.close()
            raise AssertionError(f"check did not answer within {TIME_BOUND} s (worker exit "
                                 f"{code}): a hang or a crash")
        return json.loads(answer)

    def close(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=TIME_BOUND)
            self.proc.stdout.close()  # type: ignore[union-attr]
            self.proc = None


def _readline(proc: subprocess.Popen, timeout: float) -> str | None:
    """One line from the worker, or None when it died or did not answer in time."""
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        if not selector.select(timeout):
            return None
    line = proc.stdout.readline()  # type: ignore[union-attr]
    return line or None


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    running = Worker()
    yield running
    running.close()


def _mutate(data: bytes, draw: st.DrawFn) -> bytes:
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "replace"]))
        if kind == "insert":
            piece = draw(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=8)))
            data = data[:at] + piece.encode("utf-8") + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)):]
        elif kind == "duplicate":
            data = data[:at] + data[at:at + draw(st.integers(1, 200))] * draw(
                st.integers(2, 60)) + data[at:]
        else:
            data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at + 1:]
    return data


def _shape(text: str) -> str:
    """Ids, years and dates have a shape; a value swapped for one of the same shape
    passes the schema and reaches the plan rules."""
    return re.sub(r"[a-z]+", "a", re.sub(r"[0-9]+", "0", text)) if len(text) < 40 else "long"


def _leaves(node: Any, path: tuple = ()) -> Iterator[tuple]:
    """The path of every value in parsed YAML data, containers included."""
    yield path
    items = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, list) else ())
    for key, child in items:
        yield from _leaves(child, (*path, key))


#: Every scalar of the starter plan: swapping one for another breaks references,
#: totals and years while keeping the files readable.
SCALARS = sorted({repr(v): v for name in FILES
                  for v in _scalars(yaml.safe_load((STARTER / name).read_text("utf-8")))
                  }.values(), key=repr)


def _edit_data(text: str, draw: st.DrawFn, gentle: bool = False) -> bytes:
    """Parse a plan file, change a few of its values, write it back: mutations that
    get past YAML to the schemas, the model and the plan rules."""
    data = yaml.safe_load(text)
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                      max_size=3),
        max_leaves=6)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _leaves(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        old = parent[path[-1]]
        how = draw(st.sampled_from(["swap", "number"] if gentle else
                                   ["swap", "swap", "number", "delete", "any", "markdown"]))
        if how == "delete":
            del parent[path[-1]]
        elif how == "swap":  # mostly for a value of the same type, which the schema accepts
            alike = [v for v in SCALARS if type(v) is type(old)
                     and (not isinstance(v, str) or _shape(v) == _shape(old))]
            parent[path[-1]] = draw(st.sampled_from(alike or SCALARS))
        elif how == "number":
            parent[path[-1]] = draw(st.floats(-1e9, 1e9) if isinstance(old, float)
                                    else st.integers(-10**7, 10**7))
        elif how == "markdown":
            parent[path[-1]] = draw(st.sampled_from(MARKDOWN))
        else:
            parent[path[-1]] = draw(values)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def broken_plans(draw: st.DrawFn) -> dict[str, bytes]:
    """New contents for one to three of the starter plan's files: arbitrary bytes,
    byte-level mutations of the file, or changes to its values."""
    if draw(st.booleans()):  # one value of one file: often still a plan, for the rules
        name = draw(st.sampled_from(FILES))
        return {name: _edit_data((STARTER / name).read_text("utf-8"), draw, gentle=True)}
    changes = {}
    for name in draw(st.lists(st.sampled_from(FILES), min_size=1, max_size=3, unique=True)):
        original = (STARTER / name).read_bytes()
        how = draw(st.sampled_from(["bytes", "mutate", "mutate", "edit", "edit", "edit"]))
        if how == "bytes":
            changes[name] = draw(st.binary(max_size=3000))
        elif how == "mutate":
            changes[name] = _mutate(original, draw)
        else:
            changes[name] = _edit_data(original.decode("utf-8"), draw)
    return changes


def _assert_survives(worker: Worker, changes: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"
        shutil.copytree(STARTER, plan)
        for name, content in changes.items():
            (plan / name).write_bytes(content)
        sources = {name: (plan / name).read_bytes().decode("utf-8", "replace").splitlines()
                   for name in FILES}
        result = worker.check(plan)
    assert result["crash"] is None, result["crash"]
    assert result["code"] in (0, 1), result
    assert "Traceback" not in result["stderr"], result["stderr"]
    for d in json.loads(result["stdout"])["diagnostics"]:
        assert d["file"], d
        if d["rule"] in WHOLE_FILE_RULES and d["line"] == 0:
            continue
        lines = sources.get(d["file"], [])
        assert 1 <= d["line"] <= max(len(lines), 1), d
        assert d["column"] >= 1, d


_COMMON = {"deadline": None, "database": None,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture]}


@settings(max_examples=DEFAULT_EXAMPLES, derandomize=True, **_COMMON)
@given(changes=broken_plans())
def test_no_input_crashes_check(worker: Worker, changes: dict[str, bytes]) -> None:
    _assert_survives(worker, changes)


@pytest.mark.fuzz_long
@settings(max_examples=LONG_EXAMPLES, **_COMMON)
@given(changes=broken_plans())
def test_no_input_crashes_check_long(worker: Worker, changes: dict[str, bytes]) -> None:
    _assert_survives(worker, changes)
