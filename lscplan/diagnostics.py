"""Problems as values: a Diagnostic has a severity, a rule id, a message and a Location."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a file relative to the plan directory, 1-based line and
    column (0 when unknown) and a JSON pointer into that file's data."""

    file: str
    line: int = 0
    column: int = 0
    pointer: str = ""


@dataclass(frozen=True, kw_only=True)
class Located:
    """What the model reads from a plan file carries where it is written (``loc``),
    declared here once for every class of the model (``model.Sourced`` and the rest):
    given by keyword, never compared or hashed, so two entities that say the same are
    equal wherever they are written."""

    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    rule: str
    message: str
    location: Location

    def as_dict(self) -> dict:
        return {
            "severity": str(self.severity),
            "rule": self.rule,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": self.location.pointer,
        }

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule, self.message)


def error(rule: str, message: str, location: Location) -> Diagnostic:
    return Diagnostic(Severity.ERROR, rule, message, location)


def warning(rule: str, message: str, location: Location) -> Diagnostic:
    return Diagnostic(Severity.WARNING, rule, message, location)


@dataclass
class Report:
    """Every diagnostic one run found, in a stable order."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(self.diagnostics, key=lambda d: d.sort_key))

    def __len__(self) -> int:
        return len(self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.WARNING]

    def ok(self, strict: bool = False) -> bool:
        """True when nothing blocks: no errors, and no warnings under ``strict``."""
        return not self.errors and not (strict and self.warnings)
