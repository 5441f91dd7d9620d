"""A worker for the fuzz test: runs ``lscplan check --format json`` in this process
for each plan directory read from stdin, answering one JSON line per request.

Running in its own process, a crash (a signal, a C stack overflow) ends the worker
and the test sees it; running many checks per process keeps the test fast.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback

from lscplan.cli import app


def run(plan_dir: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    code, crash = None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            app(["check", plan_dir, "--format", "json"], prog_name="lscplan")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # any exception is the finding
            crash = traceback.format_exc()
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(), "crash": crash}


def main() -> None:
    for line in sys.stdin:
        sys.__stdout__.write(json.dumps(run(line.rstrip("\n"))) + "\n")
        sys.__stdout__.flush()


if __name__ == "__main__":
    main()
