"""Files written atomically, and where lscplan keeps what it remembers between runs.

Every file lscplan writes (documents, the manifest, its caches) goes through
``Staging``: a temporary file beside the target, flushed and synced, then renamed
into place, so a reader never sees a half-written file. ``Staging`` holds several
outputs and moves them into place together; ``write_atomic`` is the one-file case.
A run killed before it could clean up leaves only temporary files, which the next
build removes (``remove_leftovers``).

``cache_dir()`` is ``$LSCPLAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/lscplan``, else
``~/.cache/lscplan``. Caches are an optimisation only: when one cannot be read or
written, the work is simply done again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    """The file's sha256, or None when it cannot be read."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def cache_dir() -> Path:
    if os.environ.get("LSCPLAN_CACHE_DIR"):
        return Path(os.environ["LSCPLAN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lscplan"


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


#: The temporary files ``Staging`` names: ``.<target>.<8 random characters>.tmp``.
_TEMPORARY = re.compile(r"\.[^/]+\.[a-z0-9_]{8}\.tmp")


def remove_leftovers(out_dir: Path) -> list[str]:
    """Delete the temporary files a killed run (SIGKILL, power loss) left in ``out_dir``
    before it could move them into place or throw them away; returns their names."""
    removed = []
    for path in sorted(out_dir.glob(".*.tmp")):
        if _TEMPORARY.fullmatch(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    staging = Staging(path.parent)
    try:
        staging.write(path.name, data)
        staging.commit()
    finally:
        staging.discard()


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


def fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """A zip archive (an Office file) again, every entry dated ``stamp`` (zip entries
    otherwise carry the time they were written): the same content, the same bytes."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
