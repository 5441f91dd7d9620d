"""The schemas: valid draft 2020-12, documented field by field, closed, and in use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from lscplan.load import FOLDERS, SINGLE_FILES
from lscplan.pipeline import check
from lscplan.resources import schemas_dir
from lscplan.validate.schema import is_financial_year, is_id

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
    kinds = set(SINGLE_FILES.values()) | set(FOLDERS.values())
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
    assert {d.rule for d in checked.report.warnings} == {"illustrative"}
