"""The Jinja sandbox a theme's templates run in (``render.themed_environment``): the
options every lscplan environment is made with, ``ThemeLoader``, which loads the
theme's templates and lscplan's by name and nothing else, and ``template_problems``,
what ``check`` finds wrong in a theme's templates before anything is rendered
(``theme``, which imports this module only when a theme has templates: ``check``
never imports Jinja otherwise)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypedDict

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .resources import templates_dir
from .theme_template import BUILTIN, Template


class Options(TypedDict):
    """The keyword arguments of ``OPTIONS`` (typed, so ``**OPTIONS`` is checked)."""

    autoescape: bool
    undefined: type[jinja2.Undefined]
    trim_blocks: bool
    lstrip_blocks: bool
    keep_trailing_newline: bool


#: How every lscplan Jinja environment is made, the sandbox too.
OPTIONS: Options = {"autoescape": True, "undefined": jinja2.StrictUndefined,
                    "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


def _refusal(name: Any) -> str | None:
    """Why a theme's templates may not load ``name``, or None: only names of lscplan's
    templates and the theme's, never a path (absolute, with ``..``, a drive or a URL)."""
    if not isinstance(name, str) or not name:
        return "is not a template name"
    if name.startswith("/") or "\\" in name or ":" in name:
        return "is a path, not the name of a template"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "is a path out of the templates, not the name of a template"
    return None


_REACH = ("a theme's templates load only lscplan's templates (base.html.j2, "
          "partials/NAME.html.j2 ...) and the theme's own, by name")


class ThemeLoader(jinja2.BaseLoader):
    """The templates a themed plan renders with: the theme's (``theme/templates``,
    read into memory when the theme was checked) where it has one of that name, else
    lscplan's; ``lscplan/NAME`` is always lscplan's own. Nothing else, by any name."""

    def __init__(self, templates: Sequence[Template]):
        self.own = {t.name: t for t in templates}
        self.builtin = jinja2.FileSystemLoader(str(templates_dir()))

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str | None, Callable[[], bool] | None]:
        refused = _refusal(template)
        if refused:
            raise jinja2.TemplateNotFound(template, f"{template!r} {refused}: {_REACH}")
        own = self.own.get(template)
        if own is not None:
            return own.source, own.filename, lambda: True
        try:
            return self.builtin.get_source(environment, template.removeprefix(BUILTIN))
        except jinja2.TemplateNotFound:
            raise jinja2.TemplateNotFound(
                template, f"there is no template {template!r}: {_REACH}") from None


#: The most a theme template's ``*`` may make of a text or list (items), and the
#: largest whole number its ``**`` may make (bits): past them the sandbox refuses, as
#: it refuses a ``range`` past 100,000; a single step that would fill the memory
#: cannot be stopped by the render's time bound.
MAX_REPEAT = 1_000_000
MAX_POWER_BITS = 4096


class ThemeSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, whose ``*`` and ``**`` are bounded by the size of
    what they make (``MAX_REPEAT``, ``MAX_POWER_BITS``)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (isinstance(seq, str | list | tuple | bytes) and isinstance(times, int)
                        and len(seq) * times > MAX_REPEAT):
                    raise SecurityError(f"{operator!r} would make {len(seq) * times:,} "
                                        f"items, past the {MAX_REPEAT:,} a theme may make")
        elif (operator == "**" and isinstance(left, int) and isinstance(right, int)
              and abs(left) > 1 and right > 0
              and right * abs(left).bit_length() > MAX_POWER_BITS):
            raise SecurityError(f"{left} ** {right} is a number past the "
                                f"{MAX_POWER_BITS:,} bits a theme may make")
        return super().call_binop(context, operator, left, right)


#: The statements that load another template by name.
_LOADING = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
_SANDBOX_WORDS = "a theme template may not reach attributes whose names start with '_'"


def template_problems(templates: Sequence[Template]
                      ) -> Iterator[tuple[Template, int, int, str]]:
    """(template, line, column, message) for each problem of a theme's templates found
    before rendering: a syntax error, a template loaded by a constant name that the
    theme's loader refuses or does not have, and an attribute the sandbox would refuse
    (column 0: the line's first character)."""
    loader = ThemeLoader(templates)
    env = ThemeSandbox(loader=loader, **OPTIONS)
    for template in templates:
        try:
            tree = env.parse(template.source, template.name, template.filename)
        except jinja2.TemplateSyntaxError as exc:
            yield template, exc.lineno or 1, 0, f"this is not a valid template: {exc.message}"
            continue
        lines = template.source.splitlines()
        for node in tree.find_all(_LOADING):
            # find_all is typed as giving their common base (Stmt): narrowed here
            if not isinstance(node, _LOADING):
                continue
            for name in _constant_names(node.template):
                problem = _load_problem(loader, env, template, name)
                if problem:
                    yield template, node.lineno, _column(lines, node.lineno, name), problem
        for expr in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
            attr = _underscored(expr)
            if attr is not None:
                yield (template, expr.lineno, _column(lines, expr.lineno, attr),
                       f"{attr!r}: {_SANDBOX_WORDS} (Jinja's sandbox refuses them)")


def _column(lines: Sequence[str], line: int, text: str) -> int:
    """The column of ``text`` on ``line`` (1-based), or 0 when it is not there."""
    found = lines[line - 1].find(text) if 0 < line <= len(lines) else -1
    return found + 1 if found >= 0 else 0


def _constant_names(node: nodes.Node) -> list[str]:
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, nodes.Const) and isinstance(node.value, list | tuple):
        return [v for v in node.value if isinstance(v, str)]
    if isinstance(node, nodes.Tuple | nodes.List):
        return [n.value for n in node.items if isinstance(n, nodes.Const)
                and isinstance(n.value, str)]
    return []


def _load_problem(loader: ThemeLoader, env: jinja2.Environment, template: Template,
                  name: str) -> str | None:
    if name == template.name:
        return (f"this template loads itself ({name!r}); to build on lscplan's own, "
                f"name it {BUILTIN}{name}")
    try:
        loader.get_source(env, name)
    except jinja2.TemplateNotFound as exc:
        return exc.message
    return None


def _underscored(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return node.attr
    if (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str) and node.arg.value.startswith("_")):
        return node.arg.value
    if (isinstance(node, nodes.Filter) and node.name == "attr" and node.args
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str) and node.args[0].value.startswith("_")):
        return node.args[0].value
    return None
