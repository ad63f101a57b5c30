"""The comparison operators of the language, defined once.

Every stage that needs an operator's meaning (the type checker putting the variable on
the left, box extraction negating a bound, the evaluator, the Z3 encoding) asks `Op`:

  op.symbol     the source text ("<=")
  op.flip()     the operator with its sides swapped: `a op b` iff `b op.flip() a`
  op.negate()   the complement: `a op.negate() b` iff `not (a op b)` (on totally ordered values)
  op.apply(a, b) / op.function
                the Python operator; Z3 overloads the same operators, so it works on Z3
                terms too (==/!= give Z3 formulas, not Python bools, on Z3 expressions)
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from typing import Any


class Op(enum.Enum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    @property
    def symbol(self) -> str:
        return self.value

    @property
    def function(self) -> Callable[[Any, Any], Any]:
        """The Python operator (e.g. `operator.le`), for closures that must not pay a method call."""
        return _FUNCTIONS[self]

    @property
    def is_equality(self) -> bool:
        """== or != (the only operators that apply to bools and enumerations)."""
        return self in (Op.EQ, Op.NE)

    def flip(self) -> Op:
        """The operator with its sides swapped: `a < b` is `b > a`."""
        return _FLIPPED[self]

    def negate(self) -> Op:
        """The complement: `not (a < b)` is `a >= b`."""
        return _NEGATED[self]

    def apply(self, a: Any, b: Any) -> Any:
        """`a op b` with Python's operators (a bool for numbers, a Z3 formula for Z3 terms)."""
        return _FUNCTIONS[self](a, b)

    def __str__(self) -> str:
        return self.value


_FUNCTIONS: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
}
_FLIPPED: dict[Op, Op] = {Op.EQ: Op.EQ, Op.NE: Op.NE, Op.LT: Op.GT, Op.LE: Op.GE, Op.GT: Op.LT, Op.GE: Op.LE}
_NEGATED: dict[Op, Op] = {Op.EQ: Op.NE, Op.NE: Op.EQ, Op.LT: Op.GE, Op.LE: Op.GT, Op.GT: Op.LE, Op.GE: Op.LT}
