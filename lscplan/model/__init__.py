"""Stage 3, model: the plan as frozen dataclasses, built from schema-valid data.

Derived figures (movements, percentages, totals, growth, surplus) are computed here
once, so neither the rules, the templates nor the diff do arithmetic of their own.
Every entity keeps the Location it came from, so rules can point at it.

The model is a package, a module per part of the plan: ``base``, ``system``,
``strategy``, ``quantified``, ``papers``, ``dated``, ``plan``. Each kind's class sits
beside its builder; the plan at a date is ``dated``."""

from __future__ import annotations

from .base import (
    _FINANCIAL_YEAR as _FINANCIAL_YEAR,
)
from .base import (
    _ISO_DATE as _ISO_DATE,
)
from .base import (
    ILLUSTRATIVE as ILLUSTRATIVE,
)
from .base import (
    STATUSES as STATUSES,
)
from .base import (
    FieldProvenance as FieldProvenance,
)
from .base import (
    FieldSource as FieldSource,
)
from .base import (
    Person as Person,
)
from .base import (
    Record as Record,
)
from .base import (
    Series as Series,
)
from .base import (
    Source as Source,
)
from .base import (
    Sourced as Sourced,
)
from .base import (
    Text as Text,
)
from .base import (
    _count as _count,
)
from .base import (
    _generic as _generic,
)
from .base import (
    _loc as _loc,
)
from .base import (
    _located as _located,
)
from .base import (
    _person as _person,
)
from .base import (
    _record as _record,
)
from .base import (
    _series as _series,
)
from .base import (
    _sourced as _sourced,
)
from .base import (
    percent_change as percent_change,
)
from .base import (
    round_half_up as round_half_up,
)
from .base import (
    sum_series as sum_series,
)
from .base import (
    texts as texts,
)
from .base import (
    year_range as year_range,
)
from .dated import (
    _later as _later,
)
from .dated import (
    _postdating as _postdating,
)
from .dated import (
    _with_fields as _with_fields,
)
from .dated import (
    _without as _without,
)
from .dated import (
    _without_each as _without_each,
)
from .dated import (
    _without_references as _without_references,
)
from .papers import (
    COUNCIL_TYPES as COUNCIL_TYPES,
)
from .papers import (
    LETTERS as LETTERS,
)
from .papers import (
    RISK_RATINGS as RISK_RATINGS,
)
from .papers import (
    Appendix as Appendix,
)
from .papers import (
    BoardPaper as BoardPaper,
)
from .papers import (
    Commitment as Commitment,
)
from .papers import (
    Engagement as Engagement,
)
from .papers import (
    EngagementFigure as EngagementFigure,
)
from .papers import (
    EngagementPlan as EngagementPlan,
)
from .papers import (
    Extract as Extract,
)
from .papers import (
    Implication as Implication,
)
from .papers import (
    Objective as Objective,
)
from .papers import (
    Partner as Partner,
)
from .papers import (
    Risk as Risk,
)
from .papers import (
    RiskScores as RiskScores,
)
from .papers import (
    _board_paper as _board_paper,
)
from .papers import (
    _commitments as _commitments,
)
from .papers import (
    _engagement as _engagement,
)
from .papers import (
    _extracts as _extracts,
)
from .papers import (
    _resolve_formats as _resolve_formats,
)
from .papers import (
    _risks as _risks,
)
from .papers import (
    council_meeting as council_meeting,
)
from .papers import (
    risk_rating as risk_rating,
)
from .plan import (
    BUILDERS as BUILDERS,
)
from .plan import (
    DATED_PARTS as DATED_PARTS,
)
from .plan import (
    Plan as Plan,
)
from .plan import (
    _resolve_units as _resolve_units,
)
from .plan import (
    build_model as build_model,
)
from .quantified import (
    _ALLOCATION_FIGURES as _ALLOCATION_FIGURES,
)
from .quantified import (
    STAFFING_TYPES as STAFFING_TYPES,
)
from .quantified import (
    AllocationRow as AllocationRow,
)
from .quantified import (
    Allocations as Allocations,
)
from .quantified import (
    ContextFigure as ContextFigure,
)
from .quantified import (
    Finance as Finance,
)
from .quantified import (
    FinancialYear as FinancialYear,
)
from .quantified import (
    PointOfDelivery as PointOfDelivery,
)
from .quantified import (
    StaffGroup as StaffGroup,
)
from .quantified import (
    Trajectory as Trajectory,
)
from .quantified import (
    Workforce as Workforce,
)
from .quantified import (
    _activity as _activity,
)
from .quantified import (
    _allocation_row as _allocation_row,
)
from .quantified import (
    _finance as _finance,
)
from .quantified import (
    _workforce as _workforce,
)
from .strategy import (
    _SAYS_WHEN as _SAYS_WHEN,
)
from .strategy import (
    TARGET_KINDS as TARGET_KINDS,
)
from .strategy import (
    Baseline as Baseline,
)
from .strategy import (
    Metric as Metric,
)
from .strategy import (
    Portfolio as Portfolio,
)
from .strategy import (
    Priority as Priority,
)
from .strategy import (
    Programme as Programme,
)
from .strategy import (
    Statement as Statement,
)
from .strategy import (
    Target as Target,
)
from .strategy import (
    Vision as Vision,
)
from .strategy import (
    _metrics as _metrics,
)
from .strategy import (
    _percent as _percent,
)
from .strategy import (
    _portfolio as _portfolio,
)
from .strategy import (
    _priorities as _priorities,
)
from .strategy import (
    _statements as _statements,
)
from .strategy import (
    _targets as _targets,
)
from .strategy import (
    _vision as _vision,
)
from .strategy import (
    _year_end as _year_end,
)
from .system import (
    _NUMBER_WORDS as _NUMBER_WORDS,
)
from .system import (
    DEFAULT_TERMS as DEFAULT_TERMS,
)
from .system import (
    ICP as ICP,
)
from .system import (
    Board as Board,
)
from .system import (
    Component as Component,
)
from .system import (
    Contact as Contact,
)
from .system import (
    Executive as Executive,
)
from .system import (
    GlossaryEntry as GlossaryEntry,
)
from .system import (
    Governance as Governance,
)
from .system import (
    Organisation as Organisation,
)
from .system import (
    Period as Period,
)
from .system import (
    Population as Population,
)
from .system import (
    Publication as Publication,
)
from .system import (
    Submission as Submission,
)
from .system import (
    System as System,
)
from .system import (
    Term as Term,
)
from .system import (
    Terms as Terms,
)
from .system import (
    _board as _board,
)
from .system import (
    _declared_units as _declared_units,
)
from .system import (
    _organisation as _organisation,
)
from .system import (
    _population as _population,
)
from .system import (
    _publication as _publication,
)
from .system import (
    _system as _system,
)
from .system import (
    _terms as _terms,
)
from .system import (
    _unit as _unit,
)
from .system import (
    number_word as number_word,
)
