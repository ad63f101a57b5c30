"""Model conditions back to readable DSL text (labels, reports, source maps)."""

from __future__ import annotations

from dsl import model as m
from dsl.cond import CondVisitor


def _term(t: m.NumTerm) -> str:
    if t.var is not None:
        return t.var
    assert t.const is not None
    return m.format_value(t.const)


def describe_cond(c: m.Cond, parent: str = "") -> str:
    """The condition as DSL text; `parent` is the enclosing connective ("and", "or", "not"), if any."""
    return _Describe(parent).visit(c)


class _Describe(CondVisitor[str]):
    def __init__(self, parent: str) -> None:
        self.parent = parent

    def visit_const(self, c: m.Const) -> str:
        return "true" if c.value else "false"

    def visit_bool_var(self, c: m.BoolVar) -> str:
        return c.var

    def visit_enum_in(self, c: m.EnumIn) -> str:
        return f"{c.var} == {c.values[0]}" if len(c.values) == 1 else f"{c.var} in {{{', '.join(c.values)}}}"

    def visit_compare(self, c: m.Compare) -> str:
        return f"{_term(c.left)} {c.op.symbol} {_term(c.right)}"

    def visit_enum_compare(self, c: m.EnumCompare) -> str:
        return f"{c.left} {c.op.symbol} {c.right}"

    def visit_not(self, c: m.Not) -> str:
        match c.operand:
            case m.EnumIn(var=var, values=values):
                return f"{var} != {values[0]}" if len(values) == 1 else f"{var} not in {{{', '.join(values)}}}"
            case inner:
                return f"not {describe_cond(inner, 'not')}"

    def visit_and(self, c: m.And) -> str:
        text = " and ".join(describe_cond(o, "and") for o in c.operands) if c.operands else "true"
        if self.parent in ("not",) and len(c.operands) > 1:
            text = f"({text})"
        return text

    def visit_or(self, c: m.Or) -> str:
        text = " or ".join(describe_cond(o, "or") for o in c.operands) if c.operands else "false"
        if self.parent in ("and", "not") and len(c.operands) > 1:
            text = f"({text})"
        return text
