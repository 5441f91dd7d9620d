"""The reading-ease rule: public summary passages should read as plain English."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit, render_document

from lscplan.pipeline import check

PLAIN = ("We want everyone here to live a long and healthy life. We will help you stay "
         "well at home. You will get care close to where you live, when you need it.")
HARD = ("The Integrated Care System will collaboratively operationalise transformational "
        "population health management capabilities across organisational boundaries, "
        "facilitating sustainable, evidence-based reconfiguration of commissioning "
        "arrangements and interdependent provider collaboratives.")


def _reading(plan: Path):
    return [d for d in check(plan).report if d.rule == "reading-ease"]


def test_hard_public_summary_is_a_warning(small_plan: Path) -> None:
    edit(small_plan / "vision.yaml",
         "We want everyone in Example to live a long and healthy life.", HARD)
    found = _reading(small_plan)
    assert len(found) == 1
    d = found[0]
    assert d.severity == "warning" and d.location.file == "vision.yaml"
    assert "the vision's public summary scores " in d.message
    assert "aim for 60 or more" in d.message


def test_plain_and_short_passages_pass(small_plan: Path) -> None:
    edit(small_plan / "vision.yaml",
         "We want everyone in Example to live a long and healthy life.", PLAIN)
    edit(small_plan / "priorities.yaml", "More care will be close to your home.",
         "Care closer to home through transformational integration.")  # too short to score
    assert _reading(small_plan) == []


def test_priority_summary_and_strict(small_plan: Path, cli) -> None:
    edit(small_plan / "priorities.yaml", "We will spend public money wisely.", HARD)
    found = _reading(small_plan)
    assert [d.location.file for d in found] == ["priorities.yaml"]
    assert "priority 2" in found[0].message
    assert cli("check", small_plan).code == 0
    strict = cli("check", small_plan, "--strict")
    assert strict.code == 1 and "warning[reading-ease]" in strict.stdout


def test_scores_are_remembered_between_runs(tmp_path: Path, monkeypatch) -> None:
    from lscplan.validate import readability

    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(tmp_path / "cache"))
    first = readability.flesch_scores([PLAIN, HARD])
    assert first[PLAIN] >= 60 > first[HARD]
    assert (tmp_path / "cache" / readability.CACHE_FILE).is_file()
    # A second run scores from the cache, without asking textstat.
    import textstat

    def unused(text: str) -> float:
        raise AssertionError("scored again")

    monkeypatch.setattr(textstat, "flesch_reading_ease", unused)
    assert readability.flesch_scores([HARD, PLAIN]) == first


def test_an_unusable_cache_only_costs_time(tmp_path: Path, monkeypatch) -> None:
    from lscplan.validate import readability

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(blocker))
    assert readability.flesch_scores([PLAIN])[PLAIN] >= 60
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / readability.CACHE_FILE).write_text("{not json")
    monkeypatch.setenv("LSCPLAN_CACHE_DIR", str(tmp_path / "cache"))
    assert readability.flesch_scores([PLAIN])[PLAIN] >= 60


def test_engagement_and_glossary_are_scored_as_the_summary_shows_them(small_plan: Path) -> None:
    """The public summary shows the engagement and the public glossary too: a hard
    description is flagged, and a plain public_summary / public_definition is what counts."""
    edit(small_plan / "engagement.yaml", "People told us how they use technology.", HARD)
    edit(small_plan / "plan.yaml",
         "The partnership of NHS and council organisations in an area.", HARD)
    found = _reading(small_plan)
    assert sorted(d.location.file for d in found) == ["engagement.yaml", "plan.yaml"]
    assert any("the description of engagement digital-survey" in d.message for d in found)
    assert any("glossary term 'Integrated care system (ICS)'" in d.message for d in found)
    edit(small_plan / "engagement.yaml", "    provenance: example-briefing\n    figures:",
         f"    public_summary: {PLAIN}\n    provenance: example-briefing\n    figures:")
    edit(small_plan / "plan.yaml", "    provenance: example-briefing\nterms:",
         f"    public_definition: {PLAIN}\n    provenance: example-briefing\nterms:")
    assert _reading(small_plan) == []


def test_the_bundled_public_summary_reads_plainly() -> None:
    from lscplan.resources import bundled_plan_dir

    assert _reading(bundled_plan_dir()) == []


def _sections(page: str) -> dict[str, str]:
    """The visible text of each top-level section of a public summary (an h2 and what
    follows it), charts and data tables left out: what a reader reads as prose."""
    import html as entities
    import re

    main = page[page.index("<main"):page.index("</main>")]
    main = re.sub(r"<(svg|table)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r'<span class="visually-hidden">.*?</span>', " ", main)
    found = {}
    for part in re.split(r"(?=<h2\b)", main)[1:]:
        text = re.sub(r"\s+", " ", entities.unescape(re.sub(r"<[^>]+>", " ", part))).strip()
        title = re.sub(r"<[^>]+>", "", part[:part.index("</h2>")]).split(">", 1)[-1]
        found[entities.unescape(title)] = text
    return found


@pytest.mark.parametrize("which", ["bundled", "starter"])
def test_every_section_of_the_public_summary_reads_plainly(which: str) -> None:
    """Each section as the summary prints it, the template's own words with the plan's,
    scores 60 or more (sections under 20 words are too short to score)."""
    import textstat

    from lscplan import documents, render
    from lscplan.resources import bundled_plan_dir, starter_dir

    plan = check(bundled_plan_dir() if which == "bundled" else starter_dir()).plan
    doc = next(d for d in documents.for_plan(plan) if d.id == "public-summary")
    sections = _sections(render_document(plan, doc, render.BuildInfo("1", None, "t"),
                                         draw=False))
    assert {"What we want", "Contact us"} <= set(sections)
    scores = {title: round(textstat.flesch_reading_ease(text), 1)
              for title, text in sections.items() if len(text.split()) >= 20}
    assert scores and min(scores.values()) >= 60, scores
