"""The package's import graph: no cycle, and no stage importing a later one.

Every module of ``lscplan/`` is read with ``ast`` (nothing is imported), and every
import counts: at the top, inside a function (a lazy import kept for start-up cost is
still a dependency) and under ``TYPE_CHECKING``. Importing ``a.b.c`` also runs the
packages ``a`` and ``a.b``, so those count too.
"""

from __future__ import annotations

import ast
import fnmatch
from functools import cache
from pathlib import Path

import lscplan

PACKAGE = Path(lscplan.__file__).parent

#: Below every stage: any module may import these, and they import only each other.
HELPERS = ("lscplan", "lscplan.diagnostics", "lscplan.errors", "lscplan.kinds",
           "lscplan.formatting", "lscplan.narrative", "lscplan.resources", "lscplan.files",
           "lscplan.digests", "lscplan.spc")

#: The pipeline's stages in the order a build runs them, with the modules of each. A
#: module may import helpers, its own stage and earlier stages, never a later one.
#: ``validate`` is the JSON Schema check of the loaded files; ``rules`` the plan rules,
#: which run on the typed model (``pipeline.check``: load, schema, model, rules). The
#: first stage that names a module (or a pattern matching it) is its stage.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("load", ("lscplan.load", "lscplan.revisions")),
    ("validate", ("lscplan.validate.schema",)),
    ("model", ("lscplan.model", "lscplan.model.*", "lscplan.actuals", "lscplan.documents",
               "lscplan.track")),
    ("rules", ("lscplan.validate", "lscplan.validate.*")),
    ("render", ("lscplan.render", "lscplan.theme", "lscplan.theme_template",
                "lscplan.sandbox", "lscplan.charts", "lscplan.spc_charts",
                "lscplan.chartcache", "lscplan.delivery")),
    ("write", ("lscplan.write", "lscplan.formats", "lscplan.outputs", "lscplan.pdf",
               "lscplan.workbook", "lscplan.word")),
)

#: Above every stage: the commands and what runs the stages. They may import anything;
#: nothing in a stage or a helper imports them.
COMMANDS = ("lscplan.__main__", "lscplan.cli", "lscplan.pipeline", "lscplan.serve",
            "lscplan.scaffold", "lscplan.reporters", "lscplan.progress",
            "lscplan.diff", "lscplan.diff_*", "lscplan.workbook_import")

def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, node: ast.Import | ast.ImportFrom,
              modules: dict[str, Path]) -> set[str]:
    """The modules of the package an import statement runs (their packages too)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            base = ".".join(package[: len(package) - node.level + 1]
                            + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                   for alias in node.names]
    found = set()
    for target in targets:
        parts = target.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in modules:
                found.add(prefix)
    # the module itself, and its own packages (already running when it is imported)
    return {m for m in found if m != name and not name.startswith(f"{m}.")}


@cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = set().union(*(
            _imported(name, path, node, modules) for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def _level(module: str) -> int:
    """0 for a helper, 1 to len(STAGES) for a stage, len(STAGES) + 1 for a command."""
    if module in HELPERS:
        return 0
    for number, (_, members) in enumerate(STAGES, start=1):
        if any(fnmatch.fnmatchcase(module, pattern) for pattern in members):
            return number
    if any(fnmatch.fnmatchcase(module, pattern) for pattern in COMMANDS):
        return len(STAGES) + 1
    raise LookupError(module)


def _level_name(level: int) -> str:
    if level == 0:
        return "a helper"
    if level > len(STAGES):
        return "a command"
    return f"stage {STAGES[level - 1][0]}"


def test_every_module_has_its_place() -> None:
    unplaced = []
    for module in _graph():
        try:
            _level(module)
        except LookupError:
            unplaced.append(module)
    assert unplaced == [], (
        f"declare {unplaced} in tests/test_layering.py: a helper, a stage or a command")


def test_the_import_graph_has_no_cycle() -> None:
    assert _cycles(_graph()) == []


def test_no_stage_imports_a_later_one() -> None:
    wrong = []
    for module, targets in sorted(_graph().items()):
        for target in sorted(targets):
            if _level(target) > _level(module):
                wrong.append(f"{module} ({_level_name(_level(module))}) imports {target} "
                             f"({_level_name(_level(target))})")
    assert wrong == []


def test_the_checker_finds_a_cycle_and_the_packages_an_import_runs() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    modules = _modules()
    node = ast.parse("from .validate.schema import validate_file").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _imported("lscplan.theme", modules["lscplan.theme"], node, modules) == {
        "lscplan.validate", "lscplan.validate.schema"}  # validate/__init__.py runs too
    assert _level("lscplan.write") > _level("lscplan.chartcache") > _level("lscplan.load")


def _calls_of(module: str, method: str) -> list[int]:
    """The lines of ``module`` that call a method named ``method`` (``x.method(...)``)."""
    tree = ast.parse(_modules()[module].read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == method]


def test_only_the_documents_stage_cuts_the_plan_to_a_date() -> None:
    """Data flows one way: the plan as of each document's date is made once, by
    ``documents`` (``plan_on``, ``Dated``), before rendering starts; no later stage
    (render, the workbook, write) nor any command cuts it again (tests/test_write.py
    holds a build to it)."""
    callers = {module: lines for module in _graph()
               if (lines := _calls_of(module, "as_of"))}
    assert set(callers) == {"lscplan.documents"}, callers
