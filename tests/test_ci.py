"""The CI workflows (.github/workflows/) and the developers' pre-commit hooks: the
workflows validate against GitHub's workflow schema (check-jsonschema's vendored copy,
offline), and run what docs/how-to/set-up-ci.md says they run."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _workflow(name: str) -> dict:
    # YAML 1.1 reads the key `on` as True
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))
    return data


def _validate(paths: list[Path]) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run([str(exe), "--builtin-schema", "vendor.github-workflows",
                           *map(str, paths)], capture_output=True, text=True)


@pytest.mark.slow
def test_the_workflows_validate_against_githubs_schema(tmp_path: Path) -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "plan-diff.yml"}
    result = _validate(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    # and the validator refuses a broken one (a job without runs-on)
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    steps:\n      - run: make test\n",
                      encoding="utf-8")
    assert _validate([broken]).returncode == 1


def _claimed_pythons() -> list[str]:
    """The minor versions pyproject.toml's requires-python claims, up to 3.13."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    low = int(re.fullmatch(r">=3\.(\d+)", project["requires-python"]).group(1))
    return [f"3.{minor}" for minor in range(low, 14)]


def test_ci_runs_lint_and_quick_tests_on_push_and_the_whole_suite_on_pull_requests() -> None:
    ci = _workflow("ci.yml")
    assert {"push", "pull_request", "schedule"} <= set(ci["on"])
    jobs = ci["jobs"]
    runs = {name: " ".join(s.get("run", "") for s in job["steps"]) for name, job in jobs.items()}
    assert "make lint" in runs["lint"] and "if" not in jobs["lint"]  # every event
    assert "make test-fast" in runs["quick"] and "'push'" in jobs["quick"]["if"]
    assert "make test" in runs["full"].replace("make test-fast", "")
    assert "make a11y" in runs["a11y"]
    for name in ("full", "a11y"):
        assert "'pull_request'" in jobs[name]["if"] and "'schedule'" in jobs[name]["if"]
        assert "'push'" not in jobs[name]["if"]
    for name in ("quick", "full"):
        assert jobs[name]["strategy"]["matrix"]["python"] == _claimed_pythons()


def test_ci_caches_pip_and_the_npm_tools() -> None:
    for name, job in _workflow("ci.yml")["jobs"].items():
        setups = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-")]
        python = [s["with"] for s in setups if "setup-python" in s["uses"]]
        assert python and all(w["cache"] == "pip" for w in python), name
    node = [s["with"] for s in _workflow("ci.yml")["jobs"]["a11y"]["steps"]
            if s.get("uses", "").startswith("actions/setup-node")]
    assert node == [{"node-version": "20", "cache": "npm",
                     "cache-dependency-path": "tools/a11y/package-lock.json"}]
    assert (ROOT / "tools/a11y/package-lock.json").is_file()


def test_pre_commit_runs_ruff_the_type_checker_and_lscplan_check() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff", "mypy", "lscplan-check"} <= set(hooks)
    assert hooks["lscplan-check"]["entry"].endswith("lscplan check plan")
    assert hooks["lscplan-check"]["pass_filenames"] is False
    assert "mypy" in hooks["mypy"]["entry"]
