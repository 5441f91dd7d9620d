"""The plan as entities, for ``lscplan diff``: the one place diff walks the plan's
entity kinds (to be replaced by the plan's single declaration of its kinds).

``entities(plan)`` flattens every entity into JSON-safe nested fields keyed by
(kind, id), named as the YAML names them (``impact_assessment.required``,
``years.2020/21.income``); ``KINDS`` gives the kinds in plan order; ``unit_of`` says which unit a
figure field is in, so the reporters can print it."""

from __future__ import annotations

from typing import Any

from .model import Plan, Series

#: Entity kinds, in plan order (the order diff reports them in).
KINDS: tuple[str, ...] = (
    "system", "period", "source", "population", "icp", "organisation", "executive",
    "governance", "submission", "submission-component", "glossary", "vision", "ambition",
    "intent", "ltp-theme", "case-for-change", "priority", "portfolio", "programme", "metric",
    "allocations", "allocation", "trajectory", "efficiency", "context-figure", "activity",
    "workforce", "staff-group", "engagement", "partner", "board-paper",
)

Entities = dict[tuple[str, str | None], dict[str, Any]]


def entities(plan: Plan) -> Entities:
    """Every entity of the plan: (kind, id) -> its fields as JSON-safe nested data.
    Singletons (the system, the vision, the trajectory ...) have the id None."""
    out: Entities = {}

    def put(kind: str, eid: str | None, fields: dict[str, Any]) -> None:
        key, n = (kind, eid), 2
        while key in out:  # a repeated id (the checks refuse most): keep both
            key, n = (kind, f"{eid}#{n}"), n + 1
        out[key] = fields

    s = plan.system
    put("system", None, {"id": s.id, "name": s.name, "kind": s.kind, "area": s.area,
                         "version": s.version, "date": s.date, "status": s.status,
                         "author": s.author})
    put("period", None, {"first": plan.period.first, "last": plan.period.last})
    for src in s.sources:
        put("source", src.id, {"title": src.title, "published": src.published,
                               "file": src.file, "url": src.url})
    for pop in s.population:
        put("population", str(pop.year), _population(pop))
    for icp in s.icps:
        put("icp", icp.id, {"name": icp.name, "description": icp.description,
                            "population": _population(icp.population)})
    for org in s.organisations:
        put("organisation", org.id, {"name": org.name, "type": org.type, "icp": org.icp,
                                     "role": org.role})
    for ex in s.executives:
        put("executive", ex.id, {"name": ex.name, "role": ex.role})
    g = s.governance
    put("governance", None, {"pmo_established": g.pmo_established, "portfolios": g.portfolios,
                             "programmes": g.programmes, "provenance": g.provenance,
                             "description": g.description})
    sub = s.submission
    put("submission", None, {"title": sub.title, "to": sub.to, "deadline": sub.deadline,
                             "provenance": sub.provenance})
    for comp in sub.components:
        put("submission-component", comp.id, {"title": comp.title,
                                               "description": comp.description})
    for entry in s.glossary:
        put("glossary", entry.term, {"definition": entry.definition,
                                     "provenance": entry.provenance, "public": entry.public})

    v = plan.vision
    put("vision", None, {"statement": v.statement, "provenance": v.provenance,
                         "public_summary": v.public_summary})
    for kind, items in (("ambition", v.ambitions), ("intent", v.intents),
                        ("ltp-theme", v.ltp_themes), ("case-for-change", v.case_for_change)):
        for st in items:
            put(kind, st.id, {"text": st.text, "provenance": st.provenance})

    for pr in plan.priorities:
        put("priority", pr.id, {
            "number": pr.number, "title": pr.title, "statement": pr.statement,
            "lead": _person(pr.lead), "portfolios": list(pr.portfolios),
            "public_summary": pr.public_summary, "provenance": pr.provenance})
    for pf in plan.portfolios:
        put("portfolio", pf.id, {
            "title": pf.title, "kind": pf.kind, "sponsor": _person(pf.sponsor),
            "priorities": list(pf.priorities), "provenance": pf.provenance,
            "summary": pf.summary, "narrative": pf.narrative, "metrics": list(pf.metrics)})
        for prog in pf.programmes:
            put("programme", prog.id, {"title": prog.title, "description": prog.description,
                                       "provenance": prog.provenance,
                                       "portfolio": prog.portfolio})

    for m in plan.metrics:
        std = m.standard
        put("metric", m.id, {
            "title": m.title, "description": m.description, "kind": m.kind,
            "priorities": list(m.priorities), "unit": m.unit, "direction": m.direction,
            "national_metric": m.national_metric, "public_phrase": m.public_phrase,
            "standard": {"value": std.value, "text": std.text, "provenance": std.provenance}
            if std else None,
            "baseline": {"year": m.baseline.year, "value": m.baseline.value,
                         "provenance": m.baseline.provenance},
            "values": _values(m.values), "provenance": m.provenance})

    fin = plan.finance
    al = fin.allocations
    put("allocations", None, {
        "title": al.title, "provenance": al.provenance, "baseline_year": al.baseline_year,
        "allocation_year": al.allocation_year, "baseline_label": al.baseline_label,
        "allocation_label": al.allocation_label, "total_label": al.total.label})
    for row in al.rows:
        put("allocation", row.label, {"baseline": row.baseline, "allocation": row.allocation})
    tr = fin.trajectory
    put("trajectory", None, {"provenance": tr.provenance, "years": {
        y.year: {"income": y.income, "expenditure": y.expenditure} for y in tr.years}})
    put("efficiency", None, {"provenance": fin.efficiency.provenance,
                             "years": _values(fin.efficiency)})
    for c in fin.context:
        put("context-figure", c.id, {"label": c.label, "value": c.value, "unit": c.unit,
                                     "provenance": c.provenance, "note": c.note})

    for pod in plan.activity:
        put("activity", pod.id, {
            "title": pod.title, "unit": pod.unit, "provenance": pod.provenance,
            "by_icp": {icp: _values(series) for icp, series in sorted(pod.by_icp.items())},
            "system_total_published": pod.published_system is not None})
    put("workforce", None, {"total_published": plan.workforce.published_total is not None})
    for grp in plan.workforce.groups:
        put("staff-group", grp.id, {
            "title": grp.title, "provenance": grp.provenance, "wte": _values(grp.wte),
            "vacancies": _values(grp.vacancies) if grp.vacancies else None})

    for stage, items in (("undertaken", plan.engagement.undertaken),
                         ("planned", plan.engagement.planned)):
        for e in items:
            put("engagement", e.id, {
                "stage": stage, "title": e.title, "when": e.when, "led_by": e.led_by,
                "description": e.description, "provenance": e.provenance,
                "figures": {f.label: {"value": f.value, "provenance": f.provenance}
                            for f in e.figures}})
    for partner in plan.engagement.partners:
        put("partner", partner.id, {"name": partner.name, "role": partner.role})

    for bp in plan.board_papers:
        put("board-paper", bp.id, {
            "title": bp.title, "version": bp.version, "status": bp.status,
            "organisation": bp.organisation, "meeting": bp.meeting,
            "meeting_date": bp.meeting_date, "agenda_item": bp.agenda_item,
            "prepared_by": bp.prepared_by, "paper_date": bp.paper_date,
            "sponsor": bp.sponsor, "responsible_manager": bp.responsible_manager,
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
            "contact": bp.contact, "body": bp.body,
            "extracts": [{x.kind: x.metric} if x.metric else x.kind for x in bp.extracts],
            "provenance": bp.provenance})
    return out


def _listed(items: tuple[str, ...] | None) -> list[str] | None:
    return None if items is None else list(items)


def _values(series: Series) -> dict[str, Any]:
    return {year: value for year, value in series.items()}


def _person(person: Any) -> dict[str, str] | None:
    return {"name": person.name, "role": person.role} if person else None


def _population(pop: Any) -> dict[str, Any] | None:
    if pop is None:
        return None
    return {"year": str(pop.year), "people": pop.people, "provenance": pop.provenance,
            "note": pop.note}


#: The unit of a kind's figure fields: (kind, field head) -> unit, or "field:NAME" for
#: the unit the entity names in its own field NAME.
_UNITS: dict[tuple[str, str], str] = {
    ("metric", "values"): "field:unit",
    ("metric", "baseline.value"): "field:unit",
    ("metric", "standard.value"): "field:unit",
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
    ("context-figure", "value"): "field:unit",
    ("activity", "by_icp"): "field:unit",
    ("activity", "system"): "field:unit",
    ("staff-group", "wte"): "wte",
    ("staff-group", "vacancies"): "wte",
    ("staff-group", "vacancy_rate"): "percent",
    ("workforce", "total"): "wte",
    ("workforce", "total_vacancies"): "wte",
    ("population", "people"): "number",
    ("icp", "population.people"): "number",
}


def unit_of(kind: str, field: str | None, fields: dict[str, Any] | None) -> str | None:
    """The unit of ``field`` of an entity of ``kind`` (``values.2023/24`` of a metric in
    percent: ``percent``), or None when it is not a figure."""
    if field is None:
        return None
    parts = field.split(".")
    for n in range(len(parts), 0, -1):
        unit = _UNITS.get((kind, ".".join(parts[:n])))
        if unit is not None:
            if unit.startswith("field:"):
                named = (fields or {}).get(unit[6:])
                return named if isinstance(named, str) else None
            return unit
    return None
