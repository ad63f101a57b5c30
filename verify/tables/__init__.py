"""Decision checks: gaps, conflicts, redundant overlaps, masked and dead rules.

Every check is about the patients who can reach the decision (its Context), not all
combinations of inputs, and works on boxes where rules are boxes (`verify.space`), asking
Z3 only to confirm. One module per check (`dead`, `masked`, `conflict`, `gap`), driven by
`checker.DecisionChecker`; `check_decision` checks a single table.
"""

from verify.tables.checker import MAX_GAPS, DecisionChecker, RuleInfo
from verify.tables.merge import merge_copies
from verify.tables.single import check_decision, table_context, unreachable_result
from verify.tables.unknown import unknown_result

__all__ = [
    "MAX_GAPS",
    "DecisionChecker",
    "RuleInfo",
    "check_decision",
    "merge_copies",
    "table_context",
    "unknown_result",
    "unreachable_result",
]
