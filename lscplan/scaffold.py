"""``lscplan init``: copy the starter plan into a new directory."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import UsageError
from .resources import starter_dir


def init(directory: Path) -> list[Path]:
    """Create a small valid plan in ``directory`` (new or empty); returns the files."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} already exists and is not an empty directory")
    source = starter_dir()
    written = []
    for path in sorted(source.rglob("*.yaml")):
        target = directory / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    return written
