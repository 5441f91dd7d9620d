"""Where the templates, schemas and bundled plan live: in a checkout or inside the wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _resource(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _CHECKOUT / name


def templates_dir() -> Path:
    return _resource("templates")


def schemas_dir() -> Path:
    return _resource("schemas")


def bundled_plan_dir() -> Path:
    return _resource("plan")


def fonts_dir() -> Path:
    """The bundled typeface (Liberation Sans, with its licence) and ``fonts.css``."""
    return _PACKAGE / "fonts"


def starter_dir() -> Path:
    """The small plan ``lscplan init`` copies."""
    return _PACKAGE / "starter_plan"
