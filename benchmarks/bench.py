"""Benchmark: times the real commands and prints ratios measured in this one run
(never asserted by tests), then writes benchmarks/RESULTS.md.

    python benchmarks/bench.py [--scales 1,10,50] [--build-scales 1,10] [--repeat 3]
                               [--no-tests]

1. The floor WeasyPrint sets: every document's HTML laid out one after another in
   one process; floor = max(slowest document, serial time / CPUs).
2. Builds of the bundled plan against it: a cold build (empty output folder, charts
   cached from an earlier build), the first build ever (no chart cache either),
   check, a rebuild with nothing changed and one with one board paper changed.
3. Scale: synthetic plans (benchmarks/synthetic.py) at each factor; check, diff
   and build --no-pdf time and peak memory, with the slope of log(time) against
   log(size) (1 is linear).
4. The test suite's inner loop: ``make test-fast`` (wall and CPU seconds, and how
   many tests it runs against ``make test``).

Each measure of the bundled plan (1 and 2) is taken ``--repeat`` times, interleaved,
and the fastest run counts (noise on a shared machine only ever adds time).
Every time is given as wall seconds and, in brackets where it helps, the CPU seconds
of the processes measured (user + system): on a shared machine the CPU figure moves
far less than the wall one.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LSCPLAN = str(Path(sys.executable).with_name("lscplan"))
sys.path.insert(0, str(REPO / "benchmarks"))

import synthetic  # noqa: E402

MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], capture_output=True).returncode
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(seconds, usage.ru_maxrss, code, usage.ru_utime + usage.ru_stime)
"""

#: CPU seconds of the last ``run``, by its arguments.
CPU: dict[tuple[str, ...], float] = {}


def measure(command: list[str], env: dict | None = None, cwd: Path | None = None
            ) -> tuple[float, float, int, float]:
    """(wall seconds, peak MiB of the largest process, exit code, CPU seconds)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], env=env, cwd=cwd,
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2]), float(out[3])


def run(*args: str, env: dict | None = None, ok=(0,)) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB, the largest process) of ``lscplan *args``
    (its CPU seconds go to ``CPU``)."""
    wall, mem, code, cpu = measure([LSCPLAN, *args], env=env)
    if code not in ok:
        raise SystemExit(f"lscplan {' '.join(args)} exited {code}")
    CPU[args] = cpu
    return wall, mem


def test_suite() -> tuple[float, float, int, int]:
    """``make test-fast`` as it is: (wall, CPU seconds, tests it runs, tests in all)."""
    wall, _, code, cpu = measure(["make", "-s", "test-fast"], cwd=REPO)
    if code != 0:
        raise SystemExit(f"make test-fast failed (exit {code})")

    def count(*args: str) -> int:
        out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                              "-p", "no:cacheprovider", *args], cwd=REPO,
                             capture_output=True, text=True).stdout
        found = re.search(r"(\d+)(?:/\d+)? tests? collected", out)
        return int(found.group(1)) if found else 0

    return wall, cpu, count("-m", "not pdf and not slow and not fuzz_long"), count()


def floor(html_dir: Path, plan: Path) -> tuple[float, float, str, dict[str, float]]:
    """Lay out each document's HTML in one process: (floor, serial, slowest, times)."""
    code = f"""
import json, sys, time
from pathlib import Path
from lscplan import pdf, write
from lscplan.formats import Rendered
from lscplan.resources import templates_dir
pdf.weasyprint()
times = {{}}
manifest = json.loads(Path({str(html_dir / "manifest.json")!r}).read_text())
for entry in manifest["documents"]:
    html = (Path({str(html_dir)!r}) / entry["html"]).read_text()
    r = Rendered(entry["id"], entry["title"], html, write.input_digest(html),
                 pdf.epoch_of(manifest["plan"]["date"]),
                 (str(templates_dir()), {str(plan)!r}))
    start = time.perf_counter()
    pdf.layout(r)
    times[entry["id"]] = time.perf_counter() - start
print(json.dumps(times))
"""
    import json

    times = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                      capture_output=True, text=True).stdout)
    serial = sum(times.values())
    slowest = max(times, key=times.get)
    return max(times[slowest], serial / (os.cpu_count() or 1)), serial, slowest, times


def slope(sizes: list[int], seconds: list[float]) -> float:
    """d log(time) / d log(size), from the smallest to the largest plan."""
    return math.log(seconds[-1] / seconds[0]) / math.log(sizes[-1] / sizes[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,50")
    parser.add_argument("--build-scales", default="1,10")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each measure of the bundled plan (the fastest counts)")
    parser.add_argument("--no-tests", action="store_true",
                        help="leave out the timing of make test-fast")
    options = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        cache = tmp_path / "cache"
        env = {**os.environ, "LSCPLAN_CACHE_DIR": str(cache)}
        plan = synthetic.generate(1, tmp_path / "plan")
        html = tmp_path / "html"
        run("build", str(plan), "--out", str(html), "--no-pdf", "-q", env=env)  # warms charts
        # Each measure is taken ``--repeat`` times, interleaved, and the fastest run
        # counts: on a shared machine noise only ever adds time.
        floors, firsts, colds = [], [], []
        for i in range(options.repeat):
            floors.append(floor(html, plan))
            first_env = {**os.environ, "LSCPLAN_CACHE_DIR": str(tmp_path / f"cold-cache-{i}")}
            firsts.append(run("build", str(plan), "--out", str(tmp_path / f"first-{i}"), "-q",
                              env=first_env)[0])
            colds.append(run("build", str(plan), "--out", str(tmp_path / f"out-{i}"), "-q",
                             env=env))
        floor_s, serial, slowest, times = min(floors, key=lambda f: f[0])
        first = min(firsts)
        cold, cold_mem = min(colds, key=lambda c: c[0])
        out = tmp_path / f"out-{options.repeat - 1}"
        check = min(run("check", str(plan), env=env)[0] for _ in range(options.repeat))
        noop = min(run("build", str(plan), "--out", str(out), "-q", env=env)[0]
                   for _ in range(options.repeat))
        paper = sorted((plan / "board").glob("*.yaml"))[0]
        ones = []
        for i in range(options.repeat):
            paper.write_text(paper.read_text(encoding="utf-8").replace(
                "title: ", f"title: Revised {i} ", 1), encoding="utf-8")
            ones.append(run("build", str(plan), "--out", str(out), "-q", env=env)[0])
        one = min(ones)

        say(f"machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, {platform.platform()}")
        say(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average (1 min) at the "
            f"start {load_at_start:.2f}, at the end of the builds {os.getloadavg()[0]:.2f}; "
            f"each measure of the bundled plan the fastest of {options.repeat} runs")
        say()
        say("## The bundled plan against WeasyPrint's floor")
        say()
        say("| measure | seconds | ratio |")
        say("| --- | ---: | ---: |")
        say(f"| floor: max(slowest layout, serial layout / {os.cpu_count()} CPUs) "
            f"| {floor_s:.2f} | 1.00 |")
        say(f"| serial layout of every document ({len(times)}; slowest {slowest} "
            f"{times[slowest]:.2f} s) | {serial:.2f} | {serial / floor_s:.2f} |")
        say(f"| cold build, charts cached (target 1.25 × floor) | {cold:.2f} "
            f"| {cold / floor_s:.2f} |")
        say(f"| first build ever, no chart cache | {first:.2f} | {first / floor_s:.2f} |")
        say(f"| check | {check:.2f} | {check / cold:.3f} of cold |")
        say(f"| rebuild, nothing changed | {noop:.2f} | {noop / cold:.3f} of cold |")
        say(f"| rebuild, one board paper changed | {one:.2f} | {one / cold:.3f} of cold |")
        say(f"| peak memory of the cold build | {cold_mem:.0f} MiB | |")

        scales = [int(s) for s in options.scales.split(",")]
        build_scales = [int(s) for s in options.build_scales.split(",")]
        rows = {}
        for factor in scales:
            big = synthetic.generate(factor, tmp_path / f"plan-{factor}")
            edited = synthetic.generate(factor, tmp_path / f"edited-{factor}")
            metrics = edited / "metrics.yaml"
            metrics.write_text(metrics.read_text(encoding="utf-8").replace(
                "value: 84.5", "value: 84.7", 1), encoding="utf-8")
            row = {"check": run("check", str(big), env=env, ok=(0,)),
                   "diff": run("diff", str(big), str(edited), env=env)}
            if factor in build_scales:  # a chart cache of its own: every chart drawn
                fresh = {**os.environ,
                         "LSCPLAN_CACHE_DIR": str(tmp_path / f"scale-cache-{factor}")}
                row["build --no-pdf"] = run("build", str(big), "--out",
                                            str(tmp_path / f"scale-out-{factor}"), "--no-pdf",
                                            "-q", env=fresh)
            rows[factor] = row
        say()
        say("## Scale: synthetic plans (benchmarks/synthetic.py)")
        say()
        say("| command | " + " | ".join(f"{f}x s (MiB)" for f in scales)
            + " | slope of time | slope of memory |")
        say("| --- |" + " ---: |" * (len(scales) + 2))
        for command in ("check", "diff", "build --no-pdf"):
            have = [f for f in scales if command in rows[f]]
            cells = [f"{rows[f][command][0]:.2f} ({rows[f][command][1]:.0f})" if f in have
                     else "–" for f in scales]
            t = slope(have, [rows[f][command][0] for f in have]) if len(have) > 1 else 0
            m = slope(have, [rows[f][command][1] for f in have]) if len(have) > 1 else 0
            say(f"| {command} | " + " | ".join(cells) + f" | {t:.2f} | {m:.2f} |")
        say()
        say("Slopes are d log(time) / d log(size) from the smallest to the largest plan "
            "measured: 1 is linear, below 1 sublinear (fixed costs such as Python start-up "
            "dominate small plans). The build at scale draws every chart (no cache).")
        slopes = {command: slope([f for f in scales if command in rows[f]],
                                 [rows[f][command][0] for f in scales if command in rows[f]])
                  for command in ("check", "diff", "build --no-pdf")
                  if sum(command in rows[f] for f in scales) > 1}
        tests = None if options.no_tests else test_suite()

        say()
        say("## Targets")
        say()
        say("| target | measured | met |")
        say("| --- | --- | --- |")
        say(f"| cold build within 1.25 × the floor | {cold / floor_s:.2f} × | "
            f"{'yes' if cold / floor_s <= 1.25 else 'no'} |")
        say(f"| charts off the critical path: first build ever close to a cold build | "
            f"{first / cold:.2f} × cold ({first - cold:+.1f} s) | "
            f"{'yes' if first / cold <= 1.10 else 'no'} |")
        for command, value in slopes.items():
            say(f"| {command} time grows no faster than linearly | slope {value:.2f} | "
                f"{'yes' if value <= 1.0 else 'no'} |")
        if tests:
            wall, cpu, fast, every = tests
            say(f"| make test-fast under 15 s | {wall:.1f} s wall, {cpu:.1f} s CPU, {fast} of "
                f"{every} tests (load {os.getloadavg()[0]:.1f}) | "
                f"{'yes' if wall < 15 else 'no'} |")
    results = REPO / "benchmarks" / "RESULTS.md"
    notes = results.read_text(encoding="utf-8").split("<!-- measured -->")[0] if (
        results.exists()) else "# Benchmark results\n\n"
    results.write_text(notes + "<!-- measured -->\n" + "\n".join(lines) + "\n",
                       encoding="utf-8")
    print(f"\nwrote {results.relative_to(REPO)}")


if __name__ == "__main__":
    main()
