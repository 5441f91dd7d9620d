"""A zygote for the command-line tests: imports lscplan's modules once, then for each
request read from stdin forks a child that runs the installed ``lscplan`` entry point
with the request's arguments, working directory and environment, its output going to
the request's files, and answers with the child's exit status (one JSON line each).

A child is a process of its own, as a user's command is: its exit code, its output,
a crash or a signal are its own, and nothing it does reaches the zygote or the next
command. What it is spared is Python's start-up and the imports (0.5 to 1 s a
command), which were most of the time of the command-line tests.

What a child does not get from a new process: a hash seed of its own (every child
of one zygote has the zygote's), and modules imported before its environment was
set. So tests of the same bytes from two runs, and of what a command imports, start
a new process instead (the ``cli_process`` fixture).
"""

from __future__ import annotations

import atexit
import io
import json
import os
import select
import signal
import sys
import traceback
from importlib.metadata import entry_points

#: Imported once here, the modules every command of lscplan loads. Not the PDF
#: renderer nor the chart library: they read their environment (fonts, caches) as
#: they are imported, and a child must see its own.
PRELOAD = ("lscplan.cli", "lscplan.pipeline", "lscplan.render", "lscplan.write",
           "lscplan.reporters", "lscplan.scaffold", "lscplan.diff", "lscplan.diff_report",
           "lscplan.revisions", "lscplan.workbook", "lscplan.workbook_import",
           "lscplan.chartcache", "lscplan.theme", "jsonschema", "jinja2", "yaml",
           "markdown_it", "openpyxl", "rich.console", "typer",
           # typer reads a command's options through pydantic, imported when parsing
           # (0.15 s a command)
           "typer._adapters")


def _child(request: dict) -> None:
    """Become the command: never returns."""
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                                (1, request["stdout"], os.O_WRONLY | os.O_TRUNC),
                                (2, request["stderr"], os.O_WRONLY | os.O_TRUNC)):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
        sys.stdout = sys.__stdout__ = io.TextIOWrapper(
            io.FileIO(1, "w", closefd=False), encoding="utf-8", write_through=True)
        sys.stderr = sys.__stderr__ = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
            write_through=True)
        sys.argv = [request["argv0"], *request["args"]]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        (script,) = entry_points(group="console_scripts", name="lscplan")
        try:
            script.load()()
            code = 0
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:  # as Python itself: the traceback, then exit 1
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _wait(pid: int, timeout: float) -> int:
    """The child's exit code (minus the signal that ended it); killed at the timeout."""
    fd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if ready else None


def main() -> None:
    for name in PRELOAD:
        __import__(name)
    replies = sys.stdout
    replies.write("ready\n")
    replies.flush()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        code = _wait(pid, request["timeout"])
        replies.write(json.dumps({"code": code}) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
