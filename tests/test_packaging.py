"""The wheel carries the templates, schemas, bundled plan and starter plan, and the
installed package works outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REPO

pytestmark = pytest.mark.slow  # pip builds and installs the wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True, timeout=600,
    )
    return next(out.glob("lscplan-*.whl"))


def test_wheel_carries_its_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "lscplan/_data/plan/plan.yaml",
        "lscplan/_data/plan/board/mbccg-governing-body-2019-11-19.yaml",
        "lscplan/_data/schemas/metrics.schema.json",
        "lscplan/_data/templates/base.html.j2",
        "lscplan/starter_plan/plan.yaml",
        "lscplan/fonts/fonts.css",
        "lscplan/fonts/LICENSE.txt",
        *(f"lscplan/fonts/LiberationSans-{style}.ttf"
          for style in ("Regular", "Bold", "Italic", "BoldItalic")),
    ):
        assert required in names, required


def test_installed_wheel_works_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True, timeout=600,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c",
         "import lscplan.resources as r; print(r.bundled_plan_dir())"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=True,
    )
    assert probe.stdout.strip().startswith(str(target))
    plan = tmp_path / "copy"
    init = subprocess.run(
        [sys.executable, "-m", "lscplan", "init", str(plan)],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert init.returncode == 0, init.stderr
    checked = subprocess.run(
        [sys.executable, "-m", "lscplan", "check", str(target / "lscplan/_data/plan")],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert checked.returncode == 0, checked.stdout
