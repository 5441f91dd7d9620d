"""Flesch reading ease of public-summary passages, with textstat, remembered between
runs.

textstat loads a 135,000-word pronouncing dictionary on first use (about a second),
so scores are kept in a small cache file keyed by the passage's text and the
installed textstat: a ``check`` whose public text has not changed imports no
textstat at all. The cache lives in ``$LSCPLAN_CACHE_DIR``, else
``$XDG_CACHE_HOME/lscplan``, else ``~/.cache/lscplan``; when it cannot be read or
written, scores are simply computed.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from collections.abc import Iterable
from pathlib import Path

from ..files import cache_dir, write_atomic

CACHE_FILE = "reading-ease.json"


def _textstat_stamp() -> str:
    """Which textstat is installed (its location and modification time), found
    without importing it."""
    spec = importlib.util.find_spec("textstat")
    origin = spec.origin if spec and spec.origin else ""
    try:
        return f"{origin}:{os.stat(origin).st_mtime_ns}"
    except OSError:
        return origin


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def flesch_scores(texts: Iterable[str]) -> dict[str, float]:
    """Flesch reading ease of each text (textstat's), from the cache where it can."""
    texts = list(dict.fromkeys(texts))
    path = cache_dir() / CACHE_FILE
    stamp = _textstat_stamp()
    cached: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("textstat") == stamp:
            cached = {k: float(v) for k, v in data["scores"].items()}
    missing = [t for t in texts if _key(t) not in cached]
    if missing:
        import textstat  # imported only when a passage has no cached score

        cached.update({_key(t): float(textstat.flesch_reading_ease(t)) for t in missing})
        _store(path, {"textstat": stamp, "scores": cached})
    return {t: cached[_key(t)] for t in texts}


def _store(path: Path, data: dict) -> None:
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, sort_keys=True).encode("utf-8"))
