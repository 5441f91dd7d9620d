"""``diff`` as a review gate (issue 25): every change a reader will see is in it.

The documents list is held to the truth: both sides are built (HTML, no PDF) and the
documents whose bytes differ must be exactly those the diff lists."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_plan
from helpers import edit

from lscplan.diff import DiffResult, diff_versions
from lscplan.diff_report import json_diff, markdown_diff, text_diff
from lscplan.diff_wording import change_message

PAPER = "board/governing-body-update.yaml"
OVERRIDE = """{% import "lscplan/partials/priorities.html.j2" as builtin %}
{% macro render(plan, caption=None) %}
{{ builtin.render(plan, caption) }}
<p>Every priority has a named executive lead.</p>
{% endmacro %}
"""


def built_differently(old: Path, new: Path, out: Path) -> set[str]:
    """The documents whose HTML a build of ``new`` writes differently from ``old``'s."""
    pages = []
    for side, plan in (("old", old), ("new", new)):
        build_plan(plan, out / side, formats=("html",), jobs=1)
        pages.append({p.stem: p.read_bytes() for p in (out / side).glob("*.html")})
    before, after = pages
    return {d for d in set(before) | set(after) if before.get(d) != after.get(d)}


@pytest.fixture
def changed(small_plan: Path, tmp_path: Path) -> Callable[..., tuple[Path, Path]]:
    """A copy of the starter plan with ``change(new)`` applied: (old, new)."""

    def run(change: Callable[[Path], None]) -> tuple[Path, Path]:
        new = tmp_path / "new"
        shutil.copytree(small_plan, new)
        change(new)
        return small_plan, new

    return run


def _theme(plan: Path) -> None:
    (plan / "theme" / "templates").mkdir(parents=True)
    (plan / "theme" / "templates" / "priorities.html.j2").write_text(OVERRIDE, "utf-8")


def _paper_added(plan: Path) -> None:
    text = (plan / PAPER).read_text("utf-8").replace(
        "id: governing-body-update", "id: second-update").replace(
        'meeting_date: "2019-11-19"', 'meeting_date: "2019-11-19"\nillustrative: [meeting_date]')
    (plan / "board" / "second-update.yaml").write_text(text, "utf-8")


def _paper_loses_illustrative(plan: Path) -> None:
    edit(plan / PAPER, 'meeting_date: "2019-11-19"',
         'meeting_date: "2019-11-19"\nillustrative: [meeting_date]')


def _paper_removed(plan: Path) -> None:
    (plan / PAPER).unlink()


def _paper_text(plan: Path) -> None:
    edit(plan / PAPER, "has three components", "has three parts")


def _metric(plan: Path) -> None:
    edit(plan / "metrics.yaml", "2021/22: 95.0", "2021/22: 96.0")


@pytest.mark.parametrize("change", [_theme, _paper_added, _paper_loses_illustrative,
                                    _paper_removed, _paper_text, _metric],
                         ids=lambda f: f.__name__.strip("_"))
def test_the_documents_listed_are_exactly_those_a_build_writes_differently(
        changed, tmp_path: Path, change: Callable[[Path], None]) -> None:
    old, new = changed(change)
    if change is _paper_loses_illustrative:  # the old side has the entry, the new not
        old, new = new, old
    result = diff_versions(str(old), str(new))
    assert result.failing == () and result.withheld is None
    assert {d.id for d in result.documents} == built_differently(old, new, tmp_path / "out")
    assert result.documents


def test_a_theme_is_part_of_the_plan(changed) -> None:
    old, new = changed(_theme)
    result = diff_versions(str(old), str(new))
    assert [(c.op, c.entity, c.id) for c in result.changes] == [
        ("added", "theme", "templates/priorities.html.j2")]
    assert bool(result)
    text = text_diff(result)
    assert "Theme\n  + theme file `templates/priorities.html.j2` added" in text
    assert "`ltp-submission`: changes" in text


def test_a_theme_file_changed_is_a_word_diff(changed, tmp_path: Path) -> None:
    _old, new = changed(_theme)
    newer = tmp_path / "newer"
    shutil.copytree(new, newer)
    edit(newer / "theme/templates/priorities.html.j2", "a named executive lead",
         "a named lead")
    result = diff_versions(str(new), str(newer))
    (change,) = result.changes
    assert (change.op, change.entity, change.id, change.field) == (
        "changed", "theme", "templates/priorities.html.j2", "text")
    assert ("-", "executive ") in change.words


def test_no_documents_list_when_a_side_fails_its_checks(changed) -> None:
    old, new = changed(lambda p: edit(p / "metrics.yaml", "priorities: [neighbourhoods]",
                                              "priorities: [nowhere]"))
    result = diff_versions(str(old), str(new))
    assert result.failing and result.documents is None
    assert result.withheld == f"new ({new}) fails its checks, so no build of it would succeed"
    for out in (text_diff(result), markdown_diff(result)):
        assert "a build writes" not in out
        assert "no build of it would succeed" in out
    assert '"documents_withheld": "new (' in json_diff(result)


def test_no_documents_list_when_a_side_would_fail_to_build(
        changed, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = changed(_metric)

    def broken(plan, doc, info, draw=True, theme=None):
        if doc.id == "public-summary" and dict(plan.metrics[0].values.items()).get(
                "2021/22") == 96.0:
            raise ValueError("a figure the template cannot format")
        return "same"

    monkeypatch.setattr("lscplan.render.render_html", broken)
    result: DiffResult = diff_versions(str(old), str(new))
    assert result.documents is None
    assert result.withheld == (
        "the new version's document `public-summary` cannot be rendered (a figure the "
        "template cannot format), so a build of it fails")
    assert "no build" not in text_diff(result)
    assert "cannot be rendered" in text_diff(result)


def _in_seconds(plan: Path) -> None:
    edit(plan / "plan.yaml", "  - {id: minutes,",
         '  - {id: seconds, label: seconds, symbol: " s", decimals: 0}\n  - {id: minutes,')
    edit(plan / "metrics.yaml", "unit: minutes  # declared in plan.yaml units", "unit: seconds")
    edit(plan / "metrics.yaml", "2019/20: 27\n", "2019/20: 1620\n")


def test_a_unit_change_shows_each_side_in_its_own_unit(changed) -> None:
    old, new = changed(_in_seconds)
    result = diff_versions(str(old), str(new), documents=False)
    figure = next(c for c in result.changes if c.field == "values.2019/20")
    assert (figure.old_unit, figure.unit) == ("minutes", "seconds")
    assert ("metric `ambulance-response`, 2019/20: 27 min → 1,620 s (the unit changed)"
            in text_diff(result))
    assert "| 27 min · 22 min · 18 min | 1,620 s · 22 s · 18 s |" in markdown_diff(result)
    assert '"old_unit": "minutes"' in json_diff(result)
    unchanged = next(c for c in result.changes if c.field == "unit")
    assert (unchanged.old, unchanged.new) == ("minutes", "seconds")
    same_number = next(c for c in result.changes if c.field == "values.2020/21")
    assert change_message(same_number) == (
        "metric `ambulance-response`, 2020/21: 22 min → 22 s (the unit changed)")


# --- the JSON output: a version and a published schema -----------------------------------


def _validator():
    import json

    import jsonschema

    from lscplan.resources import schemas_dir

    schema = json.loads((schemas_dir() / "diff.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def test_the_json_output_obeys_its_published_schema(changed, cli) -> None:
    import json

    old, new = changed(lambda p: (_metric(p), _in_seconds(p), _theme(p)))
    result = cli("diff", old, new, "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["version"] == 1
    _validator().validate(payload)
    broken_old, broken_new = old, new
    edit(broken_new / "metrics.yaml", "priorities: [neighbourhoods]", "priorities: [nowhere]")
    failing = json.loads(cli("diff", broken_old, broken_new, "--format", "json").stdout)
    assert failing["failing"] == ["new"] and failing["documents"] is None
    _validator().validate(failing)


def test_an_unreadable_side_gives_a_json_error_object(changed, cli) -> None:
    import json

    old, new = changed(lambda p: (p / "metrics.yaml").write_text("metrics: [\n", "utf-8"))
    result = cli("diff", old, new, "--format", "json")
    assert result.code == 2
    payload = json.loads(result.stdout)
    _validator().validate(payload)
    assert payload["failing"] == ["new"]
    assert payload["diagnostics"][0]["file"] == "metrics.yaml"
    usage = cli("diff", old, "no-such-revision", "--format", "json")
    assert usage.code == 2
    _validator().validate(json.loads(usage.stdout))


def test_a_file_in_a_misspelt_folder_is_seen_by_diff(changed) -> None:
    def misplace(plan: Path) -> None:
        (plan / "portfolio").mkdir()
        text = (plan / "portfolios/finance.yaml").read_text("utf-8")
        (plan / "portfolio/finance.yaml").write_text(text, "utf-8")
        (plan / "portfolios/finance.yaml").unlink()
        (plan / "portfolio/extra.yaml").write_text(text.replace("finance", "extra"), "utf-8")

    old, new = changed(misplace)
    result = diff_versions(str(old), str(new), documents=False)
    assert [(f.op, f.diagnostic.rule, f.diagnostic.location.file) for f in result.findings
            if f.diagnostic.rule == "file-unknown"] == [
        ("introduced", "file-unknown", "portfolio/extra.yaml"),
        ("introduced", "file-unknown", "portfolio/finance.yaml")]
    assert "introduced warning[file-unknown] portfolio/extra.yaml" in text_diff(result)


def test_an_incremental_build_rewrites_what_annex_c_lists_of_a_paper(
        small_plan: Path, tmp_path: Path) -> None:
    """documents.inputs: the submission reads each paper's illustrative entries."""
    out = tmp_path / "out"
    build_plan(small_plan, out, formats=("html",), jobs=1)
    _paper_loses_illustrative(small_plan)  # here the paper gains the entry
    again = build_plan(small_plan, out, formats=("html",), jobs=1)
    fresh = tmp_path / "fresh"
    build_plan(small_plan, fresh, formats=("html",), jobs=1)
    for page in ("ltp-submission.html", "board-governing-body-update.html"):
        assert (out / page).read_bytes() == (fresh / page).read_bytes(), page
    assert again.result is not None


# --- the kinds' words come from their declaration ------------------------------------------


def test_every_declared_kind_has_its_words_and_the_readme_lists_it() -> None:
    import re

    from helpers import REPO

    from lscplan import diff_wording, kinds

    assert not hasattr(diff_wording, "KIND_WORDS")  # no hand-copied second list
    readme = (REPO / "README.md").read_text("utf-8")
    listed = readme[readme.index("`entity` is the\nkind:"):]
    listed = set(re.findall(r"`([a-z-]+)`", listed[:listed.index("; `id` is null")]))
    for kind in kinds.ENTITY_KINDS:
        assert kind.label and kind.heading[0].isupper(), kind.name
        assert diff_wording.kind_label(kind.name) == kind.label
        assert diff_wording.kind_heading(kind.name) == kind.heading
        assert kind.name in listed, kind.name
    assert diff_wording.kind_heading("risk") == "Risks"


def test_section_headings_are_the_kinds_headings(changed) -> None:
    old, new = changed(lambda p: edit(p / "risks.yaml", "  likelihood: 4", "  likelihood: 5"))
    text = text_diff(diff_versions(str(old), str(new), documents=False))
    assert "\nRisks\n" in text and "\nrisk\n" not in text


def test_a_documents_new_title_is_said(changed) -> None:
    old, new = changed(lambda p: edit(p / "plan.yaml", "title: Example Strategic Plan",
                                      "title: Example Strategic Plan, revised"))
    result = diff_versions(str(old), str(new))
    (retitled,) = [d for d in result.documents if d.old_title is not None]
    assert retitled.id == "ltp-submission" and "revised" in retitled.title
    assert "`ltp-submission`: changes, its title too: “" in text_diff(result)


def test_an_illustrative_count_that_moves_is_one_changed_finding(changed) -> None:
    old, new = changed(lambda p: edit(p / "metrics.yaml", "2021/22: 18\n",
                                      "2021/22: 18\n      2022/23: 17\n"))
    result = diff_versions(str(old), str(new), documents=False)
    moved = [f for f in result.findings if f.diagnostic.rule == "illustrative"]
    assert [f.op for f in moved] == ["changed"]
    assert moved[0].was != moved[0].diagnostic.message
    assert "\n  ~ changed warning[illustrative] metrics.yaml" in text_diff(result)


def test_a_risks_likelihood_moves_its_score_and_rating(changed) -> None:
    old, new = changed(lambda p: edit(p / "risks.yaml", "  likelihood: 4", "  likelihood: 5"))
    result = diff_versions(str(old), str(new), documents=False)
    (change,) = result.changes
    assert change.field == "scores.likelihood"
    moved = {q.field: (q.old, q.new) for q in result.consequences_of(change)}
    assert "score" in moved and moved["score"][1] > moved["score"][0]
    assert "↳ risk score: " in text_diff(result)


def test_reordered_key_messages_are_one_order_line_naming_each_once(changed) -> None:
    first = ("  - text: Care joined up around people, close to home.\n"
             "    provenance: example-briefing\n")
    second = ("  - text: Every partner agrees the plan before it is submitted.\n"
              "    provenance: example-briefing\n")

    def two(plan: Path) -> None:
        edit(plan / "summary.yaml", first, first + second)

    _old, new = changed(two)
    newer = new.parent / "newer"
    shutil.copytree(new, newer)
    edit(newer / "summary.yaml", first + second, second + first)
    result = diff_versions(str(new), str(newer))
    assert result.changes == ()
    text = text_diff(result)
    order = text[:text.index("Documents:")]  # the documents' sections quote them again
    assert order.count("Care joined up") == 1 and order.count("Every partner agrees") == 1
    assert "key messages in a new order: “Every partner agrees the plan before it …”, " \
           "“Care joined up around people, close to …” (their old places: 2, 1)" in text


# --- beyond a YAML diff: where each change lives ------------------------------------------


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if text in line)


def test_each_change_says_its_file_and_line_on_both_sides(changed) -> None:
    def edits(plan: Path) -> None:
        _metric(plan)
        text = (plan / "metrics.yaml").read_text("utf-8")
        (plan / "metrics.yaml").write_text(text.replace("metrics:\n", "metrics:\n# moved\n"
                                                        "# down\n", 1), "utf-8")
        (plan / "portfolios/out-of-hospital.yaml").unlink()

    old, new = changed(edits)
    result = diff_versions(str(old), str(new), documents=False)
    figure = next(c for c in result.changes if c.field == "values.2021/22")
    assert figure.where == (("metrics.yaml", _line_of(old / "metrics.yaml", "2021/22: 95.0")),
                            ("metrics.yaml", _line_of(new / "metrics.yaml", "2021/22: 96.0")))
    assert figure.where[1][1] == figure.where[0][1] + 2
    gone = next(c for c in result.changes if c.entity == "portfolio" and c.op == "removed")
    assert gone.where == (("portfolios/out-of-hospital.yaml", gone.where[0][1]), None)
    line = figure.where[1][1]
    assert f"metric `ae-four-hour`<br><sub>metrics.yaml:{line} (was metrics.yaml:{line - 2})" \
           "</sub>" in markdown_diff(result)
    import json
    record = next(c for c in json.loads(json_diff(result))["changes"]
                  if c["field"] == "values.2021/22")
    assert record["where"] == {"old": {"file": "metrics.yaml", "line": line - 2},
                               "new": {"file": "metrics.yaml", "line": line}}
    _validator().validate(json.loads(json_diff(result)))
    from lscplan.diff_report import html_diff
    assert (f'<div class="where"><small>metrics.yaml:{line} (was metrics.yaml:{line - 2})'
            "</small></div>") in html_diff(result)


def test_a_theme_change_says_its_file_and_line(changed, tmp_path: Path) -> None:
    _old, new = changed(_theme)
    newer = tmp_path / "newer"
    shutil.copytree(new, newer)
    edit(newer / "theme/templates/priorities.html.j2", "a named executive lead",
         "a named lead")
    (change,) = diff_versions(str(new), str(newer), documents=False).changes
    assert change.where == (("theme/templates/priorities.html.j2", 4),
                            ("theme/templates/priorities.html.j2", 4))


# --- beyond a YAML diff: what a figure's change means ----------------------------------


def test_a_metric_value_worsens_or_improves_by_its_direction(changed) -> None:
    def edits(plan: Path) -> None:
        _metric(plan)  # A&E 95.0 -> 96.0, higher is better
        edit(plan / "metrics.yaml", "2019/20: 27\n", "2019/20: 29\n")  # ambulance, lower
    old, new = changed(edits)
    result = diff_versions(str(old), str(new), documents=False)
    said = {c.id: change_message(c) for c in result.changes}
    assert said["ae-four-hour"].endswith("95.0% → 96.0% (improves)")
    assert said["ambulance-response"].endswith("27 min → 29 min (worsens)")
    import json
    meanings = {c["id"]: c["meaning"] for c in json.loads(json_diff(result))["changes"]}
    assert meanings == {"ae-four-hour": "improves", "ambulance-response": "worsens"}


def test_provenance_changes_are_summed_up_first(changed) -> None:
    def edits(plan: Path) -> None:
        text = (plan / "metrics.yaml").read_text("utf-8")
        text = text.replace("      2021/22: 95.0\n    provenance: illustrative",
                            "      2021/22: 95.0\n    provenance: example-briefing")
        text = text.replace("      2021/22: 0\n    provenance: illustrative",
                            "      2021/22: 0\n    provenance: example-briefing")
        (plan / "metrics.yaml").write_text(text, "utf-8")
        edit(plan / "plan.yaml", "    people: 500000\n    provenance: example-briefing",
             "    people: 500000\n    provenance: illustrative")
    old, new = changed(edits)
    result = diff_versions(str(old), str(new), documents=False)
    # each metric's baseline follows its provenance: four provenances now cite a source
    assert result.summary["provenance"] == {"sourced": 4, "illustrative": 1, "resourced": 0}
    line = "Sources: 4 now cite a source (illustrative before); 1 is now illustrative"
    assert text_diff(result).splitlines()[1] == line
    assert f"\n\n{line}\n" in markdown_diff(result)


# --- beyond a YAML diff: what a reader will see change ------------------------------------


def test_each_changed_document_says_which_sections_change_and_how(changed) -> None:
    old, new = changed(_theme)
    result = diff_versions(str(old), str(new))
    submission = next(d for d in result.documents if d.id == "ltp-submission")
    added = [s for s in submission.sections
             if s.after == "Every priority has a named executive lead."]
    assert added and added[0].op == "changed" and added[0].before is None
    text = text_diff(result)
    assert f"      § {added[0].heading}: – → “Every priority has a named executive lead.”" in text
    assert (f"\n  - § {added[0].heading}: – → “Every priority has a named executive lead.”"
            in markdown_diff(result))


def test_a_sentence_that_changes_is_shown_before_and_after() -> None:
    from lscplan.diff_sections import section_changes

    old = ("<html><head><title>T</title></head><body><h1>Plan</h1><p>Intro.</p>"
           "<h2>Money</h2><p>We spend £5m. We save £1m. Then more.</p>"
           "<h2>Staff</h2><p>Same.</p></body></html>")
    new = old.replace("We save £1m.", "We save £2m.").replace("<h2>Staff</h2>",
                                                              "<h2>People</h2>")
    changes = section_changes(old, new)
    assert [(s.heading, s.op, s.before, s.after, s.old_heading) for s in changes] == [
        ("Money", "changed", "We save £1m.", "We save £2m.", None),
        ("People", "changed", None, None, "Staff")]
    added = section_changes(old, new.replace("</body>", "<h2>Risks</h2><p>New.</p></body>"))
    assert [(s.heading, s.op) for s in added][-1] == ("Risks", "added")


def test_the_html_page_shows_sections_and_sources(changed) -> None:
    from lscplan.diff_report import html_diff

    old, new = changed(lambda p: (_theme(p), edit(
        p / "plan.yaml", "    people: 500000\n    provenance: example-briefing",
        "    people: 500000\n    provenance: illustrative")))
    page = html_diff(diff_versions(str(old), str(new)))
    assert '<ul class="sections"><li>§ ' in page
    assert "Every priority has a named executive lead." in page
    assert '<p class="sources"><strong>Sources: 1 is now illustrative</strong></p>' in page


def test_words_removed_before_punctuation_keep_their_space() -> None:
    from lscplan.diff_text import word_diff

    words = word_diff("Our Plan is good.", "Our Plan.")
    assert words == (("=", "Our Plan"), ("-", " is good"), ("=", "."))
    old = "".join(t for op, t in words if op != "+")
    new = "".join(t for op, t in words if op != "-")
    assert (old, new) == ("Our Plan is good.", "Our Plan.")


@pytest.mark.pdf
def test_with_pages_each_changed_pdf_says_which_pages_change(changed) -> None:
    old, new = changed(_paper_text)
    result = diff_versions(str(old), str(new), pages=True)
    (paper,) = result.documents
    assert paper.id == "board-governing-body-update"
    assert paper.pages is not None and paper.pages[1] and paper.page_counts[1] >= 1
    assert set(paper.pages[1]) <= set(range(1, paper.page_counts[1] + 1))
    assert "`board-governing-body-update`: changes, PDF page" in text_diff(result)
    import json
    _validator().validate(json.loads(json_diff(result)))


def test_an_edit_to_a_file_no_kind_reads_is_a_change(changed, tmp_path: Path) -> None:
    def misplace(plan: Path) -> None:
        (plan / "portfolio").mkdir()
        (plan / "portfolio/extra.yaml").write_text("id: extra\ntitle: Extra care\n", "utf-8")

    old, new = changed(misplace)
    added = diff_versions(str(old), str(new), documents=False)
    assert [(c.op, c.entity, c.id) for c in added.changes] == [
        ("added", "unread", "portfolio/extra.yaml")]
    newer = tmp_path / "newer"
    shutil.copytree(new, newer)
    edit(newer / "portfolio/extra.yaml", "Extra care", "More care")
    result = diff_versions(str(new), str(newer), documents=False)
    assert result.findings == ()  # the same warning on both sides
    (change,) = result.changes
    assert (change.op, change.entity, change.id, change.field) == (
        "changed", "unread", "portfolio/extra.yaml", "text")
    assert change.where == (("portfolio/extra.yaml", 2), ("portfolio/extra.yaml", 2))
    text = text_diff(result)
    assert "Files no kind reads\n  ~ file no kind reads `portfolio/extra.yaml` changed" in text
    assert bool(result)
