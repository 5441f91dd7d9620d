"""The command line: options in, one library call, an exit code out.

Exit codes: 0 success; 1 the plan has errors (or warnings under --strict), a workbook
``import`` refuses, or with ``diff --exit-code`` changes; 2 usage errors, unreadable
paths, or a diff side that fails its checks. Commands import their stage modules
lazily so ``--help`` and ``check`` never load WeasyPrint or matplotlib.
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


class TrackFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(StrEnum):
    concern = "concern"


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


def _epilog(example: str, page: str, title: str) -> str:
    """A command's --help ends with one example and the documentation page for it (the
    site ``make docs`` builds from docs/; ``page`` is its path there)."""
    # \b keeps click from rewrapping the lines
    return f"\b\nExample:\n  $ {example}\n\nDocumentation: {title} (docs/{page})"


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


@app.command(epilog=_epilog(
    "lscplan check plan --format github", "reference/rules.md",
    "Check rules"))
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


@app.command(epilog=_epilog(
    "lscplan build plan --out build --only public-summary --no-pdf", "tutorial.md",
    "Tutorial"))
def build(
    plan_dir: Annotated[Path, typer.Argument(help="The plan directory.")] = Path("plan"),
    out: Annotated[Path, typer.Option("--out", help="Where to write the documents.")] = (
        Path("build")),
    only: Annotated[list[str] | None, typer.Option(
        "--only", metavar="DOC_ID", help="Render only this document (repeatable).")] = None,
    formats_: Annotated[str | None, typer.Option(
        "--formats", metavar="LIST",
        help="The formats to write, comma-separated: html, pdf, xlsx, docx (default: "
             "every format each document has).")] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Write no PDF files.")] = False,
    no_html: Annotated[bool, typer.Option("--no-html", help="Write no HTML files.")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", help="PDF worker processes (default: one per CPU).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Render every document even when it is up to date.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")
                     ] = False,
) -> None:
    """Check the plan, then render its documents to HTML and PDF (the submission's
    workbook, ltp-submission.xlsx; board papers and the public summary also as Word,
    .docx) in --out and print a summary line. Exit 1 when the
    plan has errors (nothing is written)."""
    from .errors import BuildError, PlanInvalid, UsageError
    from .formats import FORMATS
    from .pipeline import build as run_build
    from .progress import BuildDisplay
    from .reporters import text_report
    from .write import BuildOptions

    skipped = {"html": no_html, "pdf": no_pdf}
    chosen = list(FORMATS)
    if formats_ is not None:
        chosen = [f.strip().lower() for f in formats_.split(",") if f.strip()]
        unknown = [f for f in chosen if f not in FORMATS]
        if unknown or not chosen:
            raise _fail_usage(f"--formats: unknown format {', '.join(unknown) or '(none)'}; "
                              f"the formats are {', '.join(FORMATS)}")
    formats = [name for name in FORMATS if name in chosen and not skipped.get(name)]
    try:
        with BuildDisplay(quiet) as display:
            result = run_build(plan_dir, out,
                               BuildOptions(only, formats, force, jobs, display.event))
        display.finish(result)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    except PlanInvalid as exc:
        sys.stdout.write(text_report(exc.report, exc.sources, str(plan_dir)))
        raise typer.Exit(EXIT_PLAN) from None
    except BuildError as exc:
        typer.echo(f"lscplan: {exc}", err=True)
        raise typer.Exit(EXIT_PLAN) from None
    except OSError as exc:
        raise _fail_usage(f"cannot write to {out}: {exc.strerror or exc}") from None


@app.command(epilog=_epilog(
    "lscplan init my-plan && lscplan check my-plan", "tutorial.md",
    "Tutorial"))
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


@app.command(epilog=_epilog(
    "lscplan diff main HEAD --format markdown > plan-diff.md", "how-to/review-diff.md",
    "Review a pull request with diff"))
def diff(
    old: Annotated[str, typer.Argument(
        help="The old version: a plan directory or a git revision (HEAD~1, main).")],
    new: Annotated[str | None, typer.Argument(
        help="The new version; without it, the working tree's plan folder.")] = None,
    plan_path: Annotated[str, typer.Option(
        "--plan-path", help="The plan folder inside the repository, for revisions.")] = "plan",
    old_plan_path: Annotated[str | None, typer.Option(
        "--old-plan-path", help="The old version's plan folder, where it moved.")] = None,
    new_plan_path: Annotated[str | None, typer.Option(
        "--new-plan-path", help="The new version's plan folder, where it moved.")] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", help="Output format.")] = (
        DiffFormat.text),
    exit_code: Annotated[bool, typer.Option(
        "--exit-code", help="Exit 1 when there are changes, 0 when there are none.")] = False,
    documents: Annotated[bool, typer.Option(
        "--documents/--no-documents",
        help="Render both sides' documents to say which change (the default).")] = True,
    pages: Annotated[bool, typer.Option(
        "--pages", help="Lay each changed document out as its PDF, to say which pages "
        "change (slow: as long as building those PDFs).")] = False,
    full_diff: Annotated[str | None, typer.Option(
        "--full-diff", metavar="WHERE",
        help="Markdown: where the full (HTML) diff is, named when sections are left out.")
    ] = None,
) -> None:
    """Show what changed between two versions of the plan, by entity. A version that
    fails its checks is compared all the same when it can be read (exit 2 after the
    diff); exit 2 too when a version cannot be read."""
    from .diff import diff_versions
    from .diff_report import DIFF_FORMATS, diff_trouble, json_trouble
    from .errors import UsageError, VersionsInvalid

    try:
        result = diff_versions(old, new, plan_path, old_plan_path=old_plan_path,
                               new_plan_path=new_plan_path, documents=documents,
                               pages=pages)
    except UsageError as exc:
        if fmt is DiffFormat.json:  # a reader of the JSON gets an object all the same
            sys.stdout.write(json_trouble(str(exc)))
        raise _fail_usage(str(exc)) from None
    except VersionsInvalid as exc:
        if fmt is DiffFormat.json:
            sys.stdout.write(json_trouble(str(exc), exc.failures))
        sys.stderr.write(diff_trouble(exc.failures))
        raise typer.Exit(EXIT_USAGE) from None
    options = {"full_diff": full_diff} if fmt is DiffFormat.markdown else {}
    sys.stdout.write(DIFF_FORMATS[fmt.value](result, color=sys.stdout.isatty(), **options))
    if result.failing:
        sys.stderr.write(diff_trouble(result.failing))
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_PLAN if exit_code and result else EXIT_OK)


@app.command(epilog=_epilog(
    "lscplan track plan --as-of 2019-03 --format json", "reference/commands.md",
    "Commands"))
def track(
    plan_dir: Annotated[Path, typer.Argument(help="The plan directory.")] = Path("plan"),
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="YYYY-MM",
        help="Track as of this month: later points are left out and the limits are "
             "computed from the points up to it.")] = None,
    fmt: Annotated[TrackFormat, typer.Option("--format", help="Output format.")] = (
        TrackFormat.text),
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help="Exit 1 when any series' latest point shows special cause of "
                          "concern (for CI).")] = None,
) -> None:
    """Track delivery against the plan: for every series of actuals, its latest value,
    the plan's figure for that year, and its variation and assurance (Making Data
    Count). Exit 1 when the plan has errors, or with --fail-on concern when a series
    shows special cause of concern; 2 for a usage error."""
    from .errors import PlanInvalid, UsageError
    from .pipeline import track as run_track
    from .reporters import json_report, text_report
    from .track import TRACK_FORMATS

    try:
        tracking = run_track(plan_dir, as_of)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    except PlanInvalid as exc:  # its diagnostics as check prints them
        report = json_report if fmt is TrackFormat.json else text_report
        sys.stdout.write(report(exc.report, exc.sources, str(plan_dir)))
        raise typer.Exit(EXIT_PLAN) from None
    sys.stdout.write(TRACK_FORMATS[fmt.value](tracking))
    raise typer.Exit(EXIT_PLAN if fail_on is FailOn.concern and tracking.concern else EXIT_OK)


@app.command(epilog=_epilog(
    "lscplan serve my-plan --port 8001", "tutorial.md",
    "Tutorial"))
def serve(
    plan_dir: Annotated[Path, typer.Argument(help="The plan directory.")] = Path("plan"),
    port: Annotated[int, typer.Option(
        "--port", min=0, max=65535, help="The port to listen on (0: any free port).")] = 8000,
    host: Annotated[str, typer.Option(
        "--host", help="The address to listen on (default: this machine only).")
    ] = "127.0.0.1",
) -> None:
    """Build the HTML of every document and serve it at http://HOST:PORT/, rebuilding
    when the plan or the templates change; open pages reload themselves and show the
    plan's errors while it has any. Ctrl-C stops it (exit 0); exit 2 for a usage error,
    such as a port already in use."""
    from .errors import UsageError
    from .serve import serve as run_serve

    try:
        run_serve(plan_dir, host, port, typer.echo)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None


@app.command("import", epilog=_epilog(
    "lscplan import build/ltp-submission.xlsx plan", "how-to/workbook.md",
    "Take a workbook back from finance"))
def import_(
    workbook: Annotated[Path, typer.Argument(
        help="The workbook: an ltp-submission.xlsx that build wrote, edited.")],
    plan_dir: Annotated[Path, typer.Argument(help="The plan directory.")] = Path("plan"),
) -> None:
    """Write the figures changed in WORKBOOK into the plan's YAML files (comments and
    layout kept), then show the change as diff does. Exit 1, writing nothing, when a
    cell cannot be imported or the plan would fail its checks; 2 for a usage error."""
    from .errors import PlanInvalid, UsageError, WorkbookInvalid
    from .reporters import text_report, workbook_notes, workbook_report
    from .workbook_import import import_workbook

    try:
        imported = import_workbook(workbook, plan_dir)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    except WorkbookInvalid as exc:
        sys.stdout.write(workbook_report(exc.report, exc.workbook))
        raise typer.Exit(EXIT_PLAN) from None
    except PlanInvalid as exc:
        sys.stdout.write(text_report(exc.report, exc.sources, str(plan_dir)))
        typer.echo("lscplan: the plan fails its checks with these figures; nothing written",
                   err=True)
        raise typer.Exit(EXIT_PLAN) from None
    except OSError as exc:
        raise _fail_usage(f"cannot write the plan's files in {plan_dir}: "
                          f"{exc.strerror or exc}; nothing written") from None
    sys.stdout.write(workbook_notes(imported.ignored, str(workbook)))
    if imported.diff is None:
        typer.echo(f"no figure in {workbook} differs from the plan: nothing written")
        raise typer.Exit(EXIT_OK)
    from .diff_report import DIFF_FORMATS

    sys.stdout.write(DIFF_FORMATS["text"](imported.diff, color=sys.stdout.isatty()))
    n = len(imported.changes)
    files = ", ".join(str(plan_dir / name) for name in imported.written)
    typer.echo(f"imported {n} figure{'s' if n != 1 else ''} from {workbook} into {files}")


def main() -> None:
    app()
