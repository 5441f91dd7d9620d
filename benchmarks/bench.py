"""Benchmark: times the real commands on a copy of the bundled plan and prints ratios
measured in this one run (never asserted by tests).

    python benchmarks/bench.py [--repeat N]

Ratios against a full build (every document, HTML and PDF, one job):
  check                   lscplan check
  rebuild, nothing changed   should be close to the check alone
  rebuild, one paper changed re-renders only that paper
  full build with --jobs 2   independent documents in parallel
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LSCPLAN = str(Path(sys.executable).with_name("lscplan"))


def timed(*args: str, repeat: int = 1, before=None) -> float:
    """Median wall time of running ``lscplan *args`` ``repeat`` times."""
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run([LSCPLAN, *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"
        out = Path(tmp) / "build"
        shutil.copytree(REPO / "plan", plan)
        paper = next(sorted((plan / "board").glob("*.yaml")).__iter__())
        counter = iter(range(1_000_000))

        def touch_paper() -> None:
            with paper.open("a", encoding="utf-8") as fh:
                fh.write(f"# edit {next(counter)}\n")

        def change_paper() -> None:
            text = paper.read_text(encoding="utf-8")
            paper.write_text(text.replace("title: ", f"title: v{next(counter)} ", 1),
                             encoding="utf-8")

        check = timed("check", str(plan), repeat=options.repeat)
        full = timed("build", str(plan), "--out", str(out), "--force", "--quiet",
                     "--jobs", "1", repeat=options.repeat)
        nochange = timed("build", str(plan), "--out", str(out), "--quiet",
                         repeat=options.repeat)
        comment_only = timed("build", str(plan), "--out", str(out), "--quiet",
                             repeat=options.repeat, before=touch_paper)
        one_paper = timed("build", str(plan), "--out", str(out), "--quiet", "--jobs", "1",
                          repeat=options.repeat, before=change_paper)
        parallel = timed("build", str(plan), "--out", str(out), "--force", "--quiet",
                         "--jobs", "2", repeat=options.repeat)
    rows = [
        ("full build, --jobs 1", full),
        ("check", check),
        ("rebuild, nothing changed", nochange),
        ("rebuild, comment added to a paper", comment_only),
        ("rebuild, one paper's title changed", one_paper),
        ("full build, --jobs 2", parallel),
    ]
    print(f"median of {options.repeat} runs each, on a copy of the bundled plan")
    print(f"{'measure':<38}{'seconds':>9}{'/ full build':>14}")
    for name, seconds in rows:
        print(f"{name:<38}{seconds:>9.2f}{seconds / full:>14.3f}")


if __name__ == "__main__":
    main()
