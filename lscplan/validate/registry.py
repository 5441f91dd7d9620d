"""Every rule id ``check`` (and ``import``) can report, declared once: its severity, the
stage that reports it and what it means.

The documentation's rule reference is generated from ``REGISTRY`` (docs/gen_reference.py),
each with an example from the case folders in ``tests/cases/invalid``; the tests hold it
to the code: every rule id a diagnostic is made with is declared here, with the severity
it is made with, and every declared rule is reported somewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The stages, in the order ``check`` runs them, with their headings in the reference.
STAGES: dict[str, str] = {
    "read": "Reading the files",
    "schema": "The schemas",
    "rules": "The plan rules",
    "actuals": "The actuals (`actuals.yaml`, for `lscplan track`)",
    "theme": "The theme",
    "import": "Importing a workbook",
}


@dataclass(frozen=True)
class RuleDoc:
    """One rule id: ``severities`` are those it is reported with (a few rules have a
    mild form that is a warning); ``meaning`` is Markdown."""

    id: str
    severities: tuple[str, ...]
    stage: str
    meaning: str


E, W, EW = ("error",), ("warning",), ("error", "warning")

_RULES: tuple[RuleDoc, ...] = (
    # reading the files (lscplan/load.py), each problem at its line and column
    RuleDoc("file-missing", E, "read", "A file the plan must have (`plan.yaml`, "
            "`metrics.yaml`, ...) is not in the plan folder."),
    RuleDoc("file-unknown", W, "read", "A YAML file no kind of plan file claims: it is "
            "not read (a misspelt name, or a file in the wrong folder)."),
    RuleDoc("file-empty", E, "read", "A plan file is empty; it must hold a mapping of "
            "fields."),
    RuleDoc("file-encoding", E, "read", "A plan file is not UTF-8 text."),
    RuleDoc("file-unreadable", E, "read", "A plan file cannot be read (permissions, or an "
            "error from the file system)."),
    RuleDoc("file-not-regular", E, "read", "A plan file is not a regular file (a folder, "
            "a device or a pipe under a plan file's name)."),
    RuleDoc("file-too-large", E, "read", "A plan file is over 2 MiB, or holds more than "
            "200,000 values: far beyond any plan, and refused before it is parsed."),
    RuleDoc("file-outside-plan", E, "read", "A plan file is a link to a file outside the "
            "plan folder."),
    RuleDoc("yaml-syntax", E, "read", "The file is not valid YAML. The message gives a hint "
            "to quote the value where unquoted text is the likely cause (a colon and a space, "
            "or a leading `@`); an unclosed bracket or quote is reported where it opens, and "
            "a date YAML cannot read is reported too."),
    RuleDoc("yaml-split-value", E, "read", "An unquoted comma inside a `{...}` mapping ends "
            "the value, so `{title: Safe, sustainable services}` would read `sustainable "
            "services` as a field of its own, and `{2019/20: 3,000}` as `3`: `check` says so "
            "and shows the value quoted, or the number without separators."),
    RuleDoc("yaml-duplicate-key", E, "read", "A mapping has the same key twice (YAML would "
            "silently keep the last)."),
    RuleDoc("yaml-tag", E, "read", "A YAML tag (`!!python/object`, `!custom`): plan files "
            "hold plain values only."),
    RuleDoc("yaml-merge", E, "read", "A merge key (`<<`): write the fields out."),
    RuleDoc("yaml-key", E, "read", "A key YAML does not read as text (a number, a date, a "
            "collection): put it in quotes."),
    RuleDoc("yaml-aliases", E, "read", "Aliases (`*a`) that expand the file to more than "
            "a plan file could hold: plan files must not use aliases to multiply data."),
    RuleDoc("yaml-number", E, "read", "A number that is not finite (`.inf`, `.nan`) or is "
            "absurdly long: plan figures are finite numbers."),
    RuleDoc("yaml-directive", E, "read", "A `%YAML` or `%TAG` directive, which changes how "
            "the rest of the file is read."),
    RuleDoc("yaml-depth", E, "read", "Lists and mappings nested more than 64 deep, checked "
            "before the file is composed."),
    RuleDoc("text-characters", E, "read", "A control, bidirectional or invisible character "
            "(such as a right-to-left override hidden in a title), or any byte YAML's reader "
            "refuses (such as NUL); and an id, year, key or listed word with a character "
            "outside ASCII, such as a Cyrillic `а` that looks exactly like a Latin `a`: "
            "reported with the character's code point, name and column."),
    # the schemas (lscplan/validate/schema.py)
    RuleDoc("schema", E, "schema", "A file breaks its JSON Schema (`schemas/`): a field "
            "missing, unknown, of the wrong type or outside its list of values. The "
            "[plan files reference](plan-files.md) lists every field."),
    RuleDoc("format-version", EW, "schema", "`plan.yaml` is written in a later `format` "
            "than this lscplan reads (an error: install a newer lscplan), or does not say "
            "which format it is written in (a warning: add `format:` at its top)."),
    RuleDoc("markdown", W, "schema", "A Markdown field holds raw HTML, an image, or a link "
            "other than http, https and mailto, which the documents show as text; reported "
            "at the line inside the Markdown."),
    RuleDoc("markdown-depth", E, "schema", "Markdown (a `text/markdown` `contentMediaType` in "
            "the schemas) nests lists and blockquotes more than 16 deep, reported at the line "
            "where it happens (the documents would otherwise drop the text past "
            "markdown-it's nesting limit)."),
    RuleDoc("markdown-size", E, "schema", "The Markdown of one file holds more than 5,000 "
            "markup characters (`[ ] ! * _` and backticks) in all, where the busiest bundled "
            "file has 40: the file is refused before any of it is parsed (markdown-it's time "
            "grows faster than the text on long runs of them)."),
    # the plan rules (lscplan/validate/rules.py)
    RuleDoc("unique-id", E, "rules", "An id is used twice within one kind of entity (two "
            "metrics, two appendices of one paper), or a declared unit takes a built-in "
            "unit's id."),
    RuleDoc("file-id", E, "rules", "A portfolio's or board paper's `id` differs from its "
            "file name."),
    RuleDoc("reference", E, "rules", "An id a file refers to is not defined: a priority, "
            "portfolio, metric, place, organisation, source (a `provenance`), unit, or an "
            "extract name no part of the plan has (the message lists those there are); and "
            "activity or a staff group by place that leaves a place out."),
    RuleDoc("organisation-places", E, "rules", "An organisation names its places in both "
            "`places` and (for one place) `icp`: use one."),
    RuleDoc("golden-thread", E, "rules", "A priority and a portfolio do not name each other "
            "(each lists the other), an enabling portfolio names a priority (an enabler "
            "serves every priority and names none), or a metric names no priority and no "
            "enabler lists it."),
    RuleDoc("priority-measured", E, "rules", "A priority no portfolio delivers or no metric "
            "measures."),
    RuleDoc("priority-numbering", E, "rules", "Priorities are not numbered 1 to N in order."),
    RuleDoc("period", E, "rules", "The plan period starts after it ends."),
    RuleDoc("period-coverage", E, "rules", "A trajectory (a metric's values, activity, "
            "workforce, finance) misses a year of the plan period, or has a year outside "
            "it; every year exactly once."),
    RuleDoc("allocation-movement", E, "rules", "A published movement in the allocations "
            "table is not the allocation less the baseline, to its published rounding "
            "(figures left out are derived)."),
    RuleDoc("allocation-percent", E, "rules", "A published percentage movement in the "
            "allocations table disagrees with the figures it follows from."),
    RuleDoc("allocation-total", E, "rules", "A published total of the allocations table is "
            "not the sum of its rows."),
    RuleDoc("activity-total", E, "rules", "A published system total of activity is not the "
            "sum of the places' figures."),
    RuleDoc("workforce-total", E, "rules", "A published workforce total is not the sum of "
            "the staff groups, or a staff group's places and staffing types do not add up to "
            "its WTE."),
    RuleDoc("appendix-reference", EW, "rules", "A board paper's `{appendix:ID}` names no "
            "appendix of the paper (an error); an appendix never referred to is a warning."),
    RuleDoc("extract-reference", E, "rules", "A board paper lists an extract its body does "
            "not place with `{extract:NAME}` alone in a paragraph, or places one it does not "
            "list."),
    RuleDoc("passage-date", E, "rules", "A `{from:WHEN}` names no date (YYYY-MM-DD) or dated "
            "source, or does not open a paragraph, list item or heading."),
    RuleDoc("decision-risks", E, "rules", "A paper whose purpose is `decision` must identify "
            "its risks, or leave `risks` out so its cover sheet says they are to be "
            "confirmed; never \"none identified\"."),
    RuleDoc("target-duplicate", E, "rules", "A metric has two targets of one kind for one "
            "year (or two undated of one kind), so it is not clear which it is measured "
            "against."),
    RuleDoc("target-range", E, "rules", "A target given by `change` computes a value its "
            "unit cannot hold: a percentage below 0 or above 100, or a figure below zero "
            "(from a baseline that is not) in any unit but money; reported at the "
            "`change:` line with the value computed."),
    RuleDoc("risk-score", E, "rules", "A risk's published `score` or `target_score` is not "
            "likelihood × impact, or the target is higher than the score now."),
    RuleDoc("commitment-unmapped", W, "rules", "A Long Term Plan commitment names no local "
            "programme that delivers it."),
    RuleDoc("framework-unanswered", W, "rules", "A chapter or area of the framework the "
            "plan answers (`framework.yaml`) that no portfolio, metric or commitment names in "
            "its `answers`: the assessor reading the plan against the framework finds "
            "nothing for it. A chapter with areas is answered area by area. Tag what answers "
            "it, or say in the plan why it does not; the submission's framework map shows "
            "it as not answered either way."),
    RuleDoc("trajectory-direction", W, "rules", "A metric's target moves the wrong way for "
            "its `direction`."),
    RuleDoc("standard-missing", W, "rules", "A metric that has a national standard (its "
            "`national_metric`) does not state it."),
    RuleDoc("balance-not-reached", W, "rules", "The system's financial trajectory ends out "
            "of balance."),
    RuleDoc("illustrative", W, "rules", "How many figures in each file no source gives "
            "(their provenance is `illustrative`)."),
    RuleDoc("postdates", W, "rules", "A document would cite a fact whose source, by its "
            "`date` in `plan.yaml`, was published after the document's date, or show a "
            "passage dated after it: the document leaves it out."),
    RuleDoc("source-current", E, "rules", "A source's `current` date (from when its wording "
            "held) is after its publication `date`."),
    RuleDoc("submitted-illustrative", W, "rules", "The plan's or a paper's `status` is "
            "`submitted` or `published` while figures are illustrative: under `--strict` "
            "such a plan cannot pass."),
    RuleDoc("reading-ease", W, "rules", "Public-summary text below Flesch reading ease 60: "
            "the vision's and priorities' `public_summary`, each engagement's "
            "`public_summary` or else `description`, each public glossary term's "
            "`public_definition` or else `definition`, the publication's `how_to_ask`. "
            "Passages under 20 words are not scored."),
    RuleDoc("stated-count", W, "rules", "Governance states a count (`portfolios`, "
            "`programmes`) that differs from what the plan holds: the documents show both, "
            "so correct the stated count if it is out of date."),
    RuleDoc("council-layout", W, "rules", "A paper for a council's meeting is laid out on "
            "the NHS cover sheet under the NHS logo: give it `format: local-authority`, or "
            "leave `format` out to follow its meeting."),
    RuleDoc("meeting-weekend", W, "rules", "A paper's meeting falls on a Saturday or "
            "Sunday: boards and committees meet on weekdays."),
    # the actuals: delivery tracked against the plan (lscplan/validate/actuals.py)
    RuleDoc("actuals-series", E, "actuals", "An actuals series names both a metric and a "
            "point of delivery (or neither), gives neither `values` nor a `numerator` and "
            "`denominator`, or gives `per` without them."),
    RuleDoc("actuals-period", E, "actuals", "A period of an actuals series is not a month "
            "(`2019-04`) or a financial quarter (`2019/20 Q1`) as its frequency says."),
    RuleDoc("actuals-ratio", E, "actuals", "A series' numerator and denominator cover "
            "different periods, or a denominator is 0."),
    RuleDoc("actuals-gap", E, "actuals", "A series misses a period between its first and its "
            "last: process limits need an unbroken series (a period given twice is a "
            "`yaml-duplicate-key`)."),
    RuleDoc("actuals-value", E, "actuals", "A value impossible for the series' unit: a "
            "percentage below 0 or over 100, or negative activity."),
    RuleDoc("actuals-fix-after", E, "actuals", "`fix_after` under 12: Making Data Count "
            "computes process limits from at least 12 points."),
    RuleDoc("actuals-rebase", E, "actuals", "A rebase period that is not one of the series' "
            "own periods, or is its first (where its limits begin anyway)."),
    RuleDoc("actuals-limits", E, "actuals", "A series (or a segment between rebases) that "
            "gives no process limits: too few points, or every value the same."),
    # the theme (lscplan/theme.py)
    RuleDoc("theme-file", E, "theme", "A file of the theme folder is missing, outside it, not "
            "a regular file, too large, not UTF-8, or a logo or font that is not one by its "
            "content: a PNG or JPEG over 4,096 pixels a side, an SVG with anything but the "
            "allow-listed picture (a script, an event handler, a reference outside it), a "
            "font without OpenType's tables (`theme/theme.yaml` itself is checked under "
            "`schema`)."),
    RuleDoc("theme-css", E, "theme", "The theme's `style.css` would fetch something (`url()`, "
            "`@import`, `image-set()`): a theme's documents fetch nothing."),
    RuleDoc("theme-template", EW, "theme", "A template in `theme/templates` fails to "
            "compile or to render, or goes past its time or memory bound (at the "
            "template's line), or drops lscplan's Content-Security-Policy (errors); a file "
            "there that is not `NAME.html.j2` is left alone (a warning)."),
    RuleDoc("theme-contrast", W, "theme", "A theme colour against its background has "
            "contrast below the 4.5:1 that WCAG AA asks of text."),
    # lscplan import (lscplan/workbook_import.py): refusals of a workbook's cells
    RuleDoc("workbook-file", E, "import", "Not an .xlsx file, or one over 20 MiB or 200 MiB "
            "unpacked, far beyond lscplan's own, or a macro-enabled workbook (.xlsm "
            "content), or XML with a DOCTYPE or entities."),
    RuleDoc("workbook-number", E, "import", "A figure cell holds text, a date, a formula or "
            "nothing, a number that does not fit (NaN, infinity, 10^15 or more), or a "
            "figure the plan's schemas refuse for its unit (a percentage over 100)."),
    RuleDoc("workbook-size", E, "import", "A workbook past the bounds on what is read (32 "
            "sheets; 5,000 rows and 64 columns a sheet; 100,000 cells and 100,000 texts in "
            "all), refused at the first cell past them, before the rest is read."),
    RuleDoc("workbook-formula", E, "import", "A total, movement or percentage whose formula "
            "was changed or typed over: change the figures it is calculated from."),
    RuleDoc("workbook-unknown", E, "import", "One of lscplan's rows or columns deleted (or "
            "changed past recognition), or a row whose id was changed: rows are added and "
            "removed in the YAML."),
    RuleDoc("workbook-total", E, "import", "A published total no longer the sum of its rows "
            "(the check under it reads \"differs by\"): change the total or the figures it "
            "sums so that they agree."),
    RuleDoc("workbook-ignored", W, "import", "A row or column someone inserted, a value in a "
            "cell lscplan leaves empty, or a sheet it does not have: not lscplan's, so left "
            "alone (and said)."),
    RuleDoc("workbook-text", E, "import", "A label, unit, provenance or cover entry changed: "
            "a workbook built from another version of the plan must be built again."),
    RuleDoc("workbook-conflict", E, "import", "A figure changed both in the workbook and in "
            "the plan since the workbook was built, differently: build the workbook again and "
            "make the change there."),
)

#: Every rule id, in the order of the reference.
REGISTRY: dict[str, RuleDoc] = {r.id: r for r in _RULES}
