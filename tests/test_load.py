"""Loading: hostile and broken files are refused with a clear diagnostic, never followed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lscplan.load import MAX_DEPTH, MAX_FILE_BYTES, load


def rules_of(plan: Path) -> list[tuple[str, str, int]]:
    _, diagnostics = load(plan)
    return [(d.rule, d.location.file, d.location.line) for d in diagnostics]


def test_starter_plan_loads_with_positions(small_plan: Path) -> None:
    loaded, diagnostics = load(small_plan)
    assert diagnostics == []
    metrics = loaded.files["metrics.yaml"]
    assert metrics.ok
    assert metrics.location("/metrics/0/values/2020~121").line == 28
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


def diagnostics_of(plan: Path) -> list[tuple[str, str, int, int]]:
    _, diagnostics = load(plan)
    return [(d.rule, d.location.file, d.location.line, d.location.column) for d in diagnostics]


@pytest.mark.parametrize("deep", [
    "deep: " + "[" * 5000 + "]" * 5000 + "\n",          # flow sequences
    "deep: " + "{a: " * 5000 + "}" * 5000 + "\n",        # flow mappings
    "deep:\n" + "- " * 5000 + "x\n",                     # block sequences on one line
    "deep:\n" + "".join(" " * i + "k:\n" for i in range(500)),  # block mappings
])
def test_deep_nesting_is_refused_before_it_can_crash(cli, small_plan: Path, deep: str) -> None:
    # libyaml's composer recursed through this until the process died (SIGSEGV).
    with open(small_plan / "engagement.yaml", "a", encoding="utf-8") as fh:
        fh.write(deep)
    result = cli("check", small_plan, "--format", "json")
    assert result.code == 1, result.stderr[-2000:]
    (found,) = json.loads(result.stdout)["diagnostics"]
    assert found["rule"] == "yaml-depth" and f"more than {MAX_DEPTH} deep" in found["message"]
    assert found["file"] == "engagement.yaml" and found["line"] >= 22 and found["column"] > 0


def test_nesting_up_to_the_limit_is_read(small_plan: Path) -> None:
    # one level for the file's mapping, MAX_DEPTH - 1 for the value
    depth = MAX_DEPTH - 1
    with open(small_plan / "engagement.yaml", "a", encoding="utf-8") as fh:
        fh.write("deep: " + "[" * depth + "]" * depth + "\n")
    loaded, diagnostics = load(small_plan)
    assert diagnostics == [] and loaded.files["engagement.yaml"].ok


def test_too_many_values_are_refused_before_composing(small_plan: Path) -> None:
    with open(small_plan / "engagement.yaml", "a", encoding="utf-8") as fh:
        fh.write("many:\n" + "  - [a, b, c, d, e, f, g, h, i]\n" * 25_000)
    ((rule, file, line, column),) = diagnostics_of(small_plan)
    assert (rule, file) == ("file-too-large", "engagement.yaml") and line > 22 and column > 0


@pytest.mark.parametrize(("directive", "line"), [
    ("%YAML 1.1\n---\n", 1),
    ("# notes\n%TAG !x! tag:example.org,2019:\n---\n", 2),
])
def test_yaml_directives_are_refused_at_their_line(small_plan: Path, directive: str,
                                                   line: int) -> None:
    path = small_plan / "vision.yaml"
    path.write_text(directive + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert diagnostics_of(small_plan) == [("yaml-directive", "vision.yaml", line, 1)]


def test_a_control_byte_yaml_refuses_is_located(small_plan: Path) -> None:
    path = small_plan / "vision.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace("vision", "visión\x00", 1)
    path.write_text("".join(lines), encoding="utf-8")
    column = lines[2].index("\x00") + 1
    _, diagnostics = load(small_plan)
    (found,) = diagnostics
    assert (found.rule, found.location.line, found.location.column) == (
        "text-characters", 3, column)
    assert "U+0000" in found.message


def test_an_unclosed_flow_sequence_is_reported_where_it_opens(small_plan: Path) -> None:
    path = small_plan / "priorities.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("portfolios: [out-of-hospital]", "portfolios: [out-of-hospital"),
                    encoding="utf-8")
    _, diagnostics = load(small_plan)
    (found,) = diagnostics
    assert (found.rule, found.location.line, found.location.column) == ("yaml-syntax", 8, 17)
    assert "flow sequence that starts here is not closed (at line 9" in found.message


def test_an_unclosed_quote_is_reported_where_it_opens(small_plan: Path) -> None:
    with open(small_plan / "engagement.yaml", "a", encoding="utf-8") as fh:
        fh.write('note: "never closed\nmore: text\n')
    _, diagnostics = load(small_plan)
    (found,) = diagnostics
    assert (found.rule, found.location.line, found.location.column) == ("yaml-syntax", 22, 7)
    assert "quoted text that starts here is not closed" in found.message


def test_aliases_cannot_nest_past_the_limit(small_plan: Path) -> None:
    # each alias adds 40 levels: 30 of them nest 1,200 deep once expanded
    lines = ["a0: &a0 " + "[" * 40 + "x" + "]" * 40]
    lines += [f"a{i}: &a{i} " + "[" * 40 + f"*a{i - 1}" + "]" * 40 for i in range(1, 30)]
    with open(small_plan / "engagement.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    assert [r for r, *_ in diagnostics_of(small_plan)] == ["yaml-depth"]


def test_an_error_at_the_end_of_the_file_is_on_its_last_line(small_plan: Path) -> None:
    (small_plan / "vision.yaml").write_text("a: 1\nb c\n", encoding="utf-8")
    assert diagnostics_of(small_plan) == [("yaml-syntax", "vision.yaml", 2, 4)]


def test_every_file_no_kind_reads_warns(small_plan: Path) -> None:
    """A portfolio in a misspelt folder, a YAML file nested where no kind looks, and any
    other file are each reported; the theme folder is the theme's own."""
    (small_plan / "portfolio").mkdir()
    (small_plan / "portfolio" / "cancer.yaml").write_text("id: cancer\n")
    (small_plan / "portfolios" / "old").mkdir()
    (small_plan / "portfolios" / "old" / "x.yml").write_text("id: x\n")
    (small_plan / "notes.txt").write_text("notes\n")
    (small_plan / "theme").mkdir()
    (small_plan / "theme" / "style.css").write_text("h1 { color: black; }\n")
    _, diagnostics = load(small_plan)
    assert [(d.rule, d.location.file) for d in diagnostics] == [
        ("file-unknown", "notes.txt"), ("file-unknown", "portfolio/cancer.yaml"),
        ("file-unknown", "portfolios/old/x.yml")]
    assert "a misspelt name or folder?" in diagnostics[1].message
    assert "portfolios/*.yaml" in diagnostics[1].message


def test_what_init_and_editors_put_beside_the_plan_is_not_unknown(tmp_path: Path) -> None:
    from lscplan.scaffold import init

    plan = tmp_path / "fresh"
    init(plan)
    (plan / ".git").mkdir()
    (plan / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (plan / ".DS_Store").write_bytes(b"\0")
    (plan / "schemas" / "notes.yaml").write_text("a: 1\n")  # not a schema: reported
    _, diagnostics = load(plan)
    assert [(d.rule, d.location.file) for d in diagnostics] == [
        ("file-unknown", "schemas/notes.yaml")]
