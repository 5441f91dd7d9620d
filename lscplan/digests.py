"""What every output depends on besides the plan: lscplan's own code and templates,
and the versions of the packages that render it. Both the build (``write``: a
document's ``sources`` digest) and the chart cache (``chartcache``: each chart's key)
start from ``code_digest``, so it lives below both."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from .resources import templates_dir

#: Packages whose version changes what a build writes.
RENDERERS = ("lscplan", "weasyprint", "pydyf", "fonttools", "matplotlib", "jinja2",
             "markdown-it-py", "openpyxl", "xlsxwriter", "python-docx")


def renderer_versions() -> str:
    """``RENDERERS`` with their installed versions, one a line (``-``: not installed)."""
    out = []
    for name in RENDERERS:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} -")
    return "\n".join(out)


@cache
def code_digest() -> str:
    """The templates, lscplan's own code and the renderers' versions."""
    h = hashlib.sha256(renderer_versions().encode())
    package = Path(__file__).resolve().parent
    for root, label in ((templates_dir(), "templates"), (package, "lscplan")):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if label == "lscplan" and path.suffix not in (".py", ".css", ".ttf"):
                continue
            h.update(f"{label}/{rel.as_posix()}\0".encode() + path.read_bytes() + b"\0")
    return h.hexdigest()
