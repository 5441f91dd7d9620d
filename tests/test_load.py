"""Loading: hostile and broken files are refused with a clear diagnostic, never followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lscplan.load import MAX_FILE_BYTES, load


def rules_of(plan: Path) -> list[tuple[str, str, int]]:
    _, diagnostics = load(plan)
    return [(d.rule, d.location.file, d.location.line) for d in diagnostics]


def test_starter_plan_loads_with_positions(small_plan: Path) -> None:
    loaded, diagnostics = load(small_plan)
    assert diagnostics == []
    metrics = loaded.files["metrics.yaml"]
    assert metrics.ok
    assert metrics.location("/metrics/0/values/2020~121").line == 21
    assert metrics.location("/metrics/0/unit", key=True).column == 5
    # a pointer with no position of its own falls back to the nearest parent
    assert metrics.location("/metrics/0/nothing").line == 3


def test_missing_file(small_plan: Path) -> None:
    (small_plan / "workforce.yaml").unlink()
    assert ("file-missing", "workforce.yaml", 0) in rules_of(small_plan)


def test_symlink_leaving_the_plan_is_refused(small_plan: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("staff_groups: []\n")
    (small_plan / "workforce.yaml").unlink()
    (small_plan / "workforce.yaml").symlink_to(outside)
    assert rules_of(small_plan) == [("file-outside-plan", "workforce.yaml", 0)]


def test_symlink_inside_the_plan_is_followed(small_plan: Path) -> None:
    (small_plan / "spare.txt").write_bytes((small_plan / "workforce.yaml").read_bytes())
    (small_plan / "workforce.yaml").unlink()
    (small_plan / "workforce.yaml").symlink_to(small_plan / "spare.txt")
    assert rules_of(small_plan) == []


def test_not_a_regular_file(small_plan: Path) -> None:
    (small_plan / "workforce.yaml").unlink()
    os.mkfifo(small_plan / "workforce.yaml")
    assert rules_of(small_plan) == [("file-not-regular", "workforce.yaml", 0)]


def test_absurdly_large_file(small_plan: Path) -> None:
    with open(small_plan / "engagement.yaml", "a", encoding="utf-8") as fh:
        fh.write("#" * (MAX_FILE_BYTES + 1))
    assert rules_of(small_plan) == [("file-too-large", "engagement.yaml", 0)]


def test_not_utf8(small_plan: Path) -> None:
    path = small_plan / "vision.yaml"
    path.write_bytes(path.read_bytes().replace(b"Our vision", b"Our vis\xe9on"))
    assert rules_of(small_plan) == [("file-encoding", "vision.yaml", 3)]


def test_unreadable_file(small_plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root in CI, where chmod cannot make a file unreadable: fail the read.
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "vision.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert rules_of(small_plan) == [("file-unreadable", "vision.yaml", 0)]


def test_non_text_key(small_plan: Path) -> None:
    with open(small_plan / "engagement.yaml", "a", encoding="utf-8") as fh:
        fh.write("2019: 1\nyes: 2\n")
    rules = [r for r, _, _ in rules_of(small_plan)]
    assert rules == ["yaml-key", "yaml-key"]


def test_multiple_documents_are_refused(small_plan: Path) -> None:
    with open(small_plan / "engagement.yaml", "a", encoding="utf-8") as fh:
        fh.write("---\nanother: document\n")
    assert [r for r, _, _ in rules_of(small_plan)] == ["yaml-syntax"]


def test_unknown_yaml_file_warns(small_plan: Path) -> None:
    (small_plan / "notes.yaml").write_text("a: 1\n")
    _, diagnostics = load(small_plan)
    assert [(d.rule, str(d.severity)) for d in diagnostics] == [("file-unknown", "warning")]


def test_every_error_in_one_run(small_plan: Path) -> None:
    (small_plan / "vision.yaml").write_text("a: 1\na: 2\n")
    (small_plan / "metrics.yaml").write_text("x: [\n")
    rules = sorted(r for r, _, _ in rules_of(small_plan))
    assert rules == ["yaml-duplicate-key", "yaml-syntax"]


@pytest.mark.parametrize(("written", "advice"), [
    ("{id: a, title: Safe, sustainable services}",
     "put the whole value in quotes: title: \"Safe, sustainable services\""),
    ("{id: a, title: One, two, three}", "'two', 'three' as fields of their own"),
    ("{id: a, people: 1,200}", "write the number without separators: 1200"),
    ("{sustainable services, id: a}", "'sustainable services' has no value"),
])
def test_value_split_by_a_comma_says_to_quote_it(
    small_plan: Path, written: str, advice: str
) -> None:
    path = small_plan / "vision.yaml"
    path.write_text(f"# a comment\nstatement: {written}\n", encoding="utf-8")
    loaded, diagnostics = load(small_plan)
    assert [(d.rule, d.location.line) for d in diagnostics] == [("yaml-split-value", 2)]
    assert advice in diagnostics[0].message
    assert not loaded.files["vision.yaml"].ok


def test_empty_value_after_a_colon_is_not_a_split(small_plan: Path) -> None:
    (small_plan / "vision.yaml").write_text("statement: {id: a, title: }\n", encoding="utf-8")
    assert rules_of(small_plan) == []


@pytest.mark.parametrize(("written", "advice"), [
    ("title: Priority one: safe care", "if the colon belongs to the text, put the whole"),
    ("title: @home", "must be in quotes"),
])
def test_syntax_errors_from_unquoted_text_suggest_quotes(
    small_plan: Path, written: str, advice: str
) -> None:
    (small_plan / "vision.yaml").write_text(f"{written}\n", encoding="utf-8")
    _, diagnostics = load(small_plan)
    assert [(d.rule, d.location.line) for d in diagnostics] == [("yaml-syntax", 1)]
    assert advice in diagnostics[0].message
