"""The schemas: valid draft 2020-12, documented field by field, closed, and in use."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml
from test_validate import CASES, apply_case

from lscplan.kinds import FILES
from lscplan.load import load
from lscplan.pipeline import check
from lscplan.resources import schemas_dir, starter_dir
from lscplan.theme import THEME_FILE, load_theme
from lscplan.validate.schema import is_financial_year, is_id, validate_schema

SCHEMAS = sorted(schemas_dir().glob("*.schema.json"))


def walk(node: object, path: str = "") -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_schema_is_valid_and_documented(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for where, node in walk(schema):
        for name, prop in node.get("properties", {}).items():
            assert prop.get("description"), f"{path.name}{where}/properties/{name}"
        if node.get("type") == "object" and "properties" in node:
            assert node.get("additionalProperties") is False, f"{path.name}{where} is open"


def test_every_file_kind_has_a_schema() -> None:
    kinds = {kind.schema for kind in FILES}
    assert kinds <= {p.name.removesuffix(".schema.json") for p in SCHEMAS}


def test_id_and_year_formats_match_whole_values() -> None:
    assert is_id("mental-health")
    assert not is_id("mental-health\n")
    assert not is_id("Mental-Health")
    assert not is_id("mental_health")
    assert not is_id("ment\u0430l-health")
    assert not is_id("-x")
    assert is_financial_year("2019/20") and is_financial_year("1999/00")
    assert not is_financial_year("2019/21")
    assert not is_financial_year("2019/20\n")
    assert not is_financial_year("\u0662019/20")


def test_bundled_plan_has_no_errors(bundled_plan: Path) -> None:
    checked = check(bundled_plan)
    assert [d.message for d in checked.report.errors] == []
    assert {d.rule for d in checked.report.warnings} == {"illustrative", "postdates",
                                                         "stated-count", "framework-unanswered"}
    # the areas of the Implementation Framework the assurance lead found unanswered
    unanswered = {d.location.line for d in checked.report.warnings
                  if d.rule == "framework-unanswered"}
    assert {e.id for e in checked.plan.framework_map.unanswered} >= {
        "personalised-care", "diabetes", "cardiovascular-disease", "respiratory"}
    assert len(unanswered) == len(checked.plan.framework_map.unanswered)
    # facts of the 2021 proposition, later than the plan's date: left out, and said so
    assert all("pennine-icp-proposition-2021" in d.message
               for d in checked.report.warnings if d.rule == "postdates")


def test_schemas_refer_to_each_other_as_files() -> None:
    """No `$id` pins a schema to a web address: each is known by its file name, so a
    relative `$ref` resolves to the file beside it, offline and in any copy."""
    names = {p.name for p in SCHEMAS}
    for path in SCHEMAS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert "$id" not in schema, path.name
        for where, node in walk(schema):
            ref = node.get("$ref")
            if ref is not None and not ref.startswith("#"):
                assert ref.split("#")[0] in names, f"{path.name}{where}: {ref}"


def _check_jsonschema(files_by_kind: dict[str, list[Path]]) -> set[Path]:
    """Run check-jsonschema, an independent validator, once per kind of file; returns
    the files it rejects."""
    exe = Path(sys.executable).with_name("check-jsonschema")
    rejected: set[Path] = set()
    for kind, files in sorted(files_by_kind.items()):
        proc = subprocess.run(
            [str(exe), "--schemafile", str(schemas_dir() / f"{kind}.schema.json"),
             "--output-format", "json", *map(str, files)],
            capture_output=True, text=True, timeout=600,
        )
        result = json.loads(proc.stdout)
        assert not result.get("parse_errors"), result["parse_errors"]
        assert proc.returncode == (1 if result["errors"] else 0), proc.stderr
        rejected |= {Path(e["filename"]) for e in result["errors"]}
    return rejected


#: Cases check-jsonschema reads differently, so accepts what lscplan refuses: it reads
#: YAML 1.2 (ruamel.yaml), where `yes` is text, not a boolean as in YAML 1.1 (PyYAML);
#: and it turns an unquoted date into text where lscplan asks for quotes.
READ_DIFFERENTLY = {"boolean-for-text", "date-for-text"}


@pytest.mark.slow
def test_check_jsonschema_agrees_with_the_schema_stage(
    bundled_plan: Path, tmp_path: Path
) -> None:
    """On the bundled plan and every invalid case that YAML can read, check-jsonschema
    accepts and rejects exactly the files `check`'s schema stage does."""
    plans = {"bundled": bundled_plan}
    for case_dir in CASES:
        plan = tmp_path / case_dir.name
        shutil.copytree(starter_dir(), plan)
        apply_case(plan, yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8")))
        plans[case_dir.name] = plan
    files_by_kind: dict[str, list[Path]] = {}
    expected: set[Path] = set()
    schema_cases = set()
    for name, plan in plans.items():
        loaded, problems = load(plan)
        unreadable = {d.location.file for d in problems if d.severity == "error"}
        for source in loaded.files.values():
            if source.path not in unreadable:
                files_by_kind.setdefault(source.kind, []).append(plan / source.path)
        for d in validate_schema(loaded):
            if d.rule != "schema":  # markdown-depth: lscplan's own assertion
                continue
            expected.add(plan / d.location.file)
            schema_cases.add(name)
        if (plan / THEME_FILE).is_file():  # a theme's theme.yaml, by its own schema
            files_by_kind.setdefault("theme", []).append(plan / THEME_FILE)
            for d in load_theme(plan).diagnostics:
                if d.rule == "schema":
                    expected.add(plan / d.location.file)
                    schema_cases.add(name)
    different = {f for f in expected if f.parent.name in READ_DIFFERENTLY}
    assert {f.parent.name for f in different} == READ_DIFFERENTLY
    assert _check_jsonschema(files_by_kind) == expected - different
    assert "bundled" not in schema_cases
    assert {"theme-unknown-colour", "theme-invalid-colour"} <= schema_cases
    assert len(schema_cases) >= 8  # the cases that are schema errors were all compared


def test_plan_without_a_format_version_still_checks_and_is_told_what_to_add(
    small_plan: Path,
) -> None:
    path = small_plan / "plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("format: 1  #", "#", 1),
                    encoding="utf-8")
    report = check(small_plan).report
    assert report.errors == []
    found = [d for d in report.warnings if d.rule == "format-version"]
    assert [(d.location.file, d.location.line) for d in found] == [("plan.yaml", 2)]
    assert "add the line `format: 1` at its top" in found[0].message


def test_plan_in_a_newer_format_is_refused_with_one_error(small_plan: Path) -> None:
    path = small_plan / "plan.yaml"
    text = path.read_text(encoding="utf-8").replace("format: 1", "format: 2", 1)
    path.write_text(text + "a_field_of_format_2: true\n", encoding="utf-8")
    report = check(small_plan).report
    assert [(d.rule, d.location.line) for d in report.errors] == [("format-version", 1)]
    assert "reads format 1 at most; install a newer lscplan" in report.errors[0].message
