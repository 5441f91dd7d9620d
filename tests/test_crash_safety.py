"""A build killed with SIGKILL while it writes its PDFs leaves the previous outputs
intact and readable, and the next build cleans up after it.

The kill is made deterministic, not timed: the build runs in a child process whose
``os.fsync`` in lscplan's file writer sends the process SIGKILL when it is about to
make the first new PDF durable: that PDF's bytes (and the HTML's) are on disk in
temporary files, and nothing has been moved into place yet.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

KILL_WHILE_WRITING_A_PDF = """
import os, signal, sys
from lscplan import files

real_fsync = os.fsync

def fsync(fd):
    if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp") and ".pdf." in os.readlink(
            f"/proc/self/fd/{fd}"):
        os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)

files.os = type(os)("os_with_a_fatal_fsync")
files.os.__dict__.update(os.__dict__)
files.os.fsync = fsync
from lscplan.cli import main
sys.argv = ["lscplan", *sys.argv[1:]]
main()
"""


#: One document keeps the test quick; which one does not matter.
ONLY = ("--only", "public-summary", "--jobs", "1", "--quiet")


def _outputs(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


@pytest.mark.pdf
def test_a_build_killed_while_writing_pdfs_leaves_the_previous_outputs(
    cli, small_plan: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli("build", small_plan, "--out", out, *ONLY).code == 0
    before = _outputs(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))

    killed = subprocess.run(
        [sys.executable, "-c", KILL_WHILE_WRITING_A_PDF, "build", str(small_plan), "--out",
         str(out), *ONLY, "--force"],
        capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert leftovers, "the build was killed before it wrote a PDF"

    # every previous output is as the previous manifest recorded it, and readable
    assert {k: v for k, v in _outputs(out).items() if k in before} == before
    (entry,) = [e for e in manifest["documents"] if e["pdf"]]
    assert before[entry["pdf"]] == entry["sha256"]["pdf"]
    assert len(PdfReader(out / entry["pdf"]).pages) == entry["pages"]

    rebuilt = cli("build", small_plan, "--out", out, *ONLY, "--force")
    assert rebuilt.code == 0, rebuilt.stderr
    # the leftovers are gone, and the same sources gave the same bytes
    assert _outputs(out) == before
