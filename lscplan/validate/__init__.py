"""Stage 2, validate: JSON Schema per file, then the plan rules."""

from . import actuals as _actuals  # noqa: F401  (registers the actuals' rules)
from .rules import check_rules
from .schema import validate_schema

__all__ = ["check_rules", "validate_schema"]
