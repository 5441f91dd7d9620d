"""The versions ``lscplan diff`` compares: a plan directory, or a git revision of the
repository the command runs in, read straight from git's object store into a
temporary directory (``git ls-tree`` and ``git cat-file``), never by checking
anything out, so the working tree and the index are left exactly as they were.

A name that is both a directory and a revision is refused as ambiguous (write
``./NAME`` for the directory). ``A..B`` compares the two revisions, ``A...B`` B with
the merge base of A and B (what a pull request from B into A changes), as ``git diff``
reads them. ``--plan-path`` names the plan folder relative to the top of the
repository, as ``git show REV:PATH`` does; a revision without it is a plan with
nothing in it yet (``Version.present`` false once read).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .errors import UsageError

#: The largest file read from git whole (a theme's font); a larger one keeps its size.
_MAX_BLOB = 5 * 1024 * 1024


@dataclass(frozen=True)
class Version:
    """One side of a diff. ``label`` names it for people (``old (HEAD~1)``); ``prefix``
    is put before file names in its diagnostics (``HEAD~1:plan``)."""

    side: str
    spec: str
    label: str
    prefix: str
    directory: Path | None = None
    repository: Path | None = None
    commit: str | None = None
    plan_path: str = "plan"

    @property
    def present(self) -> bool:
        """Whether the version has a plan folder (a directory always does)."""
        return self.directory is not None or _has_folder(self)


def resolve_pair(old: str, new: str | None, old_path: str, new_path: str, cwd: Path
                 ) -> tuple[Version, Version]:
    """Both sides: OLD and NEW, or, with NEW None and OLD a range, its ends."""
    if new is None and ".." in old and not (cwd / old).exists() \
            and not old.startswith(("./", "../", "/")):
        three = "..." in old
        first, _, second = old.partition("..." if three else "..")
        first, second = first or "HEAD", second or "HEAD"
        if not first.startswith("-") and not second.startswith("-"):
            after = resolve("new", second, new_path, cwd)
            if three:
                base = _merge_base(after.repository, first, second)
                before = resolve("old", base, old_path, cwd)
                before = replace(before, spec=old, label=f"old (merge base of {first} and "
                                 f"{second})", prefix=f"{first}...{second}:{before.plan_path}")
            else:
                before = resolve("old", first, old_path, cwd)
            return before, after
    return resolve("old", old, old_path, cwd), resolve("new", new, new_path, cwd)


def resolve(side: str, spec: str | None, plan_path: str, cwd: Path) -> Version:
    """Decide what ``spec`` names: a directory, else a git revision; None is the
    working tree's plan folder."""
    path = _plan_path(plan_path)
    if spec is None:
        top = _toplevel(cwd)
        directory = (top / path) if top else (cwd / path)
        return Version(side, "working tree", f"{side} (working tree)", str(directory),
                       directory=directory)
    if not spec:
        raise UsageError(f"the {side} version is empty; give a plan directory or a revision")
    candidate = cwd / spec
    if spec.startswith("-") and not candidate.is_dir():
        raise UsageError(f"{spec!r} is neither a plan directory nor a git revision")
    top = _toplevel(cwd)
    commit = _commit(top, spec) if top and not spec.startswith("-") else None
    if candidate.is_dir():
        if commit is not None and not _path_like(spec):
            raise UsageError(
                f"{spec!r} ({side}) is both a directory and a git revision; write "
                f"./{spec} for the directory or {spec}^{{commit}} for the revision")
        return Version(side, spec, f"{side} ({spec})", spec, directory=candidate)
    if commit is None:
        where = "this git repository" if top else "a git repository (there is none here)"
        raise UsageError(f"{spec!r} ({side}) is neither a plan directory nor a revision of "
                         f"{where}")
    return Version(side, spec, f"{side} ({spec})", f"{spec}:{path}", repository=top,
                   commit=commit, plan_path=path)


def _path_like(spec: str) -> bool:
    """Written as a path, not a name: ``./main``, ``../x``, ``/tmp/x``, ``x/``."""
    return spec.startswith(("./", "../", "/", ".\\")) or spec.endswith(("/", "\\")) \
        or Path(spec).is_absolute()


def _merge_base(top: Path | None, first: str, second: str) -> str:
    if top is None:
        raise UsageError(f"{first}...{second} names revisions, but there is no git "
                         "repository here")
    proc = run_git(top, "merge-base", first, second)
    if proc.returncode != 0:
        raise UsageError(f"{first} and {second} have no merge base: "
                         f"{proc.stderr.decode('utf-8', 'replace').strip() or 'unrelated'}")
    return proc.stdout.decode().strip()


@contextmanager
def open_version(version: Version) -> Iterator[Path | None]:
    """The version as a plan directory, for as long as the context lasts; None for a
    revision that has no plan folder."""
    if version.directory is not None:
        yield version.directory
        return
    assert version.repository is not None and version.commit is not None
    with tempfile.TemporaryDirectory(prefix="lscplan-diff-") as tmp:
        root = Path(tmp) / "plan"
        root.mkdir()
        yield root if _export(version, root) else None


def _has_folder(version: Version) -> bool:
    if version.repository is None or version.commit is None:
        return False
    return bool(_listing(version))


def _listing(version: Version) -> list[tuple[str, str, str, int, PurePosixPath]]:
    """(mode, object id, name, size, path in the plan folder) of every file of the
    version's plan folder."""
    top, commit, folder = version.repository, version.commit, version.plan_path
    assert top is not None and commit is not None
    proc = run_git(top, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", folder)
    if proc.returncode != 0:
        raise UsageError(f"cannot list {version.spec}:{folder}: "
                         f"{proc.stderr.decode('utf-8', 'replace').strip()}")
    out = []
    for entry in proc.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name_bytes = entry.partition(b"\t")
        mode, kind, oid, size = meta.decode().split()
        name = name_bytes.decode("utf-8", "surrogateescape")
        if not name.startswith(folder + "/") or kind != "blob":
            continue
        rel = PurePosixPath(name[len(folder) + 1:])
        if ".." in rel.parts:
            continue
        out.append((mode, oid, name, int(size) if size.isdigit() else 0, rel))
    return out


def _plan_path(plan_path: str) -> str:
    path = PurePosixPath(plan_path.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or str(path) in ("", "."):
        raise UsageError(f"--plan-path {plan_path!r} must be a folder inside the repository, "
                         "relative to its top")
    return str(path)


def run_git(repository: Path, *args: str, stdin: bytes | None = None
            ) -> subprocess.CompletedProcess[bytes]:
    """Run a read-only git command in ``repository``: no prompts, no optional locks
    (so not even ``git status`` refreshes the index)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(["git", *args], cwd=repository, input=stdin, capture_output=True,
                              env=env, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed, so revisions cannot be read") from None


def _git_output(directory: Path, *args: str) -> str | None:
    """The output of a read-only git command, or None outside a repository."""
    try:
        proc = run_git(directory, *args)
    except UsageError:  # git is not installed
        return None
    return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None


def plan_commit(directory: Path) -> str | None:
    """The short commit that last changed the plan in ``directory``, when it is inside a
    git work tree, marked when the plan has uncommitted changes. A commit elsewhere in
    the repository leaves it (and so every document) as it was."""
    commit = _git_output(directory, "log", "-1", "--format=%h", "--", ".")
    if not commit:
        return None
    if _git_output(directory, "status", "--porcelain", "--", "."):
        commit += " with uncommitted changes"
    return commit


def _toplevel(cwd: Path) -> Path | None:
    try:
        proc = run_git(cwd, "rev-parse", "--show-toplevel")
    except UsageError:
        return None
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode("utf-8", "surrogateescape").strip())


def _commit(top: Path, spec: str) -> str | None:
    proc = run_git(top, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip()


def _export(version: Version, root: Path) -> bool:
    """Write every file of the version's plan folder under ``root`` (the plan files, its
    theme, and whatever else is there, which check reports); False when it has none."""
    wanted = [(mode, oid, name, size, root.joinpath(*rel.parts))
              for mode, oid, name, size, rel in _listing(version)]
    if not wanted:
        return False
    top = version.repository
    assert top is not None
    readable = [w for w in wanted if w[3] <= _MAX_BLOB]
    blobs = _read_blobs(top, [oid for _, oid, _, _, _ in readable])
    for mode, oid, _name, size, target in wanted:
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":  # a symbolic link: the loader decides whether to follow it
            os.symlink(blobs[oid].decode("utf-8", "surrogateescape"), target)
        elif size > _MAX_BLOB:  # refused by size wherever it is read: keep the size only
            with open(target, "wb") as handle:
                handle.truncate(size)
        else:
            target.write_bytes(blobs[oid])
    return True


def _read_blobs(top: Path, oids: list[str]) -> dict[str, bytes]:
    """Blob contents by object id, in one ``git cat-file --batch``."""
    if not oids:
        return {}
    proc = run_git(top, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in oids).encode())
    if proc.returncode != 0:
        raise UsageError(f"cannot read from git: {proc.stderr.decode('utf-8', 'replace')}")
    out, data, pos = {}, proc.stdout, 0
    for oid in oids:
        end = data.index(b"\n", pos)
        header = data[pos:end].decode().split()
        if len(header) != 3 or header[1] != "blob":
            raise UsageError(f"cannot read the git object {oid}")
        size = int(header[2])
        out[oid] = data[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return out
