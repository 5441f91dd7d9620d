"""The stages in order: check() loads, validates and models a plan; build() renders
and writes its documents. Nothing else lives here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Report
from .errors import UsageError
from .load import load
from .model import Plan, build_model


@dataclass
class Checked:
    """The outcome of checking a plan: every diagnostic, and the model when the
    sources were sound enough to build one."""

    report: Report
    plan: Plan | None
    sources: dict[str, list[str]] = field(default_factory=dict)


def plan_directory(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"no plan directory at {path}")
    if not path.is_dir():
        raise UsageError(f"{path} is not a directory")
    return path


def check(plan_dir: Path) -> Checked:
    """Load, validate against the schemas, build the model and run the plan rules."""
    from .validate import check_rules, validate_schema

    loaded, diagnostics = load(plan_directory(plan_dir))
    report = Report()
    report.extend(diagnostics)
    report.extend(validate_schema(loaded))
    plan = None
    if all(f.ok for f in loaded.files.values()) and not report.errors:
        plan = build_model(loaded)
        report.extend(check_rules(plan))
    return Checked(report, plan, loaded.sources())
