"""How figures are written in the documents: thousands separators, money, percentages,
signed changes, dates and units. Shared by the Jinja filters, the chart axes and the
generated chart descriptions, so a figure reads the same wherever it appears.

Money in the plan is integer £'000. Negative numbers use the minus sign (U+2212).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

MINUS = "\u2212"


class Unit(str):
    """A unit of figures. It is its id (``percent``, ``minutes``) wherever an id will do:
    in comparisons, as a mapping key, in JSON. It also says how its figures are written:
    ``label`` for headings and sentences ("per 1,000 births"), ``symbol`` written right
    after a figure (" min"; empty for none) and ``decimals`` (None: a whole number whole,
    a fraction to one place). ``declared`` marks a unit plan.yaml ``units`` declares;
    ``loc`` is where the plan names it (None for the built-in table)."""

    label: str
    symbol: str
    decimals: int | None
    declared: bool
    loc: Any

    def __new__(cls, id: str, label: str | None = None, symbol: str = "",
                decimals: int | None = None, declared: bool = False, loc: Any = None
                ) -> Unit:
        self = super().__new__(cls, id)
        self.label = id if label is None else label
        self.symbol, self.decimals, self.declared, self.loc = symbol, decimals, declared, loc
        return self

    @property
    def id(self) -> str:
        return str(self)

    def at(self, loc: Any) -> Unit:
        """The same unit, as named at ``loc``."""
        return Unit(str(self), self.label, self.symbol, self.decimals, self.declared, loc)

    def __repr__(self) -> str:  # what a chart drawn in it is remembered by (chartcache)
        return (f"Unit({str(self)!r}, {self.label!r}, {self.symbol!r}, {self.decimals!r}, "
                f"{self.declared!r})")

    def __reduce__(self) -> tuple:
        return Unit, (str(self), self.label, self.symbol, self.decimals, self.declared,
                      self.loc)


#: The built-in units and their labels; plan.yaml ``units`` declares more.
BUILTIN_UNITS: dict[str, Unit] = {u: Unit(u, label, "%" if u == "percent" else "")
                                  for u, label in {
    "percent": "%",
    "number": "number",
    "rate-per-100000": "per 100,000",
    "years": "years",
    "weeks": "weeks",
    "gbp-thousands": "£'000",
    "ratio": "ratio",
    "wte": "WTE",
    "attendances": "attendances",
    "admissions": "admissions",
    "appointments": "appointments",
    "contacts": "contacts",
    "episodes": "episodes",
}.items()}
UNIT_LABELS = {u: unit.label for u, unit in BUILTIN_UNITS.items()}
#: Money in £m: no plan figure is in it; a chart for a reader (the public summary's)
#: draws £'000 figures in it, as its text writes money.
GBP_MILLIONS = Unit("gbp-millions", "£m", "")


def as_unit(u: str) -> Unit:
    """``u`` as a ``Unit``: a built-in one by its id; an id lscplan does not know reads
    as itself."""
    return u if isinstance(u, Unit) else BUILTIN_UNITS.get(u) or Unit(u)


def with_unit(number: str, u: str) -> str:
    """A written figure with its unit after it: its symbol (``30 min``), else its label
    (``12.5 per 1,000 births``)."""
    u = as_unit(u)
    return number + u.symbol if u.symbol else f"{number} {u.label}"


def _sign(text: str, negative: bool) -> str:
    return f"{MINUS}{text}" if negative else text


def and_list(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (no serial comma, as NHS documents write)."""
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def thousands(value: float | int | None, places: int | None = None) -> str:
    """``2601966`` -> ``2,601,966``; a fraction keeps one decimal place unless
    ``places`` says otherwise; ``None`` -> an en dash."""
    if value is None:
        return "–"
    if places is None:
        places = 0 if float(value).is_integer() else 1
    return _sign(f"{abs(value):,.{places}f}", value < 0)


def signed(value: float | int | None, places: int | None = None) -> str:
    """A change with its sign: ``+5,000``, ``−1.5``, ``0``."""
    if value is None:
        return "–"
    if value == 0:
        return thousands(0, places)
    return ("+" if value > 0 else "") + thousands(value, places)


def percent(value: float | None, places: int | None = None) -> str:
    """``87.5`` -> ``87.5%``; ``85.0`` -> ``85%``; ``places=1`` -> ``85.0%``."""
    if value is None:
        return "–"
    return f"{thousands(value, places)}%"


def money(thousands_of_pounds: float | None) -> str:
    """Money given in £'000, written for reading as NHS finance papers write it, without
    meaningless zeros: ``£2.6bn``, ``£20.5bn``, ``£1bn``, ``£105m``, ``£72.5m``, ``£471k``."""
    if thousands_of_pounds is None:
        return "–"
    v = float(thousands_of_pounds)
    size = abs(v)
    if size == 0:
        return "£0"
    if size >= 1_000_000:
        text = f"£{_trimmed(size / 1_000_000, 2)}bn"
    elif size >= 1_000:
        text = f"£{_trimmed(size / 1_000, 1)}m"
    else:
        text = f"£{size:,.0f}k"
    return _sign(text, v < 0)


def _trimmed(value: float, places: int) -> str:
    """``value`` to ``places`` decimal places, without trailing zeros: ``20.50`` ->
    ``20.5``, ``1.00`` -> ``1``."""
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_thousands(value: float | None) -> str:
    """Money in £'000 as a table shows it under a £'000 heading: ``2,601,966``."""
    return thousands(value)


def iso_date(value: str) -> str:
    """``2019-11-15`` -> ``15 November 2019``; other text is returned as it is."""
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return f"{d.day} {d.strftime('%B')} {d.year}"


def status_label(status: str) -> str:
    """``for-approval`` -> ``For approval``: a plan or document status as printed."""
    return status.replace("-", " ").capitalize()


def financial_year(value: str | int) -> str:
    """``2019`` -> ``2019/20``; a financial year such as ``2019/20`` is kept."""
    if isinstance(value, int):
        return f"{value}/{(value + 1) % 100:02d}"
    return value


def with_years(title: str, first: str, last: str, sep: str = " ") -> str:
    """``title`` followed by ``first to last``, unless the title already names a year of
    them (``... 2019/20 to 2023/24`` or ``... 2019-2024``)."""
    years = {first, last, first[:4], str(int(last[:4]) + 1)}
    if any(y in title for y in years):
        return title
    return f"{title}{sep}{first} to {last}"


#: Words a shortened title does not end on.
_TRAILING = {"and", "the", "of", "for", "on", "to", "a", "an", "in", "across", "with", "&"}


def running_title(title: str, limit: int = 72) -> str:
    """A title as a page's running header prints it, on one line: whole when it fits
    ``limit`` characters, else cut after a whole word (never "…Long Ter…") and not on
    "and", "the" ..., with an ellipsis."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    words = title[:limit].rsplit(" ", 1)[0].split(" ")
    while len(words) > 1 and words[-1].lower().strip(",;:–-") in _TRAILING | {""}:
        words.pop()
    return " ".join(words).rstrip(",;:–-") + "…"


def sentence_case(text: str) -> str:
    """The first letter in capitals, the rest as written (``capitalize`` would
    lowercase "A&E")."""
    return text[:1].upper() + text[1:]


def unit_label(u: str) -> str:
    return as_unit(u).label


def value(v: float | None, unit: str) -> str:
    """A figure with its unit, as a sentence would say it: ``85%``, ``£12m``,
    ``123.4 per 100,000``, ``18 weeks``, ``3,000 WTE``."""
    if v is None:
        return "–"
    if unit == "percent":
        return percent(v)
    if unit == "gbp-thousands":
        return money(v)
    if unit == "gbp-millions":
        return money(v * 1000)
    if unit == "number":
        return thousands(v)
    if unit == "ratio":
        return thousands(v, None if float(v).is_integer() else 2)
    return with_unit(thousands(v, as_unit(unit).decimals), unit)


def cell(v: float | None, unit: str) -> str:
    """A figure in a table whose heading already names the unit: no unit symbol,
    except ``%`` which reads better with the number."""
    if v is None:
        return "–"
    if unit == "percent":
        return percent(v)
    return thousands(v, as_unit(unit).decimals)


ORGANISATION_TYPES = {
    "ccg": "Clinical commissioning group",
    "trust": "NHS trust",
    "upper-tier-council": "County council",
    "unitary-council": "Unitary council",
    "district-council": "District council",
    "healthwatch": "Healthwatch",
    "voluntary-sector": "Voluntary, community and faith sector",
    "other": "Other partner",
}


def organisation_type(kind: str) -> str:
    """``upper-tier-council`` -> ``County council``; unknown kinds read as words."""
    return ORGANISATION_TYPES.get(kind, kind.replace("-", " ").capitalize())
