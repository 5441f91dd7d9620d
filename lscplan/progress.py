"""How ``lscplan build`` shows its progress: a rich progress bar per document on a
terminal, plain lines otherwise (``built ltp-submission.pdf (23 pages)``,
``unchanged public-summary``), nothing at all with ``--quiet``. It only presents the
``write.Event`` values the build reports; it decides nothing."""

from __future__ import annotations

import sys
from typing import IO, Any


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
        self.rich = (not quiet and self.stream.isatty()) if rich is None else rich
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
