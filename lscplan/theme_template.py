"""A theme's template as ``theme`` reads it and the sandbox (``sandbox``) loads it.
Kept apart from both, and free of Jinja, so that reading a theme imports no Jinja
and the sandbox imports nothing of the theme reader."""

from __future__ import annotations

from dataclasses import dataclass

#: The prefix that names lscplan's own template even where the theme replaces it
#: (``{% extends "lscplan/base.html.j2" %}`` in the theme's ``base.html.j2``).
BUILTIN = "lscplan/"


@dataclass(frozen=True)
class Template:
    """A template of the theme: the name templates load it by, its text, and its file
    (absolute, as tracebacks name it; ``file`` relative to the plan, for diagnostics)."""

    name: str
    source: str
    filename: str
    file: str
