"""The documentation site (mkdocs.yml, docs/): its reference pages are generated from
the code's own declarations (docs/gen_reference.py), so none can leave out a schema
field, a check rule, a command or option, or a key of a JSON contract; and the built
site fetches nothing from the network."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer.main
import yaml
from test_validate import code_rules

from lscplan import kinds
from lscplan.cli import app
from lscplan.validate.registry import REGISTRY

ROOT = Path(__file__).parent.parent
SCHEMAS = ROOT / "schemas"
#: The pages docs/gen_reference.py adds at build time.
GENERATED_PAGES = {"reference/plan-files.md", "reference/rules.md", "reference/commands.md",
                   "reference/json.md"}


@cache
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference",
                                                  ROOT / "docs" / "gen_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def pages() -> dict[str, str]:
    return generator().pages()


def schema_fields(output: bool = False) -> set[tuple[str, str]]:
    """(schema file, field name) for every property of every plan file's schema (or,
    with ``output``, of every command output's schema), read from the raw JSON
    independently of the generator."""
    found = set()

    def walk(node: Any, file: str) -> None:
        if isinstance(node, dict):
            for name in node.get("properties", {}) if isinstance(
                    node.get("properties"), dict) else ():
                found.add((file, name))
            for value in node.values():
                walk(value, file)
        elif isinstance(node, list):
            for value in node:
                walk(value, file)

    outputs = set(generator().OUTPUT_SCHEMAS.values())
    for path in SCHEMAS.glob("*.schema.json"):
        if (path.name in outputs) == output:
            walk(json.loads(path.read_text(encoding="utf-8")), path.name)
    return found


def _documented_names(page: str) -> set[str]:
    """The last part of every field path in a page's tables."""
    paths = set(re.findall(r"\| `([^`]+)` \|", page))
    return {path.rsplit(".", 1)[-1].removesuffix("[]") for path in paths}


def commands() -> list[tuple[str, list[str]]]:
    """(command name, its option strings and argument names), from the CLI itself."""
    group = typer.main.get_command(app)
    return [(name, [o for p in cmd.params for o in (*p.opts, *p.secondary_opts)])
            for name, cmd in group.commands.items()]


# --- the generator's output, directly (fast) -----------------------------------------


def test_the_generated_pages_are_those_the_nav_lists() -> None:
    assert set(pages()) == GENERATED_PAGES == {p for p in _nav() if p.startswith("reference/")}


def test_every_schema_field_is_in_the_plan_files_reference() -> None:
    names = _documented_names(pages()["reference/plan-files.md"])
    missing = {(file, name) for file, name in schema_fields() if name not in names}
    assert missing == set()


def test_every_field_of_the_outputs_schemas_is_in_the_json_reference() -> None:
    names = _documented_names(pages()["reference/json.md"])
    fields = schema_fields(output=True)
    assert {f for f, _ in fields} == set(generator().OUTPUT_SCHEMAS.values())
    assert {(file, name) for file, name in fields if name not in names} == set()


def test_every_plan_file_kind_has_its_section_and_example() -> None:
    page = pages()["reference/plan-files.md"]
    for kind in kinds.FILES:
        shown = f"{kind.path}*.yaml" if kind.folder else kind.path
        assert f"## `{shown}`" in page, shown
    # each kind's example is the starter plan's file
    assert page.count('??? example "Example: ') == len(kinds.FILES)


def test_every_rule_is_in_the_rules_reference_with_its_example() -> None:
    page = pages()["reference/rules.md"]
    ids = set(re.findall(r'<h3 id="([a-z-]+)">', page))
    assert set(REGISTRY) <= ids
    assert set(code_rules()) <= ids
    # every rule a case folder reaches shows that case's edit
    for rule in ("activity-total", "theme-css", "yaml-split-value", "reading-ease"):
        section = page.split(f'<h3 id="{rule}">', 1)[1].split("<h3 ", 1)[0]
        assert "Example (`tests/cases/invalid/" in section, rule
        assert f"`check` then reports `{rule}`" in section, rule


def test_prose_that_looks_like_html_is_escaped() -> None:
    """A case's description naming "the <style> element" must not open one (it swallowed
    the rest of the page once)."""
    page = pages()["reference/rules.md"]
    assert "<style>" not in page and "&lt;style&gt;" in page


def test_every_command_and_option_is_in_the_commands_reference() -> None:
    page = pages()["reference/commands.md"]
    for name, options in commands():
        assert f"## `lscplan {name}`" in page, name
        section = page.split(f"## `lscplan {name}`", 1)[1].split("\n## ", 1)[0]
        for option in options:
            if option.startswith("-"):
                assert option in section, (name, option)


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value: ``a``, ``a[].b``."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | _paths(item, path)
    elif isinstance(value, list):
        for item in value:
            found |= _paths(item, f"{prefix}[]")
    return found


def _covered(path: str, contract: dict[str, str]) -> bool:
    """A key is documented by its own entry or by the entry of a key it is inside."""
    while path:
        if path in contract:
            return True
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return False


def test_the_json_reference_documents_every_key_of_the_output() -> None:
    """check's contract covers every key its output has; the examples of diff and
    track are what the commands print, and valid by their schemas."""
    from jsonschema import Draft202012Validator

    from lscplan.reporters import JSON_CONTRACT as CHECK

    page = pages()["reference/json.md"]
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", page, re.S)]
    assert len(blocks) == 3
    check_out, diff_out, track_out = blocks
    assert {p for p in _paths(check_out) if not _covered(p, CHECK)} == set()
    assert set(check_out) == {k for k in CHECK if "." not in k and "[" not in k}
    for key in CHECK:
        assert f"| `{key}` |" in page
    for out, name in ((diff_out, "diff"), (track_out, "track")):
        schema = json.loads((SCHEMAS / generator().OUTPUT_SCHEMAS[name]).read_text("utf-8"))
        assert list(Draft202012Validator(schema).iter_errors(out)) == [], name
    assert diff_out["changes"][0]["field"] == "values.2020/21"


def _nav() -> dict[str, str]:
    """{page path: its title} of the site's navigation (mkdocs.yml)."""
    found: dict[str, str] = {}

    def walk(items: list) -> None:
        for item in items:
            for title, target in item.items():
                if isinstance(target, list):
                    walk(target)
                else:
                    found[target] = title

    walk(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"])
    return found


def test_every_commands_help_has_one_example_and_names_its_page(cli) -> None:
    nav = _nav()
    for name, _options in commands():
        result = cli(name, "--help")
        assert result.code == 0, result.stderr
        assert result.stdout.count("Example:") == 1, name
        examples = re.findall(r"^ +\$ (.*)$", result.stdout, re.M)
        assert len(examples) == 1 and examples[0].startswith(f"lscplan {name} "), name
        title, page = re.search(r"Documentation: (.+) \(docs/(\S+)\)", result.stdout).groups()
        assert (ROOT / "docs" / page).is_file() or page in GENERATED_PAGES, (name, page)
        assert nav[page] == title, (name, page)


# --- the built site (slow) ------------------------------------------------------------

#: A fetch from the network in a built page: a script, stylesheet, font or preconnect.
FETCH = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"(?:https?:)?//",
                   re.I)


@pytest.mark.slow
def test_the_site_builds_strictly_offline_with_every_field_rule_and_command(
        tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
         "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    html = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in site.rglob("*.html")}
    for name, text in html.items():
        assert not FETCH.search(text), name
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, name
        assert 'class="mermaid"' not in text, name  # Material would fetch mermaid.js
    for css in site.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*[\"']?https?:|url\([\"']?https?:",
                             css.read_text(encoding="utf-8")), css
    rules = html["reference/rules.html"]
    for rule in set(REGISTRY) | set(code_rules()):
        assert f'id="{rule}"' in rules, rule
    fields = html["reference/plan-files.html"]
    for file, name in schema_fields():
        assert re.search(rf"<code>[^<]*\b{re.escape(name)}</code>", fields), (file, name)
    cli = html["reference/commands.html"]
    for name, options in commands():
        assert f"lscplan {name}" in cli, name
        for option in options:
            if option.startswith("-"):
                assert option in cli, (name, option)
    # every page of the nav was built, the tutorial's pictures with it
    assert {"index.html", "tutorial.html", "ci.html", "explanation/plan-shape.html",
            "how-to/council-paper.html"} <= set(html)
    for img in re.findall(r'<img[^>]*src="([^"]+)"', html["tutorial.html"]):
        assert (site / img).is_file(), img
    shutil.rmtree(site)
