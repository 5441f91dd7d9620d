"""Stage 2b, validate the plan rules a plan team checks by hand, on the typed model.

One function per rule; each yields diagnostics carrying the rule id it is named for.
Published figures are compared with the model's derived figures, so the arithmetic
lives in one place (``model``).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from .. import formatting, kinds, narrative
from ..diagnostics import Diagnostic, Location, error, warning
from ..formatting import BUILTIN_UNITS, iso_date, thousands
from ..formatting import value as with_its_unit
from ..model import (
    ILLUSTRATIVE,
    UNSOURCED,
    BoardPaper,
    Extract,
    Plan,
    Portfolio,
    Series,
    council_meeting,
    texts,
)
from ..narrative import markers
from . import standards

Rule = Callable[[Plan], Iterator[Diagnostic]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def check_rules(plan: Plan) -> list[Diagnostic]:
    """Run every plan rule."""
    return [d for check in RULES for d in check(plan)]


@rule
def unique_ids(plan: Plan) -> Iterator[Diagnostic]:
    """unique-id: ids are unique within each kind of entity."""
    seen: dict[tuple[str, str], Location] = {}
    for kind, eid, item in kinds.entities(plan):
        if eid is None:
            continue
        first = seen.get((kind.name, eid))
        if first is None:
            seen[kind.name, eid] = item.loc
        else:
            label = kinds.label_of(kind, plan.terms)
            yield error("unique-id",
                        f"the {label} id {eid!r} is used twice (first at "
                        f"{first.file}:{first.line}); ids must be unique", item.loc)


@rule
def file_ids(plan: Plan) -> Iterator[Diagnostic]:
    """file-id: a portfolio or board paper's id matches its file name."""
    items: tuple[Portfolio | BoardPaper, ...] = (*plan.portfolios, *plan.board_papers)
    for item in items:
        stem = item.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if item.id != stem:
            yield error("file-id",
                        f"the id {item.id!r} does not match the file name {stem!r}; "
                        "rename one so they agree", item.loc)


def _words(plan: Plan) -> tuple[str, str, str]:
    """The plan's own words for a place, a priority and a portfolio, as messages use
    them (the short forms: "ICP", "priority", "portfolio" by default)."""
    t = plan.terms
    return t.place.short, t.priority.short, t.portfolio.short


def _missing(kind: str, ref: str, known: Iterable[str | None], loc: Location, where: str
             ) -> Iterator[Diagnostic]:
    if ref not in set(known):
        yield error("reference", f"{where} refers to the {kind} {ref!r}, which the plan "
                    f"does not define", loc)


@rule
def references(plan: Plan) -> Iterator[Diagnostic]:
    """reference: every id a source refers to is defined."""
    yield from _every_place(plan)
    yield from _paper_references(plan)
    yield from _provenance(plan)
    yield from _units(plan)


# The ids an entity names are declared on its kind (``kinds.EntityKind.refers``) and
# checked by ``declared_references``; what follows is what a declaration of "this field
# holds an id of that kind" cannot say: that figures by place cover every place, that a
# paper's organisation is its board's, and that an extract names a part of the plan
# (its names are the sections', not ids of entities).


def _every_place(plan: Plan) -> Iterator[Diagnostic]:
    """Activity gives figures for every place; a staff group giving figures by place
    gives them for every place."""
    icps = [i.id for i in plan.system.icps]
    place = plan.terms.place.short
    for pod in plan.activity:
        for icp in sorted(set(icps) - set(pod.by_icp)):
            yield error("reference", f"activity {pod.id!r} has no figures for the {place} "
                        f"{icp!r}; give every {place}", pod.loc)
    for g in plan.workforce.groups:
        for icp in [i for i in icps if i not in g.by_place] if g.by_place else ():
            yield error("reference", f"staff group {g.id!r} gives figures by {place} but none "
                        f"for the {place} {icp!r}; give every {place}", g.loc)


def _paper_references(plan: Plan) -> Iterator[Diagnostic]:
    """Each board paper's board is of its organisation, and the extracts it asks for
    are parts of the plan it has."""
    boards = {b.id: b for b in plan.system.governance.boards}
    for paper in plan.board_papers:
        board = boards.get(paper.board or "")
        if board and paper.organisation and paper.organisation != board.organisation:
            owner = (f"the organisation {board.organisation!r}" if board.organisation
                     else "the partnership as a whole")
            yield error("reference", f"board paper {paper.id!r} is for the organisation "
                        f"{paper.organisation!r}, but its board {board.id!r} belongs to "
                        f"{owner}; leave 'organisation' out (the board's applies) or name "
                        "the board of that organisation", paper.board_loc or paper.loc)
        for ex in paper.all_extracts:
            if not ex.metric:
                yield from _extract_references(plan, paper.id, ex)


def _extract_references(plan: Plan, paper: str, ex: Extract) -> Iterator[Diagnostic]:
    """An extract's kind is a part of the plan, and one the plan has."""
    if ex.kind not in EXTRACT_CONTENT and not kinds.extract_kind(ex.kind):
        names = [*EXTRACT_CONTENT, *(f.section.extract for f in kinds.sectioned()
                                     if f.section and f.section.extract)]
        yield error("reference", f"board paper {paper!r} asks for the extract "
                    f"{ex.kind!r}, which is not a part of the plan; the extracts "
                    f"are: {', '.join(n for n in names if not n.endswith('-chart'))}",
                    ex.loc)
    elif (part := kinds.extract_kind(ex.kind)) and getattr(plan, part.part) is None:
        yield error("reference", f"board paper {paper!r} asks for the extract "
                    f"{ex.kind!r}, but the plan has no {part.path}: add the file or "
                    "remove the extract", ex.loc)


def _units(plan: Plan) -> Iterator[Diagnostic]:
    """Every unit named is built in for its kind of figure (``kinds.UnitChoice``; any
    built-in one for a kind declaring none) or declared; no declared unit takes a
    built-in id."""
    declared = [u for u in plan.units if u not in BUILTIN_UNITS]
    for u in plan.units:
        if u in BUILTIN_UNITS:
            yield error("unique-id", f"the unit {u.id!r} is built in: leave it out of "
                        "`units` to use it, or declare yours under another id", u.loc)
    for kind, _id, entity in kinds.entities(plan):
        choice = kind.unit_choice
        allowed = choice.builtin if choice else tuple(BUILTIN_UNITS)
        built_in = f"built in for {choice.of}" if choice else "built in"
        for name in kind.unit_fields:
            unit = getattr(entity, name, None)
            if not isinstance(unit, str) or unit in allowed or unit in declared:
                continue
            where = getattr(unit, "loc", None) or (
                entity.loc_of(name) if hasattr(entity, "loc_of") else entity.loc)
            known = ", ".join((*allowed, *declared))
            yield error("reference", f"{kinds.name_of(kind, entity, plan.terms)} is in the "
                        f"unit {str(unit)!r}, which is neither {built_in} nor declared in "
                        f"plan.yaml `units`; the units it may name: {known}", where)


@rule
def declared_references(plan: Plan) -> Iterator[Diagnostic]:
    """reference: the ids an entity kind declares it refers to (``kinds.EntityKind.refers``)
    are defined."""
    placed = list(kinds.entities(plan))
    ids: dict[str, set[str | None]] = {}
    for k, eid, _e in placed:
        ids.setdefault(k.name, set()).add(eid)
    by_name = {k.name: k for k in kinds.ENTITY_KINDS}
    for kind, _id, entity in placed:
        for path, target in kind.refers:
            known = ids.get(target, set())
            label = kinds.label_of(by_name[target], plan.terms)
            # where the reference is written: where the model knows it (``loc_of``),
            # else the field's key in the source
            for ref, loc in kinds.referred(entity, path, plan.written_at):
                yield from _missing(label, ref, known, loc,
                                    kinds.name_of(kind, entity, plan.terms))


@rule
def organisation_places(plan: Plan) -> Iterator[Diagnostic]:
    """organisation-places: an organisation names its places once, in ``places`` or
    (for one place) ``icp``, not both."""
    for org in plan.system.organisations:
        if org.both_loc is not None:
            listed = ", ".join(dict.fromkeys(org.places))
            yield error("organisation-places",
                        f"organisation {org.id!r} gives both 'icp' and 'places'; list every "
                        f"{plan.terms.place.short} it serves in 'places' ('places: [{listed}]')"
                        " and remove 'icp'",
                        org.both_loc)


@rule
def place_shares(plan: Plan) -> Iterator[Diagnostic]:
    """place-shares: an organisation's shares of its allocation by place add up to 100%
    and name a known provenance; place-shares-missing: an organisation with a row in the
    allocations table that serves several places gives its shares."""
    rows = {r.organisation for r in plan.finance.allocations.rows}
    known = {s.id for s in plan.system.sources}
    place = plan.terms.place
    for org in plan.system.organisations:
        shares = org.shares
        if shares is not None:
            if shares.total != 100:
                yield error("place-shares",
                            f"organisation {org.id!r}: its shares of its allocation by "
                            f"{place.short} add up to {thousands(shares.total)}%, not 100%; "
                            f"give each {place.short} its share so that they add up to 100%",
                            shares.loc)
            yield from _unknown_provenance(shares.provenance, known,
                                           plan.written_at(org.loc, "shares_provenance"))
        elif len(org.places) > 1 and org.id in rows and org.both_loc is None:
            listed = ", ".join(f"{p}: …%" for p in org.places)
            yield warning("place-shares-missing",
                          f"organisation {org.id!r} serves {len(org.places)} "
                          f"{place.short_plural} and has a row in the allocations table, but "
                          f"gives no shares: its whole allocation is counted under each "
                          f"{place.short}, so the {place.short_plural} add up to more than "
                          f"the total; give its share in each ('places: {{{listed}}}' and "
                          "'shares_provenance')",
                          plan.written_at(org.loc, "places"))


def _provenances(plan: Plan) -> Iterator[tuple[kinds.EntityKind, str, str, Location]]:
    """(kind, path, provenance, where) of every object the entity kinds say carries one
    (``EntityKind.provenance``); an optional provenance left out is not one."""
    for kind, _id, entity in kinds.entities(plan):
        for path in kind.provenance:
            for holder, loc in kinds.location_of(entity, path):
                prov = getattr(holder, "provenance", None)
                if prov is not None:  # an item may have none
                    yield kind, path, prov, loc


def _unknown_provenance(prov: str, known: set[str], at: Location) -> Iterator[Diagnostic]:
    """A ``reference`` error where ``prov`` is neither a mark nor a declared source."""
    if prov not in (ILLUSTRATIVE, UNSOURCED) and prov not in known:
        yield error("reference", f"the provenance {prov!r} is neither 'illustrative' nor a "
                    "source declared in plan.yaml sources", at)


def _provenance(plan: Plan) -> Iterator[Diagnostic]:
    """An unknown provenance, once, where it is written (an object inheriting it from
    the file or a block is not where to fix it)."""
    known = {s.id for s in plan.system.sources}
    reported: set[Location] = set()
    for _kind, _path, prov, loc in _provenances(plan):
        at = plan.written_at(loc, "provenance")
        if at not in reported:
            found = list(_unknown_provenance(prov, known, at))
            reported.update(d.location for d in found)
            yield from found


def _risks_and_commitments(plan: Plan) -> tuple[tuple, tuple]:
    """The plan's risks and commitments (both optional files)."""
    return plan.risks or (), plan.commitments or ()


@rule
def commitments_mapped(plan: Plan) -> Iterator[Diagnostic]:
    """commitment-unmapped (warning): every national commitment names a local
    programme that delivers it."""
    for c in _risks_and_commitments(plan)[1]:
        if not c.programmes:
            term = plan.terms.programme
            yield warning("commitment-unmapped",
                          f"the commitment {c.id!r} ({c.title}) has no local "
                          f"{term.singular}; name the {term.plural} that deliver it", c.loc)


@rule
def framework_answered(plan: Plan) -> Iterator[Diagnostic]:
    """framework-unanswered (warning): every chapter or area of the framework the plan
    answers (framework.yaml) is answered by a portfolio, metric or commitment
    (``answers``); a chapter with areas, area by area."""
    fw = plan.framework_map
    for e in fw.unanswered if fw else ():
        chapter = (f"chapter {e.chapter.number}, " if getattr(e.chapter, "number", None)
                   else "chapter ")
        what = (f"area {e.title!r} (in {chapter}{e.chapter.title!r})" if e.is_area
                else f"{chapter}{e.title!r}")
        yield warning("framework-unanswered",
                      f"nothing in the plan answers the framework's {what}; name {e.id!r} in "
                      f"the `answers` of the {plan.terms.portfolio.plural}, metrics or "
                      "commitments that answer it; the submission's framework map shows it "
                      "as not answered", e.loc)


@rule
def risk_scores(plan: Plan) -> Iterator[Diagnostic]:
    """risk-score: a published score is likelihood x impact, and the target score no
    higher than the score now."""
    for risk in _risks_and_commitments(plan)[0]:
        sc = risk.scores
        for name, published, derived, parts in (
                ("score", sc.published_score, sc.score, (sc.likelihood, sc.impact)),
                ("target_score", sc.published_target_score, sc.target_score,
                 (sc.target_likelihood, sc.target_impact))):
            if published is not None and published != derived:
                yield error("risk-score",
                            f"risk {risk.id!r}: the {name.replace('_', ' ')} {published} is "
                            f"not {parts[0]} x {parts[1]} = {derived}; correct it or leave "
                            "it out to have it derived", sc.loc)
        if sc.target_score > sc.score:
            yield error("risk-score",
                        f"risk {risk.id!r}: the target score {sc.target_score} is higher "
                        f"than the score now ({sc.score}); mitigations lower a risk",
                        sc.loc)


@rule
def golden_thread(plan: Plan) -> Iterator[Diagnostic]:
    """golden-thread: priorities and portfolios name each other (an enabler serves every
    priority and names none; a priority may list it all the same); each priority is
    measured by a metric."""
    _place, priority, portfolio = _words(plan)
    portfolios = {p.id: p for p in plan.portfolios}
    for pr in plan.priorities:
        for pf_id in pr.portfolios:
            pf = portfolios.get(pf_id)
            if pf and not pf.enabler and pr.id not in pf.priorities:
                yield error("golden-thread",
                            f"{priority} {pr.number} lists the {portfolio} {pf_id!r}, but "
                            f"{pf.file} does not list the {priority} {pr.id!r} in its "
                            "`priorities`", pr.loc)
        if not plan.metrics_for(pr):
            yield error("priority-measured",
                        f"{priority} {pr.number} ({pr.title}) is measured by no metric; "
                        "name it in a metric's `priorities`", pr.loc)
    of_enablers = {m for pf in plan.enablers for m in pf.metrics}
    enabler = plan.terms.enabler.singular
    for m in plan.metrics:
        if not m.priorities and m.id not in of_enablers:
            yield error("golden-thread",
                        f"metric {m.id!r} names no {priority} and no {enabler} lists it; "
                        f"name the {plan.terms.priority.plural} it measures in `priorities`, "
                        f"or list it in the `metrics` of one of the {plan.terms.enabler.plural}"
                        " (a portfolio with `enabler: true`)",
                        m.loc)
    for pf in plan.portfolios:
        if pf.enabler and pf.priorities:
            yield error("golden-thread",
                        f"{portfolio} {pf.id!r} says `enabler: true` (it serves every "
                        f"{priority}) and also names {', '.join(map(repr, pf.priorities))} in "
                        "`priorities`: leave out `priorities`, or `enabler` to serve only "
                        "those",
                        pf.loc)
            continue
        for pr_id in pf.priorities:
            served = next((p for p in plan.priorities if p.id == pr_id), None)
            if served and pf.id not in served.portfolios:
                yield error("golden-thread",
                            f"{portfolio} {pf.id!r} serves the {priority} {pr_id!r}, but "
                            f"priorities.yaml does not list it under {priority} {served.number}",
                            pf.loc)


@rule
def priority_numbers(plan: Plan) -> Iterator[Diagnostic]:
    """priority-numbering: priorities are numbered 1..N in order."""
    term = plan.terms.priority
    for expected, pr in enumerate(plan.priorities, start=1):
        if pr.number != expected:
            yield error("priority-numbering",
                        f"{term.short} {pr.id!r} is numbered {pr.number}; {term.plural} are "
                        f"numbered 1 to {len(plan.priorities)} in order, so this should be "
                        f"{expected}", pr.loc)


def _series_of(plan: Plan) -> Iterator[tuple[str, Series, str | None]]:
    """(what, series, unit) of every series the entity kinds say covers the plan period,
    in the unit its kind declares for it (``kinds.Figures.unit``)."""
    for kind, _id, entity in kinds.entities(plan):
        name = kinds.name_of(kind, entity, plan.terms)
        for path, suffix in kind.series:
            unit = kinds.resolve_unit(kinds.unit_spec(kind, path), entity, plan)
            for series, key in kinds.keyed_values(entity, path):
                what = f"{name} {suffix.format(key=key)}" if suffix else name
                yield what, series, unit


@rule
def period(plan: Plan) -> Iterator[Diagnostic]:
    """period / period-coverage: the period runs forward, and every trajectory has
    every year of it exactly once and none outside it."""
    per = plan.period
    if per.first > per.last:
        yield error("period", f"the plan period starts in {per.first}, after it ends in "
                    f"{per.last}", per.loc)
        return
    years = set(per.years)
    for what, series, unit in _series_of(plan):
        missing = sorted(years - set(series.values))
        extra = sorted(set(series.values) - years)
        if missing:
            yield error("period-coverage", f"{what} has no value for {', '.join(missing)}; "
                        f"give one for every year {per.first} to {per.last}", series.loc)
        if extra:
            given = ", ".join(f"{y} ({with_its_unit(series.values[y], unit or 'number')})"
                              for y in extra)
            yield error("period-coverage", f"{what} has values for {given}, outside the "
                        f"plan period {per.first} to {per.last}", series.loc)
    for c in plan.commitments or ():
        extra = sorted(set(c.milestones) - years)
        if extra:
            yield error("period-coverage", f"the commitment {c.id!r} has milestones for "
                        f"{', '.join(extra)}, outside the plan period {per.first} to "
                        f"{per.last}", c.loc)
    for m in plan.metrics:
        if m.baseline.year > per.first:
            yield error("period-coverage", f"metric {m.id!r} has its baseline in "
                        f"{m.baseline.year}, after the plan period starts ({per.first})",
                        m.baseline.loc)


@rule
def allocations_add_up(plan: Plan) -> Iterator[Diagnostic]:
    """allocation-movement, allocation-percent, allocation-total: every figure of the
    allocations table the author gave (as published) agrees with the figures it follows
    from, to its published rounding; those left out are derived and need no check."""
    table = plan.finance.allocations
    for row in (*table.rows, table.total):
        if row.given_movement is not None and row.given_movement != row.movement:
            yield error("allocation-movement",
                        f"{row.label}: the published movement {row.given_movement:,} is "
                        f"not allocation minus baseline ({row.allocation:,} - "
                        f"{row.baseline:,} = {row.movement:,}); correct it, or leave it "
                        "out to have it derived", row.at("movement"))
        if (row.given_percent is not None and row.percent is not None
                and row.given_percent != row.percent):
            yield error("allocation-percent",
                        f"{row.label}: the published increase {row.given_percent}% does "
                        f"not match movement / baseline, which rounds to {row.percent}%; "
                        "correct it, or leave it out to have it derived",
                        row.at("increase_percent"))
    total = table.total
    for label, published, actual in (
        ("baseline", total.baseline, table.sum_baseline),
        ("allocation", total.allocation, table.sum_allocation),
    ):
        if total.given(label) and published != actual:
            yield error("allocation-total",
                        f"the total {label} {published:,} is not the sum of the rows "
                        f"({actual:,}); a difference of {published - actual:+,}",
                        total.at(label))


def _unit(plan: Plan, kind: str, path: str, entity: Any) -> str:
    """The unit the entity kind ``kind`` declares for ``entity``'s figures at ``path``
    (``kinds.Figures.unit``), for a message to write them in."""
    declared = kinds.entity_kind(kind)
    spec = kinds.unit_spec(declared, path) if declared else None
    return kinds.resolve_unit(spec, entity, plan) or "number"


def _totals(what: str, published: Series | None, derived: Series, rule_id: str,
            unit: str) -> Iterator[Diagnostic]:
    if published is None:
        return
    for year, value in published.items():
        actual = derived.get(year)
        if actual is not None and abs(value - actual) > 1e-6:
            yield error(rule_id, f"{what} for {year} is published as "
                        f"{with_its_unit(value, unit)} but the figures it sums come to "
                        f"{with_its_unit(actual, unit)}", published.loc)


@rule
def totals_add_up(plan: Plan) -> Iterator[Diagnostic]:
    """activity-total, workforce-total: published totals equal the sum of their parts, and
    a staff group's places and staffing types add up to its WTE."""
    for pod in plan.activity:
        yield from _totals(f"the system total of {pod.title}", pod.published_system,
                           pod.system, "activity-total",
                           _unit(plan, "activity", "published_system", pod))
    yield from _totals("the workforce total", plan.workforce.published_total,
                       plan.workforce.total, "workforce-total",
                       _unit(plan, "workforce", "published_total", plan.workforce))
    for g in plan.workforce.groups:
        for parts, summed, what in ((g.by_place, g.place_sum, plan.terms.place.short_plural),
                                    (g.by_type, g.type_sum, "staffing types")):
            if summed is None:
                continue
            for year, value in g.wte.items():
                actual = summed.get(year)
                if actual is not None and abs(value - actual) > 1e-6:
                    unit = _unit(plan, "staff-group", "wte", g)
                    yield error("workforce-total",
                                f"the {what} of staff group {g.id!r} add up to "
                                f"{with_its_unit(actual, unit)} for {year}, but its wte is "
                                f"{with_its_unit(value, unit)}; make the figures of the "
                                f"{what} add up to it", next(iter(parts.values())).loc)


@rule
def metric_direction(plan: Plan) -> Iterator[Diagnostic]:
    """trajectory-direction (warning): a target moves the wrong way for its direction."""
    for m in plan.metrics:
        previous_year, previous = m.baseline.year, m.baseline.value
        for year, value in m.values.items():
            worse = value < previous if m.higher_is_better else value > previous
            if worse:
                better = "higher" if m.higher_is_better else "lower"
                unit = _unit(plan, "metric", "values", m)
                yield warning("trajectory-direction",
                              f"metric {m.id!r} gets worse from {previous_year} "
                              f"({with_its_unit(previous, unit)}) to {year} "
                              f"({with_its_unit(value, unit)}), but {better} is better",
                              m.values.loc)
            previous_year, previous = year, value


@rule
def national_standards(plan: Plan) -> Iterator[Diagnostic]:
    """standard-missing (warning): a metric with a national standard does not state it."""
    for m in plan.metrics:
        known = standards.NATIONAL.get(m.national_metric or m.id)
        if known and not any(t.national for t in m.targets):
            yield warning("standard-missing",
                          f"metric {m.id!r} has a national standard ({known}) but states "
                          "none; add a target of kind national", m.loc)


@rule
def target_duplicates(plan: Plan) -> Iterator[Diagnostic]:
    """target-duplicate: a metric has one target of each kind for each year (and one
    undated of each kind), so it is clear which it is measured against."""
    for m in plan.metrics:
        seen: dict[str, Any] = {}
        for t in m.targets:
            first = seen.setdefault(t.key, t)
            if first is not t:
                when = f"due by {t.by}" if t.by else "without a year (`by`)"
                also = (" (format 1's `standard` is a national target without a year)"
                        if t.national and t.by is None else "")
                yield error("target-duplicate",
                            f"metric {m.id!r} has two {t.label.lower()}s {when} (the first "
                            f"at line {first.loc.line}){also}; give one, or give each its "
                            "own year with `by`", t.loc)


#: Units whose figures may be below zero (a deficit): a change may take them there.
SIGNED_UNITS = ("gbp-thousands",)


@rule
def target_ranges(plan: Plan) -> Iterator[Diagnostic]:
    """target-range: a target given by ``change`` computes a value its unit cannot
    hold: a percentage below 0 or above 100, or a count below zero from a baseline
    that is not (money alone may go below zero)."""
    for m in plan.metrics:
        for t in m.targets:
            if t.change is None:
                continue
            shown = with_its_unit(t.value, m.unit)
            why = None
            if m.unit == "percent" and not 0 <= t.value <= 100:
                why = f"computes {shown}, but a percentage is from 0 to 100"
            elif (m.unit not in SIGNED_UNITS and t.value < 0 <= m.baseline.value):
                unit = formatting.unit_label(m.unit)
                why = f"computes {shown}, below zero, which a figure in {unit} cannot be"
            if why:
                yield error("target-range",
                            f"metric {m.id!r}: the {t.label.lower()} `change: "
                            f"{t.change:+g}%` of the {t.baseline_year} baseline "
                            f"({with_its_unit(m.baseline.value, m.unit)}) {why}; give a change "
                            "the unit can hold, or a `value`", t.at("change"))


@rule
def financial_balance(plan: Plan) -> Iterator[Diagnostic]:
    """balance-not-reached (warning): the system trajectory ends out of balance."""
    traj = plan.finance.trajectory
    if traj.years and not traj.years[-1].in_balance:
        last = traj.years[-1]
        yield warning("balance-not-reached",
                      f"the system is still in deficit in {last.year} ({last.surplus:,} "
                      "£'000); the plan should return to financial balance", traj.loc)


@rule
def stated_counts(plan: Plan) -> Iterator[Diagnostic]:
    """stated-count (warning): a count the plan states (governance ``portfolios``,
    ``programmes``) is not the count of what the plan holds. Both are facts, and the
    documents show both; the warning asks whether the stated one is still right."""
    gov = plan.system.governance
    held = {"portfolios": (len(plan.portfolios), plan.terms.portfolio.plural),
            "programmes": (len(plan.programmes), "programmes")}
    for name, (count, what) in held.items():
        stated = getattr(gov, name)
        if stated is not None and count and stated != count:
            yield warning("stated-count",
                          f"governance states {stated} {what}, but the plan holds {count}; "
                          "the documents show both: correct the stated count if it is out "
                          "of date", gov.count_locs.get(name, gov.loc))


@rule
def paper_layouts(plan: Plan) -> Iterator[Diagnostic]:
    """council-layout (warning): a paper to a council's meeting laid out on the NHS cover
    sheet, under the NHS logo (a council committee's papers are council reports;
    leave ``format`` out to get that layout)."""
    for paper in plan.board_papers:
        if paper.format == "nhs-board" and council_meeting(plan.system, paper):
            yield warning("council-layout",
                          f"the paper {paper.id!r} goes to a council's meeting but is laid "
                          "out on the NHS cover sheet under the NHS logo; use `format: "
                          "local-authority` (or leave `format` out)",
                          paper.format_loc or paper.loc)


@rule
def meeting_days(plan: Plan) -> Iterator[Diagnostic]:
    """meeting-weekend (warning): a paper's meeting falls on a Saturday or Sunday."""
    for paper in plan.board_papers:
        try:
            day = date.fromisoformat(paper.meeting_date)
        except (TypeError, ValueError):
            continue
        if day.weekday() >= 5:
            yield warning("meeting-weekend",
                          f"the paper {paper.id!r} meets on a {day.strftime('%A')} "
                          f"({iso_date(paper.meeting_date)}); boards and committees meet on "
                          "weekdays: check the meeting date",
                          paper.field_locs.get("meeting_date", paper.loc))


@rule
def illustrative_counts(plan: Plan) -> Iterator[Diagnostic]:
    """illustrative (warning): how many figures in each file no source gives."""
    counts: Counter[str] = Counter()
    first: dict[str, Location] = {}
    for file, _what, count, loc in plan.illustrative_figures():
        counts[file] += count
        first.setdefault(file, loc)
    for file, count in sorted(counts.items()):
        yield warning("illustrative",
                      f"{count} figure{'s' if count != 1 else ''} in {file} "
                      f"{'are' if count != 1 else 'is'} illustrative (no source gives "
                      f"{'them' if count != 1 else 'it'}); documents mark them as such",
                      first[file])


@rule
def unsourced_entries(plan: Plan) -> Iterator[Diagnostic]:
    """unsourced (warning): how many entries in each file are known to be real but in
    no source (``provenance: unsourced``), so a team sees how much is still to source."""
    counts: Counter[str] = Counter()
    first: dict[str, Location] = {}
    for file, _kind, _what, loc in plan.unsourced_items():
        counts[file] += 1
        first.setdefault(file, loc)
    for file, count in sorted(counts.items()):
        them = "them" if count != 1 else "it"
        yield warning("unsourced",
                      f"{count} entr{'ies' if count != 1 else 'y'} in {file} "
                      f"{'are' if count != 1 else 'is'} unsourced (known to be real, but no "
                      f"source gives {them}); documents mark {them} as such: declare the "
                      f"source that gives {'each' if count != 1 else 'it'} when there is one",
                      first[file])


@rule
def unsourced_figures(plan: Plan) -> Iterator[Diagnostic]:
    """provenance-unsourced: ``unsourced`` is for an entry (an executive, a partner, a
    priority); a figure, a date or a block of figures needs a source or
    ``illustrative``."""
    reported: set[Location] = set()
    for kind, path, prov, loc in _provenances(plan):
        if prov != UNSOURCED or (path == "" and kinds.is_item(kind)):
            continue
        at = plan.written_at(loc, "provenance")
        if at not in reported:
            reported.add(at)
            yield error("provenance-unsourced",
                        "'unsourced' marks an entry known to be real that no source gives "
                        f"(an executive, a partner); the {kinds.label_of(kind, plan.terms)} "
                        "here holds figures or dates: give the source that gives them, or "
                        "'illustrative'", at)


@rule
def submitted_with_illustrative(plan: Plan) -> Iterator[Diagnostic]:
    """submitted-illustrative (warning; refused under --strict): a plan or paper whose
    status is `submitted` or `published` while figures of the plan are still
    illustrative."""
    if not plan.has_illustrative:
        return
    count = sum(n for _file, _what, n, _loc in plan.illustrative_figures())
    why = (f"while {count} figure{'s' if count != 1 else ''} of the plan "
           f"{'are' if count != 1 else 'is'} illustrative; replace them with sourced "
           "figures or give a status before `submitted`")
    if plan.system.status in _OUT:
        yield warning("submitted-illustrative",
                      f"the plan cannot be {plan.system.status} {why}",
                      plan.system.status_loc)
    for paper in plan.board_papers:
        if paper.status in _OUT:
            yield warning("submitted-illustrative",
                          f"the paper {paper.id!r} cannot be {paper.status} {why}",
                          paper.status_loc)


#: The statuses of a plan or paper that has left its authors.
_OUT = ("submitted", "published")


def _what(entity: Any, plan: Plan) -> str:
    place, priority, portfolio = _words(plan)
    name = {"GlossaryEntry": "glossary entry", "ICP": place, "Priority": priority,
            "Portfolio": portfolio}.get(type(entity).__name__, type(entity).__name__.lower())
    label = next((getattr(entity, a) for a in ("id", "term", "title", "year")
                  if getattr(entity, a, None) is not None), None)
    return f"{name} {label!r}" if label is not None else name


@rule
def source_current(plan: Plan) -> Iterator[Diagnostic]:
    """source-current: a source's wording cannot be current only after it was published
    (``current`` after ``date``)."""
    for s in plan.system.sources:
        if s.current and s.date and s.current > s.date:
            yield error("source-current",
                        f"the source {s.id!r} says its wording was current from {s.current}, "
                        f"after it was published ({s.date}); `current` is for wording "
                        "that held before publication: leave it out or correct it", s.loc)


@rule
def postdates(plan: Plan) -> Iterator[Diagnostic]:
    """postdates (warning): a document would cite something published after its date,
    or show a passage of text dated after it (``{from:...}``); the document leaves it
    out. The plan's documents are dated the plan's date; a board paper its own date,
    and only its own text and extracts reach it."""
    day = plan.system.date
    for entity in plan.postdating(day):
        loc = getattr(entity, "loc", None) or plan.system.status_loc
        yield warning("postdates",
                      f"the {_what(entity, plan)} cites {entity.provenance!r}, published after "
                      f"the plan's date ({day}): the plan's documents leave it out", loc)
    others = [v for f in dataclasses.fields(plan) if f.name != "board_papers"
              for v in (getattr(plan, f.name),)]
    for when, loc in plan.later_passages(others, day):
        yield warning("postdates",
                      f"this passage is dated {when!r}, after the plan's date ({day}): the "
                      "plan's documents leave it out", loc)
    for paper in plan.board_papers:
        for when, loc in plan.later_passages(paper, paper.date):
            yield warning("postdates",
                          f"this passage of the paper {paper.id!r} is dated {when!r}, after "
                          f"the paper's date ({paper.date}): the paper leaves it out", loc)
        later = plan.later_sources(paper.date)
        if not later:
            continue
        for extract in paper.all_extracts:
            cited = [e for e in extract_content(plan, extract.kind)
                     if getattr(e, "provenance", None) in later]
            if cited:
                sources = sorted({e.provenance for e in cited})
                yield warning("postdates",
                              f"the extract {extract.kind!r} of the paper {paper.id!r} "
                              f"(dated {paper.date}) would cite {len(cited)} item"
                              f"{'s' if len(cited) != 1 else ''} from "
                              f"{', '.join(sources)}, published after it: the paper leaves "
                              f"{'them' if len(cited) != 1 else 'it'} out", extract.loc)


def extract_content(plan: Plan, name: str) -> tuple:
    """What the board paper extract ``name`` shows of the plan: the entities of the
    file kind that declares it, or those ``EXTRACT_CONTENT`` lists."""
    declared = kinds.extract_kind(name)
    if declared is not None:
        return tuple(e for k in declared.entities for path in k.within
                     for e in kinds.values(plan, path))
    return EXTRACT_CONTENT[name](plan)


#: What each kind of board paper extract shows of the plan.
EXTRACT_CONTENT: dict[str, Callable[[Plan], tuple]] = {
    "vision": lambda p: (p.vision, *p.vision.ambitions, *p.vision.intents),
    "priorities": lambda p: p.priorities,
    "metrics-table": lambda p: p.metrics,
    "metric-chart": lambda p: (),
    # actuals are dated by their months, not by their source: a paper keeps every month
    # up to its date, so it leaves out nothing its source's date would (see Plan.as_of)
    "delivery": lambda p: (),
    "delivery-chart": lambda p: (),
    "allocations-table": lambda p: (p.finance.allocations,),
    "financial-trajectory": lambda p: (p.finance.trajectory,),
    "activity-table": lambda p: p.activity,
    "workforce-table": lambda p: p.workforce.groups,
    "golden-thread": lambda p: p.priorities + p.portfolios + p.metrics,
    "engagement": lambda p: p.engagement.undertaken + p.engagement.planned,
    "glossary": lambda p: p.system.glossary,
}


def _paper_markers(paper: Any) -> Iterator[tuple[str, Any, Location]]:
    """(field, marker, where) of every marker in the paper's Markdown."""
    for name, text in paper.markdown():
        if hasattr(text, "at"):
            for m in markers(text):
                yield name, m, text.at(m.line)


@rule
def appendix_references(plan: Plan) -> Iterator[Diagnostic]:
    """appendix-reference: every ``{appendix:ID}`` names an appendix of the paper (an
    error), and every appendix is referred to (a warning); appendix ids are unique."""
    for paper in plan.board_papers:
        seen: dict[str, Location] = {}
        for a in paper.appendices:
            if a.id in seen:
                yield error("unique-id", f"the appendix id {a.id!r} is used twice in the "
                            f"paper {paper.id!r}; ids must be unique", a.loc)
            seen.setdefault(a.id, a.loc)
        referred = set()
        for name, m, loc in _paper_markers(paper):
            if m.kind != "appendix":
                continue
            referred.add(m.value)
            if m.value not in seen:
                known = ", ".join(seen) or "none"
                yield error("appendix-reference",
                            f"the {name} of the paper {paper.id!r} refers to the appendix "
                            f"{m.value!r}, which the paper does not have (its appendices: "
                            f"{known})", loc)
        for a in paper.appendices:
            if a.id not in referred:
                yield warning("appendix-reference",
                              f"the paper {paper.id!r} never refers to its appendix {a.id!r} "
                              f"({a.title}); refer to it where the reader needs it with "
                              f"{{appendix:{a.id}}}", a.loc)


@rule
def extract_references(plan: Plan) -> Iterator[Diagnostic]:
    """extract-reference: the body marks the place of every extract the paper lists,
    with ``{extract:NAME}`` alone in a paragraph, and marks only listed extracts."""
    for paper in plan.board_papers:
        listed = {e.name: e for e in paper.extracts}
        placed = set()
        for name, m, loc in _paper_markers(paper):
            if m.kind != "extract":
                continue
            if name != "body":
                yield error("extract-reference",
                            f"the {name} of the paper {paper.id!r} marks the extract "
                            f"{m.value!r}; only the body places extracts (an appendix lists "
                            "its own in its `extracts`)", loc)
            elif m.value not in listed:
                yield error("extract-reference",
                            f"the body of the paper {paper.id!r} marks the extract "
                            f"{m.value!r}, which the paper's `extracts` do not list (they "
                            f"list: {', '.join(listed) or 'none'})", loc)
            else:
                placed.add(m.value)
        body = paper.body
        alone = {p.name for p in narrative.placed(body)}
        for name in placed - alone:
            yield error("extract-reference",
                        f"the extract mark {{extract:{name}}} of the paper {paper.id!r} "
                        "must be a paragraph of its own", next(
                            loc for n, m, loc in _paper_markers(paper)
                            if n == "body" and m.value == name))
        for name, extract in listed.items():
            if name not in placed:
                yield error("extract-reference",
                            f"the paper {paper.id!r} lists the extract {name!r} but its body "
                            f"never marks where it goes; add a paragraph {{extract:{name}}} "
                            "where the paper refers to it, or attach it as an appendix",
                            extract.loc)


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@rule
def passage_dates(plan: Plan) -> Iterator[Diagnostic]:
    """passage-date: a ``{from:WHEN}`` names a date (YYYY-MM-DD) or a source with a
    date, and opens a paragraph, list item or heading."""
    sources = {s.id: s.date for s in plan.system.sources}
    for text in texts(plan):
        for m in markers(text):
            if m.kind != "from":
                continue
            where = text.at(m.line)
            if m.value in sources:
                if not sources[m.value]:
                    yield error("passage-date",
                                f"{{from:{m.value}}} names a source with no `date`; give "
                                "the source its date in plan.yaml, or write the date here",
                                where)
            elif not _DATE.fullmatch(m.value) or not _real_date(m.value):
                yield error("passage-date",
                            f"{{from:{m.value}}} is neither a date written YYYY-MM-DD nor "
                            "the id of a source", where)
            if not m.opens:
                yield error("passage-date",
                            f"{{from:{m.value}}} must open a paragraph, a list item or a "
                            "heading (it dates that passage)", where)


def _real_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@rule
def decision_risks(plan: Plan) -> Iterator[Diagnostic]:
    """decision-risks: a paper asking for a decision states its risks, or leaves them
    out so its cover sheet says they are to be confirmed; never "none identified"."""
    for paper in plan.board_papers:
        if paper.purpose == "decision" and paper.risks_identified is False:
            yield error("decision-risks",
                        f"the paper {paper.id!r} asks for a decision but identifies no "
                        "risks: state them (risks.identified: true, with references or a "
                        "summary) or leave `risks` out so the cover sheet says they are to "
                        "be confirmed", paper.risks_loc)


READING_EASE_AIM = 60
READING_EASE_MIN_WORDS = 20


def _public_passages(plan: Plan) -> Iterator[tuple[str, str, Location]]:
    """(what, text, where) of every passage the public summary shows: the fields the
    entity kinds list as public, the engagement undertaken and planned, the glossary."""
    for kind, _id, entity in kinds.entities(plan):
        for name in kind.public:
            text = getattr(entity, name)
            if text:
                field = name.replace("_", " ")
                whose = kinds.name_of(kind, entity, plan.terms)
                what = f"{whose}'s {field}" if kind.id is None else f"the {field} of {whose}"
                yield what, text, entity.loc
    for e in (*plan.engagement.undertaken, *plan.engagement.planned):
        field = "public summary" if e.public_summary else "description"
        yield f"the {field} of engagement {e.id}", e.plain, e.loc
    for g in plan.system.public_glossary:
        field = "public definition" if g.public_definition else "definition"
        yield f"the {field} of glossary term {g.term!r}", g.plain, g.loc


@rule
def reading_ease(plan: Plan) -> Iterator[Diagnostic]:
    """reading-ease (warning): a passage of the public summary reads harder than plain
    English (Flesch reading ease below 60). Passages under 20 words are too short to
    score and are skipped, as are the metrics' short public phrases."""
    passages = [(what, text, loc) for what, text, loc in _public_passages(plan)
                if len(text.split()) >= READING_EASE_MIN_WORDS]
    if not passages:
        return
    from .readability import flesch_scores

    scores = flesch_scores(text for _, text, _ in passages)
    for what, text, loc in passages:
        score = scores[text]
        if score < READING_EASE_AIM:
            yield warning("reading-ease",
                          f"{what} scores {score:.1f} for Flesch reading ease; aim for "
                          f"{READING_EASE_AIM} or more (plain English): shorter sentences "
                          "and shorter words", loc)
