"""`veripath mutate`: mutation testing of specs.

A mutant is a spec with one realistic authoring mistake in it (a rule deleted, a condition
negated, a threshold moved, an action or a disposition swapped...). Each mutant is verified
like the spec itself: if some check, property or example fails, the mistake would have been
noticed (the mutant is *killed*); if everything passes although some patient now gets
another recommendation, nothing pins that part of the spec down (the mutant *survives*).

  operators.py  the mutation operators on the resolved Model (`mutants`)
  engine.py     verifying and classifying each mutant; processes; the time budget (`run`)
  render.py     the text and JSON reports

docs/mutate.md describes the operators and what each status means. This module names the
operators only, so that the command line can list them without loading the pipeline.
"""

from __future__ import annotations

from typing import Literal, get_args

Operator = Literal[
    "drop-rule",
    "drop-conjunct",
    "negate-conjunct",
    "shift-threshold",
    "flip-bound",
    "swap-value",
    "swap-action",
    "drop-order",
    "swap-goto",
    "swap-end",
    "swap-outcomes",
]
OPERATORS: tuple[Operator, ...] = get_args(Operator)
