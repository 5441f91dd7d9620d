"""The command line: options in, one library call, an exit code out.

Exit codes: 0 success; 1 the plan has errors (or warnings under --strict), or with
``diff --exit-code`` changes; 2 usage errors, unreadable paths, or a diff side that
fails its checks. Commands import their stage modules lazily so ``--help`` and
``check`` never load WeasyPrint or matplotlib.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Assemble an Integrated Care System's five-year plan from validated YAML sources.",
)

EXIT_OK, EXIT_PLAN, EXIT_USAGE = 0, 1, 2


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _fail_usage(message: str) -> typer.Exit:
    typer.echo(f"lscplan: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"lscplan {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Print the version and exit.")
    ] = False,
) -> None:
    """lscplan: plan sources in, checked documents out."""


@app.command()
def check(
    plan_dir: Annotated[Path, typer.Argument(help="The plan directory.")] = Path("plan"),
    fmt: Annotated[CheckFormat, typer.Option("--format", help="Output format.")] = (
        CheckFormat.text),
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """Validate the plan: YAML, schemas and plan rules. Exit 1 when it has errors."""
    from .errors import UsageError
    from .pipeline import check as run_check
    from .reporters import CHECK_FORMATS

    try:
        checked = run_check(plan_dir)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    output = CHECK_FORMATS[fmt.value](checked.report, checked.sources, str(plan_dir), strict)
    sys.stdout.write(output)
    raise typer.Exit(EXIT_OK if checked.report.ok(strict) else EXIT_PLAN)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the new plan.")],
) -> None:
    """Create a small, valid starter plan in DIRECTORY (which must be new or empty)."""
    from .errors import UsageError
    from .scaffold import init as run_init

    try:
        written = run_init(directory)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    typer.echo(f"created a plan with {len(written)} files in {directory}")
    typer.echo(f"next: lscplan check {directory}")


def main() -> None:
    app()
