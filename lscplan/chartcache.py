"""Charts remembered between builds, by their content.

Drawing a chart with matplotlib takes about a tenth of a second, and the bundled
plan has nearly forty: before this cache they were most of a build's time outside
WeasyPrint. A chart is a call of a function of ``charts`` (or ``spc_charts``: the
``DRAWERS``) with plain values
(strings, numbers, tuples and frozen dataclasses of them), so its ``repr`` names it
exactly. The SVG is kept in ``cache_dir()/charts/<key>.svg``, where the key is a
digest of that call, lscplan's code and templates, the renderers' versions and the
font list matplotlib uses. A hit reads one small file; matplotlib is not even
imported. When the cache cannot be read or written the chart is simply drawn.
A chart read or drawn is also kept in memory for the rest of the process, so a
chart several documents show is made once.

A build with worker processes does not draw here: it renders a document inside
``missing()``, which collects the calls of the charts not in the cache (each a
``Call``, placed in the HTML as a placeholder), has the workers ``draw`` them all
at once, ``remember``s what they return and renders the document again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from . import charts, spc_charts
from .digests import code_digest
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


def key(function: str, args: tuple, kwargs: dict[str, Any]) -> str:
    call = repr((function, args, sorted(kwargs.items())))
    text = f"{code_digest()}\n{_fonts_stamp()}\n{call}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Call:
    """A chart to draw: ``drawer(function)(*args, **dict(kwargs))``, and its key."""

    function: str
    args: tuple
    kwargs: tuple[tuple[str, Any], ...]
    key: str


#: What to place in a document for a chart ``missing()`` collected.
PENDING = "<svg data-chart-pending></svg>"
MEMORY = 1024  # charts kept in memory (the bundled plan has about forty)
_memory: dict[str, str] = {}
_missing: dict[str, Call] | None = None


def _path(chart_key: str) -> Path:
    return cache_dir() / FOLDER / f"{chart_key}.svg"


def empty() -> bool:
    """No chart in the cache folder: the first build on this machine (or with this
    cache), which will draw every chart."""
    try:
        return next((cache_dir() / FOLDER).iterdir(), None) is None
    except OSError:
        return True


def remember(chart_key: str, drawn: str) -> str:
    """Keep a chart in memory for the rest of the process."""
    if len(_memory) >= MEMORY:
        _memory.pop(next(iter(_memory)))
    _memory[chart_key] = drawn
    return drawn


def forget() -> None:
    """Empty the memory (the cache folder is left as it is)."""
    _memory.clear()


#: The modules whose functions a ``Call`` names: the charts, and the XmR chart.
DRAWERS = (charts, spc_charts)


def drawer(function: str) -> Callable[..., Any]:
    """The function ``function`` names, in the first of ``DRAWERS`` that has it."""
    for module in DRAWERS:
        if callable(found := getattr(module, function, None)):
            return found
    raise LookupError(f"no chart function {function!r}")


def draw(call: Call) -> str:
    """Draw a chart and store it in the cache folder (a module-level function, so a
    worker process can run it)."""
    drawn = drawer(call.function)(*call.args, **dict(call.kwargs))
    with contextlib.suppress(OSError):
        path = _path(call.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, drawn.encode("utf-8"))
    return drawn


@contextlib.contextmanager
def missing() -> Iterator[dict[str, Call]]:
    """While it lasts, a chart neither in memory nor in the cache folder is not drawn
    but collected (by key) into the mapping it yields, and ``svg`` returns
    ``PENDING`` for it."""
    global _missing
    outer, _missing = _missing, {}
    try:
        yield _missing
    finally:
        _missing = outer


def svg(function: str, *args: Any, **kwargs: Any) -> str:
    """``drawer(function)(*args, **kwargs)``, from memory or the cache when it is
    there."""
    chart_key = key(function, args, kwargs)
    call = Call(function, args, tuple(sorted(kwargs.items())), chart_key)
    if chart_key in _memory:
        return _drawn_by(_memory[chart_key], call)
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return _drawn_by(remember(chart_key, _path(chart_key).read_text(encoding="utf-8")),
                         call)
    if _missing is not None:
        _missing.setdefault(chart_key, call)
        return PENDING
    return _drawn_by(remember(chart_key, draw(call)), call)


#: The call that drew each chart placed in a document in this process, by the SVG's
#: digest, so a format that needs the chart as a picture (``png``) draws it again.
_calls: dict[str, Call] = {}


def _drawn_by(drawn: str, call: Call) -> str:
    if len(_calls) >= MEMORY:
        _calls.pop(next(iter(_calls)))
    _calls[hashlib.sha256(drawn.encode("utf-8")).hexdigest()] = call
    return drawn


def png(drawn: str) -> bytes | None:
    """A chart of a document rendered in this process (its SVG, as placed) drawn again
    as a PNG by the same code; None for an SVG this process did not place."""
    call = _calls.get(hashlib.sha256(drawn.encode("utf-8")).hexdigest())
    if call is None:
        return None
    return charts.png(drawer(call.function), call.args, dict(call.kwargs))
