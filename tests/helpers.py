"""Small helpers tests import directly."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) with ``new`` in a plan file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def apply_case(plan: Path, case: dict) -> None:
    """Apply a case folder's ``edits`` (tests/cases/*/*/case.yaml) to a plan."""
    for change in case["edits"]:
        path = plan / change["file"]
        if change.get("remove"):
            path.unlink()
        elif "old" not in change:
            path.parent.mkdir(parents=True, exist_ok=True)  # a theme's file: theme/...
            path.write_text(change["new"], encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
            assert change["old"] in text, f"{change['old']!r} not in {change['file']}"
            path.write_text(text.replace(change["old"], change["new"], 1), encoding="utf-8")


REPO = Path(__file__).resolve().parent.parent


# --- a small evaluator for the formulas the workbook writes ---------------------------

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>\"[^\"]*\")|"
                    r"(?P<ref>(?:'?[A-Za-z][\w ]*'?!)?\$?[A-Z]{1,3}\$?\d+"
                    r"(?::\$?[A-Z]{1,3}\$?\d+)?)|(?P<fn>[A-Z]+)\(|(?P<op><>|>=|<=|[-+*/(),=<>&]))")


def evaluate(workbook: Any, sheet: str, formula: str) -> Any:
    """The value of ``formula`` (``=SUM(C4:C8)``) on ``sheet`` of an openpyxl workbook,
    as Excel computes it, for the shapes lscplan writes: numbers, text, references
    (other sheets', ranges in SUM), + - * / &, comparisons, SUM, ROUND, IF and TEXT.
    A formula cell referred to is evaluated in turn; an empty cell is 0."""
    tokens = []
    text = formula.removeprefix("=")
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m, f"cannot read {text[pos:]!r} in {formula!r}"
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return _Eval(workbook, sheet, tokens).run()


class _Eval:
    def __init__(self, workbook: Any, sheet: str, tokens: list):
        self.wb, self.sheet, self.tokens, self.i = workbook, sheet, tokens, 0

    def run(self) -> Any:
        value = self.compare()
        assert self.i == len(self.tokens), self.tokens[self.i:]
        return value

    def peek(self) -> tuple | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, want: str | None = None) -> tuple:
        tok = self.tokens[self.i]
        assert want is None or tok[1] == want, (tok, want)
        self.i += 1
        return tok

    def compare(self) -> Any:
        left = self.concat()
        tok = self.peek()
        if tok and tok[1] in ("=", "<>", ">=", "<=", ">", "<"):
            op = self.take()[1]
            right = self.concat()
            return {"=": left == right, "<>": left != right, ">=": left >= right,
                    "<=": left <= right, ">": left > right, "<": left < right}[op]
        return left

    def concat(self) -> Any:
        value = self.additive()
        while (tok := self.peek()) and tok[1] == "&":
            self.take()
            value = f"{value}{self.additive()}"
        return value

    def additive(self) -> Any:
        value = self.term()
        while (tok := self.peek()) and tok[1] in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> Any:
        value = self.unary()
        while (tok := self.peek()) and tok[1] in ("*", "/"):
            op = self.take()[1]
            right = self.unary()
            value = value * right if op == "*" else value / right
        return value

    def unary(self) -> Any:
        if self.peek()[1] == "-":
            self.take()
            return -self.unary()
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1]
        if kind == "ref":
            values = self.cells(text)
            return values if ":" in text else values[0]
        if kind == "fn":
            args = [] if self.peek()[1] == ")" else [self.compare()]
            while self.peek()[1] == ",":
                self.take()
                args.append(self.compare())
            self.take(")")
            return self.call(text, args)
        assert text == "(", text
        value = self.compare()
        self.take(")")
        return value

    def call(self, name: str, args: list) -> Any:
        if name == "SUM":
            return sum(sum(a) if isinstance(a, list) else a for a in args)
        if name == "ROUND":
            value, places = args
            quantum = Decimal(1).scaleb(-int(places))
            return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
        if name == "IF":
            return args[1] if args[0] else args[2]
        if name == "TEXT":  # the signed shapes lscplan writes: "+#,##0.0;-#,##0.0"
            value, fmt = args
            first = fmt.split(";")[0]
            places = len(first.split(".")[1]) if "." in first else 0
            return format(float(value), f"+,.{places}f")
        raise AssertionError(f"no function {name}")

    def cells(self, text: str) -> list:
        from openpyxl.utils import range_boundaries

        sheet = self.sheet
        if "!" in text:
            sheet, text = text.rsplit("!", 1)
            sheet = sheet.strip("'")
        ws = self.wb[sheet]
        min_col, min_row, max_col, max_row = range_boundaries(text.replace("$", ""))
        out = []
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                value = ws.cell(row, col).value
                if isinstance(value, str) and value.startswith("="):
                    value = evaluate(self.wb, sheet, value)
                out.append(0 if value is None else value)
        return out


# --- inserting rows and columns as a spreadsheet application does -------------------

_CELL_REF = re.compile(r"(?:(?:'([^']+)'|([A-Za-z]\w*))!)?(\$?)([A-Z]{1,3})(\$?)(\d+)")


def insert(workbook: Any, sheet: str, *, row: int | None = None, col: int | None = None
           ) -> None:
    """Insert an empty row before ``row`` (or a column before ``col``) on ``sheet`` of
    an openpyxl workbook as Excel and LibreOffice do: the cells below (or to the
    right) move, and every formula of the workbook that refers to them is moved
    with them (openpyxl's own ``insert_rows`` leaves formulas as they were)."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    def moved(match: re.Match, here: str) -> str:
        quoted, bare, dollar_col, letters, dollar_row, number = match.groups()
        if (quoted or bare or here) != sheet:
            return match.group(0)
        c, r = column_index_from_string(letters), int(number)
        if row is not None and r >= row:
            r += 1
        if col is not None and c >= col:
            c += 1
        prefix = match.group(0)[:match.start(3) - match.start(0)]
        return f"{prefix}{dollar_col}{get_column_letter(c)}{dollar_row}{r}"

    for ws in workbook.worksheets:
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.value = _CELL_REF.sub(lambda m, t=ws.title: moved(m, t), cell.value)
    ws = workbook[sheet]
    if row is not None:
        ws.insert_rows(row)
    if col is not None:
        ws.insert_cols(col)


def render_document(plan: Any, doc: Any, info: Any, **options: Any) -> str:
    """``doc``'s HTML as a build renders it: from the plan as of the document's date
    (``documents.plan_on``), which a build makes before rendering starts."""
    from lscplan import documents, render

    return render.render_html(documents.plan_on(plan, doc), doc, info, **options)
