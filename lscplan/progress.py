"""How ``lscplan build`` shows its progress: a rich progress bar per document on a
terminal, plain lines otherwise and in CI (``built ltp-submission.pdf (23 pages)``,
``unchanged public-summary``), then one summary line; nothing at all with
``--quiet``. It only presents the ``write.Event`` values and the ``BuildResult`` the
build reports; it decides nothing."""

from __future__ import annotations

import os
import sys
from typing import IO, Any


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary(result: Any) -> str:
    """The build's closing line: documents built and unchanged, pages, warnings (with
    the count of illustrative figures) and where the outputs are, e.g. ``done: 5
    documents (1 built, 4 unchanged), 61 pages, 4 warnings (312 illustrative
    figures); outputs in build/``."""
    docs = result.documents
    built = sum(1 for d in docs if d.built)
    parts = [f"{_plural(len(docs), 'document')} ({built} built, {len(docs) - built} unchanged)"]
    pages = [d.pages for d in docs if d.pages is not None]
    parts.append(_plural(sum(pages), "page") if pages else "no PDF")
    warnings = _plural(result.warnings, "warning")
    if result.illustrative:
        warnings += f" ({_plural(result.illustrative, 'illustrative figure')})"
    parts.append(warnings)
    return f"done: {', '.join(parts)}; outputs in {result.out_dir}{os.sep}"


def interactive(stream: IO[str]) -> bool:
    """A terminal a person watches: not CI, not a dumb terminal, not a pipe."""
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def line(event: Any) -> str | None:
    """The plain line for an event, or None for events that print nothing."""
    if event.action == "built":
        pages = event.pages
        return f"built {event.file}" + (
            f" ({pages} page{'s' if pages != 1 else ''})" if pages is not None else "")
    if event.action == "unchanged":
        return f"unchanged {event.document}"
    if event.action == "removed":
        return f"removed {event.file} (out of date)"
    return None


class BuildDisplay:
    """A context manager whose ``event`` method is the build's progress callback."""

    def __init__(self, quiet: bool = False, stream: IO[str] | None = None,
                 rich: bool | None = None):
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.rich = (not quiet and interactive(self.stream)) if rich is None else rich
        self.lines: list[str] = []
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> BuildDisplay:
        if self.rich:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=self.stream), transient=True)
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def finish(self, result: Any) -> None:
        """Print the summary line (unless quiet)."""
        if not self.quiet:
            self.stream.write(summary(result) + "\n")
            self.stream.flush()

    def event(self, event: Any) -> None:
        text = line(event)
        if text is not None:
            self.lines.append(text)
            if self._progress is not None:
                self._progress.console.print(text, markup=False, highlight=False)
            elif not self.quiet:
                self.stream.write(text + "\n")
                self.stream.flush()
        if self._progress is None:
            return
        if event.action == "start":
            self._task = self._progress.add_task("checking", total=event.count)
        elif event.action == "render" and self._task is not None:
            self._progress.update(self._task, description=f"rendering {event.file}")
        elif event.action == "done" and self._task is not None:
            self._progress.advance(self._task)
