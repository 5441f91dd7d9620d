"""The plan as entities, for ``lscplan diff``: every entity kind that ``lscplan.kinds``
declares, walked through that declaration (``kinds.entities``).

``entities(plan)`` flattens every entity into JSON-safe nested fields keyed by
(kind, id). An entity's fields are its own (``kinds.own_fields``: not its location,
not its id, not the collections that are entities of their own), named as the model
names them, which is as the YAML names them; a series is ``{year: value}``, a
mapping keeps its keys, a list of objects becomes a list of their fields. A kind
whose YAML groups or names its fields otherwise than the model (a board paper's
``risks`` and ``impact_assessment``, the trajectory's years) has a view in ``VIEWS``
that names them as the YAML does (each with its reason); every other kind, a new one
included, needs nothing here: the fields its kind ignores (``kinds.EntityKind.ignored``)
are left out, and a field with a provenance of its own is written ``{value,
provenance}`` as in its YAML. ``KINDS`` gives the kinds in plan order; ``unit_of`` says which unit a
figure field is in, so the reporters can print it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from . import kinds
from .formatting import Unit
from .model import (
    TARGET_PARTS,
    Allocations,
    BoardPaper,
    Engagement,
    FieldProvenance,
    Metric,
    Plan,
    PointOfDelivery,
    Record,
    Series,
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
    """The entity's own fields as JSON-safe data, without its id, its locations and the
    fields its kind says diff does not compare (``ignored``); a field with a provenance
    of its own as its YAML writes it, ``{value, provenance}`` (``FieldProvenance``)."""
    ids = (kind.id or "").split("|")
    own = kinds.own_fields(kind, entity)
    sourced = isinstance(entity, FieldProvenance)
    return {name: _as_written(entity, name) if sourced else json_safe(value)
            for name, value in own.items()
            if name not in ids and name not in kind.ignored and not _is_location(entity, name)
            and not (sourced and name == "sourced")}


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


def _kind(name: str) -> kinds.EntityKind:
    found = kinds.entity_kind(name)
    if found is None:
        raise LookupError(f"no entity kind {name!r}")
    return found


def _allocations_view(al: Allocations) -> dict[str, Any]:
    return {"title": al.title, "provenance": al.provenance, "baseline_year": al.baseline_year,
            "allocation_year": al.allocation_year, "baseline_label": al.baseline_label,
            "allocation_label": al.allocation_label, "total_label": al.total.label}


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
    fields = fields_of(_kind("metric"), m)
    # a part with a provenance of its own adds it: ``targets.local-2030.wording.provenance``
    fields["targets"] = {t.key: {"text": t.text, "value": t.value, "provenance": t.provenance,
                                 **{f"{TARGET_PARTS[s.name]}.provenance": s.provenance
                                    for s in t.sourced}}
                         for t in m.targets}
    return fields




def _engagement_view(e: Engagement) -> dict[str, Any]:
    # its own fields (``public_summary``, ``until`` included), its figures keyed by label
    return {**fields_of(_kind("engagement"), e),
            "figures": {f.label: {"value": f.value, "provenance": f.provenance}
                        for f in e.figures}}




def _as_written(entity: FieldProvenance | BoardPaper, name: str) -> Any:
    """A field as its YAML writes it: the value, or ``{value, provenance}`` where the
    field carries a provenance of its own."""
    own = next((s for s in entity.sourced if s.name == name), None)
    value = json_safe(getattr(entity, name))
    return value if own is None else {"value": value, "provenance": own.provenance}


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
#: names or grouping differ from the YAML's, so no declaration of the model's fields
#: can say them (a kind's ``ignored`` fields, and fields with a provenance of their own,
#: need no view: ``fields_of`` reads them):
VIEWS: dict[str, Callable[[Any], dict[str, Any]]] = {
    # the total row's label as ``total_label`` (the row itself is not an entity)
    "allocations": _allocations_view,
    # the years as ``years.YEAR.income``, as the YAML groups them (the model: a list)
    "trajectory": _trajectory_view,
    # a Series, not an object with fields: its values as ``years``, as the YAML
    "efficiency": _efficiency_view,
    # places in order, and whether a system total is published, not the total itself
    "activity": _activity_view,
    # targets keyed by kind and year, each part's own provenance beside it
    "metric": _metric_view,
    # whether a total is published (the groups are entities of their own)
    "workforce": _workforce_view,
    # a Unit is a str (its id) whose label, symbol and decimals are attributes
    "unit": _unit_view,
    # figures keyed by their label
    "engagement": _engagement_view,
    # risks and impact grouped as the YAML groups them; extracts as written
    "board-paper": _board_paper_view,
}


def _listed(items: tuple[str, ...] | None) -> list[str] | None:
    return None if items is None else list(items)


#: The units of the fields a view names otherwise than the model, which the kinds'
#: declarations (``kinds.Figures.unit``, ``kinds.DerivedFigure.unit``) cannot name:
#: (kind, field head) -> unit.
_VIEW_UNITS: dict[tuple[str, str], str] = {
    ("trajectory", "years"): "gbp-thousands",  # a whole year: {income, expenditure}
    ("efficiency", "years"): "gbp-thousands",  # the Series' values
}


def unit_of(kind: str, field: str | None, fields: dict[str, Any] | None) -> str | None:
    """The unit of ``field`` of an entity of ``kind`` (``values.2023/24`` of a metric in
    percent: ``percent``; ``cost.2021/22`` of a kind declaring its ``cost`` in
    ``gbp-thousands``: that; a derived figure's, as its kind declares it), or None when
    it is not a figure (or is one written as given)."""
    if field is None:
        return None
    derived = kinds.derived_figure(kind, field)
    if derived is not None:
        return kinds.resolve_unit(derived[0].unit, fields or {})
    head = field.split(".", 1)[0]
    if (kind, head) in _VIEW_UNITS:
        return _VIEW_UNITS[kind, head]
    declared = kinds.entity_kind(kind)
    if declared is None:
        return None
    return kinds.resolve_unit(kinds.unit_spec(declared, field), fields or {})
