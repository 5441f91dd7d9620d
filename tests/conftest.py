"""Shared fixtures: an isolated HOME and working directory for every test, the starter
and bundled plans copied somewhere writable, and the real CLI entry point."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lscplan.resources import bundled_plan_dir, starter_dir


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("work")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def small_plan(tmp_path: Path) -> Path:
    """A writable copy of the starter plan (the small fixture plan)."""
    target = tmp_path / "plan"
    shutil.copytree(starter_dir(), target)
    return target


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


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run the installed ``lscplan`` entry point as a user would."""
    exe = Path(sys.executable).with_name("lscplan")

    def run(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> Result:
        proc = subprocess.run(
            [str(exe), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env,
            timeout=600,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run

