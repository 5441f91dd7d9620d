"""``lscplan init``: copy the starter plan into a new directory, with the schemas and the
editor settings that map each plan file to its schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .errors import UsageError
from .kinds import FILES
from .load import TOOLING
from .resources import schemas_dir, starter_dir
from .theme import THEME_FILE

#: Where ``init`` puts the schemas, relative to the plan directory.
SCHEMA_FOLDER = TOOLING  # which check leaves alone


def schema_globs() -> dict[str, list[str]]:
    """Schema file name -> the plan files (globs relative to the plan directory) it
    validates, read from the declaration of plan files (``kinds.FILES``), and the
    theme's theme.yaml."""
    globs: dict[str, list[str]] = {}
    for kind in FILES:
        paths = [f"{kind.path}*.yaml", f"{kind.path}*.yml"] if kind.folder else [kind.path]
        globs.setdefault(f"{kind.schema}.schema.json", []).extend(paths)
    globs["theme.schema.json"] = [THEME_FILE]  # a plan's theme (lscplan.theme)
    return globs


def editor_settings(schema_folder: str = SCHEMA_FOLDER, plan_folder: str = "") -> dict:
    """VS Code settings for its YAML extension (yaml-language-server): each schema, as a
    path relative to the workspace, mapped to the plan files it validates."""
    prefix = f"{plan_folder}/" if plan_folder else ""
    return {"yaml.schemas": {
        f"./{schema_folder}/{schema}": [prefix + glob for glob in globs]
        for schema, globs in schema_globs().items()
    }}


def settings_text(settings: dict) -> str:
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def init(directory: Path) -> list[Path]:
    """Create a small valid plan in ``directory`` (new or empty): the starter plan's
    YAML files, a copy of the schemas and ``.vscode/settings.json``. Returns the files."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} already exists and is not an empty directory")
    written = []
    source = starter_dir()
    for path in sorted(source.rglob("*.yaml")):
        target = directory / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    schemas = directory / SCHEMA_FOLDER
    schemas.mkdir()
    for path in sorted(schemas_dir().glob("*.schema.json")):
        shutil.copyfile(path, schemas / path.name)
        written.append(schemas / path.name)
    settings = directory / ".vscode" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(settings_text(editor_settings()), encoding="utf-8")
    written.append(settings)
    return written
