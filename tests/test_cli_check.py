"""``lscplan check`` through the real entry point: every format and exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

from helpers import REPO, edit

from lscplan.scaffold import editor_settings, settings_text


def test_version(cli) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.stdout.startswith("lscplan ")


def test_check_ok_text(cli, small_plan: Path) -> None:
    result = cli("check", small_plan)
    assert result.code == 0, result.stdout
    assert result.stdout.rstrip().endswith("ok: 0 errors, 7 warnings")


def test_check_defaults_to_plan_in_cwd(cli, small_plan: Path) -> None:
    result = cli("check", cwd=small_plan.parent)
    assert result.code == 0


def test_check_error_text_points_at_the_source(cli, small_plan: Path) -> None:
    edit(small_plan / "metrics.yaml", "unit: percent", "unit: percentage")
    result = cli("check", small_plan)
    assert result.code == 1
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "error[reference]" in line)
    assert lines[header].startswith(f"{small_plan}/metrics.yaml:8:11: error[reference]: ")
    assert "percentage" in lines[header]
    assert lines[header + 1] == "     8 |     unit: percentage"
    assert lines[header + 2] == "       |           ^"
    assert "Traceback" not in result.stderr


def test_check_json(cli, small_plan: Path) -> None:
    edit(small_plan / "finance.yaml", "movement: 5000", "movement: 5500")
    result = cli("check", small_plan, "--format", "json")
    assert result.code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    errors = [d for d in payload["diagnostics"] if d["severity"] == "error"]
    assert errors == [{
        "severity": "error", "rule": "allocation-movement",
        "message": "north-ccg: the published movement 5,500 is not allocation minus "
        "baseline (105,000 - 100,000 = 5,000); correct it, or leave it out to have it derived",
        "file": "finance.yaml", "line": 13, "column": 17,
        "path": "/allocations/rows/0/movement",
    }]


def test_check_github(cli, small_plan: Path) -> None:
    edit(small_plan / "metrics.yaml", "unit: percent", "unit: percentage")
    result = cli("check", small_plan, "--format", "github")
    assert result.code == 1
    line = next(x for x in result.stdout.splitlines() if x.startswith("::error"))
    assert line.startswith(
        f"::error file={small_plan}/metrics.yaml,line=8,col=11,title=reference::")


def test_github_output_cannot_forge_an_annotation(cli, small_plan: Path) -> None:
    edit(small_plan / "metrics.yaml", "unit: percent",
         'unit: "x\\n::error file=evil.yaml::forged\\n%0A"')
    result = cli("check", small_plan, "--format", "github")
    assert result.code == 1
    assert next(x for x in result.stdout.splitlines() if "forged" in x).startswith("::error file=")
    assert all(x.startswith(("::error", "::warning")) for x in result.stdout.splitlines())
    assert "%250A" in result.stdout


def test_terminal_escapes_never_reach_the_screen(cli, small_plan: Path) -> None:
    edit(small_plan / "metrics.yaml", "unit: percent", 'unit: "\\e]0;pwned\\a\\e[2J"')
    result = cli("check", small_plan)
    assert result.code == 1
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_strict_turns_warnings_into_failure(cli, small_plan: Path) -> None:
    result = cli("check", small_plan, "--strict", "--format", "json")
    assert result.code == 1
    assert json.loads(result.stdout)["ok"] is False
    assert cli("check", small_plan, "--format", "json").code == 0


def test_github_strict_reports_warnings_as_errors(cli, small_plan: Path) -> None:
    result = cli("check", small_plan, "--strict", "--format", "github")
    assert result.code == 1
    assert result.stdout.startswith("::error ")


def test_missing_plan_directory_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("check", tmp_path / "nowhere")
    assert result.code == 2
    assert "no plan directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_is_a_usage_error(cli, small_plan: Path) -> None:
    assert cli("check", small_plan, "--format", "xml").code == 2


def test_init_creates_a_valid_plan(cli, tmp_path: Path) -> None:
    target = tmp_path / "new-plan"
    result = cli("init", target)
    assert result.code == 0
    assert (target / "plan.yaml").is_file()
    assert cli("check", target).code == 0


def test_init_refuses_a_non_empty_directory(cli, small_plan: Path) -> None:
    result = cli("init", small_plan)
    assert result.code == 2
    assert "not an empty directory" in result.stderr


def test_init_maps_every_file_to_its_schema_for_editors(cli, tmp_path: Path) -> None:
    """`init` copies the schemas and writes VS Code settings mapping each plan file to
    its schema; the copied schemas work offline in another validator."""
    target = tmp_path / "new-plan"
    assert cli("init", target).code == 0
    mapping = json.loads((target / ".vscode" / "settings.json").read_text())["yaml.schemas"]
    for path in sorted(target.rglob("*.yaml")):
        rel = path.relative_to(target).as_posix()
        schemas = [s for s, globs in mapping.items() if any(fnmatch(rel, g) for g in globs)]
        assert len(schemas) == 1, rel
        assert (target / schemas[0]).is_file()
    exe = Path(sys.executable).with_name("check-jsonschema")
    proc = subprocess.run([str(exe), "--schemafile", "schemas/portfolio.schema.json",
                           "portfolios/finance.yaml"], cwd=target, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_repository_maps_the_bundled_plan_to_its_schemas() -> None:
    settings = (REPO / ".vscode" / "settings.json").read_text(encoding="utf-8")
    assert settings == settings_text(editor_settings("schemas", "plan"))


def test_strict_refuses_a_submitted_plan_with_illustrative_figures(cli, small_plan: Path) -> None:
    edit(small_plan / "plan.yaml", "status: draft", "status: submitted")
    lenient = cli("check", small_plan)
    assert lenient.code == 0 and "warning[submitted-illustrative]" in lenient.stdout
    result = cli("check", small_plan, "--strict", "--format", "json")
    assert result.code == 1
    found = [d for d in json.loads(result.stdout)["diagnostics"]
             if d["rule"] == "submitted-illustrative"]
    assert len(found) == 1
    status_line = (small_plan / "plan.yaml").read_text().splitlines().index("status: submitted")
    assert (found[0]["file"], found[0]["line"], found[0]["column"], found[0]["path"]) == (
        "plan.yaml", status_line + 1, 9, "/status")
    assert "cannot be submitted while" in found[0]["message"]
