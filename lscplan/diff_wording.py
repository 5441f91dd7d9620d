"""The diff in words, for ``lscplan diff``'s reporters (``diff_report``): entity
labels and headings, figures with their units (through ``formatting``, like the
documents), and a sentence for each change, consequence, reorder, document and
diagnostic. The comparison (``lscplan.diff``) hands over data only."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import formatting, kinds
from .model import TARGET_KINDS

if TYPE_CHECKING:
    from .diff import Change, Consequence, DiffResult, DocumentChange, Finding, Reorder


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


#: Entity kind name -> its declaration (``lscplan.kinds``), which says its words.
#: What diff compares beside the declared kinds: the files of the plan's theme folder.
THEME = "theme"
_THEME_WORDS = ("theme file", "Theme")
#: ... and the files under the plan folder that no kind reads (``diff.UNREAD``).
UNREAD = "unread"
_UNREAD_WORDS = ("file no kind reads", "Files no kind reads")


def kind_label(kind: str) -> str:
    """One entity of ``kind`` as its declaration names it: ``metric``, ``the vision``."""
    declared = kinds.entity_kind(kind)
    if declared:
        return declared.label
    return _THEME_WORDS[0] if kind == THEME else _UNREAD_WORDS[0] if kind == UNREAD else kind


def kind_heading(kind: str) -> str:
    """A group of them, as declared: ``Metrics``, ``Risks``."""
    declared = kinds.entity_kind(kind)
    if declared:
        return declared.heading
    return _THEME_WORDS[1] if kind == THEME else _UNREAD_WORDS[1] if kind == UNREAD else kind


def _places(value: float, unit: str | None = None) -> int:
    """Decimal places as the value was written (``95.0`` has one), at most four; at
    least as many as a unit the plan declares is written with."""
    exponent = Decimal(str(value)).as_tuple().exponent
    written = min(-exponent, 4) if isinstance(exponent, int) and exponent < 0 else 0
    declared = formatting.as_unit(unit) if unit is not None else None
    if declared is not None and declared.declared and declared.decimals:
        return max(written, declared.decimals)
    return written


def figure(value: Any, unit: str | None = None) -> str:
    """A figure exactly as written, with its unit: ``95.0%``, ``£316,000k``, ``1,200 WTE``;
    money in £'000 as ``£…k``. Anything else as ``fmt_value`` writes it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return fmt_value(value)
    number = formatting.thousands(value, _places(value, unit))
    if unit is None or unit == "number":
        return number
    if unit == "percent":
        return number + "%"
    if unit == "gbp-thousands":
        return (formatting.MINUS + "£" + number[1:] if value < 0 else "£" + number) + "k"
    return formatting.with_unit(number, unit)


def delta(old: Any, new: Any, unit: str | None = None) -> str | None:
    """The change between two figures, signed, in the unit (``pp`` for percentages);
    None when either is not a number."""
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (old, new)):
        return None
    d = Decimal(str(new)) - Decimal(str(old))
    places = max(_places(old, unit), _places(new, unit))
    text = formatting.signed(float(d) if places else int(d), places)
    if unit == "percent":
        return text + "pp"
    if unit == "gbp-thousands":
        return text[0] + "£" + text[1:] + "k" if text[0] in "+" + formatting.MINUS else text
    if unit is None or unit == "number":
        return text
    return formatting.with_unit(text, unit)


def fmt_value(value: Any, unit: str | None = None) -> str:
    """A value as a reviewer reads it in one line; nothing is an en dash, as in the
    documents."""
    if value is None or value == [] or value == {}:
        return "–"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, int | float):
        return figure(value, unit)
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, list):
        return ", ".join(fmt_value(v, unit) for v in value)
    if isinstance(value, dict):  # a figure's unit reaches the figures inside it
        return "; ".join(f"{k}: {fmt_value(v, unit)}" for k, v in value.items())
    return str(value)


def entity_name(kind: str, eid: str | None, fields: dict[str, Any]) -> str:
    """The entity in the plan's terms: ``priority 4 `x```, ``metric `y```, ``the vision``."""
    if eid is None:
        return kind_label(kind)
    if kind == "priority" and fields.get("number") is not None:
        return f"priority {fields['number']} `{eid}`"
    if kind == "population":
        return f"population {eid}"
    return f"{kind_label(kind)} `{eid}`"


def change_name(change: Change) -> str:
    return entity_name(change.entity, change.id, change.about)


_SERIES_FIELDS = {"values": "", "years": "", "wte": "WTE ", "vacancies": "vacancies ",
                  "by_icp": ""}


def field_phrase(field_name: str) -> str:
    """``values.2023/24`` -> ``2023/24``; ``by_icp.north-place.2020/21`` ->
    ``north-place 2020/21``; ``years.2020/21.income`` -> ``2020/21 income``;
    ``baseline.value`` -> ``baseline value``."""
    head, _, rest = field_name.partition(".")
    if head == "targets" and rest:  # targets.local-2030.value -> local ambition by 2030 value
        key, _, leaf = rest.partition(".")
        kind, _, by = key.partition("-")
        words = TARGET_KINDS.get(kind, kind).lower() + (f" by {by}" if by else "")
        return f"{words} {leaf.replace('.', ' ')}".strip()
    if head in _SERIES_FIELDS and rest:
        return _SERIES_FIELDS[head] + rest.replace(".", " ")
    return field_name.replace(".", " ").replace("_", " ")


def _title(fields: dict[str, Any]) -> str | None:
    for key in ("title", "name", "label"):
        if isinstance(fields.get(key), str):
            return fields[key]
    return None


def change_message(c: Change) -> str:
    """One change in a sentence: ``metric `x`, 2021/22: 95.0% → 96.0%``."""
    who = change_name(c)
    if c.entity in (THEME, UNREAD):
        if c.field == "bytes":
            return f"{who} changed: {c.old:,} → {c.new:,} bytes"
        return f"{who} {c.op}"
    if c.field is None:
        return _whole_entity_message(c, who)
    phrase = field_phrase(c.field)
    if c.item:
        if c.words is not None:
            return f"{who}, {phrase}: an item reworded"
        sign, item = ("+", c.new) if c.op == "added" else ("−", c.old)
        return f"{who}, {phrase}: {sign} {_item_text(item)}"
    if c.field == "id" and c.op == "changed":
        return f"{who} renamed from `{c.old}`"
    if c.words is not None and all(not t.strip() for op, t in c.words if op != "="):
        ops = {op for op, _ in c.words if op != "="}
        what = ("split into more paragraphs" if ops == {"+"} else
                "paragraphs joined" if ops == {"-"} else "paragraphs rearranged")
        return f"{who}, {phrase}: {what}"
    if c.entity == "programme" and c.field == "portfolio" and c.op == "changed":
        return f"{who} moved from portfolio `{c.old}` to portfolio `{c.new}`"
    if c.field == "title" and c.op == "changed":
        return f"{who} retitled: {fmt_value(c.old)} → {fmt_value(c.new)}"
    if c.words is not None:
        return f"{who}, {phrase} reworded"
    if c.op == "added":
        return f"{who}, {phrase} added: {fmt_value(c.new, c.unit)}"
    if c.op == "removed":
        return f"{who}, {phrase} removed (was {fmt_value(c.old, c.unit_before)})"
    text = f"{who}, {phrase}: {fmt_value(c.old, c.unit_before)} → {fmt_value(c.new, c.unit)}"
    effect = meaning(c)
    return text + (" (the unit changed)" if c.unit_before != c.unit else
                   f" ({effect})" if effect else "")


def _whole_entity_message(c: Change, who: str) -> str:
    """An entity added or removed as a whole: its title, or its few plain fields."""
    fields = c.old or c.new or {}
    if c.entity == "programme" and fields.get("portfolio"):
        where = "to" if c.op == "added" else "from"
        return f"{who} {c.op} {where} portfolio `{fields['portfolio']}`"
    title = _title(fields)
    if title:
        return f"{who} {c.op}: {fmt_value(title)}"
    scalars = {k: v for k, v in fields.items() if v is not None}
    if scalars and len(scalars) <= 4 and all(
            isinstance(v, str | int | float) for v in scalars.values()):
        return f"{who} {c.op}: {fmt_value(scalars)}"
    return f"{who} {c.op}"


def _item_text(item: Any) -> str:
    """A list item: an id as code (`primary-care-networks`), anything else as a value."""
    if isinstance(item, str) and re.fullmatch(r"[\w./:-]+", item):
        return f"`{item}`"
    return fmt_value(item)


def _listing(items: tuple[Any, ...], limit: int = 12) -> str:
    shown = ", ".join(i if isinstance(i, str) else fmt_value(i) for i in items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def reorder_message(r: Reorder) -> str:
    """``Priorities in a new order: b, a (was a, b)``."""
    if r.field is None:
        what = kind_heading(r.entity)
    else:
        what = f"{entity_name(r.entity, r.id, {})}, {field_phrase(r.field)}"
    if all(isinstance(i, str) and len(i) <= 60 for i in (*r.old, *r.new)):
        return f"{what} in a new order: {_listing(r.new)} (was {_listing(r.old)})"
    # long items (a key message, a recommendation): each once, with where it was
    shown = tuple(f"“{_short(i)}”" for i in r.new)
    was = ", ".join(str(r.old.index(i) + 1) if i in r.old else "–" for i in r.new)
    return f"{what} in a new order: {_listing(shown)} (their old places: {was})"


def _short(item: Any, limit: int = 40) -> str:
    """A list item in a few words: its title or text, cut at a word."""
    text = (_title(item) or item.get("text") if isinstance(item, dict) else None)
    text = str(text if text is not None else fmt_value(item)).strip()
    if len(text) <= limit:
        return text
    return text[:text.rfind(" ", 0, limit) if " " in text[:limit] else limit] + " …"


_DOCUMENT_OPS = {"added": "a new document", "removed": "no longer built",
                 "changed": "changes"}


def document_message(doc: DocumentChange) -> str:
    """```ltp-submission`: changes`` (the id names its files: ltp-submission.pdf)."""
    text = f"`{doc.id}`: {_DOCUMENT_OPS.get(doc.op, doc.op)}"
    if doc.pages is not None and doc.page_counts is not None:
        before, after = doc.pages
        old_count, new_count = doc.page_counts
        text += (f", PDF {_page_span(after)} of {new_count}"
                 + (f" (were {_page_span(before)} of {old_count})"
                    if (before, old_count) != (after, new_count) else ""))
    if doc.old_title is not None:
        text += f", its title too: {fmt_value(doc.old_title)} → {fmt_value(doc.title)}"
    return text


#: A changed document lists at most this many of its sections.
SECTIONS_SHOWN = 8


def section_lines(doc: DocumentChange) -> list[str]:
    """What a reader sees change in ``doc``, a line a section: ``§ Our priorities:
    “old sentence” → “new sentence”``, then how many more."""
    out = []
    for section in doc.sections[:SECTIONS_SHOWN]:
        line = f"§ {section.heading}"
        if section.old_heading is not None:
            line += f" (was {section.old_heading})"
        if section.op != "changed":
            line += f" ({section.op})"
        elif section.before is None and section.after is None:
            if section.old_heading is None:
                line += ": the same words, laid out or drawn differently"
        else:
            line += (f": {fmt_value(section.before)} → {fmt_value(section.after)}")
        out.append(line)
    if len(doc.sections) > SECTIONS_SHOWN:
        out.append(f"… and {plural(len(doc.sections) - SECTIONS_SHOWN, 'more section')}")
    return out


def _page_span(numbers: tuple[int, ...]) -> str:
    """``pages 3, 7–9``; ``no page`` for none."""
    if not numbers:
        return "no page"
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    spans = [f"{r[0]}" if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(spans)


def documents_heading(result: DiffResult) -> str:
    if result.withheld:
        return f"Documents: not compared, because {result.withheld}"
    n = len(result.documents or ())
    if not n:
        return "Documents: a build writes every document as before"
    return f"Documents: a build writes {plural(n, 'document')} differently"


def provenance_line(result: DiffResult) -> str | None:
    """``Sources: 3 now cite a source (were illustrative); 1 is now illustrative``, or
    None when no provenance changed (each a provenance: an entity's, or a figure's)."""
    moved = result.provenance

    def verb(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    parts = [text for text, n in (
        (verb(moved["sourced"], "now cites a source", "now cite a source")
         + " (illustrative before)", moved["sourced"]),
        (verb(moved["illustrative"], "is now illustrative", "are now illustrative"),
         moved["illustrative"]),
        (verb(moved["resourced"], "cites another source", "cite another source"),
         moved["resourced"])) if n]
    return "Sources: " + "; ".join(parts) if parts else None


def meaning(c: Change) -> str | None:
    """``improves`` or ``worsens``: a metric's value moved with or against its
    direction (``higher-is-better``, ``lower-is-better``); else None."""
    if c.entity != "metric" or c.op != "changed" or not (c.field or "").startswith("values."):
        return None
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (c.old, c.new)):
        return None
    if c.unit_before != c.unit or c.old == c.new:
        return None
    direction = c.about.get("direction")
    up = c.new > c.old
    if direction == "higher-is-better":
        return "improves" if up else "worsens"
    if direction == "lower-is-better":
        return "worsens" if up else "improves"
    return None


def failing_line(result: DiffResult) -> str | None:
    """``new (HEAD) fails its checks (2 errors); compared all the same``, or None."""
    if not result.failing:
        return None
    parts = [f"{f.side} fails its checks ({plural(len(f.report.errors), 'error')})"
             for f in result.failing]
    return "; ".join(parts) + "; compared all the same"


def finding_message(f: Finding) -> str:
    """``introduced error[rule] finance.yaml:10:7: message``."""
    d, loc = f.diagnostic, f.diagnostic.location
    where = loc.file + (f":{loc.line}:{loc.column}" if loc.line else "")
    was = f" (was: {f.was})" if f.was is not None else ""
    return f"{f.op} {d.severity}[{d.rule}] {where}: {d.message}{was}"


def findings_heading(result: DiffResult) -> str:
    introduced = [f for f in result.findings if f.op == "introduced"]
    fixed = [f for f in result.findings if f.op == "fixed"]
    changed = [f for f in result.findings if f.op == "changed"]
    also = f", and changes the message of {_counts(changed)}" if changed else ""
    return (f"Checks: the change introduces {_counts(introduced)} and fixes "
            f"{_counts(fixed)}{also}")


def _counts(findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if str(f.diagnostic.severity) == "error")
    return (f"{plural(errors, 'error')}, "
            f"{plural(len(findings) - errors, 'warning')}")


def _declared(q: Consequence) -> tuple[kinds.DerivedFigure, str]:
    """The derived figure's declaration on its kind (``kinds.DerivedFigure``) and the
    year (or other key) after its name; ``diff_derived`` makes none undeclared."""
    found = kinds.derived_figure(q.entity, q.field)
    if found is None:
        raise LookupError(f"{q.entity} declares no derived figure {q.field!r}")
    return found


def consequence_what(q: Consequence) -> str:
    figure, year = _declared(q)
    return figure.words.format(id=q.id, year=year, name=entity_name(q.entity, q.id, {}))


def consequence_value(q: Consequence, value: Any) -> str:
    if _declared(q)[0].signed and isinstance(value, int | float) and not isinstance(value,
                                                                                   bool):
        return delta(0, value, q.unit) or fmt_value(value)
    return fmt_value(value, q.unit)


def consequence_delta(q: Consequence) -> str | None:
    """How far a derived figure moved (``+£1,000k``), or None where the figure is a
    movement itself or not a number."""
    return None if _declared(q)[0].signed else delta(q.old, q.new, q.unit)


def consequence_message(q: Consequence) -> str:
    """``system allocation total: £315,000k → £316,000k (+£1,000k)``."""
    text = (f"{consequence_what(q)}: {consequence_value(q, q.old)} → "
            f"{consequence_value(q, q.new)}")
    change = consequence_delta(q)
    return f"{text} ({change})" if change else text


def moved_by(q: Consequence, result: DiffResult) -> str:
    """``moved by allocation `a`, baseline and allocation `b`, baseline``; several
    fields of one entity said once: ``activity `x` (north 2019/20, south 2019/20)``."""
    if not q.causes:
        return "moved by no change listed here"
    fields: dict[str, list[str]] = {}
    for key in q.causes:
        change = next((c for c in result.changes if c.key == key), None)
        who = change_name(change) if change else entity_name(key[0], key[1], {})
        fields.setdefault(who, [])
        if key[2] is not None:
            fields[who].append(field_phrase(key[2]))
    names = [who if not parts else f"{who}, {parts[0]}" if len(parts) == 1
             else f"{who} ({', '.join(parts)})" for who, parts in fields.items()]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"moved by {joined}"


def placed(result: DiffResult, change: Change) -> list[tuple[Consequence, str | None]]:
    """The consequences a reporter shows under ``change``: those it moved alone, then
    those it and others moved (once, under the last of them) with ``moved by ...``."""
    out: list[tuple[Consequence, str | None]] = [
        (q, None) for q in result.consequences_of(change)]
    out += [(q, moved_by(q, result)) for q in result.shared_consequences(change)]
    return out
