"""The stages in order: check() loads, validates and models a plan; build() renders
and writes its documents; track() checks a plan and tracks its delivery (``track``).
Nothing else lives here.

Data flows one way, each stage entered once: everything is read from the plan's
directory first (its files, its theme, for a build the commit that last changed it),
then validated, then modelled and checked by the plan rules; a build then lists the
documents and makes, for each it renders, the plan as of the document's date
(``documents.Dated``) before rendering starts; render and write take what they are
given and read nothing back from the directory or the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Report
from .errors import PlanInvalid, UsageError
from .load import load
from .model import Plan, build_model
from .revisions import plan_commit
from .theme import Theme, load_theme
from .track import Tracking, check_month, track_plan

if TYPE_CHECKING:  # the build stages are imported when a build runs, not before
    from .write import Ahead, BuildOptions, BuildResult


@dataclass
class Checked:
    """The outcome of checking a plan: every diagnostic, the model when the
    sources were sound enough to build one, every file's lines (the theme's text files
    too) and the plan's theme when it has a sound one."""

    report: Report
    plan: Plan | None
    sources: dict[str, list[str]] = field(default_factory=dict)
    theme: Theme | None = None


_NOTHING = "no format left to write: nothing to build"


def plan_directory(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"no plan directory at {path}")
    if not path.is_dir():
        raise UsageError(f"{path} is not a directory")
    return path


def check(plan_dir: Path) -> Checked:
    """Load the plan's files and its theme (``theme/``, read and checked), validate
    the files against the schemas, build the model and run the plan rules."""
    from .validate import check_rules, validate_schema

    loaded, diagnostics = load(plan_directory(plan_dir))
    themed = load_theme(plan_dir)
    report = Report()  # in a stable order whatever the order they are found in
    report.extend(diagnostics)
    report.extend(themed.diagnostics)
    report.extend(validate_schema(loaded))
    plan = None
    if all(f.ok for f in loaded.files.values()) and not report.errors:
        plan = build_model(loaded)
        report.extend(check_rules(plan))
    return Checked(report, plan, {**loaded.sources(), **themed.sources}, themed.theme)


def build(plan_dir: Path, out_dir: Path, options: BuildOptions | None = None
          ) -> BuildResult:
    """Check the plan, then render its documents and write them into ``out_dir``.

    Any error in the plan raises ``PlanInvalid`` before anything is written.
    ``options`` (``write.BuildOptions``) chooses the documents, the formats, the
    number of worker processes, ``force`` and the progress callback.
    """
    from . import formats, write

    options = options or write.BuildOptions()
    if options.formats is not None and not set(options.formats) & set(formats.FORMATS):
        raise UsageError(_NOTHING)
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {options.jobs}")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} exists and is not a directory")
    with write.workers_ahead(out_dir, options) as ahead:
        # read with the plan's files: what the documents' metadata records
        commit = plan_commit(plan_directory(plan_dir))
        checked = check(plan_dir)
        if checked.plan is None or not checked.report.ok():
            raise PlanInvalid(checked.report, sources=checked.sources,
                              plan_dir=str(plan_dir))
        return _write(checked, checked.plan, commit, plan_dir, out_dir, options, ahead)


def _write(checked: Checked, plan: Plan, commit: str | None, plan_dir: Path, out_dir: Path,
           options: BuildOptions, ahead: Ahead) -> BuildResult:
    """``build`` once the plan (``checked.plan``) has passed its checks."""
    from . import documents, pdf, render, write

    docs = documents.for_plan(plan)
    ids = [d.id for d in docs]
    unknown = sorted(set(options.only or ()) - set(ids))
    if unknown:
        raise UsageError(f"no document {', '.join(map(repr, unknown))} in this plan; its "
                         f"documents are: {', '.join(ids)}")
    asked = [d for d in docs if not options.only or d.id in options.only]
    if not any(options.wants(f) for d in asked for f in d.formats):
        raise UsageError(_NOTHING)  # e.g. --no-html --no-pdf for documents with no workbook
    info = render.build_info(plan, commit)
    system = plan.system
    theme = checked.theme
    # what a theme is made of (its images and fonts too) is a source of every document
    themed = {"theme/": [theme.digest]} if theme else {}

    def render_document(doc: documents.Document, shown: Plan) -> str:
        try:
            return render.render_html(shown, doc, info, theme=theme)
        except PlanInvalid as exc:  # a theme template failed: where, as check shows it
            raise PlanInvalid(exc.report, sources=checked.sources,
                              plan_dir=str(plan_dir)) from None

    work = write.Work(
        docs, documents.Dated(plan), render_document,
        digests={d.id: write.sources_digest({**documents.inputs(d, docs, checked.sources,
                                                                 plan),
                                             **themed}, info.provenance) for d in docs},
        plan_meta={"id": system.id, "name": system.name, "version": system.version,
                   "date": system.date, "status": system.status, "commit": info.commit},
        epoch=pdf.epoch_of(system.date),
        roots=(str(render.templates_dir()), str(plan_dir)),
    )
    result = write.write_documents(work, out_dir, options, ahead)
    result.warnings = len(checked.report.warnings)
    result.illustrative = sum(count for *_, count, _loc in plan.illustrative_figures())
    return result


def track(plan_dir: Path, as_of: str | None = None) -> Tracking:
    """Check the plan at ``plan_dir`` (PlanInvalid when it has errors) and track it."""
    if as_of is not None:
        check_month(as_of)
    checked = check(plan_dir)
    if checked.plan is None or checked.report.errors:
        raise PlanInvalid(checked.report, sources=checked.sources, plan_dir=str(plan_dir))
    return track_plan(checked.plan, as_of)
