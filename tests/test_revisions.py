"""Versions read straight from git: revisions in a temporary repository, compared
with each other and with the working tree, which is never touched."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import edit

from lscplan.diff import diff_versions
from lscplan.errors import UsageError, VersionsInvalid

TARGET = ("metrics.yaml", "2021/22: 95.0", "2021/22: 96.0")


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
         "-c", "commit.gpgsign=false", *args],
        cwd=repo, check=True, capture_output=True, text=True)
    return proc.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, small_plan: Path) -> Path:
    """A repository whose HEAD~1 is the starter plan and HEAD changes one metric target."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(small_plan, root / "plan")
    (root / "README.md").write_text("a plan\n", encoding="utf-8")
    commit(root, "one")
    edit(root / "plan" / TARGET[0], *TARGET[1:])
    commit(root, "two")
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the working tree and of .git's index and refs, by content hash."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "objects" not in path.relative_to(root).parts:
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_two_revisions(repo: Path) -> None:
    result = diff_versions("HEAD~1", "HEAD", cwd=repo)
    assert [(c.op, c.entity, c.id, c.field) for c in result.changes] == [
        ("changed", "metric", "ae-four-hour", "values.2021/22")]
    assert (result.old_label, result.new_label) == ("old (HEAD~1)", "new (HEAD)")


def test_a_revision_against_the_working_tree(repo: Path) -> None:
    assert diff_versions("HEAD", cwd=repo).changes == ()
    edit(repo / "plan" / "priorities.yaml", "title: Neighbourhoods", "title: Our neighbourhoods")
    result = diff_versions("HEAD", cwd=repo)
    assert [(c.entity, c.field) for c in result.changes] == [("priority", "title")]
    assert result.new_label == "new (working tree)"
    assert len(diff_versions("HEAD~1", cwd=repo).changes) == 2


def test_from_a_subdirectory_paths_are_from_the_top(repo: Path) -> None:
    result = diff_versions("HEAD~1", "HEAD", cwd=repo / "plan" / "portfolios")
    assert len(result.changes) == 1
    assert diff_versions("HEAD", cwd=repo / "plan" / "portfolios").changes == ()


def test_plan_path(tmp_path: Path, small_plan: Path) -> None:
    root = tmp_path / "elsewhere"
    (root / "docs").mkdir(parents=True)
    git(root, "init", "-q")
    shutil.copytree(small_plan, root / "docs" / "ics-plan")
    commit(root, "one")
    edit(root / "docs" / "ics-plan" / TARGET[0], *TARGET[1:])
    commit(root, "two")
    result = diff_versions("HEAD~1", "HEAD", "docs/ics-plan", cwd=root)
    assert len(result.changes) == 1
    assert diff_versions("HEAD", None, "docs/ics-plan/", cwd=root).changes == ()
    with pytest.raises(UsageError, match="neither version has a plan folder; name it with "
                                         "--plan-path"):
        diff_versions("HEAD~1", "HEAD", cwd=root)
    with pytest.raises(UsageError, match="must be a folder inside the repository"):
        diff_versions("HEAD~1", "HEAD", "../docs", cwd=root)


def test_an_unknown_revision(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="'no-such-branch' \\(new\\) is neither a plan "
                                         "directory nor a revision of this git repository"):
        diff_versions("HEAD", "no-such-branch", cwd=repo)
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    with pytest.raises(UsageError, match="there is none here"):
        diff_versions("HEAD~1", "HEAD", cwd=outside)


def test_a_directory_named_like_a_revision_is_ambiguous(repo: Path) -> None:
    git(repo, "tag", "v1", "HEAD~1")
    shutil.copytree(repo / "plan", repo / "v1")  # the working tree's plan, as HEAD
    with pytest.raises(UsageError, match=r"'v1' \(old\) is both a directory and a git "
                                         r"revision; write ./v1 for the directory or "
                                         r"v1\^\{commit\} for the revision"):
        diff_versions("v1", "HEAD", cwd=repo)
    assert diff_versions("./v1", "HEAD", cwd=repo).changes == ()  # the directory
    assert len(diff_versions("v1^{commit}", "HEAD", cwd=repo).changes) == 1  # the tag


@pytest.fixture
def branched(repo: Path) -> Path:
    """main: one, two (a metric target); feature, from one: a priority retitled."""
    git(repo, "branch", "-M", "main")
    git(repo, "checkout", "-q", "-b", "feature", "HEAD~1")
    edit(repo / "plan" / "priorities.yaml", "title: Neighbourhoods", "title: Our neighbourhoods")
    commit(repo, "three: on feature")
    return repo


def test_three_dots_compare_with_the_merge_base(branched: Path) -> None:
    result = diff_versions("main...feature", cwd=branched)
    assert [(c.entity, c.field) for c in result.changes] == [("priority", "title")]
    assert result.old_label == "old (merge base of main and feature)"
    assert result.new_label == "new (feature)"
    assert diff_versions("main...", cwd=branched).changes == result.changes  # ... HEAD


def test_two_dots_compare_the_two_ends(branched: Path) -> None:
    result = diff_versions("main..feature", cwd=branched)
    assert sorted((c.entity, c.field) for c in result.changes) == [
        ("metric", "values.2021/22"), ("priority", "title")]
    assert (result.old_label, result.new_label) == ("old (main)", "new (feature)")


def test_a_revision_without_the_plan_folder_is_an_empty_plan(tmp_path: Path,
                                                             small_plan: Path) -> None:
    root = tmp_path / "first"
    root.mkdir()
    git(root, "init", "-q")
    (root / "README.md").write_text("a plan, soon\n", encoding="utf-8")
    commit(root, "one: no plan yet")
    shutil.copytree(small_plan, root / "plan")
    commit(root, "two: the plan")
    result = diff_versions("HEAD~1", "HEAD", cwd=root)
    assert result.changes and {c.op for c in result.changes} == {"added"}
    assert ("added", "metric", "ae-four-hour") in [(c.op, c.entity, c.id)
                                                   for c in result.changes]
    assert result.failing == ()
    assert result.old_label == "old (HEAD~1, which has no plan folder 'plan')"
    from lscplan import documents
    from lscplan.pipeline import check

    every = [d.id for d in documents.for_plan(check(root / "plan").plan)]
    assert [(d.id, d.op) for d in result.documents] == [(i, "added") for i in every]
    assert "ltp-submission" in every
    assert {f.op for f in result.findings} == {"introduced"}


def test_the_working_tree_is_untouched(repo: Path) -> None:
    edit(repo / "plan" / "vision.yaml", "healthy lives", "healthier lives")  # uncommitted
    (repo / "plan" / "untracked.txt").write_text("mine\n", encoding="utf-8")
    status = git(repo, "status", "--porcelain")  # refreshes the index first
    before = snapshot(repo)
    diff_versions("HEAD~1", "HEAD", cwd=repo)
    diff_versions("HEAD", cwd=repo)
    assert snapshot(repo) == before
    assert git(repo, "status", "--porcelain") == status


def test_a_broken_revision_names_its_side(repo: Path) -> None:
    edit(repo / "plan" / "metrics.yaml", "direction: higher", "direction: upwards")
    commit(repo, "three: broken")
    with pytest.raises(VersionsInvalid) as caught:
        diff_versions("HEAD~1", "HEAD", cwd=repo)
    (failure,) = caught.value.failures
    assert failure.side == "new (HEAD)"
    assert failure.plan_dir == "HEAD:plan"
    assert [d.location.file for d in failure.report.errors] == ["metrics.yaml"]
    with pytest.raises(VersionsInvalid) as both:
        diff_versions("HEAD", "HEAD", cwd=repo)
    assert [f.side for f in both.value.failures] == ["old (HEAD)", "new (HEAD)"]


def test_cli_in_a_repository(cli, repo: Path) -> None:
    result = cli("diff", "HEAD~1", "HEAD", cwd=repo)
    assert result.code == 0, result.stderr
    assert "metric `ae-four-hour`, 2021/22: 95.0% → 96.0%" in result.stdout
    assert cli("diff", "HEAD~1", "HEAD", "--exit-code", cwd=repo).code == 1
    assert cli("diff", "HEAD", "--exit-code", cwd=repo).code == 0
    bad = cli("diff", "HEAD~5", cwd=repo)
    assert bad.code == 2
    assert bad.stderr == ("lscplan: 'HEAD~5' (old) is neither a plan directory nor a revision "
                          "of this git repository\n")


def test_cli_broken_revision(cli, repo: Path) -> None:
    edit(repo / "plan" / "metrics.yaml", "direction: higher", "direction: upwards")
    commit(repo, "three: broken")
    result = cli("diff", "HEAD", "HEAD~1", cwd=repo)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("lscplan: old (HEAD) fails its checks:\n")
    assert "HEAD:plan/metrics.yaml:9:16: error[schema]: " in result.stderr


def test_a_link_out_of_the_plan_is_refused_not_followed(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    (repo / "plan" / "engagement.yaml").unlink()
    (repo / "plan" / "engagement.yaml").symlink_to(secret)
    commit(repo, "three: a link")
    with pytest.raises(VersionsInvalid) as caught:
        diff_versions("HEAD~1", "HEAD", cwd=repo)
    (failure,) = caught.value.failures
    assert [(d.rule, d.location.file) for d in failure.report.errors] == [
        ("file-outside-plan", "engagement.yaml")]


def test_a_moved_plan_folder_is_diffed_with_a_path_for_each_side(cli, repo: Path) -> None:
    git(repo, "mv", "plan", "docs-plan")
    commit(repo, "three: the plan moves")
    gone = diff_versions("HEAD~1", "HEAD", cwd=repo, documents=False)
    assert gone.new_label == "new (HEAD, which has no plan folder 'plan')"
    assert {c.op for c in gone.changes} == {"removed"}
    result = diff_versions("HEAD~2", "HEAD", cwd=repo, new_plan_path="docs-plan")
    assert [(c.entity, c.field) for c in result.changes] == [("metric", "values.2021/22")]
    run = cli("diff", "HEAD~1", "HEAD", "--old-plan-path", "plan", "--new-plan-path",
              "docs-plan", "--exit-code", cwd=repo)
    assert (run.code, run.stdout) == (0, "old (HEAD~1) → new (HEAD): no changes\n")
    same = cli("diff", "HEAD~1", "HEAD", "--plan-path", "docs-plan", "--old-plan-path", "plan",
               cwd=repo)
    assert same.code == 0, same.stderr


def test_a_revision_carries_its_theme_and_every_other_file(repo: Path) -> None:
    templates = repo / "plan" / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "priorities.html.j2").write_text(
        '{% import "lscplan/partials/priorities.html.j2" as builtin %}\n'
        "{% macro render(plan, caption=None) %}{{ builtin.render(plan, caption) }}"
        "<p>Each priority has a lead.</p>{% endmacro %}\n", encoding="utf-8")
    (repo / "plan" / "portfolio").mkdir()
    (repo / "plan" / "portfolio" / "misplaced.yaml").write_text("id: x\n", encoding="utf-8")
    commit(repo, "three: a theme, and a file in a misspelt folder")
    result = diff_versions("HEAD~1", "HEAD", cwd=repo)
    assert [(c.op, c.entity, c.id) for c in result.changes] == [
        ("added", "theme", "templates/priorities.html.j2"),
        ("added", "unread", "portfolio/misplaced.yaml")]
    assert "ltp-submission" in {d.id for d in result.documents}
    assert [(f.op, f.diagnostic.rule, f.diagnostic.location.file) for f in result.findings] == [
        ("introduced", "file-unknown", "portfolio/misplaced.yaml")]
