"""The exceptions lscplan raises to its callers (the CLI maps them to exit codes)."""

from __future__ import annotations

from .diagnostics import Report


class LscplanError(Exception):
    """Base class of every error lscplan raises on purpose."""


class UsageError(LscplanError):
    """A path or option the user gave cannot be used (exit code 2)."""


class PlanInvalid(LscplanError):
    """The plan has errors; ``report`` carries every diagnostic found."""

    def __init__(self, report: Report, side: str | None = None,
                 sources: dict[str, list[str]] | None = None, plan_dir: str = ""):
        super().__init__(f"the plan has {len(report.errors)} error(s)")
        self.report = report
        self.side = side
        self.sources = sources or {}
        self.plan_dir = plan_dir


class VersionsInvalid(LscplanError):
    """``diff``: one or both versions fail their checks; ``failures`` holds a
    PlanInvalid per failing side (``side`` names it, e.g. ``old (HEAD~1)``)."""

    def __init__(self, failures: tuple[PlanInvalid, ...]):
        super().__init__(", ".join(f"{f.side} fails its checks" for f in failures))
        self.failures = failures


class WorkbookInvalid(LscplanError):
    """``import``: the workbook cannot be imported; ``report`` holds a diagnostic per
    cell refused (located by sheet and cell), ``workbook`` its path."""

    def __init__(self, report: Report, workbook: str):
        super().__init__(f"{workbook}: {len(report.errors)} cell(s) cannot be imported")
        self.report = report
        self.workbook = workbook


class BuildError(LscplanError):
    """Rendering or writing a document failed."""
