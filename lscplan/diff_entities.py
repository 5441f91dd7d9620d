"""The plan as entities, for ``lscplan diff``: every entity kind that ``lscplan.kinds``
declares, walked through that declaration (``kinds.entities``).

``entities(plan)`` flattens every entity into JSON-safe nested fields keyed by
(kind, id). An entity's fields are its own (``kinds.own_fields``: not its location,
not its id, not the collections that are entities of their own), named as the model
names them, which is as the YAML names them; a series is ``{year: value}``, a
mapping keeps its keys, a list of objects becomes a list of their fields. A kind
whose YAML groups or names its fields otherwise than the model (a board paper's
``risks`` and ``impact_assessment``, the trajectory's years) has a view in ``VIEWS``
that names them as the YAML does; every other kind, a new one included, needs
nothing here. ``KINDS`` gives the kinds in plan order; ``unit_of`` says which unit a
figure field is in, so the reporters can print it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from . import kinds
from .formatting import Unit
from .model import (
    TARGET_PARTS,
    AllocationRow,
    Allocations,
    BoardPaper,
    Engagement,
    FieldProvenance,
    Governance,
    Metric,
    Plan,
    PointOfDelivery,
    Population,
    Record,
    Series,
    Submission,
    Trajectory,
    Workforce,
)

#: Entity kinds, in plan order (the order diff reports them in).
KINDS: tuple[str, ...] = tuple(k.name for k in kinds.ENTITY_KINDS)

#: An entity's key: (kind, id; None for a singleton).
EntityKey = tuple[str, str | None]
Entities = dict[EntityKey, dict[str, Any]]


def entities(plan: Plan) -> Entities:
    """Every entity of the plan: (kind, id) -> its fields as JSON-safe nested data.
    Singletons (the system, the vision, the trajectory ...) have the id None."""
    out: Entities = {}
    for kind, path, eid, entity in kinds.placed(plan):
        view = VIEWS.get(kind.name)
        fields = view(entity) if view else fields_of(kind, entity)
        if kind.within_field:
            fields = {kind.within_field: path.rsplit(".", 1)[-1], **fields}
        key, n = (kind.name, eid), 2
        while key in out:  # a repeated id (the checks refuse most): keep both
            key, n = (kind.name, f"{eid}#{n}"), n + 1
        out[key] = fields
    return out


def fields_of(kind: kinds.EntityKind, entity: Any) -> dict[str, Any]:
    """The entity's own fields as JSON-safe data, without its id and locations."""
    ids = (kind.id or "").split("|")
    return {name: json_safe(value) for name, value in kinds.own_fields(kind, entity).items()
            if name not in ids and name not in kind.ignored and not _is_location(entity, name)}


def json_safe(value: Any) -> Any:
    """A model value as JSON-safe data: series as ``{year: value}``, objects as their
    fields (locations left out), tuples as lists, mapping keys as text."""
    if isinstance(value, Series):
        return dict(value.items())
    if dataclasses.is_dataclass(value):
        return {f.name: json_safe(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.compare}
    if isinstance(value, Record):
        return {k: json_safe(v) for k, v in vars(value)["_fields"].items()}
    if isinstance(value, tuple | list):
        return [json_safe(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    return value


def _is_location(entity: Any, name: str) -> bool:
    """A field that records where something is in the source (``status_loc``)."""
    if not dataclasses.is_dataclass(entity):
        return False
    found = {f.name: f for f in dataclasses.fields(entity)}.get(name)
    return found is not None and not found.compare


# --- kinds whose YAML names its fields otherwise -------------------------------------


def _population_view(pop: Population) -> dict[str, Any]:
    return {"people": pop.people, "provenance": pop.provenance, "note": pop.note}


def _allocations_view(al: Allocations) -> dict[str, Any]:
    return {"title": al.title, "provenance": al.provenance, "baseline_year": al.baseline_year,
            "allocation_year": al.allocation_year, "baseline_label": al.baseline_label,
            "allocation_label": al.allocation_label, "total_label": al.total.label}


def _allocation_view(row: AllocationRow) -> dict[str, Any]:
    # the published movement and percent are checked against these two, not compared
    return {"baseline": row.baseline, "allocation": row.allocation}


def _trajectory_view(tr: Trajectory) -> dict[str, Any]:
    return {"provenance": tr.provenance, "years": {
        y.year: {"income": y.income, "expenditure": y.expenditure} for y in tr.years}}


def _efficiency_view(eff: Series) -> dict[str, Any]:
    return {"provenance": eff.provenance, "years": dict(eff.items())}


def _activity_view(pod: PointOfDelivery) -> dict[str, Any]:
    return {"title": pod.title, "unit": pod.unit, "provenance": pod.provenance,
            "by_icp": {icp: dict(s.items()) for icp, s in sorted(pod.by_icp.items())},
            "system_total_published": pod.published_system is not None}


def _unit_view(unit: Unit) -> dict[str, Any]:
    return {"label": unit.label, "symbol": unit.symbol, "decimals": unit.decimals}


def _workforce_view(wf: Workforce) -> dict[str, Any]:
    return {"total_published": wf.published_total is not None}


def _metric_view(m: Metric) -> dict[str, Any]:
    # targets keyed by kind and year (``targets.national.value``, ``targets.local-2030``),
    # so format 1's ``standard`` and the same national target under ``targets`` agree
    fields = fields_of(_METRIC, m)
    # a part with a provenance of its own adds it: ``targets.local-2030.wording.provenance``
    fields["targets"] = {t.key: {"text": t.text, "value": t.value, "provenance": t.provenance,
                                 **{f"{TARGET_PARTS[s.name]}.provenance": s.provenance
                                    for s in t.sourced}}
                         for t in m.targets}
    return fields


_METRIC = next(k for k in kinds.ENTITY_KINDS if k.name == "metric")


def _engagement_view(e: Engagement) -> dict[str, Any]:
    return {"title": e.title, "when": e.when, "led_by": e.led_by,
            "description": e.description, "provenance": e.provenance,
            "figures": {f.label: {"value": f.value, "provenance": f.provenance}
                        for f in e.figures}}


def _as_written(entity: FieldProvenance | BoardPaper, name: str) -> Any:
    """A field as its YAML writes it: the value, or ``{value, provenance}`` where the
    field carries a provenance of its own."""
    own = next((s for s in entity.sourced if s.name == name), None)
    value = getattr(entity, name)
    return value if own is None else {"value": value, "provenance": own.provenance}


def _governance_view(g: Governance) -> dict[str, Any]:
    return {**{n: _as_written(g, n) for n in g.FIGURES}, "provenance": g.provenance,
            "description": g.description}


def _submission_view(s: Submission) -> dict[str, Any]:
    return {"title": s.title, "to": s.to, "deadline": _as_written(s, "deadline"),
            "provenance": s.provenance}


def _board_paper_view(bp: BoardPaper) -> dict[str, Any]:
    return {
        "title": bp.title, "version": bp.version, "status": bp.status,
        "organisation": bp.organisation, "meeting": _as_written(bp, "meeting"),
        "meeting_date": _as_written(bp, "meeting_date"),
        "agenda_item": _as_written(bp, "agenda_item"),
        "prepared_by": _as_written(bp, "prepared_by"),
        "paper_date": _as_written(bp, "paper_date"),
        "sponsor": _as_written(bp, "sponsor"),
        "responsible_manager": _as_written(bp, "responsible_manager"),
        "report_of": _as_written(bp, "report_of"),
        "electoral_divisions": _as_written(bp, "electoral_divisions"),
        "purpose": bp.purpose, "illustrative": list(bp.illustrative_fields),
        "previous_committees": _listed(bp.previous_committees),
        "background_papers": _listed(bp.background_papers), "summary": bp.summary,
        "recommendations": list(bp.recommendations),
        "risks": None if bp.risks_identified is None else {
            "identified": bp.risks_identified, "references": list(bp.risk_references),
            "summary": bp.risk_summary},
        "impact_assessment": None if bp.impact_required is None else {
            "required": bp.impact_required, "note": bp.impact_note},
        "strategic_objectives": None if bp.strategic_objectives is None else [
            {"text": o.text, "supported": o.supported} for o in bp.strategic_objectives],
        "contact": _as_written(bp, "contact"), "body": bp.body,
        "extracts": [{x.kind: x.metric} if x.metric else x.kind for x in bp.extracts],
        "provenance": bp.provenance}


#: Kind name -> its fields as its YAML names them, for the kinds where the model's
#: names or grouping differ (or where a figure is checked rather than compared).
VIEWS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "population": _population_view,
    "governance": _governance_view,
    "submission": _submission_view,
    "allocations": _allocations_view,
    "allocation": _allocation_view,
    "trajectory": _trajectory_view,
    "efficiency": _efficiency_view,
    "activity": _activity_view,
    "metric": _metric_view,
    "workforce": _workforce_view,
    "unit": _unit_view,
    "engagement": _engagement_view,
    "board-paper": _board_paper_view,
}


def _listed(items: tuple[str, ...] | None) -> list[str] | None:
    return None if items is None else list(items)


#: The units of figure fields the kinds' declarations cannot name (``kinds.Figures.unit``
#: names the rest): fields a view names otherwise than the model (the trajectory's
#: ``years``) and figures diff derives (a metric's ``change``). (kind, field head) ->
#: unit, or ``field:NAME`` for the unit the entity names in its own field NAME.
_UNITS: dict[tuple[str, str], str] = {
    ("metric", "change"): "field:unit",
    ("allocation", "baseline"): "gbp-thousands",
    ("allocation", "allocation"): "gbp-thousands",
    ("allocation", "movement"): "gbp-thousands",
    ("allocation", "percent"): "percent",
    ("allocations", "total.percent"): "percent",
    ("allocations", "total"): "gbp-thousands",
    ("trajectory", "years"): "gbp-thousands",
    ("trajectory", "surplus"): "gbp-thousands",
    ("efficiency", "years"): "gbp-thousands",
    ("efficiency", "percent"): "percent",
    ("activity", "system"): "field:unit",
    ("staff-group", "vacancy_rate"): "percent",
    ("workforce", "total"): "wte",
    ("workforce", "total_vacancies"): "wte",
}


def unit_of(kind: str, field: str | None, fields: dict[str, Any] | None) -> str | None:
    """The unit of ``field`` of an entity of ``kind`` (``values.2023/24`` of a metric in
    percent: ``percent``; ``cost.2021/22`` of a kind declaring its ``cost`` in
    ``gbp-thousands``: that), or None when it is not a figure (or is one written as
    given)."""
    if field is None:
        return None
    parts = field.split(".")
    for n in range(len(parts), 0, -1):
        unit = _UNITS.get((kind, ".".join(parts[:n])))
        if unit is None and n > 1:  # a keyed middle part: ``targets.local-2030.value``
            unit = _UNITS.get((kind, ".".join((parts[0], "*", *parts[2:n]))))
        if unit is not None:
            return kinds.resolve_unit(unit, fields or {})
    declared = kinds.entity_kind(kind)
    if declared is None:
        return None
    return kinds.resolve_unit(kinds.unit_spec(declared, field), fields or {})
