"""``lscplan import``: the figures of an edited workbook back into the plan's YAML.

``import_workbook(path, plan_dir)`` reads a workbook of the shape ``build`` writes
(``lscplan.workbook``; edited in Excel or LibreOffice), compares it cell by cell with
the workbook lscplan would write for the plan as it stands now, and writes the figures
that differ into the YAML sources. Only figures (the cells ``build`` leaves unlocked)
are imported; everything else must be as lscplan writes it:

- a figure cell must hold a number: text (``'1,234'``), a date, a formula or nothing is
  refused (``workbook-number``);
- a formula (a total, movement or percentage) must be the one lscplan writes
  (``workbook-formula``): the figures it is calculated from are what to change;
- a published total must be the sum of its parts, as the check beside it says
  (``workbook-total``: the check reads "differs by ..." in the workbook);
- labels, ids, units, provenance and the cover must read as lscplan writes them
  (``workbook-text``), and a row or column of lscplan's that is gone is refused
  (``workbook-unknown``);
- what is not lscplan's is left alone and said (``workbook-ignored`` warnings): rows
  and columns someone inserted for their own working (lscplan's own are found where
  they moved to, aligned on their headings, labels and ids, and its formulas are
  compared with their references moved as the spreadsheet moved them), a value in a
  cell lscplan leaves empty, a sheet it does not have;
- a file that is not an .xlsx workbook is refused as a whole (``workbook-file``), and
  so is a macro-enabled one (``.xlsm`` content, whatever its name);
- a number that does not fit (NaN, infinity, 1E+300: beyond ``MAX_FIGURE``) is refused
  at its cell (``workbook-number``), and so is a figure the plan's rules refuse (a
  negative percentage): the rule's message, located at the cell;
- a workbook past the bounds on what is read (``MAX_SHEETS``, ``MAX_ROWS``,
  ``MAX_COLUMNS``, ``MAX_CELLS``, ``MAX_STRINGS``) is refused (``workbook-size``) while
  its XML is streamed, before openpyxl reads it, so time and memory stay bounded.

A figure is changed by the workbook when it differs from the figure as built, which
the workbook records on its About sheet (``workbook.built_figures``): a figure
changed in the YAML since the build and left alone in the workbook keeps the plan's
value, and one changed in both, differently, is refused (``workbook-conflict``).
Without that record (a tool dropped the sheet), every figure that differs from the
plan is the workbook's.

Each refusal is a ``Diagnostic`` located at the sheet and cell (``Finance!D7``), and
when there is any, nothing is written. The figures are then written into copies of
the files they come from, changing only the characters of each changed number (its
node's span as ruamel.yaml's round-trip composer finds it): every comment, key order,
quote, flow mapping and blank line stays as it was. The plan so changed is checked
(``pipeline.check``); when it fails (an allocation that no longer adds up to its
published total) nothing is written and the diagnostics are raised. Otherwise every
changed file is staged (written and synced beside it) before any is moved into place,
so an import that fails while writing changes no file, and the result carries
``lscplan diff``'s comparison of the plan before and after.

Provenance is not imported: it belongs to a whole series or table, not to one figure,
so an illustrative figure edited in the workbook stays illustrative (change its
``provenance`` in the YAML when a source gives it).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.parsers import expat

from . import documents, workbook
from .diagnostics import Diagnostic, Location, Report, error, warning
from .errors import PlanInvalid, UsageError, WorkbookInvalid
from .files import Staging, _fsync_dir
from .pipeline import check


@dataclass(frozen=True)
class FigureChange:
    """One figure the workbook changes: its cell, where it goes and its values."""

    sheet: str
    cell: str
    target: workbook.Target
    old: float | int
    new: float | int


@dataclass
class Imported:
    """What an import did: the figures changed, the files written (relative to the
    plan folder), the diff of the plan before and after (None when nothing changed)
    and what it left alone as not lscplan's (``workbook-ignored`` warnings)."""

    changes: list[FigureChange] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    diff: Any = None
    ignored: list[Diagnostic] = field(default_factory=list)


# --- reading the workbook ------------------------------------------------------------


def _problem(book: str, sheet: str, row: int, col: int, rule: str, message: str
             ) -> Diagnostic:
    return error(rule, message, Location(book, row, col, f"{sheet}!{workbook.ref(row, col)}"))


#: Far more than lscplan's workbook of any real plan (the bundled one is 34 KiB, and
#: unpacks to under 1 MiB): a file past these is refused before it is read.
MAX_FILE_BYTES = 20 * 2**20
MAX_UNPACKED_BYTES = 200 * 2**20
#: What is read of a workbook, each far beyond lscplan's own (the bundled plan's: 8
#: sheets, at most 517 rows and 15 columns, 2,905 cells in all, 572 strings). The
#: XML is streamed and reading stops at the first cell past a bound, which is refused
#: with its place (``workbook-size``): a million tiny cells cost no more than the bound.
MAX_SHEETS = 32
MAX_ROWS = 5_000
MAX_COLUMNS = 64
MAX_CELLS = 100_000  # in the whole workbook
MAX_STRINGS = 100_000  # the shared strings table
#: The largest figure (in the YAML's units) a cell may hold: a thousand trillion,
#: where a spreadsheet's 15 significant digits end.
MAX_FIGURE = 10**15


def _not_a_workbook(path: Path, why: str, rule: str = "workbook-file") -> WorkbookInvalid:
    return WorkbookInvalid(Report([error(rule, why, Location(path.name))]), str(path))


def _open(path: Path) -> Any:
    """The workbook, read with openpyxl (formulas as written, not their values); a
    file that is not one, too large to be lscplan's or macro-enabled, is refused whole,
    and one whose cells openpyxl cannot read (NaN) or that go past the bounds is
    refused at those cells (``_screen``) before openpyxl reads it."""
    from openpyxl import load_workbook

    try:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as archive:  # the sizes each entry declares bound
            unpacked = sum(i.file_size for i in archive.infolist())  # what it yields
            if size > MAX_FILE_BYTES or unpacked > MAX_UNPACKED_BYTES:
                raise _not_a_workbook(path, f"too large to be lscplan's workbook ({size:,} "
                                      f"bytes, {unpacked:,} unpacked; at most "
                                      f"{MAX_FILE_BYTES:,} and {MAX_UNPACKED_BYTES:,})")
            problems = _screen(path, archive)
    except _Foreign as exc:
        raise _not_a_workbook(path, str(exc)) from None
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, expat.ExpatError) as exc:
        raise _not_a_workbook(path, f"not an Excel workbook (.xlsx): {exc}") from None
    if problems:
        raise WorkbookInvalid(Report(problems), str(path))
    try:
        return load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl's own errors for a damaged or foreign file
        raise _not_a_workbook(path, f"not an Excel workbook (.xlsx) lscplan can read: "
                              f"{type(exc).__name__}: {exc}") from None


# --- screening the file before openpyxl reads it ------------------------------------

_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    "officeDocument")
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: Content types only a workbook with macros has (.xlsm, .xltm, .xlam; Excel 4 macro
#: sheets).
_MACRO_TYPES = ("macroenabled", "vbaproject", "macrosheet")


class _Stop(Exception):
    """Reading an XML part ends here (a bound reached)."""


class _Foreign(Exception):
    """The file is not one lscplan reads (the message says why)."""


def _stream(archive: zipfile.ZipFile, name: str, start: Any = None, end: Any = None,
            text: Any = None) -> None:
    """Parse the part ``name`` with expat, in chunks, calling the handlers (names are
    ``namespace local``); a DOCTYPE or an entity, which no spreadsheet writes (and
    which could expand without end), is refused."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(*_: Any) -> None:
        raise _Foreign(f"{name} declares a DOCTYPE or entities, which no spreadsheet "
                       "writes: not a workbook lscplan reads")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    try:
        with archive.open(name) as part:
            while chunk := part.read(1 << 16):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        pass


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _targets(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> the part it names, from ``part``'s relationships."""
    folder, _, base = part.rpartition("/")
    rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    found: dict[str, str] = {}
    if rels not in archive.NameToInfo:
        return found

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else (
                f"{folder}/{target}" if folder else target)
            parts: list[str] = []
            for piece in path.split("/"):
                if piece == "..":
                    parts = parts[:-1]
                elif piece not in ("", "."):
                    parts.append(piece)
            found[attrs.get("Id", "")] = "/".join(parts)
            found["type " + attrs.get("Id", "")] = attrs.get("Type", "")

    _stream(archive, rels, start)
    return found


def _macros(archive: zipfile.ZipFile) -> str | None:
    """What makes the file a macro-enabled workbook, or None."""
    for info in archive.infolist():
        if info.filename.lower().rpartition("/")[2] == "vbaproject.bin":
            return f"it holds a VBA project ({info.filename})"
    found: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        kind = attrs.get("ContentType", "")
        if not found and any(m in kind.lower() for m in _MACRO_TYPES):
            found.append(f"its [Content_Types].xml declares {kind}")

    if "[Content_Types].xml" in archive.NameToInfo:
        _stream(archive, "[Content_Types].xml", start)
    return found[0] if found else None


def _sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, its part) for each sheet the workbook lists, in order."""
    package = _targets(archive, "")
    book = next((package[k] for k in package if not k.startswith("type ")
                 and package.get("type " + k) == _OFFICE_DOCUMENT), "xl/workbook.xml")
    if book not in archive.NameToInfo:
        return []
    parts = _targets(archive, book)
    sheets: list[tuple[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            part = parts.get(attrs.get(f"{_R} id", ""), "")
            sheets.append((attrs.get("name", ""), part))
            if len(sheets) > MAX_SHEETS:
                raise _Stop

    _stream(archive, book, start)
    return sheets


def _string_count(archive: zipfile.ZipFile) -> int:
    """The shared strings the file holds (counting stops past ``MAX_STRINGS``)."""
    name = next((n for n in archive.NameToInfo if n.lower() == "xl/sharedstrings.xml"), None)
    count = [0]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "si":
            count[0] += 1
            if count[0] > MAX_STRINGS:
                raise _Stop

    if name:
        _stream(archive, name, start)
    return count[0]


def _cast(kind: str, text: str, strings: int) -> str | None:
    """Why openpyxl could not read a cell's stored value (``kind`` its ``t``), or None:
    as openpyxl reads them, so that one damaged cell is refused, not the whole file."""
    from openpyxl.utils.datetime import from_ISO8601

    text = text.strip()
    try:
        if kind in ("", "n"):
            float(text) if "." in text or "e" in text.lower() else int(text)
        elif kind == "s":
            if not 0 <= int(text) < strings:
                return f"refers to shared string {text}, which the file does not have"
        elif kind == "b":
            int(text)
        elif kind == "d":
            from_ISO8601(text)
    except (ValueError, TypeError, AttributeError):
        what = {"": "a number", "n": "a number", "s": "a string", "b": "true or false",
                "d": "a date"}.get(kind, "a value")
        shown = text if len(text) <= 40 else text[:37] + "..."
        return (f"holds {shown!r} where the file says {what} is stored: not a number a "
                "spreadsheet holds (NaN, infinity) or a damaged cell; type the figure itself")
    return None


def _screen(path: Path, archive: zipfile.ZipFile) -> list[Diagnostic]:
    """Stream the file's parts before openpyxl reads any: refuse a macro-enabled
    workbook and one past the bounds whole, and return a problem for each cell
    openpyxl could not read and for the first cell past a bound (reading stops
    there)."""
    sheets, strings = _refuse_whole(path, archive)
    reader = _CellReader(path.name, strings)
    for sheet, part in sheets:
        if part not in archive.NameToInfo:
            continue  # openpyxl says what is missing
        reader.begin(sheet)
        _stream(archive, part, reader.start, reader.end, reader.text)
        if reader.cells > MAX_CELLS:
            break
    return reader.problems


def _refuse_whole(path: Path, archive: zipfile.ZipFile) -> tuple[list[tuple[str, str]], int]:
    """The workbook's sheets (name, part) and how many shared texts it holds, once it
    is known to have no macros and to be within the sheet and text bounds."""
    macros = _macros(archive)
    if macros:
        raise _not_a_workbook(path, f"a macro-enabled workbook (.xlsm content: {macros}), "
                              "not the .xlsx lscplan writes, which has no macros; lscplan "
                              "does not open it: build the workbook again and edit that")
    sheets = _sheets(archive)
    if len(sheets) > MAX_SHEETS:
        raise _not_a_workbook(path, f"more than {MAX_SHEETS} sheets: far beyond "
                              "lscplan's workbook", "workbook-size")
    strings = _string_count(archive)
    if strings > MAX_STRINGS:
        raise _not_a_workbook(path, f"more than {MAX_STRINGS:,} different texts: far "
                              "beyond lscplan's workbook", "workbook-size")
    return sheets, strings


def _past_bound(row: int, col: int, cells: int) -> str | None:
    """Why the cell at ``row``, ``col`` (the ``cells``-th read) is past a bound, or None."""
    if row > MAX_ROWS or col > MAX_COLUMNS:
        return (f"a cell past the {MAX_ROWS:,} rows and {MAX_COLUMNS} columns "
                "(A to BL) a sheet is read to; lscplan's workbook is far "
                "smaller: delete what is out here")
    if cells > MAX_CELLS:
        return (f"the workbook holds more than {MAX_CELLS:,} cells, far "
                "beyond lscplan's: reading stopped here")
    return None


class _CellReader:
    """The expat handlers reading a workbook's sheets one after another: where each
    cell is, and a problem for each stored value openpyxl could not read and for the
    first cell past a bound (which stops that sheet's reading)."""

    def __init__(self, book: str, strings: int) -> None:
        from openpyxl.utils.cell import coordinate_to_tuple

        self.coordinate_to_tuple = coordinate_to_tuple  # imported once, not per cell
        self.book, self.strings = book, strings
        self.problems: list[Diagnostic] = []
        self.cells = 0  # over the whole workbook
        self.begin("")

    def begin(self, sheet: str) -> None:
        """Start reading ``sheet``: before its first row."""
        self.sheet = sheet
        self.row = self.col = 0
        self.kind = ""
        self.value: list[str] | None = None
        self.formula = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "row":
            self.row = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.row + 1
            self.col = 0
        elif tag == "c":
            self._cell(attrs)
        elif tag == "v":
            self.value = []
        elif tag == "f":
            self.formula = True

    def _cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        try:
            self.row, self.col = (self.coordinate_to_tuple(ref) if ref
                                  else (self.row, self.col + 1))
        except (ValueError, TypeError):
            self.col += 1
        self.kind, self.value, self.formula = attrs.get("t", ""), None, False
        self.cells += 1
        bound = _past_bound(self.row, self.col, self.cells)
        if bound:
            self.problems.append(_problem(self.book, self.sheet, self.row, self.col,
                                          "workbook-size", bound))
            raise _Stop

    def text(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)

    def end(self, name: str) -> None:
        if _local(name) != "c" or self.formula or not self.value:
            return  # openpyxl reads a formula's text, and no empty value
        stored, self.value = "".join(self.value), None
        why = _cast(self.kind, stored, self.strings) if stored else None
        if why:
            self.problems.append(_problem(self.book, self.sheet, self.row, self.col,
                                          "workbook-number", why))


def _present(ws: Any) -> list[Any]:
    """The cells a worksheet holds, in order: not its whole used range, which one
    value typed at XFD1048576 makes seventeen billion cells."""
    cells = getattr(ws, "_cells", None)  # openpyxl's own index of the cells it read
    if isinstance(cells, dict):
        return [cell for _, cell in sorted(cells.items())]
    return [cell for row in ws.iter_rows() for cell in row]


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return repr(value)


def _formula_key(text: str) -> str:
    """A formula as compared: case, spaces, ``$`` and quotes round sheet names aside
    (spreadsheet applications write the same formula these different ways)."""
    return "".join(text.split()).upper().replace("$", "").replace("'", "")


def _formula_text(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("="):
        return value
    text = getattr(value, "text", None)  # openpyxl's ArrayFormula
    return text if isinstance(text, str) else None


def _yaml_number(value: int | float, target: workbook.Target, old: int | float
                 ) -> int | float:
    """The YAML figure for a cell's number: unscaled (a percentage's fraction times
    100), rounded to nine decimal places; whole numbers stay whole where they were."""
    number = (Decimal(value) if isinstance(value, int) else Decimal(repr(value)))
    number = (number / target.scale).quantize(Decimal("1e-9")).normalize()
    if number == number.to_integral_value() and isinstance(old, int):
        return int(number)
    return float(number)


def _unfit(value: int | float, target: workbook.Target) -> str | None:
    """Why a cell's number cannot be a figure of the plan: not finite, or too large
    (``MAX_FIGURE``, in the YAML's units); None when it fits."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN (not a number), not a figure: type the figure itself"
    if isinstance(value, float) and math.isinf(value):
        return "an infinite number, not a figure: type the figure itself"
    if abs(Decimal(repr(value) if isinstance(value, float) else value)) / target.scale \
            >= MAX_FIGURE:
        shown = f"{value:.6g}" if isinstance(value, float) else f"{value:,}"
        return (f"{shown} is too large to be a figure of the plan (at most "
                f"{MAX_FIGURE - 1:,} in the plan's units)")
    return None


def _check_figure(book: str, sheet: str, row: int, col: int, cell: workbook.Figure,
                  got: Any, built: float | int | None, problems: list[Diagnostic],
                  changes: list[FigureChange]) -> None:
    def refuse(message: str) -> None:
        problems.append(_problem(book, sheet, row, col, "workbook-number", message))

    plan_has = f"the plan has {workbook.formatting.thousands(cell.value)}"
    if got is None or got == "":
        refuse(f"empty: a figure is needed here ({plan_has})")
    elif _formula_text(got) is not None:
        refuse(f"a formula ({_formula_text(got)}) where a figure is wanted: type the "
               "figure itself")
    elif isinstance(got, bool):
        refuse(f"{got!s}, not a number")
    elif isinstance(got, datetime | date):
        refuse(f"a date ({_shown(got)}), not a number")
    elif isinstance(got, str):
        refuse(f"text, not a number ({_shown(got)}): type the number itself, without "
               "separators or units")
    elif isinstance(got, int | float) and _unfit(got, cell.target):
        refuse(_unfit(got, cell.target) or "")
    elif isinstance(got, int | float):
        new = _yaml_number(got, cell.target, cell.value)
        was = (None if built is None or _unfit(built, cell.target)  # an altered record
               else _yaml_number(built, cell.target, cell.value))
        if was is not None and new == was:
            return  # not changed in the workbook: the plan's figure stands
        if was is not None and cell.value not in (was, new):
            problems.append(_problem(
                book, sheet, row, col, "workbook-conflict",
                f"changed in the workbook ({_figure(was)} to {_figure(new)}) and in the "
                f"plan since the workbook was built (to {_figure(cell.value)}): build "
                "the workbook again and make the change there"))
        elif new != cell.value:
            changes.append(FigureChange(sheet, workbook.ref(row, col), cell.target,
                                        cell.value, new))
    else:
        refuse(f"{_shown(got)} is not a number")


def _figure(value: float | int) -> str:
    return workbook.formatting.thousands(value, None if float(value).is_integer() else
                                         len(repr(float(value)).split(".")[1]))


def _check_formula(book: str, sheet: str, row: int, col: int, cell: workbook.Formula,
                   got: Any, problems: list[Diagnostic]) -> None:
    text = _formula_text(got)
    if text is not None and _formula_key(text) == _formula_key(cell.formula):
        return
    if text is not None:
        message = (f"the formula was changed ({cell.formula} became {text}): calculated "
                   "cells cannot be imported; change the figures they are calculated from")
    elif got is None:
        message = (f"the formula {cell.formula} was deleted: calculated cells cannot be "
                   "imported; change the figures they are calculated from")
    else:
        message = (f"a calculated cell ({cell.formula}) holds {_shown(got)} instead: "
                   + (cell.instead or "change the figures it is calculated from"))
    problems.append(_problem(book, sheet, row, col, "workbook-formula", message))


def _check_total(book: str, sheet: str, row: int, col: int, cell: workbook.Check,
                 total: Any, parts: Sequence[Any], problems: list[Diagnostic]) -> None:
    """A published total must still be the sum of its parts (the check cell would read
    "differs by"): refused at the check, naming both figures."""
    numbers = [total, *parts]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
        return  # a cell that is not a number is refused on its own
    summed = sum(parts)
    if abs(total - summed) <= 1e-6:
        return
    problems.append(_problem(
        book, sheet, row, col, "workbook-total",
        f"the total in {workbook.ref(*cell.total)} ({_figure(total)}) differs by "
        f"{_figure(total - summed)} from the sum of {cell.what} ({_figure(summed)}): "
        "change the total or the figures it sums so that they agree"))


def _check_text(book: str, sheet: str, row: int, col: int, cell: workbook.Text, got: Any,
                problems: list[Diagnostic]) -> None:
    want = cell.value
    if isinstance(want, date) and isinstance(got, datetime):
        got = got.date()
    if got == want or (isinstance(got, int | float) and str(got) == want):
        return
    if cell.style == "key":
        message = (f"reads {_shown(got)} where lscplan wrote {_shown(want)}: a row the "
                   "plan does not have; rows are added, moved and renamed in the YAML, "
                   "not in the workbook")
        rule = "workbook-unknown"
    elif cell.style == "header" and row == workbook.HEADER_ROW:
        message = (f"a column heading reads {_shown(got)} where lscplan wrote "
                   f"{_shown(want)}: columns and years are not imported")
        rule = "workbook-unknown"
    else:
        message = (f"reads {_shown(got)} where lscplan wrote {_shown(want)}: labels, "
                   "units and provenance are not imported (change them in the YAML)")
        rule = "workbook-text"
    if sheet == "Cover":
        message += "; a workbook built from another version of the plan: build it again"
    problems.append(_problem(book, sheet, row, col, rule, message))


# --- where lscplan's rows and columns are now ------------------------------------------


def _align(wanted: Sequence[Any], found: Sequence[Any]) -> dict[int, int]:
    """Index in ``wanted`` -> index in ``found``: runs that match, and runs that were
    replaced paired in order (an edited label stays its row); what was inserted in
    ``found`` is left out, and so is what ``wanted`` has that ``found`` lost."""
    from difflib import SequenceMatcher

    out: dict[int, int] = {}
    matcher = SequenceMatcher(None, list(wanted), list(found), autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op in ("equal", "replace"):
            out.update(zip(range(a0, a1), range(b0, b1), strict=False))
    return out


def _key(value: Any) -> Any:
    """A cell as the alignment sees it: text as itself, any number or formula alike."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return "(date)"
    if _formula_text(value) is not None or isinstance(value, int | float):
        return "#"
    return str(value)


def _expected_key(cell: Any) -> Any:
    if cell is None:
        return None
    if isinstance(cell, workbook.Text):
        return "(date)" if isinstance(cell.value, date) else cell.value
    return "#"


@dataclass
class _Grid:
    """Where each of lscplan's rows and columns of a sheet is in the workbook given
    (rows and columns someone inserted move them), and the rows and columns that are
    not lscplan's."""

    rows: dict[int, int]
    cols: dict[int, int]
    extra_rows: list[int]
    extra_cols: list[int]


def _grid(sheet: workbook.Sheet, values: Mapping[tuple[int, int], Any]) -> _Grid:
    """The columns aligned on the headings row (the row, among the first few, that
    has most of lscplan's headings), then the rows on what each row reads in those
    columns: labels, ids, units and provenance, and where the numbers are. Only rows
    and columns that hold something, or are within lscplan's, are looked at (a value
    typed at XFD1048576 is one more row and column, not a million)."""
    n_rows = max(r for r, _ in sheet.cells)
    n_cols = max(c for _, c in sheet.cells)
    got_rows = sorted({r for r, _ in values} | set(range(1, n_rows + 1)))
    got_cols = sorted({c for _, c in values} | set(range(1, n_cols + 1)))
    cols = {c: c for c in range(1, n_cols + 1)}
    if sheet.freeze:  # a data sheet: its headings name its columns
        wanted = [_expected_key(sheet.cells.get((workbook.HEADER_ROW, c)))
                  for c in range(1, n_cols + 1)]
        heads = set(wanted) - {None}

        def found(r: int) -> list[Any]:
            return [_key(values.get((r, c))) for c in got_cols]

        row = max(got_rows[:workbook.HEADER_ROW + 20],
                  key=lambda r: (len(heads & set(found(r))), -r))
        cols = {a + 1: got_cols[b] for a, b in _align(wanted, found(row)).items()}
    wanted_rows = [tuple(_expected_key(sheet.cells.get((r, c))) for c in range(1, n_cols + 1))
                   for r in range(1, n_rows + 1)]
    found_rows = [tuple(_key(values.get((r, cols[c]))) if c in cols else None
                        for c in range(1, n_cols + 1)) for r in got_rows]
    rows = {a + 1: got_rows[b] for a, b in _align(wanted_rows, found_rows).items()}
    owned_rows, owned_cols = set(rows.values()), set(cols.values())
    return _Grid(rows, cols,
                 sorted({r for r, _ in values} - owned_rows),
                 sorted({c for _, c in values} - owned_cols))


_REF = re.compile(r"(?:(?:'([^']+)'|([A-Za-z][\w]*))!)?\$?([A-Z]{1,3})\$?(\d+)")


def _moved(formula: str, sheet: str, grids: Mapping[str, _Grid]) -> str:
    """A formula lscplan writes with each reference moved where its cell is now (as a
    spreadsheet moves them when rows or columns are inserted)."""
    def move(match: re.Match) -> str:
        quoted, bare, col, row = match.groups()
        grid = grids.get(quoted or bare or sheet)
        c, r = _column(col), int(row)
        if grid is None or r not in grid.rows or c not in grid.cols:
            return match.group(0)
        prefix = match.group(0)[:match.start(3) - match.start(0)]
        return f"{prefix.replace('$', '')}{workbook.ref(grid.rows[r], grid.cols[c])}"

    return _REF.sub(move, formula)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _ignored(book: str, sheet: str, grid: _Grid, values: Mapping[tuple[int, int], Any],
             expected: workbook.Sheet) -> list[Diagnostic]:
    """What import leaves alone, said once per row, column or cell: rows and columns
    someone inserted, and values in cells lscplan leaves empty."""
    notes = []
    for r in grid.extra_rows:
        n = sum(1 for (row, c) in values if row == r and c not in grid.extra_cols)
        if n:
            notes.append(warning("workbook-ignored", f"row {r} is not lscplan's (inserted or "
                                 f"added): its {n} value{'s' if n != 1 else ''} ignored",
                                 Location(book, r, 1, f"{sheet}!{r}:{r}")))
    for c in grid.extra_cols:
        name = workbook.letter(c)
        notes.append(warning("workbook-ignored", f"column {name} is not lscplan's (inserted "
                             "or added): its values ignored",
                             Location(book, 1, c, f"{sheet}!{name}:{name}")))
    owned = {(r, c): (er, ec) for er, r in grid.rows.items() for ec, c in grid.cols.items()}
    for (r, c) in sorted(values):
        at = owned.get((r, c))
        if at is not None and at not in expected.cells:
            notes.append(warning("workbook-ignored", f"a value ({_shown(values[(r, c)])}) "
                                 "in a cell lscplan leaves empty: ignored",
                                 Location(book, r, c, f"{sheet}!{workbook.ref(r, c)}")))
    return notes


def compare(expected: Sequence[workbook.Sheet], wb: Any, book: str, years: Sequence[str],
            ignored: list[Diagnostic] | None = None
            ) -> tuple[list[Diagnostic], list[FigureChange]]:
    """Every cell lscplan writes against the workbook ``wb``, found where it is now
    (rows and columns inserted move it): the problems (refusals) and the figures that
    changed. What is not lscplan's (a row, column or sheet someone added, a value in a
    cell lscplan leaves empty) is left alone, and said in ``ignored``."""
    problems: list[Diagnostic] = []
    changes: list[FigureChange] = []
    notes: list[Diagnostic] = [] if ignored is None else ignored
    names = [s.name for s in expected]
    built = workbook.built_figures(wb)
    for extra in (n for n in wb.sheetnames if n not in [*names, *workbook.BUILT_SHEETS]):
        notes.append(warning("workbook-ignored", "a sheet lscplan's workbook does not "
                             "have: ignored", Location(book, 1, 1, f"{extra}!A1")))
    values = {s.name: {(xc.row, xc.column): xc.value for xc in _present(wb[s.name])
                       if xc.value is not None}
              for s in expected if s.name in wb.sheetnames}
    grids = {s.name: _grid(s, values[s.name]) for s in expected if s.name in values}
    for sheet in expected:
        if sheet.name not in wb.sheetnames:
            problems.append(_problem(book, sheet.name, 1, 1, "workbook-unknown",
                                     "the sheet is missing: import a workbook lscplan "
                                     "built, with every sheet it has"))
            continue
        grid, got_values = grids[sheet.name], values[sheet.name]
        notes += _ignored(book, sheet.name, grid, got_values, sheet)
        lost = set()
        for (row, col), cell in sorted(sheet.cells.items()):
            if row not in grid.rows or col not in grid.cols:
                what = (f"row {row}" if row not in grid.rows else
                        f"column {workbook.letter(col)}")
                if what not in lost:
                    lost.add(what)
                    problems.append(_problem(
                        book, sheet.name, row, col, "workbook-unknown",
                        f"lscplan's {what} is missing (deleted, or changed past "
                        f"recognition; it read {_shown(getattr(cell, 'value', ''))}): "
                        "rows and columns are removed in the YAML, not in the workbook"))
                continue
            r, c = grid.rows[row], grid.cols[col]
            got = got_values.get((r, c))
            if isinstance(cell, workbook.Figure):
                _check_figure(book, sheet.name, r, c, cell, got,
                              built.get((sheet.name, workbook.ref(row, col))), problems,
                              changes)
            elif isinstance(cell, workbook.Formula):
                moved = replace(cell, formula=_moved(cell.formula, sheet.name, grids))
                _check_formula(book, sheet.name, r, c, moved, got, problems)
                if isinstance(cell, workbook.Check):
                    parts = [got_values.get((grid.rows[p], c)) for p in
                             range(cell.parts[0], cell.parts[1] + 1) if p in grid.rows]
                    total = (grid.rows.get(cell.total[0], cell.total[0]), c)
                    _check_total(book, sheet.name, r, c, replace(cell, total=total),
                                 got_values.get(total), parts, problems)
            else:
                _check_text(book, sheet.name, r, c, cell, got, problems)
    return problems, changes


# --- writing the YAML ---------------------------------------------------------------


def _scalar_text(value: int | float) -> str:
    """A number as YAML writes it and reads it back as the same number (a float
    always with a decimal point, never an exponent, which YAML 1.1 reads as text)."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _node_at(root: Any, path: Sequence[str]) -> Any:
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    node = root
    for part in path:
        if isinstance(node, MappingNode):
            node = next((v for k, v in node.value
                         if isinstance(k, ScalarNode) and k.value == part), None)
        elif isinstance(node, SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
        else:
            node = None
        if node is None:
            break
    if not isinstance(node, ScalarNode):
        raise LookupError(f"no number at {'/'.join(path)}")
    return node


def rewrite(text: str, figures: Iterable[tuple[Sequence[str], int | float]]) -> str:
    """``text`` with the number at each path replaced, and nothing else changed: the
    node of each number is found with ruamel.yaml's round-trip composer and only its
    characters are rewritten, so comments, order, quotes and layout stay."""
    from ruamel.yaml import YAML

    root = YAML(typ="rt").compose(text)
    spans = []
    for path, value in figures:
        node = _node_at(root, path)
        spans.append((node.start_mark.index, node.end_mark.index, _scalar_text(value)))
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


# --- the import ------------------------------------------------------------------------


def _write_all(plan_dir: Path, texts: Mapping[str, str]) -> None:
    """Write every changed file or none. Each new text, and a copy of each file as it
    is, are staged (written and synced beside it) before any file is replaced; when a
    replacement fails (a file that cannot be replaced), the files already replaced
    are put back from their copies, so every source is as it was."""
    new: dict[Path, Staging] = {}
    kept: dict[Path, Staging] = {}
    replaced: list[Path] = []
    try:
        for name, text in texts.items():
            target = plan_dir / name
            staging = new.setdefault(target.parent, Staging(target.parent))
            staging.write(target.name, text.encode("utf-8"))
        for name in texts:
            target = plan_dir / name
            copy = kept.setdefault(target.parent, Staging(target.parent))
            copy.write(target.name, target.read_bytes())
            shutil.copymode(target, copy.staged[target.name])
        try:
            for name in texts:
                target = plan_dir / name
                os.replace(new[target.parent].staged[target.name], target)
                replaced.append(target)
        except BaseException:
            for target in reversed(replaced):
                os.replace(kept[target.parent].staged.pop(target.name), target)
            raise
        for folder in new:
            _fsync_dir(folder)
    finally:
        for staging in (*new.values(), *kept.values()):
            staging.discard()


def _workbook_document(plan: Any) -> Any:
    return next(d for d in documents.for_plan(plan) if workbook.FILE_SUFFIX in d.formats)


def _pointer(path: Sequence[str]) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in path)


def _at_cells(errors: Sequence[Diagnostic], changes: Sequence[FigureChange], book: str
              ) -> list[Diagnostic]:
    """The plan's errors with the new figures that are about one imported figure (a
    percentage over 100, a negative count: the bounds the schemas set on its unit),
    each located at the cell the figure came from."""
    from openpyxl.utils.cell import coordinate_to_tuple

    cells = {(c.target.file, _pointer(c.target.path)): c for c in changes}
    found = []
    for d in errors:
        change = cells.get((d.location.file, d.location.pointer))
        if change is None:
            continue
        row, col = coordinate_to_tuple(change.cell)
        found.append(_problem(book, change.sheet, row, col, "workbook-number",
                              f"{_figure(change.new)} cannot be the plan's figure: "
                              f"{d.message} ({d.rule}, at {d.location.file}:"
                              f"{d.location.line})"))
    return found


def import_workbook(path: Path, plan_dir: Path) -> Imported:
    """Write the figures of the workbook at ``path`` that differ from the plan into
    the plan's YAML files. Raises UsageError (no such file), WorkbookInvalid (cells
    refused, nothing written) or PlanInvalid (the plan fails its checks, before the
    import or with the workbook's figures: nothing written)."""
    from .diff import diff, findings

    if not path.exists():
        raise UsageError(f"no workbook at {path}")
    if not path.is_file():
        raise UsageError(f"{path} is not a file")
    before = check(plan_dir)
    if before.plan is None or before.report.errors:
        raise PlanInvalid(before.report, sources=before.sources, plan_dir=str(plan_dir))
    plan = before.plan
    book = _workbook_document(plan)
    expected = workbook.layout(documents.plan_on(plan, book), book)
    ignored: list[Diagnostic] = []
    problems, changes = compare(expected, _open(path), path.name, plan.period.years,
                                ignored)
    if problems:
        raise WorkbookInvalid(Report(problems), str(path))
    if not changes:
        return Imported(ignored=ignored)
    by_file: dict[str, list[FigureChange]] = {}
    for change in changes:
        by_file.setdefault(change.target.file, []).append(change)
    texts = {}
    for name, file_changes in sorted(by_file.items()):
        old = (plan_dir / name).read_bytes().decode("utf-8")
        texts[name] = rewrite(old, ((c.target.path, c.new) for c in file_changes))
    with tempfile.TemporaryDirectory(prefix="lscplan-import-") as tmp:
        trial = Path(tmp) / "plan"
        shutil.copytree(plan_dir, trial, symlinks=True)
        for name, text in texts.items():
            (trial / name).write_bytes(text.encode("utf-8"))
        after = check(trial)
    if after.plan is None or after.report.errors:
        at_cells = _at_cells(after.report.errors, changes, path.name)
        if at_cells:
            raise WorkbookInvalid(Report(at_cells), str(path))
        raise PlanInvalid(Report(after.report.errors), sources=after.sources,
                          plan_dir=str(plan_dir))
    _write_all(plan_dir, texts)
    result = diff(plan, after.plan, f"old ({plan_dir})", f"new ({plan_dir} with {path.name})",
                  documents=False)
    result = replace(result, findings=findings(before.report, after.report))
    return Imported(changes, sorted(texts), result, ignored)
