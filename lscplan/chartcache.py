"""Charts remembered between builds, by their content.

Drawing a chart with matplotlib takes about a tenth of a second, and the bundled
plan has nearly forty: before this cache they were most of a build's time outside
WeasyPrint. A chart is a call of a function of ``charts`` with plain values
(strings, numbers, tuples and frozen dataclasses of them), so its ``repr`` names it
exactly. The SVG is kept in ``cache_dir()/charts/<key>.svg``, where the key is a
digest of that call, lscplan's code and templates, the renderers' versions and the
font list matplotlib uses. A hit reads one small file; matplotlib is not even
imported. When the cache cannot be read or written the chart is simply drawn.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from . import charts
from .files import cache_dir, write_atomic

FOLDER = "charts"


def _matplotlib_cache() -> Path:
    """Where matplotlib keeps its font list (as ``matplotlib.get_cachedir`` finds it,
    without importing matplotlib)."""
    if os.environ.get("MPLCONFIGDIR"):
        return Path(os.environ["MPLCONFIGDIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "matplotlib"


@cache
def _fonts_stamp() -> str:
    """A digest of matplotlib's font list: new fonts installed, new charts."""
    h = hashlib.sha256()
    with contextlib.suppress(OSError):
        for path in sorted(_matplotlib_cache().glob("fontlist-*.json")):
            h.update(path.read_bytes())
    return h.hexdigest()


@cache
def _code_stamp() -> str:
    from .write import code_digest

    return code_digest()


def key(function: str, args: tuple, kwargs: dict[str, Any]) -> str:
    call = repr((function, args, sorted(kwargs.items())))
    text = f"{_code_stamp()}\n{_fonts_stamp()}\n{call}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def svg(function: str, *args: Any, **kwargs: Any) -> str:
    """``charts.<function>(*args, **kwargs)``, from the cache when it is there."""
    path = cache_dir() / FOLDER / f"{key(function, args, kwargs)}.svg"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return path.read_text(encoding="utf-8")
    drawn = getattr(charts, function)(*args, **kwargs)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, drawn.encode("utf-8"))
    return drawn
