"""Model conditions back to readable DSL text (labels, reports, source maps)."""

from __future__ import annotations

from dsl import model as m


def _term(t: m.NumTerm) -> str:
    if t.var is not None:
        return t.var
    assert t.const is not None
    return m.format_value(t.const)


def describe_cond(c: m.Cond, parent: str = "") -> str:
    text: str
    if isinstance(c, m.Const):
        text = "true" if c.value else "false"
    elif isinstance(c, m.BoolVar):
        text = c.var
    elif isinstance(c, m.EnumIn):
        text = f"{c.var} == {c.values[0]}" if len(c.values) == 1 else f"{c.var} in {{{', '.join(c.values)}}}"
    elif isinstance(c, m.Compare):
        text = f"{_term(c.left)} {c.op} {_term(c.right)}"
    elif isinstance(c, m.EnumCompare):
        text = f"{c.left} {c.op} {c.right}"
    elif isinstance(c, m.Not):
        inner = c.operand
        if isinstance(inner, m.EnumIn) and len(inner.values) == 1:
            text = f"{inner.var} != {inner.values[0]}"
        elif isinstance(inner, m.EnumIn):
            text = f"{inner.var} not in {{{', '.join(inner.values)}}}"
        else:
            text = f"not {describe_cond(inner, 'not')}"
    elif isinstance(c, m.And):
        text = " and ".join(describe_cond(o, "and") for o in c.operands) if c.operands else "true"
        if parent in ("not",) and len(c.operands) > 1:
            text = f"({text})"
    elif isinstance(c, m.Or):
        text = " or ".join(describe_cond(o, "or") for o in c.operands) if c.operands else "false"
        if parent in ("and", "not") and len(c.operands) > 1:
            text = f"({text})"
    else:
        raise AssertionError(type(c).__name__)
    return text
