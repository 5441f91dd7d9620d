"""Stage 1, load: read the plan's YAML files strictly, keeping a source position for
every value.

Only plain data is constructed (mappings, sequences, text, numbers, booleans, null and
dates, which the schema then refuses where it wants text). Tags, merge keys, duplicate
keys, non-text keys, non-finite or absurdly long numbers, unbounded alias expansion,
YAML directives, nesting deeper than ``MAX_DEPTH`` and control, bidirectional or
invisible characters are all reported as diagnostics, each at its line and column.

The depth and directives are checked on libyaml's event stream, which is read
iteratively and abandoned at the first collection past the limit, before the
(recursive) composer or anything after it sees the file.
"""

from __future__ import annotations

import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from .diagnostics import Diagnostic, Location, error, warning
from .kinds import FILES

#: The plan's theme folder (``lscplan.theme`` reads it, and reports what it does not).
THEME_FOLDER = "theme"

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000
MAX_NUMBER_CHARS = 24
#: Collections (mappings and sequences, block or flow) nested inside each other; a
#: real plan needs about 8.
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
#: libyaml's parser when PyYAML was built with it (same nodes and marks, ten times faster).
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FORBIDDEN_CHARS = {
    "\u00ad": "SOFT HYPHEN",
    "\u061c": "ARABIC LETTER MARK",
    "\u180e": "MONGOLIAN VOWEL SEPARATOR",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
}


@dataclass
class SourceFile:
    """One plan file: its data and where each value and key came from."""

    path: str  # relative to the plan directory, with forward slashes
    kind: str
    text: str = ""
    data: Any = None
    ok: bool = False
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    raw_scalars: dict[str, str] = field(default_factory=dict)

    def location(self, pointer: str = "", *, key: bool = False) -> Location:
        """The location of the value (or, with ``key``, of the key) at ``pointer``;
        falls back to the nearest enclosing value that has a position."""
        if key and pointer in self.key_positions:
            line, col = self.key_positions[pointer]
            return Location(self.path, line, col, pointer)
        probe = pointer
        while True:
            if probe in self.positions:
                line, col = self.positions[probe]
                return Location(self.path, line, col, pointer)
            if not probe:
                return Location(self.path, 1 if self.text else 0, 1 if self.text else 0, pointer)
            probe = probe.rsplit("/", 1)[0]

    def text_location(self, pointer: str, line: int) -> Location:
        """The place of ``line`` (0-based) of the text value at ``pointer``: exact for a
        YAML block (``|`` or ``>``), whose lines are the file's; else the value's start."""
        where = self.location(pointer)
        lines = self.text.splitlines()
        start = lines[where.line - 1][where.column - 1:] if 0 < where.line <= len(lines) else ""
        if not start.startswith(("|", ">")) or where.line + line >= len(lines):
            return where
        text = lines[where.line + line]
        return Location(where.file, where.line + line + 1, len(text) - len(text.lstrip()) + 1,
                        where.pointer)


@dataclass
class LoadedPlan:
    root: Path
    files: dict[str, SourceFile]

    def of_kind(self, kind: str) -> list[SourceFile]:
        return [f for f in self.files.values() if f.kind == kind]

    def sources(self) -> dict[str, list[str]]:
        """File path -> its lines, for showing diagnostics in context."""
        return {p: f.text.splitlines() for p, f in self.files.items()}


def pointer_of(parts: list | tuple) -> str:
    """The JSON pointer (RFC 6901) to the value at ``parts`` (keys and indexes)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def load(plan_dir: Path) -> tuple[LoadedPlan, list[Diagnostic]]:
    """Read every plan file under ``plan_dir``. Returns the plan (files that failed
    have ``ok`` false) and the diagnostics found on the way."""
    root = plan_dir.resolve()
    diagnostics: list[Diagnostic] = []
    files: dict[str, SourceFile] = {}
    for rel, kind in _discover(root, diagnostics):
        source = SourceFile(rel, kind)
        files[rel] = source
        diagnostics.extend(read_source(root, source))
    return LoadedPlan(root, files), diagnostics


def _discover(root: Path, diagnostics: list[Diagnostic]) -> list[tuple[str, str]]:
    """(path, schema) of every plan file ``kinds.FILES`` declares that exists; a missing
    required one, or a YAML file no kind claims, is a diagnostic."""
    found = []
    for kind in FILES:
        path = root / kind.path
        if kind.folder and path.is_dir():
            found += [(f"{kind.path}{entry.name}", kind.schema)
                      for entry in sorted(path.iterdir()) if entry.suffix in (".yaml", ".yml")]
        elif not kind.folder and os.path.lexists(path):
            found.append((kind.path, kind.schema))
        elif kind.required:
            what = f"{kind.path} folder" if kind.folder else kind.path
            diagnostics.append(error("file-missing",
                                     f"the plan has no {what}; every plan needs one",
                                     Location(kind.path.rstrip("/"))))
    known = {rel for rel, _ in found}
    expected = ", ".join(k.path + ("*.yaml" if k.folder else "") for k in FILES)
    for rel in _unread(root, known):
        diagnostics.append(warning(
            "file-unknown",
            f"{rel} is not a file lscplan reads, so nothing in it reaches the plan "
            f"(a misspelt name or folder?); plan files are {expected}, and a theme's "
            f"are in {THEME_FOLDER}/", Location(rel)))
    return found


#: What ``lscplan init`` writes beside the plan files for editors (``scaffold``): the
#: schemas' copy, whose files are read by editors, not by lscplan.
TOOLING = "schemas"


def _unread(root: Path, known: set[str]) -> Iterator[str]:
    """Every file under ``root`` that no kind reads, directly or as the target of a
    plan file that links to it, as a path from ``root``. Left out: the theme folder
    (the theme's, which reports its own), hidden files and folders (``.vscode``,
    ``.git``: an editor's or a tool's) and the schemas ``init`` copies (``schemas/*.json``)."""
    targets = {(root / rel).resolve() for rel in known if (root / rel).is_symlink()}
    for directory, folders, names in os.walk(root):
        here = Path(directory)
        folders[:] = sorted(f for f in folders if not f.startswith(".")
                            and not (here == root and f == THEME_FOLDER))
        for name in sorted(names):
            rel = (here / name).relative_to(root).as_posix()
            if name.startswith(".") or (here == root / TOOLING and name.endswith(".json")):
                continue
            if rel not in known and (here / name).resolve() not in targets:
                yield rel


def read_source(root: Path, source: SourceFile) -> list[Diagnostic]:
    """Read ``source`` (a path relative to ``root``) as a plan file is read: only a regular
    file inside ``root``, within the size limit, UTF-8, parsed into ``source.data``
    (``source.ok`` when sound); what is wrong, as located diagnostics. ``theme`` reads
    theme.yaml with it too."""
    path = root / source.path
    where = Location(source.path)
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            target = path.resolve()
            if not target.is_relative_to(root):
                return [error("file-outside-plan",
                              "this file is a link to a file outside the plan directory; "
                              "plan files must live inside it", where)]
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return [error("file-not-regular", "this is not a regular file", where)]
        if info.st_size > MAX_FILE_BYTES:
            return [error("file-too-large",
                          f"this file is {info.st_size:,} bytes; plan files are limited to "
                          f"{MAX_FILE_BYTES:,}", where)]
        raw = path.read_bytes()
    except OSError as exc:
        return [error("file-unreadable", f"cannot read this file: {exc.strerror}", where)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return [error("file-encoding",
                      f"this file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at line "
                      f"{line}); save it as UTF-8",
                      Location(source.path, line, column))]
    source.text = text
    return _parse(source)


def _parse(source: SourceFile) -> list[Diagnostic]:
    found = _scan(source)
    if found:
        return [found]
    try:
        node = yaml.compose(source.text, Loader=_COMPOSER)
    except yaml.YAMLError as exc:
        return [_syntax_error(source, exc)]
    if node is None:
        return [error("file-empty", "this file is empty; it must hold a mapping of fields",
                      Location(source.path))]
    size, depth = _expanded(node, {}, 1)
    if size > MAX_EXPANDED_NODES:
        return [error("yaml-aliases",
                      f"aliases expand this file to more than {MAX_EXPANDED_NODES:,} values; "
                      "plan files must not use aliases to multiply data",
                      _mark_location(source.path, node, ""))]
    if depth > MAX_DEPTH:
        return [error("yaml-depth",
                      f"aliases nest lists and mappings more than {MAX_DEPTH} deep in this "
                      "file; plan files must not use aliases to nest data",
                      _mark_location(source.path, node, ""))]
    builder = _Builder(source)
    source.data = builder.build(node, [])
    source.ok = not builder.diagnostics
    return builder.diagnostics


#: What a plan author most likely meant, for YAML's commonest complaints about unquoted text.
_SYNTAX_HINTS = {
    "mapping values are not allowed": "; a colon followed by a space inside unquoted "
    "text starts a new field: if the colon belongs to the text, put the whole value in "
    'quotes, e.g. title: "Safe care: the first aim"',
    "found character": "; text that starts with @, ` or % must be in quotes",
}


#: Characters YAML's reader refuses anywhere in a file (YAML 1.1 "printable").
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text_location(source: SourceFile, index: int) -> Location:
    """The line and column of the character at ``index`` of the file's text."""
    line_start = source.text.rfind("\n", 0, index) + 1
    return Location(source.path, source.text.count("\n", 0, index) + 1, index - line_start + 1)


def _scan(source: SourceFile) -> Diagnostic | None:
    """What must be refused before the file is composed: characters YAML's reader
    refuses, directives, nesting deeper than ``MAX_DEPTH`` (which would exhaust the
    composer's stack) and more than ``MAX_EXPANDED_NODES`` values. libyaml's event
    parser keeps its own stack, so reading events up to the first one past a limit is
    safe (and, abandoned there, linear in time); YAML errors on the way are reported
    as the composer would report them."""
    bad = _UNPRINTABLE.search(source.text)
    if bad:
        return error("text-characters",
                     f"this file contains {_describe_char(bad.group())}, which YAML does not "
                     "allow in a file; remove it", _text_location(source, bad.start()))
    depth = values = 0
    try:
        for event in yaml.parse(source.text, Loader=_COMPOSER):
            if isinstance(event, yaml.NodeEvent):
                values += 1
                if values > MAX_EXPANDED_NODES:
                    return error("file-too-large",
                                 f"this file holds more than {MAX_EXPANDED_NODES:,} values; "
                                 "no plan file needs that many",
                                 _mark(source.path, event.start_mark))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _too_deep(_mark(source.path, event.start_mark))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent) and (event.version or event.tags):
                what = "%YAML" if event.version else "%TAG"
                return error("yaml-directive",
                             f"the YAML directive {what} is not allowed: it changes how the "
                             "rest of the file is read; remove it",
                             _mark(source.path, event.start_mark))
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml's own limit (PyYAML 6.0.3+)
            mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
            return _too_deep(_mark(source.path, mark) if mark else Location(source.path))
        return _syntax_error(source, exc)
    return None


def _too_deep(loc: Location) -> Diagnostic:
    return error("yaml-depth", f"lists and mappings are nested more than {MAX_DEPTH} deep "
                 "here; plan files need far fewer levels", loc)


_UNCLOSED = ("flow sequence", "flow mapping", "quoted scalar")


def _syntax_error(source: SourceFile, exc: yaml.YAMLError) -> Diagnostic:
    """A YAML error at its place. Where a flow collection or quoted text is left open,
    that is the place, not the line where libyaml noticed (which the message names)."""
    if isinstance(exc, ReaderError):  # libyaml counts the position in UTF-8 bytes
        index = len(source.text.encode("utf-8")[: exc.position].decode("utf-8", "ignore"))
        return error("yaml-syntax", f"this is not valid YAML: {exc.reason}",
                     _text_location(source, index))
    if not isinstance(exc, yaml.MarkedYAMLError):
        return error("yaml-syntax", f"this is not valid YAML: {exc}", Location(source.path))
    problem = str(exc.problem or exc.context or "invalid YAML").strip()
    context = str(exc.context or "").strip()
    start, noticed = exc.context_mark, exc.problem_mark
    if (start and noticed and start.line < noticed.line
            and any(kind in context for kind in _UNCLOSED)):
        what = next(kind for kind in _UNCLOSED if kind in context)
        what = "quoted text" if what == "quoted scalar" else f"the {what}"
        return error("yaml-syntax",
                     f"this is not valid YAML: {what} that starts here is not closed "
                     f"(at line {noticed.line + 1}, column {noticed.column + 1}: {problem})",
                     _mark(source.path, start))
    mark = noticed or start
    message = problem
    if exc.context and exc.problem:
        message = f"{message} ({context}"
        message += f" that starts at line {start.line + 1})" if start else ")"
    message += next((hint for begin, hint in _SYNTAX_HINTS.items()
                     if str(exc.problem).startswith(begin)), "")
    loc = _mark(source.path, mark) if mark else Location(source.path)
    lines = source.text.splitlines()
    if lines and loc.line > len(lines):  # after the last line break: the last line's end
        loc = Location(source.path, len(lines), len(lines[-1]) + 1)
    return error("yaml-syntax", f"this is not valid YAML: {message}", loc)


def _mark(path: str, mark: Any) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def _expanded(node: Node, memo: dict[int, tuple[int, int]], level: int) -> tuple[int, int]:
    """The number of values and the nesting depth of ``node`` once aliases (which share
    node objects) are expanded; each capped just past its limit, so neither the work
    nor the recursion (``level`` deep) goes further."""
    if not isinstance(node, SequenceNode | MappingNode):
        return 1, 0
    if level > MAX_DEPTH:
        return 1, MAX_DEPTH + 1
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = (MAX_EXPANDED_NODES + 1, MAX_DEPTH + 1)  # a cycle counts as unbounded
    children = (node.value if isinstance(node, SequenceNode)
                else [child for pair in node.value for child in pair])
    size, height = 1, 0
    for child in children:
        child_size, child_height = _expanded(child, memo, level + 1)
        size, height = size + child_size, max(height, child_height)
        if size > MAX_EXPANDED_NODES or height >= MAX_DEPTH:
            break
    memo[key] = (min(size, MAX_EXPANDED_NODES + 1), height + 1)
    return memo[key]


def _mark_location(path: str, node: Node, pointer: str) -> Location:
    mark = node.start_mark
    return Location(path, mark.line + 1, mark.column + 1, pointer)


def _describe_char(char: str) -> str:
    name = _FORBIDDEN_CHARS.get(char) or unicodedata.name(char, "control character")
    return f"U+{ord(char):04X} {name}"


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ASCII_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")


def _bad_char(text: str, multiline: bool) -> str | None:
    if text.isascii():  # the common case, checked in one pass
        found = (_ASCII_CONTROL if multiline else _ASCII_CONTROL_ONE_LINE).search(text)
        return found.group() if found else None
    for char in text:
        if char in "\n\t" and multiline:
            continue
        category = unicodedata.category(char)
        if category == "Cc" or char in _FORBIDDEN_CHARS:
            return char
        if category == "Cf":  # format characters: bidi controls, zero-width marks
            return char
        if category in ("Zl", "Zp"):
            return char
    return None


class _Builder:
    """Turns a composed YAML node tree into plain Python data, recording positions."""

    def __init__(self, source: SourceFile):
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.constructor = SafeConstructor()

    def fail(self, rule: str, message: str, node: Node, pointer: str) -> None:
        self.diagnostics.append(error(rule, message, _mark_location(self.source.path, node,
                                                                    pointer)))

    def build(self, node: Node, path: list) -> Any:
        pointer = pointer_of(path)
        mark = node.start_mark
        self.source.positions[pointer] = (mark.line + 1, mark.column + 1)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, pointer)
        if isinstance(node, SequenceNode):
            if node.tag != _TAG + "seq":
                self._tag(node, pointer)
                return None
            return [self.build(child, [*path, i]) for i, child in enumerate(node.value)]
        assert isinstance(node, ScalarNode)  # PyYAML composes nothing else
        return self._scalar(node, pointer)

    def _tag(self, node: Node, pointer: str) -> None:
        self.fail("yaml-tag",
                  f"the YAML tag {node.tag.replace(_TAG, '!!')} is not allowed: plan files "
                  "hold plain data only",
                  node, pointer)

    def _mapping(self, node: MappingNode, path: list, pointer: str) -> dict | None:
        if node.tag != _TAG + "map":
            self._tag(node, pointer)
            return None
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        if node.flow_style and self._split_values(node, path):
            return None
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.fail("yaml-merge", "merge keys (<<) are not supported; write the fields out",
                          key_node, pointer)
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag != _TAG + "str":
                shown = key_node.value if isinstance(key_node, ScalarNode) else "a collection"
                self.fail("yaml-key",
                          f"the key {shown!r} is not text (YAML reads it as "
                          f"{key_node.tag.removeprefix(_TAG)}); put it in quotes",
                          key_node, pointer)
                continue
            key = key_node.value
            bad = _bad_char(key, multiline=False)
            if bad:
                self.fail("text-characters",
                          f"the key {key!r} contains {_describe_char(bad)}; remove it",
                          key_node, pointer)
            child_pointer = pointer_of([*path, key])
            line = key_node.start_mark.line + 1
            if key in first_seen:
                self.fail("yaml-duplicate-key",
                          f"the key {key!r} appears twice in this mapping (first at line "
                          f"{first_seen[key]}); keep one",
                          key_node, child_pointer)
                continue
            first_seen[key] = line
            self.source.key_positions[child_pointer] = (line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, [*path, key])
        return result

    def _split_values(self, node: MappingNode, path: list) -> bool:
        """In a flow mapping (``{...}``) an unquoted comma ends the value: ``{title: Safe,
        sustainable services}`` reads ``sustainable services`` as a key with no value.
        Reports each value YAML split this way (rule ``yaml-split-value``)."""
        text = self.source.text
        found = False
        owner = None  # the last entry written as ``key: value``
        parts: list[Node] = []

        def report() -> None:
            if owner is None:
                self.fail("yaml-split-value",
                          f"{parts[0].value!r} has no value: each entry of a {{...}} mapping "
                          "is written `field: value`", parts[0], pointer_of(path))
                return
            key, value = owner
            written = text[value.start_mark.index:parts[-1].end_mark.index]
            shown = ", ".join(repr(p.value) for p in parts)
            shown += " as a field of its own" if len(parts) == 1 else " as fields of their own"
            message = (f"YAML split the value of {key.value!r} at the comma: {written!r} reads "
                       f"as {value.value!r} followed by {shown}; ")
            if value.tag == _TAG + "int" and all(p.value.isdigit() for p in parts):
                message += f"write the number without separators: {written.replace(',', '')}"
            else:
                quoted = written.replace("\\", "\\\\").replace('"', '\\"')
                message += f'put the whole value in quotes: {key.value}: "{quoted}"'
            self.fail("yaml-split-value", message, value, pointer_of([*path, key.value]))

        for key_node, value_node in node.value:
            colon = ":" in text[key_node.end_mark.index:value_node.start_mark.index]
            if (not colon and isinstance(key_node, ScalarNode) and not key_node.style
                    and value_node.tag == _TAG + "null"):
                parts.append(key_node)
                continue
            if parts:
                report()
                found, parts = True, []
            plain = isinstance(value_node, ScalarNode) and not value_node.style
            owner = (key_node, value_node) if plain else None
        if parts:
            report()
            found = True
        return found

    def _scalar(self, node: ScalarNode, pointer: str) -> Any:
        tag = node.tag.removeprefix(_TAG)
        if tag == "str":
            value = node.value
            bad = _bad_char(value, multiline=True)
            if bad:
                self.fail("text-characters",
                          f"this text contains {_describe_char(bad)}, which would be invisible "
                          "or reorder text in a document; remove it", node, pointer)
            return value
        if tag in ("int", "float"):
            if len(node.value) > MAX_NUMBER_CHARS:
                self.fail("yaml-number",
                          f"this number is {len(node.value)} characters long; plan figures have "
                          f"at most {MAX_NUMBER_CHARS}", node, pointer)
                return None
            value = (self.constructor.construct_yaml_int(node) if tag == "int"
                     else self.constructor.construct_yaml_float(node))
            if isinstance(value, float) and not math.isfinite(value):
                self.fail("yaml-number",
                          f"{node.value} is not a finite number; plan figures must be finite",
                          node, pointer)
                return None
            self.source.raw_scalars[pointer] = node.value
            return value
        if tag in ("bool", "null", "timestamp"):
            self.source.raw_scalars[pointer] = node.value
            construct = {
                "bool": self.constructor.construct_yaml_bool,
                "null": self.constructor.construct_yaml_null,
                "timestamp": self.constructor.construct_yaml_timestamp,
            }[tag]
            try:
                return construct(node)
            except ValueError:
                self.fail("yaml-syntax", f"{node.value!r} is not a valid date; quote it",
                          node, pointer)
                return None
        self._tag(node, pointer)
        return None
