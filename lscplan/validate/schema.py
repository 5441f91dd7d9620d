"""Stage 2a, validate against JSON Schema: every error mapped back to the file, line
and column it came from, and worded for a plan-team member rather than a programmer."""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from .. import narrative
from ..diagnostics import Diagnostic, Location, Severity, error, warning
from ..load import LoadedPlan, SourceFile, pointer_of
from ..resources import schemas_dir

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
YEAR_RE = re.compile(r"([0-9]{4})/([0-9]{2})")


def is_id(value: object) -> bool:
    return not isinstance(value, str) or ID_RE.fullmatch(value) is not None


def is_financial_year(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = YEAR_RE.fullmatch(value)
    return match is not None and (int(match[1]) + 1) % 100 == int(match[2])


def is_colour(value: object) -> bool:
    return not isinstance(value, str) or re.fullmatch(r"#[0-9A-Fa-f]{6}", value) is not None


def is_theme_file(value: object) -> bool:
    """A file named relative to the theme folder, with no way out of it."""
    if not isinstance(value, str):
        return True
    parts = value.split("/")
    return (bool(value) and not value.startswith("/") and "\\" not in value
            and ":" not in value and ".." not in parts)


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(["date", "email"])
    checker.checks("lscplan-id")(is_id)
    checker.checks("financial-year")(is_financial_year)
    checker.checks("colour")(is_colour)
    checker.checks("theme-file")(is_theme_file)
    return checker


_ANNOTATIONS = {"description", "title", "examples", "$comment"}


def _inline(node: Any, defs: dict, prefix: str) -> Any:
    """Replace ``$ref``s to the common definitions (``prefix`` + name) with the
    definitions themselves: the same schema, validated faster than through the
    registry."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        name = ref.removeprefix(prefix)
        if ref.startswith(prefix) and name in defs:
            target = _inline(defs[name], defs, "#/$defs/")
            rest = {k: _inline(v, defs, prefix) for k, v in node.items() if k != "$ref"}
            return {**target, **rest} if set(rest) <= _ANNOTATIONS else {
                "allOf": [target], **rest}
        return {k: _inline(v, defs, prefix) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs, prefix) for v in node]
    return node


@cache
def _schemas() -> tuple[Registry, dict[str, dict]]:
    by_name: dict[str, dict] = {}
    registry: Registry = Registry()
    for path in sorted(schemas_dir().glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        by_name[path.name.removesuffix(".schema.json")] = schema
        # no $id: a schema is known by its file name, so relative $refs resolve as files
        registry = registry.with_resource(path.name, Resource.from_contents(schema))
    defs = by_name.get("common", {}).get("$defs", {})
    prefix = "common.schema.json#/$defs/"
    return registry, {name: _inline(schema, defs, prefix) for name, schema in by_name.items()}


def _markdown_depth(validator: Any, media_type: str, instance: Any,
                    schema: dict) -> Iterator[ValidationError]:
    """``contentMediaType: text/markdown`` (an annotation in JSON Schema) asserted:
    the Markdown's nesting stays within what documents show in full (an error), and
    what they would not show as written is found (a warning). ``instance`` carries
    the rule, the line within the text and the problem."""
    if media_type != "text/markdown" or not isinstance(instance, str):
        return
    budget = _markup_left.get()
    if budget is not None:
        spent = narrative.markup(instance)
        _markup_left.set(budget - spent)
        if budget - spent < 0:
            # markdown-it's time grows faster than the text on runs of these characters,
            # so a file past the budget is refused before any of it is parsed.
            if budget >= 0:
                yield ValidationError("markdown-size", instance=("markdown-size", 0, ""))
            return
    line = narrative.too_deep(instance)
    if line is not None:
        yield ValidationError("markdown-depth", instance=("markdown-depth", line, ""))
    for line, problem in narrative.not_shown(instance):
        yield ValidationError("markdown", instance=("markdown", line, problem))


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"contentMediaType": _markdown_depth})


@cache
def validator_for(kind: str) -> jsonschema.Draft202012Validator:
    registry, by_name = _schemas()
    return _Validator(by_name[kind], registry=registry, format_checker=_format_checker())


#: The version of the plan format this lscplan reads (plan.yaml ``format``).
FORMAT = 1


def check_format(plan: LoadedPlan) -> list[Diagnostic]:
    """format-version: plan.yaml names the version of the format it is written in. A
    plan without it is read as format 1, with a warning saying what to add; a plan in a
    newer format than this lscplan reads is refused (its files are not checked further,
    since every difference would show as an error)."""
    source = plan.files.get("plan.yaml")
    if source is None or not source.ok or not isinstance(source.data, dict):
        return []
    declared = source.data.get("format")
    if declared is None and "format" not in source.data:
        return [warning("format-version",
                        f"plan.yaml does not say which version of the plan format it is "
                        f"written in; add the line `format: {FORMAT}` at its top (this "
                        f"lscplan reads format {FORMAT} and reads it as that)",
                        source.location())]
    if isinstance(declared, int) and not isinstance(declared, bool) and declared > FORMAT:
        for other in plan.files.values():
            other.ok = False
        return [error("format-version",
                      f"this plan is written in format {declared}, and this lscplan reads "
                      f"format {FORMAT} at most; install a newer lscplan",
                      source.location("/format"))]
    return []


def validate_schema(plan: LoadedPlan) -> list[Diagnostic]:
    """Check each loaded file against the schema of its kind (after the format version)."""
    diagnostics: list[Diagnostic] = check_format(plan)
    for source in plan.files.values():
        if not source.ok:
            continue
        found = list(dict.fromkeys(_file_errors(source)))  # pattern and format agree
        if any(d.severity is Severity.ERROR for d in found):
            source.ok = False
        diagnostics.extend(found)
    return diagnostics


#: Markup characters (``narrative.markup``) left for the Markdown of the file being
#: checked; None outside ``_file_errors``.
_markup_left: ContextVar[int | None] = ContextVar("markup_left", default=None)


def validate_file(source: SourceFile) -> list[Diagnostic]:
    """One file against the schema of its kind (a theme's theme.yaml, say)."""
    found = list(dict.fromkeys(_file_errors(source)))
    if any(d.severity is Severity.ERROR for d in found):
        source.ok = False
    return found


def _file_errors(source: SourceFile) -> Iterator[Diagnostic]:
    validator = validator_for(source.kind)
    token = _markup_left.set(narrative.MAX_MARKUP)
    try:
        errors = list(validator.iter_errors(source.data))
    finally:
        _markup_left.reset(token)
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    for err in sorted(errors, key=lambda e: list(e.absolute_path)):
        if err.validator == "oneOf" and tuple(err.absolute_path) in mistyped:
            continue  # which fields a mapping needs means nothing for what is not one
        yield from _diagnose(source, err)


def _sourced_branch(err: ValidationError) -> ValidationError | None:
    """For a field that is its value or ``{value, provenance}``, the error of the form the
    author wrote: the wrapper's when it is a mapping, else the plain value's."""
    branches = err.validator_value if isinstance(err.validator_value, list) else []
    if len(branches) != 2 or branches[1].get("required") != ["value", "provenance"]:
        return None
    chosen = 1 if isinstance(err.instance, dict) else 0
    found = [e for e in err.context if e.relative_schema_path[0] == chosen]
    return best_match(found) if found else None


_JSON_TYPES = {"object": dict, "array": list, "string": str}


def _typed_branch(err: ValidationError) -> ValidationError | None:
    """For a field of one of several shapes told apart by type (a list, or a mapping),
    the error of the shape the author wrote."""
    branches = err.validator_value if isinstance(err.validator_value, list) else []
    kinds = [_JSON_TYPES.get(str(b.get("type"))) if isinstance(b, dict) else None
             for b in branches]
    if None in kinds or len(set(kinds)) != len(kinds):
        return None
    chosen = [i for i, k in enumerate(kinds) if k is not None and isinstance(err.instance, k)]
    found = [e for e in err.context if chosen and e.relative_schema_path[0] == chosen[0]]
    return best_match(found) if found else None


def _diagnose(source: SourceFile, err: ValidationError) -> Iterator[Diagnostic]:
    if err.validator == "oneOf" and err.context and (
            branch := _sourced_branch(err) or _typed_branch(err)):
        yield from _diagnose(source, branch)
        return
    if err.validator in ("anyOf", "oneOf") and err.context:
        deepest = best_match(err.context)
        if len(deepest.absolute_path) > len(err.absolute_path) or deepest.validator not in (
            "type", "enum", "const"
        ):
            yield from _diagnose(source, deepest)
            return
    if err.validator == "additionalProperties":
        yield from _unknown_fields(source, err)
    elif err.validator == "required":
        yield _missing_field(source, err)
    elif err.validator == "propertyNames":
        yield _bad_key(source, err)
    elif err.validator == "contentMediaType":
        yield _markup_problem(source, err)
    else:
        yield _bad_value(source, err)


def _unknown_fields(source: SourceFile, err: ValidationError) -> Iterator[Diagnostic]:
    """additionalProperties: each field the schema does not know, at its key, with the
    field it most looks like (or those allowed)."""
    parts = list(err.absolute_path)
    name = field_name(parts)
    allowed = list(err.schema.get("properties", {}))
    for extra in _extras(err):
        child = pointer_of([*parts, extra])
        hint = difflib.get_close_matches(extra, allowed, n=1)
        message = f"unknown field {show(extra)} in {name or 'this file'}"
        message += f"; did you mean {hint[0]!r}?" if hint else (
            f"; expected one of: {', '.join(allowed)}" if allowed else "")
        yield _error_naming_lookalike(source, message, extra,
                                      source.location(child, key=True))


def _missing_field(source: SourceFile, err: ValidationError) -> Diagnostic:
    """required: the field missing, at the key of the mapping that lacks it."""
    parts = list(err.absolute_path)
    missing = err.message.split("'")[1] if "'" in err.message else err.message
    where = field_name(parts) or "this file"
    return error("schema", f"{where} is missing the required field {missing!r}",
                 source.location(pointer_of(parts), key=True))


def _bad_key(source: SourceFile, err: ValidationError) -> Diagnostic:
    """propertyNames: a key that is not allowed (a year that is not a financial year)."""
    parts = list(err.absolute_path)
    name = field_name(parts)
    bad = err.instance
    child = pointer_of([*parts, bad])
    return _error_naming_lookalike(
        source, f"{show(bad)} in {name} is not a financial year like 2019/20"
        if "year" in json.dumps(err.validator_value) else
        f"{show(bad)} is not an allowed key in {name}", bad, source.location(child, key=True))


def _markup_problem(source: SourceFile, err: ValidationError) -> Diagnostic:
    """contentMediaType: what the Markdown check found in a text (``_markup_left``)."""
    parts = list(err.absolute_path)
    subject = field_name(parts) or "this file"
    rule, line, problem = err.instance
    at = source.text_location(pointer_of(parts), line)
    if rule == "markdown-size":
        return error("markdown-size",
                     f"the Markdown of this file has more than {narrative.MAX_MARKUP:,} "
                     "markup characters ([ ] ! * _ `) here; no plan needs that many, and "
                     "reading them would take minutes, so shorten or split the text", at)
    return (warning("markdown", f"{subject} has {problem}", at) if rule == "markdown" else
            error("markdown-depth",
                  f"{subject} nests lists or blockquotes more than {narrative.MAX_DEPTH} "
                  "deep here; documents would drop the text past that depth, so nest less",
                  at))


def _bad_value(source: SourceFile, err: ValidationError) -> Diagnostic:
    """A value of the wrong type, or outside what the schema allows, at the value."""
    parts = list(err.absolute_path)
    pointer = pointer_of(parts)
    where = source.location(pointer)
    subject = field_name(parts) or "this file"
    kind = err.validator
    found = describe(err.instance, source.raw_scalars.get(pointer))
    if kind == "type":
        expected = err.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in expected)
        message = f"{subject} should be {wanted}, but is {found}"
        raw = source.raw_scalars.get(pointer)
        if "string" in expected and raw is not None:
            message += f"; put it in quotes (\"{raw}\") to keep it as text"
        return error("schema", message, where)
    alternatives = [b.get("required", [None])[0] for b in err.validator_value
                     if isinstance(b, dict)] if kind == "oneOf" else []
    given = [a for a in alternatives if isinstance(err.instance, dict) and a in err.instance]
    if None not in alternatives and len(given) > 1:  # one of several fields, given twice
        return error("schema", f"{subject} gives {' and '.join(map(repr, given))}; give only "
                     "one of them", where)
    if kind == "enum":
        options = ", ".join(str(o) for o in err.validator_value)
        return _error_naming_lookalike(
            source, f"{subject} must be one of: {options}; found {found}", err.instance, where)
    if kind == "const":
        return _error_naming_lookalike(
            source, f"{subject} must be {err.validator_value!r}; found {found}", err.instance,
            where)
    if kind in ("pattern", "format"):
        fmt = err.schema.get("format") or err.validator_value
        what = _FORMAT_WORDS.get(fmt, f"match {fmt}")
        return _error_naming_lookalike(source, f"{subject} must be {what}; found {found}",
                                       err.instance, where)
    if kind == "uniqueItems":
        twice = _first_repeated(err.instance)
        return error("schema", f"{subject} lists {twice!r} twice; list each once", where)
    if kind in ("minItems", "minLength"):
        return error("schema", f"{subject} must not be empty", where)
    if kind == "minimum":
        return error("schema", f"{subject} must be at least {err.validator_value}; found {found}",
                     where)
    if kind == "maximum":
        return error("schema", f"{subject} must be at most {err.validator_value}; found {found}",
                     where)
    return error("schema", f"{subject}: {err.message}", where)


def _first_repeated(items: Iterable[Any]) -> Any:
    """The first item that is equal to an earlier one (items may be unhashable)."""
    seen: list[Any] = []
    for item in items:
        if item in seen:
            return item
        seen.append(item)
    return None


def _error_naming_lookalike(source: SourceFile, message: str, value: object,
                            where: Location) -> Diagnostic:
    """A schema error about a value that must be plain ASCII (an id, a year, a key, one
    of a list of words): a character outside ASCII, such as a Cyrillic а that looks
    exactly like a Latin a, is named with its code point and place, and the column
    points at it."""
    if not isinstance(value, str) or value.isascii():
        return error("schema", message, where)
    index, char = next((i, c) for i, c in enumerate(value) if not c.isascii())
    name = unicodedata.name(char, "an unnamed character")
    lines = source.text.splitlines()
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    column = line.find(char, max(where.column - 1, 0)) + 1
    if column:
        where = Location(where.file, where.line, column, where.pointer)
        place = f"line {where.line}, column {column}"
    else:
        place = "the value"
    return error("schema", f"{message}: character {index + 1} ({place}) is U+{ord(char):04X} "
                 f"{name}, not ASCII; retype it", where)


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "empty",
}
_FORMAT_WORDS = {
    "lscplan-id": "an id: lowercase letters and digits in words joined by hyphens, "
    "like mental-health",
    "financial-year": "a financial year like 2019/20",
    "date": 'a date written "YYYY-MM-DD" in quotes',
    "email": "an email address",
    "colour": 'a colour written "#RRGGBB" in quotes, like "#005EB8"',
    "theme-file": "a file inside the theme folder, named relative to it (like "
    "fonts/Regular.ttf): no .., no absolute path",
}


def _extras(err: ValidationError) -> list[str]:
    props = err.schema.get("properties", {})
    patterns = [re.compile(p) for p in err.schema.get("patternProperties", {})]
    return [k for k in err.instance
            if k not in props and not any(p.search(k) for p in patterns)]


def field_name(parts: list) -> str:
    """A readable path: ``priorities[2].portfolios``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def show(value: object) -> str:
    """A value quoted safely for a message: control characters escaped, long text cut."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(value: Any, raw: str | None = None) -> str:
    if isinstance(value, bool):
        shown = raw if raw is not None else str(value).lower()
        return f"{shown!r}, which YAML reads as the boolean {str(value).lower()}"
    if value is None:
        return "empty"
    if isinstance(value, date | datetime):
        return f"the date {raw or value.isoformat()}, which YAML reads as a date, not text"
    if isinstance(value, str):
        return show(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of fields"
    return type(value).__name__
