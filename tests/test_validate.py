"""Validation: every folder in tests/cases/invalid breaks the starter plan in one way
and names what ``check`` must report. Its case.yaml holds ``edits`` (each replaces the
first ``old`` with ``new`` in ``file``; without ``old``, ``new`` is the whole file;
``remove: true`` deletes the file), ``expected``: the errors (rule, file, line), and
optionally ``warnings``: the warnings the edit adds to those of the starter plan. Both
lists are exact: no other error, and no other new warning."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml
from helpers import apply_case, edit

from lscplan.pipeline import check
from lscplan.resources import starter_dir
from lscplan.validate import registry
from lscplan.validate.registry import REGISTRY, STAGES

CASES = sorted((Path(__file__).parent / "cases" / "invalid").iterdir())
PACKAGE = Path(__file__).parent.parent / "lscplan"
#: A diagnostic made in the code: error("rule-id", ...), warning(...), self.fail(...)
#: (an error), and the severity it is made with.
RULE_CALL = re.compile(r"\b(error|warning|fail)\(\s*\"([a-z]+(?:-[a-z]+)*)\"")

#: Rules a case folder cannot reach (its edits are text), with the test that covers each.
TESTED_ELSEWHERE = {
    "file-encoding": "test_load.py::test_not_utf8",
    "file-unreadable": "test_load.py::test_unreadable_file",
    "file-not-regular": "test_load.py::test_not_a_regular_file",
    "file-too-large": "test_load.py::test_absurdly_large_file",
    "file-outside-plan": "test_load.py::test_symlink_leaving_the_plan_is_refused",
    "postdates": "test_schema.py::test_bundled_plan_has_no_errors, test_render.py",
    # lscplan import's refusals of a workbook's cells (not plan rules: no YAML edit
    # reaches them)
    "workbook-file": "test_cli_import.py::test_bad_paths",
    "workbook-number": "test_workbook_import.py::test_refusals_name_sheet_and_cell",
    "workbook-formula": "test_workbook_import.py::test_refusals_name_sheet_and_cell",
    "workbook-text": "test_workbook_import.py::test_refusals_name_sheet_and_cell",
    "workbook-unknown": "test_workbook_import.py::test_refusals_name_sheet_and_cell",
    "workbook-conflict": "test_cli_import.py::test_the_plans_own_changes_since_the_build_stand",
    "workbook-total": "test_cli_import.py::test_a_total_that_no_longer_adds_up",
    "workbook-size": "test_workbook_import.py::test_millions_of_tiny_cells_are_refused_at_the_bound",  # noqa: E501
    "workbook-ignored": "test_workbook_import.py::test_lscplans_cells_are_found_where_inserted_rows_and_columns_moved_them",  # noqa: E501
}


def _keys(diagnostics: list) -> Counter:
    return Counter((d.rule, d.location.file, d.location.line) for d in diagnostics)


def _shown(diagnostics: list) -> str:
    return "\n".join(f"{d.location.file}:{d.location.line}: {d.rule}: {d.message}"
                     for d in diagnostics)


@cache
def starter_warnings() -> Counter:
    return _keys(check(starter_dir()).report.warnings)


def test_starter_plan_is_valid(small_plan: Path) -> None:
    checked = check(small_plan)
    assert checked.report.errors == []
    assert checked.plan is not None


@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES])
def test_invalid_case(case_dir: Path, small_plan: Path) -> None:
    case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    apply_case(small_plan, case)
    report = check(small_plan).report
    expected = Counter((e["rule"], e["file"], e["line"]) for e in case.get("expected", []))
    assert _keys(report.errors) == expected, _shown(report.errors)
    added = _keys(report.warnings) - starter_warnings()
    warned = Counter((e["rule"], e["file"], e["line"]) for e in case.get("warnings", []))
    assert added == warned, _shown(report.warnings)


def test_every_rule_has_a_case() -> None:
    """Each rule id the code reports is broken by some case folder (or, for the few a
    text edit cannot reach, by the test named in TESTED_ELSEWHERE), and the rule
    registry (the documentation's rule reference) declares it."""
    rules = set(code_rules())
    covered = set(TESTED_ELSEWHERE)
    for case_dir in CASES:
        case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
        covered |= {e["rule"] for e in case.get("expected", []) + case.get("warnings", [])}
    assert rules - covered == set()
    assert rules - set(REGISTRY) == set()
    # and the registry declares no rule nothing reports (some ids are made by a helper
    # from a variable: those a case or TESTED_ELSEWHERE reaches)
    assert set(REGISTRY) - rules - covered == set()


def code_rules() -> dict[str, set[str]]:
    """Each rule id a diagnostic is made with in the package, with its severities."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for call, rule in RULE_CALL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(rule, set()).add("warning" if call == "warning" else "error")
    return found


def test_registry_declares_each_rule_as_reported() -> None:
    """A rule the code reports as a warning is declared a warning (and an error an
    error), so the reference says which ones --strict refuses."""
    for rule, severities in code_rules().items():
        assert severities <= set(REGISTRY[rule].severities), rule
    assert len(REGISTRY) == len(registry._RULES)  # no rule declared twice
    for doc in REGISTRY.values():
        assert doc.stage in STAGES and doc.meaning.endswith((".", ")")), doc.id


def test_markdown_that_documents_would_not_show_is_warned(small_plan: Path) -> None:
    path = small_plan / "portfolios" / "finance.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(
        "The system will return to financial balance.",
        "Back <b>now</b> ![map](file:///etc/passwd) [x](javascript:alert(1)) "
        "[ok](https://example.org)\n\n  Later:\n\n  <div>block</div>"), encoding="utf-8")
    warnings = [d for d in check(small_plan).report.warnings if d.rule == "markdown"]
    # each at the line of the narrative (a YAML block from line 8) where it is
    assert [(d.location.file, d.location.line, d.location.column) for d in warnings] == [
        ("portfolios/finance.yaml", 8, 3)] * 4 + [("portfolios/finance.yaml", 12, 3)]
    messages = " ".join(d.message for d in warnings)
    assert "'<b>'" in messages and "file:///etc/passwd" in messages
    assert "javascript:alert(1)" in messages and "https://example.org" not in messages


#: Problems with a whole file, which have no line or column.
WHOLE_FILE_RULES = {"file-missing", "file-empty", "file-unreadable", "file-not-regular",
                    "file-outside-plan", "file-unknown"}


@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES])
def test_every_diagnostic_points_at_its_place(case_dir: Path, small_plan: Path) -> None:
    case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    apply_case(small_plan, case)
    checked = check(small_plan)
    for d in checked.report:
        loc = d.location
        assert loc.file, d
        if d.rule in WHOLE_FILE_RULES or (d.rule == "file-too-large" and not loc.line):
            continue
        lines = checked.sources[loc.file]
        assert 1 <= loc.line <= len(lines), d
        assert 1 <= loc.column <= len(lines[loc.line - 1]) + 1, d


def test_a_lookalike_character_is_named_with_its_code_point_and_place(small_plan: Path) -> None:
    # the id prints exactly like a valid one: the message must say what is wrong with it
    path = small_plan / "metrics.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  - id: financial-balance", "  - id: fin\u0430ncial-balance", 1), encoding="utf-8")
    (found,) = check(small_plan).report.errors
    assert found.rule == "schema"
    assert "character 4 (line 31, column 12) is U+0430 CYRILLIC SMALL LETTER A" in found.message
    assert (found.location.line, found.location.column) == (31, 12)


def test_a_decision_paper_must_state_its_risks(small_plan) -> None:
    paper = small_plan / "board" / "governing-body-update.yaml"
    edit(paper, "purpose: information", "purpose: decision")
    text = paper.read_text(encoding="utf-8")
    assert "identified: true" in text
    paper.write_text(text.replace("identified: true", "identified: false"), encoding="utf-8")
    found = [d for d in check(small_plan).report.diagnostics if d.rule == "decision-risks"]
    assert len(found) == 1 and found[0].severity == "error"
    assert found[0].location.file == "board/governing-body-update.yaml"
    assert found[0].location.pointer == "/risks"
    # leaving the risks out says they are to be confirmed, which is allowed
    kept = re.sub(r"risks:\n(  .*\n)+", "", paper.read_text(encoding="utf-8"))
    paper.write_text(kept, encoding="utf-8")
    assert not [d for d in check(small_plan).report.diagnostics if d.rule == "decision-risks"]


def test_messages_use_the_plans_own_words(small_plan: Path) -> None:
    """A plan that calls its places "places" and its priorities "ambitions" reads those
    words in its diagnostics; without `terms` they read as before (ICP, priority)."""
    plan_yaml = small_plan / "plan.yaml"
    edit(plan_yaml, "priority: {singular: priority, plural: priorities}",
         "priority: {singular: ambition, plural: ambitions}")
    edit(plan_yaml, "icp: south-place", "icp: east-place")
    edit(small_plan / "portfolios/finance.yaml", "priorities: [financial-balance]",
         "priorities: [financial-balance, neighbourhoods]")
    edit(small_plan / "priorities.yaml", "number: 2", "number: 3")
    messages = sorted(d.message for d in check(small_plan).report.errors)
    assert messages == [
        "ambition 'financial-balance' is numbered 3; ambitions are numbered 1 to 2 in order, "
        "so this should be 2",
        "organisation 'south-ccg' refers to the place 'east-place', which the plan does not "
        "define",
        "portfolio 'finance' serves the ambition 'neighbourhoods', but priorities.yaml does "
        "not list it under ambition 1",
    ]
    assert not any(re.search(r"ICP|priorit(y|ies) [0-9']", m) for m in messages)
    text = plan_yaml.read_text(encoding="utf-8")
    plan_yaml.write_text(text[:text.index("terms:")] + text[text.index("units:"):],
                         encoding="utf-8")
    messages = sorted(d.message for d in check(small_plan).report.errors)
    assert "organisation 'south-ccg' refers to the ICP 'east-place', which the plan does not "\
        "define" in messages
    assert "priority 'financial-balance' is numbered 3; priorities are numbered 1 to 2 in "\
        "order, so this should be 2" in messages


def test_an_unanswered_framework_area_is_named_with_its_chapter(small_plan: Path) -> None:
    """framework-unanswered says which area of which chapter nothing answers, and the id
    to name in ``answers``; a chapter without areas is named as a chapter."""
    edit(small_plan / "metrics.yaml", "    answers: [urgent-emergency-care]\n", "")
    edit(small_plan / "portfolios" / "finance.yaml", "answers: [taxpayers-investment]\n", "")
    found = [d for d in check(small_plan).report.warnings if d.rule == "framework-unanswered"]
    assert [(d.location.file, d.location.line) for d in found] == [
        ("framework.yaml", 14), ("framework.yaml", 16)]
    assert found[0].message == (
        "nothing in the plan answers the framework's area 'Reducing pressure on emergency "
        "hospital services' (in chapter 2, 'Delivering a new service model for the 21st "
        "century'); name 'urgent-emergency-care' in the `answers` of the portfolios, "
        "metrics or commitments that answer it; the submission's framework map shows it as "
        "not answered")
    assert "chapter 8, \"Using taxpayers' investment to maximum effect\"" in found[1].message


def test_a_relative_target_that_computes_what_its_unit_cannot_hold(small_plan: Path) -> None:
    """``change`` is range-checked where it is written, the value it computes in the
    message: a percentage over 100, minutes below zero; money may go below zero (a
    deficit), and a change that stays in range is no error."""
    edit(small_plan / "metrics.yaml",
         "        value: 97  # or relative to the baseline: change: +10%\n",
         "        change: +20%\n")  # 85% up 20% is 102%
    edit(small_plan / "metrics.yaml", "        value: 18\n", "        change: -150%\n")
    errors = check(small_plan).report.errors
    assert [(d.rule, d.location.line) for d in errors] == [("target-range", 19),
                                                          ("target-range", 55)]
    assert "computes 102%, but a percentage is from 0 to 100" in errors[0].message
    assert "computes −16 min, below zero, which a figure in minutes cannot be" in (
        errors[1].message)
    edit(small_plan / "metrics.yaml", "        change: +20%\n", "        change: +10%\n")
    edit(small_plan / "metrics.yaml", "        change: -150%\n", "        change: -40%\n")
    assert check(small_plan).report.errors == []
