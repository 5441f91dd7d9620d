"""Small helpers tests import directly."""

from __future__ import annotations

from pathlib import Path


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) with ``new`` in a plan file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


REPO = Path(__file__).resolve().parent.parent
